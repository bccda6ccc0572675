// Synthetic snapshot directories (the --record layout) of any size: N processes x M threads
// and K blocked tasks spread over the signatures wedgetop knows (frozen filesystem, audit
// mutex, full netlink socket, FUSE, unknown sites chained through their holders).
//
// The blocked tasks and their holders are written with test/support/snapdir.ts (every file a
// real /proc would show for them); the tens of thousands of background threads get only the
// one file a scan reads for a task that is not shown, their stat, written directly: writing
// five files per thread would make the 100k case spend its time in the generator.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeSnapshotDir, type ProcessSpec, type SnapshotSpec, type ThreadSpec } from '../test/support/snapdir.js';

export interface SynthSpec {
  /** Total tasks (threads), blocked ones included. */
  tasks: number;
  /** Threads per background process. */
  threadsPerProcess: number;
  /** Blocked tasks, spread over the signatures. */
  blocked: number;
  /** Holders in each chain of unknown wait sites (waiters -> holder -> its holder ...). */
  chainLength?: number;
}

export interface SynthInfo {
  dir: string;
  tasks: number;
  blocked: number;
  bySignature: Record<string, number>;
  frozenMounts: string[];
  chains: number;
}

const ROOT_MOUNTS = '22 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/vg-root rw\n23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw\n';
const FROZEN = ['/srv/data', '/var/lib/pgsql', '/backup'];
const FUSE_MP = '/mnt/sshfs';
const FUSE_CONN = 55;
const MOUNTINFO =
  ROOT_MOUNTS +
  FROZEN.map((mp, i) => `${40 + i} 22 253:${10 + i} / ${mp} rw,relatime shared:${20 + i} - ext4 /dev/mapper/vg-d${i} rw\n`).join('') +
  `60 22 0:${FUSE_CONN} / ${FUSE_MP} rw,nosuid,nodev,relatime shared:30 - fuse.sshfs backup@nas:/ rw,user_id=0,group_id=0\n`;

const TAIL = '[<0>] do_syscall_64+0x71/0x280\n[<0>] entry_SYSCALL_64_after_hwframe+0x76/0x7e\n';
const FROZEN_STACK = '[<0>] percpu_rwsem_wait+0x15f/0x1d0\n[<0>] vfs_write+0x3f0/0x450\n[<0>] ksys_write+0x66/0xe0\n' + TAIL;
const AUDIT_SENDER_STACK = '[<0>] audit_receive+0x28/0xc0\n[<0>] netlink_unicast+0x197/0x220\n[<0>] netlink_sendmsg+0x227/0x3d0\n[<0>] sock_sendmsg+0x63/0x70\n[<0>] __sys_sendto+0x114/0x1a0\n[<0>] __x64_sys_sendto+0x28/0x30\n' + TAIL;
const AUDIT_HOLDER_STACK = '[<0>] netlink_attachskb+0x1ab/0x1d0\n[<0>] netlink_unicast+0xab/0x220\n[<0>] audit_receive_msg+0x54c/0xeb0\n[<0>] audit_receive+0x57/0xc0\n[<0>] netlink_unicast+0x197/0x220\n[<0>] netlink_sendmsg+0x227/0x3d0\n' + TAIL;
const NETLINK_STACK = '[<0>] netlink_attachskb+0x1ab/0x1d0\n[<0>] netlink_unicast+0xab/0x220\n[<0>] netlink_sendmsg+0x227/0x3d0\n[<0>] sock_sendmsg+0x63/0x70\n[<0>] __sys_sendto+0x114/0x1a0\n' + TAIL;
const FUSE_STACK = '[<0>] request_wait_answer+0x13b/0x210 [fuse]\n[<0>] fuse_simple_request+0x16e/0x2c0 [fuse]\n[<0>] fuse_perform_write+0x2a1/0x5b0 [fuse]\n[<0>] vfs_write+0x3f0/0x450\n[<0>] ksys_write+0x66/0xe0\n' + TAIL;
const IDLE_STACK = '[<0>] futex_wait_queue+0x63/0x90\n[<0>] futex_wait+0x16c/0x260\n[<0>] do_futex+0x11a/0x1d0\n' + TAIL;

