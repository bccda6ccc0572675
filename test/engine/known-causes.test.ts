// Known causes: a diagnosis that matches an incident already reported upstream says so (as
// "matches a known issue", never as a certainty) and links the bug and the durable fix.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeDir, specDir } from '../support/replay.js';
import type { SnapshotSpec } from '../support/snapdir.js';
import { knownCauseOf, knownCausesOf } from '../../src/graph/known-causes.js';
import { KNOWN_CAUSES } from '../../src/kernel/known-causes.js';
import { textReport } from '../../src/report/text.js';
import { toJson } from '../../src/report/json.js';
import { detailLines } from '../../src/ui/screens/detail.js';
import type { Analysis } from '../../src/model.js';

const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const top = (a: Analysis): string | undefined => (a.rootCauses[0] ? knownCauseOf(a, a.rootCauses[0])?.cause.id : undefined);

/**
 * A FUSE daemon SIGSTOPped while its clients wait: the state test/wedges/fuse_stuck.py
 * --stop-daemon builds on this kernel (daemon in T, readers in request_wait_answer, the
 * connection's `waiting` above 0).
 */
export function stoppedFuseSpec(): SnapshotSpec {
  const mounts = '22 1 253:0 / / rw,relatime - ext4 /dev/vda rw\n61 22 0:61 / /srv/fuse rw,nosuid,nodev,relatime - fuse.sshfs user@files:/export rw,user_id=0,group_id=0\n';
  const reader = (pid: number) => ({
    pid, uid: 0, cwd: '/', mountinfo: mounts, fds: [{ fd: 3, target: '/srv/fuse/data', mntId: 61, flags: '0100000' }],
    threads: [{ tid: pid, comm: 'fuse-reader', state: 'D', offCpuMs: 300_000, syscall: '17 0x3 0x7f0000001000 0x1000 0x0 0x0 0x0 0x7ffd0000 0x7f00000',
      stack: '[<0>] request_wait_answer+0x13b/0x210 [fuse]\n[<0>] __fuse_simple_request+0x10c/0x2c0 [fuse]\n[<0>] fuse_direct_io+0x5c1/0x8b0 [fuse]\n[<0>] fuse_direct_read_iter+0x4f/0x70 [fuse]\n[<0>] vfs_read+0x2a5/0x360\n[<0>] __x64_sys_pread64+0x98/0xd0\n[<0>] do_syscall_64+0x71/0x280' }],
  });
  const spec: SnapshotSpec = {
    hostname: 'build-07', kernel: '6.18.44', uptimeSec: 5000, time: '2026-12-01T10:00:00.000Z',
    processes: [
      { pid: 700, uid: 0, cwd: '/', mountinfo: mounts, fds: [{ fd: 4, target: '/dev/fuse', mntId: 22, flags: '0100002' }],
        threads: [{ tid: 700, comm: 'sshfs', state: 'T', stack: '[<0>] do_signal_stop+0x114/0x240\n[<0>] get_signal+0x9b6/0xa00\n[<0>] arch_do_signal_or_restart+0x39/0x120' }] },
      reader(801), reader(802),
    ],
  };
  return spec;
}

function stoppedFuseDir(): string {
  const dir = specDir(stoppedFuseSpec());
  // fusectl: the connection is the minor of the mount's device (0:61).
  fs.mkdirSync(path.join(dir, 'sys/fs/fuse/connections/61'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'sys/fs/fuse/connections/61/waiting'), '2\n');
  return dir;
}

/**
 * Docker stuck creating a network namespace while the kernel waits for a leaked loopback
 * reference. Stacks as published: `docker` D in copy_net_ns <- create_new_namespaces <-
 * copy_namespaces <- copy_process (3.19.0, moby/moby#9862; the mutex frames are hidden in
 * /proc/PID/stack); the netns cleanup worker in netdev_run_todo's msleep under cleanup_net
 * (moby/moby#5618); the kernel log line every 10 s (moby/moby#9605).
 */
