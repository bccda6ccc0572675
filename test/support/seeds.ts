// The two incidents wedgetop was born from, as snapshot directories. Every stack, stat line,
// ss line and kernel log line marked "seed" is copied from ../shared/seeds/; the rest (the
// other sudo/cron senders, fd numbers, inode numbers, mount table) is the minimum around them
// that a real /proc would also have shown.
import type { SnapshotSpec, ProcessSpec } from './snapdir.js';
import type { GroundTruth } from './corpus.js';

// seed 000: `cat /proc/248085/stat` (verbatim).
export const SEED000_HOLDER_STAT =
  '248085 (auditbeat) S 247759 247832 247832 0 -1 4194624 656934 0 5080 0 47087 8935 0 0 20 0 77 0 48038941 4420079616 53081 18446744073709551615 4194304 38844573 140728827925408 0 0 0 0 0 2143420159 0 0 0 -1 55 0 0 0 0 0 65563728 67515520 74981376 140728827930392 140728827930481 140728827930481 140728827932639 0';

// seed 000: `cat /proc/248085/stack` (verbatim, with its indentation).
export const SEED000_HOLDER_STACK = `
       [<0>] netlink_attachskb+0x1ab/0x1d0
       [<0>] netlink_unicast+0xab/0x220
       [<0>] audit_receive_msg+0x54c/0xeb0
       [<0>] audit_receive+0x57/0xc0
       [<0>] netlink_unicast+0x197/0x220
       [<0>] netlink_sendmsg+0x227/0x3d0
       [<0>] sock_sendmsg+0x63/0x70
       [<0>] __sys_sendto+0x114/0x1a0
       [<0>] __x64_sys_sendto+0x28/0x30
       [<0>] do_syscall_64+0x57/0x190
       [<0>] entry_SYSCALL_64_after_hwframe+0x44/0xa9
`;

// seed 000: the stack of every stuck sudo and cron process (verbatim).
export const SEED000_SENDER_STACK = `
    [<0>] audit_receive+0x28/0xc0
    [<0>] netlink_unicast+0x197/0x220
    [<0>] netlink_sendmsg+0x227/0x3d0
    [<0>] sock_sendmsg+0x63/0x70
    [<0>] __sys_sendto+0x114/0x1a0
    [<0>] __x64_sys_sendto+0x28/0x30
    [<0>] do_syscall_64+0x57/0x190
    [<0>] entry_SYSCALL_64_after_hwframe+0x44/0xa9
`;

// seed 000: `ss -f netlink -e | grep -i auditbeat` (verbatim).
export const SEED000_SS = '    214272 0           audit:auditbeat/247832       *       sk=0 cb=0 groups=0x00000000\n';

const NETLINK_HEADER = 'sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n';
const nlRow = (eth: number, pid: number, rmem: number, drops: number, inode: number): string =>
  `0000000000000000 ${String(eth).padEnd(3)} ${String(pid).padEnd(10)} 00000000 ${String(rmem).padEnd(8)} 0        0     2        ${String(drops).padEnd(8)} ${inode}\n`;

const ROOT_MOUNTS = '22 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/vg-root rw\n23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw\n';

function sender(pid: number, comm: string, uid: number, offCpuMs: number, inode: number): ProcessSpec {
  return {
    pid,
    uid,
    ppid: comm === 'cron' ? 1100 : 2200,
    cgroup: '0::/system.slice/cron.service',
    cwd: '/',
    mountinfo: ROOT_MOUNTS,
    fds: [{ fd: 3, target: `socket:[${inode}]` }],
    threads: [{ tid: pid, comm, state: 'D', stack: SEED000_SENDER_STACK, syscall: '44 0x3 0x7ffc1e2a3b40 0x94 0x0 0x7ffc1e2a3ad0 0xc 0x7ffc1e2a3a28 0x7f3b9c1f5d8e', offCpuMs }],
  };
}