const WRITE = (fd: number): string => `1 0x${fd.toString(16)} 0x7f5bdf512274 0x129 0x0 0x0 0x0 0x7f5bdf511e40 0x7f5bdf4b7f4d`;
const SENDTO = '44 0x3 0x7ffc1e2a3b40 0x94 0x0 0x7ffc1e2a3ad0 0xc 0x7ffc1e2a3a28 0x7f3b9c1f5d8e';

const NETLINK_HEADER = 'sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n';
const nlRow = (eth: number, pid: number, rmem: number, drops: number, inode: number): string =>
  `0000000000000000 ${String(eth).padEnd(3)} ${String(pid).padEnd(10)} 00000000 ${String(rmem).padEnd(8)} 0        0     2        ${String(drops).padEnd(8)} ${inode}\n`;

/** Same layout as snapdir.ts's synthesized stat line. */
function statLine(pid: number, tid: number, comm: string, state: string, kthread: boolean): string {
  const flags = kthread ? 0x00208040 : 0x00400040;
  const f: (string | number)[] = [state, kthread ? 2 : 1, pid, pid, 0, -1, flags, 100, 0, 0, 0, 10, 5, 0, 0, 20, 0, 1, 0, 4_800_000, 10_000_000, 500];
  while (f.length < 50) f.push(0);
  return `${tid} (${comm}) ${f.join(' ')}\n`;
}