export function netdevLeakSpec(): SnapshotSpec {
  const mounts = '22 1 253:0 / / rw,relatime - ext4 /dev/vda rw\n';
  return {
    hostname: 'ci-runner-3', kernel: '3.19.0', uptimeSec: 269_400, time: '2026-12-01T11:00:00.000Z',
    kmsg: ['unregister_netdevice: waiting for lo to become free. Usage count = 1', 'unregister_netdevice: waiting for lo to become free. Usage count = 1'],
    processes: [
      { pid: 1851, uid: 0, cwd: '/', mountinfo: mounts, fds: [],
        threads: [{ tid: 1851, comm: 'docker', state: 'D', offCpuMs: 600_000, syscall: '56 0x6c020011 0x0 0x0 0x0 0x0 0x0 0x7ffd0000 0x7f00000',
          stack: '[<0>] copy_net_ns+0x75/0x150\n[<0>] create_new_namespaces+0xfd/0x190\n[<0>] copy_namespaces+0x78/0xa0\n[<0>] copy_process.part.31+0x88d/0x1a80\n[<0>] do_fork+0xe0/0x3e0\n[<0>] SyS_clone+0x16/0x20\n[<0>] stub_clone+0x69/0x90' }] },
      { pid: 293, kernelThread: true,
        threads: [{ tid: 293, comm: 'kworker/u4:6', state: 'D', offCpuMs: 1_000,
          stack: '[<0>] msleep+0x1e/0x22\n[<0>] netdev_run_todo+0x173/0x2c4\n[<0>] rtnl_unlock+0xe/0x10\n[<0>] default_device_exit_batch+0x13c/0x15f\n[<0>] ops_exit_list+0x29/0x53\n[<0>] cleanup_net+0x1a8/0x261\n[<0>] process_one_work+0x276/0x4fb\n[<0>] worker_thread+0x1eb/0x2ca\n[<0>] kthread+0x106/0x10e\n[<0>] ret_from_fork+0x2a/0x40' }] },
    ],
  };
}

/** A stat on a hard NFS mount whose server went away; the kernel log line as in openzfs/zfs#15734. */
export function nfsSpec(withLog = true): SnapshotSpec {
  const mounts = '22 1 253:0 / / rw,relatime - ext4 /dev/vda rw\n70 22 0:70 / /mnt/nfs rw,relatime - nfs4 192.168.0.1:/export rw,hard,proto=tcp,timeo=600,retrans=2\n';
  return {
    hostname: 'app-2', kernel: '6.8.0-45-generic', uptimeSec: 90_000, time: '2026-12-01T12:00:00.000Z',
    kmsg: withLog ? ['nfs: server 192.168.0.1 not responding, still trying'] : [],
    processes: [
      { pid: 4100, uid: 0, cwd: '/mnt/nfs', mountinfo: mounts, fds: [],
        threads: [{ tid: 4100, comm: 'ls', state: 'D', offCpuMs: 200_000, syscall: '262 0xffffff9c 0x55d0000 0x7ffd000 0x100 0x0 0x0 0x7ffd0000 0x7f00000',
          stack: '[<0>] rpc_wait_bit_killable+0x1e/0xa0 [sunrpc]\n[<0>] __rpc_execute+0x11d/0x3f0 [sunrpc]\n[<0>] rpc_execute+0x6b/0xc0 [sunrpc]\n[<0>] rpc_run_task+0x11a/0x180 [sunrpc]' }] },
    ],
  };
}

describe('known causes: the two seeds', () => {
  it('seed 000: auditbeat holding the audit mutex is elastic/beats#26031, fixed by PR #26032', () => {
    const a = analyzeDir(path.join(FIX, 'seed-000'));
    const m = knownCauseOf(a, a.rootCauses[0]!)!;
    expect(m.cause.id).toBe('auditbeat-netlink-deadlock');
    expect(m.cause.upstream.link).toBe('https://github.com/elastic/beats/pull/26032');
    expect(m.cause.fix).toMatch(/backpressure_strategy/);
    expect(m.evidence.join(' ')).toMatch(/auditbeat:247832/);
  });

  it('seed 004: auditd writing its log on the frozen /var, with the backlog lines as evidence', () => {
    const a = analyzeDir(path.join(FIX, 'seed-004'));
    const ms = knownCausesOf(a, a.rootCauses[0]!);
    // The specific entry first; the generic frozen-filesystem one also applies.
    expect(ms.map((m) => m.cause.id)).toEqual(['auditd-log-on-frozen-fs', 'frozen-fs-never-thawed']);
    expect(ms[0]!.cause.fix).toMatch(/fsfreeze -u/);
    expect(ms[0]!.evidence.join('\n')).toMatch(/audit_backlog=321 > audit_backlog_limit=320/);
  });
});