export function seed000(): SnapshotSpec {
  const senders: [number, string, number][] = [
    [301001, 'sudo', 1000], [301017, 'sudo', 1000], [301042, 'sudo', 1001], [301100, 'cron', 0], [301161, 'cron', 0],
  ];
  return {
    hostname: 'k8s-node-17',
    kernel: '5.4.0-74-generic',
    uptimeSec: 481_000,
    time: '2021-06-03T21:02:32.000Z',
    loadavg: '212.04 208.77 190.12 3/2410 301200',
    netlink:
      NETLINK_HEADER +
      nlRow(9, 0, 0, 0, 15001) + // the kernel's audit socket
      nlRow(9, 247832, 214272, 0, 5242881) + // auditbeat's, full (seed ss line: Recv-Q 214272)
      senders.map(([pid], i) => nlRow(9, pid, 0, 0, 7100001 + i)).join(''),
    ss: SEED000_SS,
    passwd: 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/bash\n',
    processes: [
      {
        pid: 247832,
        ppid: 247759,
        cgroup: '0::/kubepods/burstable/pod6f1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
        cwd: '/usr/share/auditbeat',
        mountinfo: ROOT_MOUNTS,
        fds: [{ fd: 7, target: 'socket:[5242881]' }],
        threads: [
          { tid: 247832, comm: 'auditbeat', state: 'S', stack: '[<0>] futex_wait_queue_me+0xc4/0x120\n[<0>] futex_wait+0x10d/0x250\n[<0>] do_futex+0x168/0x9e0\n[<0>] __x64_sys_futex+0x13e/0x170\n[<0>] do_syscall_64+0x57/0x190\n[<0>] entry_SYSCALL_64_after_hwframe+0x44/0xa9', syscall: '202 0x4c1a9e8 0x80 0x0 0x0 0x0 0x0 0x7ffc5e0b7e60 0x465e63' },
          { tid: 248085, comm: 'auditbeat', state: 'S', statLine: SEED000_HOLDER_STAT, stack: SEED000_HOLDER_STACK, syscall: '44 0x7 0xc000a1c000 0x4e20 0x0 0xc0003f1b68 0xc 0xc0003f1a90 0x4b4f5b', offCpuMs: 3_540_000 },
        ],
      },
      ...senders.map(([pid, comm, uid], i) => sender(pid, comm, uid, 3_400_000 - i * 60_000, 7100001 + i)),
    ],
  };
}

// seed 004: the kernel log lines (verbatim) and the auditd thread stuck on a frozen filesystem.
export const SEED004_KMSG = [
  'audit: audit_backlog=321 > audit_backlog_limit=320',
  'audit: audit_lost=44393 audit_rate_limit=0 audit_backlog_limit=320',
  'audit: backlog limit exceeded',
  'audit: audit_backlog=321 > audit_backlog_limit=320',
  'audit: audit_lost=44394 audit_rate_limit=0 audit_backlog_limit=320',
  'audit: backlog limit exceeded',
  'INFO: task auditd:1694 blocked for more than 120 seconds.',
];

// seed 004, "Example2": the frozen-filesystem path of the 2.6.32 kernel in the vmcore
// (crash's bt frames as /proc/PID/stack would print them).
export const SEED004_LEGACY_STACK = `
[<0>] __sb_start_write+0x8c/0x120
[<0>] generic_file_aio_write+0x69/0x100
[<0>] ext4_file_write+0x58/0x190 [ext4]
[<0>] do_sync_write+0xfa/0x140
[<0>] vfs_write+0xb8/0x1a0
[<0>] sys_write+0x51/0x90
[<0>] system_call_fastpath+0x16/0x1b
`;

// The same wait (auditd writing its log to a frozen ext4) on a current kernel, as seen on 6.18.
export const SEED004_AUDITD_STACK = `
[<0>] percpu_rwsem_wait+0x15f/0x1d0
[<0>] vfs_write+0x3f0/0x450
[<0>] ksys_write+0x66/0xe0
[<0>] do_syscall_64+0x71/0x280
[<0>] entry_SYSCALL_64_after_hwframe+0x76/0x7e
`;

export const SEED004_BACKLOG_STACK = `
[<0>] audit_log_start+0x2e6/0x450
[<0>] audit_log_exit+0x4b/0xd90
[<0>] __audit_syscall_exit+0x240/0x290
[<0>] syscall_exit_work+0xf5/0x150
[<0>] do_syscall_64+0x8a/0x280
[<0>] entry_SYSCALL_64_after_hwframe+0x76/0x7e
`;

const VAR_MOUNTS = ROOT_MOUNTS + '31 22 253:2 / /var rw,relatime shared:12 - ext4 /dev/mapper/vg-var rw,seclabel,data=ordered\n';