/** The blocked tasks and holders of a spec: the part written file by file. */
export function interestingProcesses(blocked: number, chainLength: number, firstPid: number): { procs: ProcessSpec[]; netlink: string; ss: string; bySig: Record<string, number>; chains: number } {
  let pid = firstPid;
  const procs: ProcessSpec[] = [];
  const bySig: Record<string, number> = {};
  const add = (sig: string, n: number): void => void (bySig[sig] = (bySig[sig] ?? 0) + n);
  const single = (comm: string, t: Omit<ThreadSpec, 'tid' | 'comm'>, extra: Partial<ProcessSpec> = {}): ProcessSpec => {
    const p = pid++;
    return { pid: p, ppid: 1, uid: 0, cgroup: '0::/system.slice/app.service', cwd: '/', mountinfo: MOUNTINFO, ...extra, threads: [{ tid: p, comm, ...t }] };
  };
  // Shares of the blocked tasks; the unknown chains take what is left.
  const nFrozen = Math.round(blocked * 0.4);
  const nAudit = Math.round(blocked * 0.15);
  const nNetlink = Math.round(blocked * 0.1);
  const nFuse = Math.round(blocked * 0.15);
  let nUnknown = blocked - nFrozen - nAudit - nNetlink - nFuse;

  for (let i = 0; i < nFrozen; i++) {
    const mp = FROZEN[i % FROZEN.length]!;
    procs.push(single(`writer${i % 97}`, { state: 'D', stack: FROZEN_STACK, syscall: WRITE(3), offCpuMs: 30_000 + i },
      { fds: [{ fd: 3, target: `${mp}/file${i}`, mntId: 40 + (i % FROZEN.length), flags: '0102001' }] }));
  }
  add('frozen-fs', nFrozen);

  // Seed 000's shape: senders behind the audit mutex, held by a daemon thread asleep on its own full socket.
  let netlink = NETLINK_HEADER + nlRow(9, 0, 0, 0, 15001);
  let ss = '';
  if (nAudit > 0) {
    const daemon = pid++;
    const holderTid = pid++;
    netlink += nlRow(9, daemon, 214272, 0, 5242881);
    ss += `UNCONN 214272 0 audit:auditbeat/${daemon} * sk=0 cb=0 groups=0x00000000\n\t skmem:(r214272,rb212992,t0,tb212992,f0,w0,o0,bl0,d0)\n`;
    procs.push({
      pid: daemon, ppid: 1, cgroup: '0::/system.slice/auditbeat.service', cwd: '/', mountinfo: MOUNTINFO,
      fds: [{ fd: 7, target: 'socket:[5242881]' }],
      threads: [
        { tid: daemon, comm: 'auditbeat', state: 'S', stack: IDLE_STACK, syscall: '202 0x4c1a9e8 0x80 0x0 0x0 0x0 0x0 0x7ffc5e0b7e60 0x465e63' },
        { tid: holderTid, comm: 'auditbeat', state: 'S', stack: AUDIT_HOLDER_STACK, syscall: '44 0x7 0xc000a1c000 0x4e20 0x0 0xc0003f1b68 0xc 0xc0003f1a90 0x4b4f5b', offCpuMs: 600_000 },
      ],
    });
    for (let i = 0; i < nAudit; i++) {
      const inode = 7_100_001 + i;
      netlink += nlRow(9, pid, 0, 0, inode);
      procs.push(single(i % 2 ? 'sudo' : 'cron', { state: 'D', stack: AUDIT_SENDER_STACK, syscall: SENDTO, offCpuMs: 500_000 - i }, { fds: [{ fd: 3, target: `socket:[${inode}]` }] }));
    }
    add('audit-mutex', nAudit);
  }

  // Senders to a generic netlink socket whose owner stopped reading (drops rising).
  if (nNetlink > 0) {
    const owner = pid++;
    netlink += nlRow(16, owner, 212992, 4242, 6_000_001);
    ss += `UNCONN 212992 0 generic:nlmon/${owner} * sk=0 cb=0 groups=0x00000000\n\t skmem:(r212992,rb212992,t0,tb212992,f0,w0,o0,bl0,d4242)\n`;
    procs.push({ pid: owner, ppid: 1, cgroup: '0::/system.slice/nlmon.service', cwd: '/', mountinfo: MOUNTINFO, fds: [{ fd: 5, target: 'socket:[6000001]' }], threads: [{ tid: owner, comm: 'nlmon', state: 'S', stack: IDLE_STACK }] });
    for (let i = 0; i < nNetlink; i++) {
      procs.push(single('nlclient', { state: 'D', stack: NETLINK_STACK, syscall: SENDTO, offCpuMs: 40_000 + i }, { fds: [{ fd: 3, target: `socket:[${6_100_001 + i}]` }] }));
    }
    add('netlink-full', nNetlink);
  }

  // Writers to a FUSE mount whose daemon is stopped.
  if (nFuse > 0) {
    const daemon = pid++;
    procs.push({ pid: daemon, ppid: 1, cgroup: '0::/user.slice', cwd: '/', mountinfo: MOUNTINFO, fds: [{ fd: 4, target: '/dev/fuse', mntId: 23 }], threads: [{ tid: daemon, comm: 'sshfs', state: 'T', stack: IDLE_STACK }] });
    for (let i = 0; i < nFuse; i++) {
      procs.push(single('rsync', { state: 'D', stack: FUSE_STACK, syscall: WRITE(3), offCpuMs: 20_000 + i }, { fds: [{ fd: 3, target: `${FUSE_MP}/f${i}`, mntId: 60, flags: '0100001' }] }));
    }
    add('fuse-request', nFuse);
  }

  // Unknown wait sites, chained: waiters at site_c_0 held by a task waiting at site_c_1,
  // held by one waiting at site_c_2 ... the last holder sleeps in msleep (its own work).
  let chains = 0;
  while (nUnknown > 0) {
    const c = chains++;
    const len = Math.max(1, Math.min(chainLength, nUnknown));
    const waiters = Math.max(0, Math.min(nUnknown - len, 40));
    const fn = (i: number): string => `mystery_wait_${c}_${i}`;
    for (let w = 0; w < waiters; w++) {
      procs.push(single('worker', { state: 'D', stack: `[<0>] ${fn(0)}+0x10/0x100 [mystery]\n[<0>] mystery_ioctl+0x80/0x200 [mystery]\n` + TAIL, syscall: '16 0x3 0x4008 0x0 0x0 0x0 0x0 0x7ffc 0x7f3b', offCpuMs: 90_000 + w }));
    }
    for (let h = 1; h <= len; h++) {
      const top = h === len ? '[<0>] msleep+0x2d/0x40\n' : `[<0>] ${fn(h)}+0x10/0x100 [mystery]\n`;
      procs.push(single(`holder${h}`, { state: 'D', stack: `${top}[<0>] ${fn(h - 1)}+0x50/0x100 [mystery]\n[<0>] mystery_ioctl+0x80/0x200 [mystery]\n` + TAIL, syscall: '16 0x3 0x4008 0x0 0x0 0x0 0x0 0x7ffc 0x7f3b', offCpuMs: 100_000 }));
    }
    nUnknown -= waiters + len;
    add('unknown', waiters + len);
  }
  return { procs, netlink, ss, bySig, chains };
}