describe('known causes: other recorded wedges', () => {
  it('a frozen ext4 loop mount (real wedge) is a filesystem nobody thawed, not the auditd entry', () => {
    const a = analyzeDir(path.join(FIX, 'frozen-ext4'));
    expect(top(a)).toBe('frozen-fs-never-thawed');
    expect(knownCausesOf(a, a.rootCauses[0]!).map((m) => m.cause.id)).not.toContain('auditd-log-on-frozen-fs');
  });

  it('a stopped FUSE daemon: fs.fuse.max_request_timeout, from Linux 6.15', () => {
    const a = analyzeDir(stoppedFuseDir());
    const rc = a.rootCauses.find((r) => r.pid === 700)!;
    expect(rc).toBeDefined();
    const m = knownCauseOf(a, rc)!;
    expect(m.cause.id).toBe('fuse-daemon-stopped');
    expect(m.cause.fix).toMatch(/fs\.fuse\.max_request_timeout/);
    expect(m.cause.fix).toMatch(/6\.15/);
    expect(m.evidence.join(' ')).toMatch(/sshfs:700 in state T/);
  });

  it('unregister_netdevice: the namespace creator and the cleanup worker both point at moby/moby#5618', () => {
    const a = analyzeDir(specDir(netdevLeakSpec()));
    expect(a.rootCauses.length).toBeGreaterThan(0);
    for (const rc of a.rootCauses) expect(knownCauseOf(a, rc)?.cause.id).toBe('netdev-refcount-leak');
    const ev = a.rootCauses.flatMap((rc) => knownCauseOf(a, rc)!.evidence).join('\n');
    expect(ev).toMatch(/waiting for lo to become free/);
  });

  it('the same stacks without the kernel log line are not called the netdev leak', () => {
    const spec = netdevLeakSpec();
    spec.kmsg = [];
    const a = analyzeDir(specDir(spec));
    for (const rc of a.rootCauses) expect(knownCauseOf(a, rc)?.cause.id).not.toBe('netdev-refcount-leak');
  });

  it('NFS server not responding: hard vs soft mounts, quoting the kernel log', () => {
    const a = analyzeDir(specDir(nfsSpec()));
    const m = knownCauseOf(a, a.rootCauses[0]!)!;
    expect(m.cause.id).toBe('nfs-server-not-responding');
    expect(m.cause.fix).toMatch(/soft/);
    expect(m.evidence.join('\n')).toMatch(/nfs: server 192\.168\.0\.1 not responding/);
  });
});

describe('known causes: no match where none applies', () => {
  it('an unknown driver wait held by a task in msleep matches nothing', () => {
    const mounts = '22 1 253:0 / / rw,relatime - xfs /dev/vda rw\n';
    const p = (pid: number, comm: string, stack: string) => ({ pid, cwd: '/', mountinfo: mounts, fds: [], threads: [{ tid: pid, comm, state: 'D', stack, offCpuMs: 200_000 }] });
    const a = analyzeDir(specDir({
      hostname: 'h', kernel: '6.18.0', uptimeSec: 1000, time: '2026-11-22T00:00:00.000Z',
      processes: [
        p(100, 'app-a', '[<0>] drv_ioctl+0x2a/0x300 [mydrv]\n[<0>] __x64_sys_ioctl+0x92/0xd0'),
        p(200, 'resetd', '[<0>] msleep+0x2b/0x40\n[<0>] drv_reset_hw+0x51/0x90 [mydrv]\n[<0>] drv_ioctl+0x1c4/0x300 [mydrv]'),
      ],
    }));
    expect(a.rootCauses.length).toBeGreaterThan(0);
    for (const rc of a.rootCauses) expect(knownCausesOf(a, rc)).toEqual([]);
  });

  it('an audit-mutex holder that is not auditbeat is not called elastic/beats#26031', () => {
    const a = analyzeDir(path.join(FIX, 'seed-000'));
    for (const t of a.tasks) if (t.comm === 'auditbeat') t.comm = 'go-audit';
    expect(knownCausesOf(a, a.rootCauses[0]!).map((m) => m.cause.id)).not.toContain('auditbeat-netlink-deadlock');
  });

  it('every entry cites a link and a durable fix', () => {
    for (const c of KNOWN_CAUSES) {
      expect(c.upstream.link).toMatch(/^https:\/\//);
      expect(c.fix.length).toBeGreaterThan(20);
    }
  });
});

describe('known causes in the reports', () => {
  it('--once, --json and the detail view say "matches a known issue"', () => {
    const a = analyzeDir(path.join(FIX, 'seed-000'));
    expect(textReport(a)).toMatch(/known: matches a known issue \(not certain\): Auditbeat/);
    const j = toJson(a);
    expect(j.rootCauses[0]!.knownCause).toMatchObject({ status: 'matches a known issue', id: 'auditbeat-netlink-deadlock', link: 'https://github.com/elastic/beats/pull/26032' });
    const holder = a.rootCauses[0]!.blockedTasks[0]!;
    const text = detailLines(a, holder, { unicode: false, color: false, attrs: false }).map((l) => l.segs.map((s) => s.text).join('')).join('\n');
    expect(text).toMatch(/Known issue\s+\(matches a known issue; not a certainty\)/);
    expect(text).toMatch(/elastic\/beats issue #26031/);
  });

  it('a replay with no known cause has no knownCause in --json', () => {
    const a = analyzeDir(specDir(nfsSpec(false)));
    // Without the log line the NFS entry still matches on the site: it is about the mount, not the log.
    expect(toJson(a).rootCauses[0]!.knownCause?.id).toBe('nfs-server-not-responding');
    const b = analyzeDir(path.join(FIX, 'frozen-ext4'));
    const j = toJson(b);
    expect(j.rootCauses.every((rc) => rc.knownCause?.id !== 'auditbeat-netlink-deadlock')).toBe(true);
  });
});