export function seed004(): SnapshotSpec {
  const loggers: [number, string][] = [[4411, 'sshd'], [4502, 'crond'], [4519, 'crond'], [4630, 'sudo']];
  return {
    hostname: 'rhel-db-02',
    kernel: '2.6.32-220.el6.x86_64',
    uptimeSec: 16_508_562,
    time: '2013-08-29T04:34:19.000Z',
    loadavg: '938.98 938.19 936.32 2/2874 9120',
    hungTask: { timeoutSecs: 120, detectCount: 1, warnings: 9 },
    kmsg: SEED004_KMSG,
    netlink: NETLINK_HEADER + nlRow(9, 0, 0, 0, 15001) + nlRow(9, 1693, 212736, 44395, 8811),
    ss: 'UNCONN 212736 0 audit:auditd/1693 * sk=0 cb=0 groups=0x00000000\n\t skmem:(r212736,rb212992,t0,tb212992,f0,w0,o0,bl0,d44395)\n',
    processes: [
      { pid: 1118, ppid: 2, kernelThread: true, threads: [{ tid: 1118, comm: 'kauditd', state: 'S', stack: '[<0>] kauditd_thread+0x1a5/0x260\n[<0>] kthread+0xe5/0x120\n[<0>] ret_from_fork+0x22/0x30' }] },
      {
        pid: 1693,
        ppid: 1,
        cgroup: '0::/system.slice/auditd.service',
        cwd: '/',
        mountinfo: VAR_MOUNTS,
        fds: [
          { fd: 3, target: 'socket:[8811]' },
          { fd: 5, target: '/var/log/audit/audit.log', mntId: 31, flags: '0102001' },
        ],
        threads: [
          { tid: 1693, comm: 'auditd', state: 'S', stack: '[<0>] futex_wait_queue_me+0xc4/0x120\n[<0>] futex_wait+0x10d/0x250\n[<0>] do_futex+0x168/0x9e0\n[<0>] __x64_sys_futex+0x13e/0x170\n[<0>] do_syscall_64+0x57/0x190\n[<0>] entry_SYSCALL_64_after_hwframe+0x44/0xa9', syscall: '202 0x7f5be0000b84 0x80 0x0 0x0 0x0 0x0 0x7ffd1c9b0e70 0x7f5bdf4c9f4d' },
          // write(5, 0x7f5bdf512274, 0x129): the kiocb in the vmcore points at audit.log on /var.
          { tid: 1694, comm: 'auditd', state: 'D', stack: SEED004_AUDITD_STACK, syscall: '1 0x5 0x7f5bdf512274 0x129 0x0 0x0 0x0 0x7f5bdf511e40 0x7f5bdf4b7f4d', offCpuMs: 39_600_000 },
        ],
      },
      {
        pid: 1702,
        ppid: 1,
        cgroup: '0::/system.slice/rsyslog.service',
        cwd: '/',
        mountinfo: VAR_MOUNTS,
        fds: [{ fd: 4, target: '/var/log/messages', mntId: 31, flags: '0102001' }],
        threads: [{ tid: 1702, comm: 'rsyslogd', state: 'D', stack: SEED004_LEGACY_STACK, syscall: '1 0x4 0x7f2a10001000 0x5a 0x0 0x0 0x0 0x7f2a0fffe9d0 0x7f2a1f3c8f4d', offCpuMs: 39_500_000 }],
      },
      ...loggers.map(([pid, comm], i): ProcessSpec => ({
        pid,
        ppid: 1,
        cgroup: `0::/system.slice/${comm}.service`,
        cwd: '/',
        mountinfo: VAR_MOUNTS,
        fds: [],
        threads: [{ tid: pid, comm, state: 'D', stack: SEED004_BACKLOG_STACK, syscall: '-1 0x7ffd1c9b0e70 0x7f5bdf4c9f4d', offCpuMs: 61_000 - i * 7_000 }],
      })),
    ],
  };
}

// What an expert says each seed's answer is (test/engine/corpus.test.ts replays them).
export const SEED000_TRUTH: GroundTruth = {
  family: 'audit-netlink-deadlock',
  source: 'seed 000 (/work/shared/seeds: auditbeat netlink deadlock, Linux 5.4.0-74-generic): stacks, stat, ss line verbatim',
  proved: 'fixture-only',
  expect: { rootCauseId: 'task:247832', remedyAction: 'kill', remedyCommand: 'kill -TERM 247832; sleep 3; kill -KILL 247832', blockedAtLeast: 5 },
  notes: 'auditbeat thread 248085 holds the audit mutex asleep on its own full socket (a cycle): killing auditbeat frees the 5 sudo/cron senders.',
};

export const SEED004_TRUTH: GroundTruth = {
  family: 'audit-backlog-frozen-fs',
  source: 'seed 004 (/work/shared/seeds: audit backlog behind a frozen /var, RHEL 6 2.6.32-220 vmcore): kernel log lines and stacks verbatim',
  proved: 'fixture-only',
  expect: { rootCauseId: 'frozen-fs:/var', remedyAction: 'thaw', remedyCommand: 'fsfreeze -u /var', blockedAtLeast: 6 },
  notes: 'Loggers wait in audit_log_start behind auditd, which is stuck writing to the frozen /var: thawing /var frees all of them.',
};
