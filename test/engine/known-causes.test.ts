// Known causes: a diagnosis that matches an incident already reported upstream says so (as
// "matches a known issue", never as a certainty) and links the bug and the durable fix.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as os from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeDir, specDir } from '../support/replay.js';
import type { SnapshotSpec } from '../support/snapdir.js';
import { chainTasks, kernelVersion, knownCauseOf, knownCausesOf, matchPattern } from '../../src/graph/known-causes.js';
import { KNOWN_CAUSES } from '../../src/kernel/known-causes.js';
import { textReport } from '../../src/report/text.js';
import { toJson } from '../../src/report/json.js';
import { detailLines } from '../../src/ui/screens/detail.js';
import type { Analysis } from '../../src/model.js';

const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const copies: string[] = [];
afterAll(() => {
  for (const d of copies) fs.rmSync(d, { recursive: true, force: true });
});
function copyFixture(name: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `wedgetop-k-${name}-`));
  copies.push(d);
  fs.cpSync(path.join(FIX, name), d, { recursive: true, verbatimSymlinks: true });
  return d;
}
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

  it('the stopped FUSE daemon recorded on this kernel (real wedge) is the same entry', () => {
    const a = analyzeDir(path.join(FIX, 'fuse-daemon-stopped'));
    expect(top(a)).toBe('fuse-daemon-stopped');
  });

  it("seed 000's shape rebuilt on this kernel with a stand-in (auditbeat-sim) is the same deadlock but not auditbeat's bug", () => {
    // The entry is about Auditbeat itself (its comm): a stand-in in the same cycle must not be called it.
    const a = analyzeDir(path.join(FIX, 'audit-deadlock-real'));
    expect(a.rootCauses[0]!.inCycle).toBe(true);
    expect(top(a)).toBeUndefined();
    const renamed: Analysis = { ...a, tasks: a.tasks.map((t) => (t.comm === 'auditbeat-sim' ? { ...t, comm: 'auditbeat' } : t)) };
    expect(top({ ...renamed, snapshot: { ...renamed.snapshot, tasks: renamed.snapshot.tasks.map((t) => (t.comm === 'auditbeat-sim' ? { ...t, comm: 'auditbeat' } : t)) } })).toBe('auditbeat-netlink-deadlock');
  });

  it('unregister_netdevice (corpus fixture from moby/moby#5618): the leaked device reference', () => {
    const a = analyzeDir(path.join(FIX, 'unregister-netdevice'));
    const m = knownCauseOf(a, a.rootCauses[0]!)!;
    expect(m.cause.id).toBe('netdev-refcount-leak');
    expect(m.cause.upstream.link).toBe('https://github.com/moby/moby/issues/5618');
    expect(m.evidence.join('\n')).toMatch(/in copy_net_ns/);
    expect(m.evidence.join('\n')).toMatch(/waiting for lo to become free/);
  });

  it('the same stacks without the kernel log line are not called the netdev leak', () => {
    const dir = copyFixture('unregister-netdevice');
    fs.rmSync(path.join(dir, 'kmsg'));
    const a = analyzeDir(dir);
    expect(a.rootCauses.length).toBeGreaterThan(0);
    for (const rc of a.rootCauses) expect(knownCauseOf(a, rc)?.cause.id).not.toBe('netdev-refcount-leak');
  });

  it('NFS server gone (corpus fixture): hard vs soft mounts, quoting the kernel log', () => {
    const a = analyzeDir(path.join(FIX, 'nfs-server-gone'));
    const m = knownCauseOf(a, a.rootCauses[0]!)!;
    expect(m.cause.id).toBe('nfs-server-not-responding');
    expect(m.cause.fix).toMatch(/soft/);
    expect(m.evidence.join('\n')).toMatch(/nfs: server fs01 not responding/);
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

  for (const fixture of ['rtnl-mutex', 'cgroup-mutex', 'memcg-oom']) {
    it(`${fixture} (corpus fixture) matches no known cause`, () => {
      const a = analyzeDir(path.join(FIX, fixture));
      expect(a.rootCauses.length).toBeGreaterThan(0);
      for (const rc of a.rootCauses) expect(knownCausesOf(a, rc)).toEqual([]);
    });
  }

  it('every entry cites a link and a durable fix', () => {
    for (const c of KNOWN_CAUSES) {
      expect(c.upstream.link).toMatch(/^https:\/\//);
      expect(c.fix.length).toBeGreaterThan(20);
    }
  });
});

describe('the matcher', () => {
  it('a kernel version range includes its ends and every patch release of max', () => {
    const a = analyzeDir(path.join(FIX, 'seed-000')); // 5.4.0-74-generic
    const rc = a.rootCauses[0]!;
    const m = (kernel: { min?: string; max?: string }) => matchPattern(a, rc, { rootKind: ['task'], kernel });
    expect(m({ min: '5.4' })).toBeDefined();
    expect(m({ max: '5.4' })).toBeDefined();
    expect(m({ min: '4.19', max: '5.3' })).toBeUndefined();
    expect(m({ min: '5.5' })).toBeUndefined();
    expect(kernelVersion('2.6.32-220.el6.x86_64')).toEqual([2, 6, 32]);
    expect(kernelVersion('garbage')).toBeUndefined();
  });

  it('the chain of seed 004 reaches auditd through the audit backlog it owns', () => {
    const a = analyzeDir(path.join(FIX, 'seed-004'));
    const comms = new Set(chainTasks(a, a.rootCauses[0]!).map((t) => t.comm));
    expect(comms).toEqual(new Set(['auditd', 'rsyslogd', 'sshd', 'crond', 'sudo']));
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
    const j = toJson(analyzeDir(path.join(FIX, 'rtnl-mutex')));
    expect(j.rootCauses.length).toBeGreaterThan(0);
    expect(j.rootCauses.filter((rc) => 'knownCause' in rc)).toEqual([]);
  });
});