/** Write a synthetic snapshot directory. The directory must not exist or be empty. */
export function writeSynthetic(dir: string, spec: SynthSpec): SynthInfo {
  fs.mkdirSync(dir, { recursive: true });
  const chainLength = spec.chainLength ?? 8;
  const kthreads = Math.min(200, Math.floor(spec.tasks / 50));
  const first = 1000 + kthreads;
  const { procs, netlink, ss, bySig, chains } = interestingProcesses(spec.blocked, chainLength, first);
  const shown = procs.reduce((n, p) => n + p.threads.length, 0);
  const base: SnapshotSpec = {
    hostname: 'synthetic',
    kernel: '6.18.0-synthetic',
    uptimeSec: 900_000,
    time: '2025-11-22T00:00:00.000Z',
    loadavg: `${spec.blocked}.00 ${spec.blocked}.00 ${spec.blocked}.00 2/${spec.tasks} 999999`,
    processes: procs,
    netlink,
    ss,
    kmsg: ['INFO: task writer0:1 blocked for more than 120 seconds.'],
  };
  writeSnapshotDir(dir, base);
  // FUSE connection of the mount, as /sys shows it.
  fs.mkdirSync(path.join(dir, `sys/fs/fuse/connections/${FUSE_CONN}`), { recursive: true });
  fs.writeFileSync(path.join(dir, `sys/fs/fuse/connections/${FUSE_CONN}/waiting`), `${bySig['fuse-request'] ?? 0}\n`);

  // Background: kernel threads (pids 2..), then processes of threadsPerProcess sleeping threads
  // after the interesting ones.
  let left = spec.tasks - shown;
  const writeThread = (pid: number, tid: number, comm: string, state: string, kthread: boolean): void => {
    const d = path.join(dir, `proc/${pid}/task/${tid}`);
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, 'stat'), statLine(pid, tid, comm, state, kthread));
  };
  for (let k = 0; k < kthreads && left > 0; k++, left--) writeThread(2 + k, 2 + k, k % 3 ? `kworker/${k}` : 'ksoftirqd', k % 3 ? 'I' : 'S', true);
  let pid = procs.reduce((m, p) => Math.max(m, ...p.threads.map((t) => t.tid)), first) + 1;
  while (left > 0) {
    const n = Math.min(spec.threadsPerProcess, left);
    for (let t = 0; t < n; t++) writeThread(pid, pid + t, t ? 'worker' : 'server', t % 97 === 5 ? 'R' : 'S', false);
    left -= n;
    pid += n;
  }
  return { dir, tasks: spec.tasks, blocked: spec.blocked, bySignature: bySig, frozenMounts: FROZEN, chains };
}
