// The incremental collector (src/collector/incremental.ts) against directories in the --record
// layout that the tests change between refreshes: it must give what collect() gives, and find
// a task that became blocked within the bound it promises (rotationMs + one refresh).
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { collect } from '../../src/collector/collect.js';
import { IncrementalCollector } from '../../src/collector/incremental.js';
import { ReplaySource } from '../../src/procfs/source.js';
import { analyze } from '../../src/graph/analyze.js';
import type { Snapshot } from '../../src/model.js';
import { writeSnapshotDir, type ProcessSpec, type SnapshotSpec } from '../support/snapdir.js';
import { seed000 } from '../support/seeds.js';

const NOW = Date.parse('2025-11-22T00:00:00Z');
const FROZEN_STACK = '[<0>] percpu_rwsem_wait+0x15f/0x1d0\n[<0>] vfs_write+0x3f0/0x450\n[<0>] ksys_write+0x66/0xe0\n[<0>] do_syscall_64+0x71/0x280\n[<0>] entry_SYSCALL_64_after_hwframe+0x76/0x7e';
const IDLE_STACK = '[<0>] futex_wait_queue+0x63/0x90\n[<0>] futex_wait+0x16c/0x260\n[<0>] do_futex+0x11a/0x1d0\n[<0>] do_syscall_64+0x71/0x280';
const MOUNTS = '22 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/vg-root rw\n40 22 253:10 / /srv rw,relatime shared:20 - ext4 /dev/mapper/vg-srv rw\n';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A box: `procs` processes of `threads` sleeping threads each, pids from 1000, plus extra processes. */
function box(procs: number, threads: number, extra: ProcessSpec[] = []): SnapshotSpec {
  const processes: ProcessSpec[] = [];
  for (let i = 0; i < procs; i++) {
    const pid = 1000 + i * 100;
    processes.push({
      pid, cwd: '/', mountinfo: MOUNTS, cgroup: '0::/system.slice/app.service',
      fds: [{ fd: 3, target: `/srv/file${i}`, mntId: 40, flags: '0102001' }],
      threads: Array.from({ length: threads }, (_, t) => ({ tid: pid + t, comm: `app${i}`, state: 'S', stack: IDLE_STACK })),
    });
  }
  processes.push(...extra);
  const last = Math.max(...processes.flatMap((p) => p.threads.map((t) => t.tid)));
  return { hostname: 'h', kernel: '6.18.0', uptimeSec: 1000, time: new Date(NOW).toISOString(), loadavg: `1.00 1.00 1.00 1/${countThreads(processes)} ${last}`, processes };
}

function countThreads(ps: ProcessSpec[]): number {
  return ps.reduce((n, p) => n + p.threads.length, 0);
}

function materialize(spec: SnapshotSpec): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wedgetop-inc-'));
  dirs.push(dir);
  writeSnapshotDir(dir, spec);
  // /proc/TID/status is what a probe of a new PID number reads (Tgid).
  for (const p of spec.processes) for (const t of p.threads) writeFile(dir, `proc/${t.tid}/status`, `Name:\t${t.comm}\nTgid:\t${p.pid}\nPid:\t${t.tid}\n`);
  return dir;
}

function writeFile(dir: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

/** Change a thread's state (and stack) in place, as the kernel would between two reads. */
function setThread(dir: string, pid: number, tid: number, state: string, stack?: string, syscall?: string): void {
  const base = path.join(dir, `proc/${pid}/task/${tid}`);
  const stat = fs.readFileSync(`${base}/stat`, 'utf8');
  const close = stat.lastIndexOf(')');
  fs.writeFileSync(`${base}/stat`, stat.slice(0, close + 2) + state + stat.slice(close + 3));
  if (stack !== undefined) {
    fs.writeFileSync(`${base}/stack`, stack + '\n');
    fs.writeFileSync(`${base}/wchan`, /\]\s*([\w.]+)\+/.exec(stack)?.[1] ?? '0');
  }
  if (syscall !== undefined) fs.writeFileSync(`${base}/syscall`, syscall + '\n');
}

function setLoadavg(dir: string, nrThreads: number, lastPid: number): void {
  fs.writeFileSync(path.join(dir, 'proc/loadavg'), `1.00 1.00 1.00 1/${nrThreads} ${lastPid}\n`);
}

/** A new process in the directory, as writeSnapshotDir writes one (plus its /proc/TID/status). */
function addProcess(dir: string, p: ProcessSpec): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wedgetop-inc-add-'));
  try {
    writeSnapshotDir(tmp, { hostname: 'h', kernel: 'k', uptimeSec: 1, time: new Date(NOW).toISOString(), processes: [p] });
    fs.cpSync(path.join(tmp, `proc/${p.pid}`), path.join(dir, `proc/${p.pid}`), { recursive: true, verbatimSymlinks: true });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  for (const t of p.threads) writeFile(dir, `proc/${t.tid}/status`, `Name:\t${t.comm}\nTgid:\t${p.pid}\nPid:\t${t.tid}\n`);
}

/** A new thread of an existing process (its task directory and /proc/TID/status). */
function addThread(dir: string, pid: number, tid: number, state: string, stack: string): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wedgetop-inc-add-'));
  try {
    writeSnapshotDir(tmp, { hostname: 'h', kernel: 'k', uptimeSec: 1, time: new Date(NOW).toISOString(), processes: [{ pid, threads: [{ tid, comm: 'app', state, stack }] }] });
    fs.cpSync(path.join(tmp, `proc/${pid}/task/${tid}`), path.join(dir, `proc/${pid}/task/${tid}`), { recursive: true });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  writeFile(dir, `proc/${tid}/status`, `Name:\tapp\nTgid:\t${pid}\nPid:\t${tid}\n`);
}

/** A collector on a fake clock that advances one interval per refresh. */
function incremental(dir: string, o: { intervalMs?: number; rotationMs?: number; escalateEveryMs?: number } = {}) {
  let now = NOW;
  const inc = new IncrementalCollector(new ReplaySource(dir), {
    rotationMs: o.rotationMs ?? 3000,
    // No budget beyond the minimum share: the rotation, not a fast machine, must meet the bound.
    cpuBudget: 0,
    escalateEveryMs: o.escalateEveryMs ?? 10_000,
    clock: () => now,
  });
  return {
    inc,
    refresh(): Snapshot {
      const s = inc.collect({ now });
      now += o.intervalMs ?? 1000;
      return s;
    },
  };
}

const blocked = (s: Snapshot): string[] => s.tasks.filter((t) => t.state === 'D').map((t) => `${t.pid}/${t.tid}`).sort();

/**
 * Order-free view of a snapshot (the table keeps insertion order, a fresh scan /proc order).
 * Whether a stack scan ran is left out: the incremental collector carries the tasks it showed
 * into the next refresh, so a holder found by a scan is found again without one.
 */
function essence(s: Snapshot): unknown {
  return {
    ...s,
    tasks: [...s.tasks].sort((a, b) => a.pid - b.pid || a.tid - b.tid),
    gathered: { ...s.gathered, stackScan: undefined },
    warnings: s.warnings.filter((w) => !/holder search read/.test(w)),
  };
}

describe('IncrementalCollector: same snapshot as collect()', () => {
  it('on seed 000 (audit deadlock: holder in S, process-scope socket owner), every refresh', () => {
    const dir = materialize(seed000());
    const { refresh } = incremental(dir);
    for (let i = 0; i < 4; i++) {
      const s = refresh();
      const fresh = collect(new ReplaySource(dir), { now: s.takenAtMs });
      expect(essence(s)).toEqual(essence(fresh));
      // The holder thread took a stack scan to find; carried over, it does not any more.
      expect(fresh.gathered.stackScan).toBe(true);
      expect(s.gathered.stackScan).toBe(i === 0);
    }
    const a = analyze(refresh());
    expect(a.resources.find((r) => r.kind === 'audit-mutex')?.holders).toEqual(['247832/248085']);
  });

  it('on a box with frozen-fs writers, after states change between refreshes', () => {
    const writers: ProcessSpec[] = [5000, 5001, 5002].map((pid) => ({
      pid, cwd: '/', mountinfo: MOUNTS, fds: [{ fd: 3, target: '/srv/data', mntId: 40, flags: '0102001' }],
      // A comm with a space and parentheses: stat's comm ends at the LAST ')'.
      threads: [{ tid: pid, comm: pid === 5002 ? 'wr) (it er' : 'writer', state: 'D', stack: FROZEN_STACK, syscall: '1 0x3 0x7f0 0x10 0x0 0x0 0x0 0x7ffd 0x7f3b' }],
    }));
    const dir = materialize(box(5, 20, writers));
    const { refresh } = incremental(dir);
    refresh();
    setThread(dir, 5001, 5001, 'S', IDLE_STACK);
    setThread(dir, 1000, 1003, 'D', FROZEN_STACK, '1 0x3 0x7f0 0x10 0x0 0x0 0x0 0x7ffd 0x7f3b');
    // After a full rotation every change is in: the snapshot is collect()'s.
    let s = refresh();
    for (let i = 0; i < 3; i++) s = refresh();
    expect(essence(s)).toEqual(essence(collect(new ReplaySource(dir), { now: s.takenAtMs })));
    expect(blocked(s)).toEqual(['1000/1003', '5000/5000', '5002/5002']);
    expect(s.tasks.find((t) => t.tid === 5002)?.comm).toBe('wr) (it er');
  });
});

describe('IncrementalCollector: detection bound', () => {
  it('finds a thread that became blocked within rotationMs/interval refreshes, wherever it is in the rotation', () => {
    const dir = materialize(box(10, 30));
    const { inc, refresh } = incremental(dir, { rotationMs: 3000, intervalMs: 1000 });
    refresh();
    const delays: number[] = [];
    // Threads all over the table, each blocked right after a refresh, at different rotation phases.
    for (let i = 0; i < 12; i++) {
      const pid = 1000 + (i % 10) * 100;
      const tid = pid + ((i * 7) % 30);
      setThread(dir, pid, tid, 'D', FROZEN_STACK);
      let n = 0;
      let found = false;
      while (!found && n < 10) {
        n++;
        found = blocked(refresh()).includes(`${pid}/${tid}`);
      }
      delays.push(n);
      setThread(dir, pid, tid, 'S', IDLE_STACK);
      refresh();
    }
    // rotationMs 3000 at 1000 ms refreshes: at most 3 refreshes after the change.
    expect(Math.max(...delays)).toBeLessThanOrEqual(3);
    // ...and the rotation is really partial (not a full scan every refresh).
    expect(delays.some((d) => d > 1)).toBe(true);
    expect(inc.stats.statReads).toBeLessThan(300);
  });

  it('holds the bound in time, not refreshes, at a longer interval', () => {
    const dir = materialize(box(4, 25));
    const { refresh } = incremental(dir, { rotationMs: 3000, intervalMs: 2500 });
    refresh();
    for (const tid of [1000, 1112, 1224, 1324]) {
      const pid = Math.floor((tid - 1000) / 100) * 100 + 1000;
      setThread(dir, pid, tid, 'D', FROZEN_STACK);
      let n = 0;
      while (!blocked(refresh()).includes(`${pid}/${tid}`) && n < 10) n++;
      // 3000 ms of rotation at 2500 ms refreshes: within 2 refreshes.
      expect(n + 1).toBeLessThanOrEqual(2);
      setThread(dir, pid, tid, 'S', IDLE_STACK);
      refresh();
    }
  });

  it('finds a new process in the very next refresh (its PID is past the last one seen)', () => {
    const dir = materialize(box(3, 10));
    const { inc, refresh } = incremental(dir);
    refresh();
    refresh();
    addProcess(dir, { pid: 1300, cwd: '/', mountinfo: MOUNTS, threads: [{ tid: 1300, comm: 'newcomer', state: 'D', stack: FROZEN_STACK }] });
    setLoadavg(dir, 31, 1300);
    const s = refresh();
    expect(blocked(s)).toEqual(['1300/1300']);
    expect(inc.stats.listed).toBe(false);
    expect(inc.stats.probes).toBeGreaterThan(0);
  });

  it('finds a new thread of a known process in the next refresh', () => {
    const dir = materialize(box(3, 10));
    const { refresh } = incremental(dir);
    refresh();
    refresh();
    // Thread 1050 of process 1000, created since the last refresh and already blocked.
    addThread(dir, 1000, 1250, 'D', FROZEN_STACK);
    setLoadavg(dir, 31, 1250);
    const s = refresh();
    expect(blocked(s)).toEqual(['1000/1250']);
    expect(s.taskCount).toBe(31);
  });

  it('after a burst of new PIDs, lists /proc and re-lists task directories within the rotation', () => {
    const dir = materialize(box(3, 10));
    const { inc, refresh } = incremental(dir, { rotationMs: 3000 });
    refresh();
    refresh();
    addThread(dir, 1100, 1170, 'D', FROZEN_STACK);
    addProcess(dir, { pid: 9000, cwd: '/', mountinfo: MOUNTS, threads: [{ tid: 9000, comm: 'other', state: 'S', stack: IDLE_STACK }] });
    setLoadavg(dir, 32, 9000 + 5000); // more new PIDs than probeLimit
    let s = refresh();
    expect(inc.stats.listed).toBe(true);
    // The new process at once; the new thread of a known one when the rotation reaches it.
    expect(s.taskCount).toBeGreaterThanOrEqual(31);
    let n = 1;
    while (!blocked(s).includes('1100/1170') && n < 10) {
      s = refresh();
      n++;
    }
    expect(n).toBeLessThanOrEqual(3);
    expect(s.taskCount).toBe(32);
  });
});

describe('IncrementalCollector: a malformed stat line', () => {
  it('warns with the path, drops that thread, and goes on with the others', () => {
    const writer: ProcessSpec = { pid: 5000, cwd: '/', mountinfo: MOUNTS, threads: [{ tid: 5000, comm: 'writer', state: 'D', stack: FROZEN_STACK }] };
    const dir = materialize(box(2, 5, [writer]));
    const { refresh } = incremental(dir, { rotationMs: 1000 });
    expect(refresh().taskCount).toBe(11);
    // A truncated line where thread 1003's stat was (a replayed snapshot is untrusted input).
    fs.writeFileSync(path.join(dir, 'proc/1000/task/1003/stat'), '1003 (app0) S 1 1000\n');
    // Within a rotation (1 s at 1 s refreshes) the rotation reads it, and says so.
    const warnings: string[] = [];
    let s = refresh();
    warnings.push(...s.warnings);
    for (let i = 0; i < 2; i++) warnings.push(...(s = refresh()).warnings);
    expect(warnings.filter((w) => w.startsWith('/proc/1000/task/1003/stat: malformed'))).toHaveLength(1);
    expect(s.taskCount).toBe(10);
    expect(blocked(s)).toEqual(['5000/5000']);
  });
});

describe('IncrementalCollector: leaving D, holders, exits', () => {
  it('drops a task that left D at the next refresh', () => {
    const dir = materialize(box(2, 5, [{ pid: 5000, cwd: '/', mountinfo: MOUNTS, threads: [{ tid: 5000, comm: 'writer', state: 'D', stack: FROZEN_STACK }] }]));
    const { refresh } = incremental(dir);
    expect(blocked(refresh())).toEqual(['5000/5000']);
    setThread(dir, 5000, 5000, 'S', IDLE_STACK);
    const s = refresh();
    expect(blocked(s)).toEqual([]);
    expect(s.stateCounts.D).toBeUndefined();
  });

  it('keeps the holder tracked every refresh, and sees it change', () => {
    const dir = materialize(seed000());
    const { refresh } = incremental(dir);
    for (let i = 0; i < 3; i++) {
      const a = analyze(refresh());
      expect(a.tasks.find((t) => t.tid === 248085)?.isHolder).toBe(true);
    }
    // The holder leaves audit_receive_msg (it got to run): the next snapshot must say so.
    setThread(dir, 247832, 248085, 'S', IDLE_STACK);
    const a = analyze(refresh());
    expect(a.resources.find((r) => r.kind === 'audit-mutex')?.holders).not.toContain('247832/248085');
  });

  it('forgets a blocked process that exited at once, and any other within the rotation', () => {
    const dir = materialize(box(3, 10, [{ pid: 5000, cwd: '/', mountinfo: MOUNTS, threads: [{ tid: 5000, comm: 'writer', state: 'D', stack: FROZEN_STACK }] }]));
    const { refresh } = incremental(dir);
    expect(refresh().taskCount).toBe(31);
    fs.rmSync(path.join(dir, 'proc/5000'), { recursive: true });
    fs.rmSync(path.join(dir, 'proc/1200'), { recursive: true });
    setLoadavg(dir, 20, 5000);
    let s = refresh();
    expect(blocked(s)).toEqual([]);
    for (let i = 0; i < 3; i++) s = refresh();
    expect(s.taskCount).toBe(20);
  });
});

describe('IncrementalCollector: what it skips', () => {
  /** schedstat for every thread of the directory (the run-time counters the kernel keeps). */
  function writeSchedstat(dir: string, spec: SnapshotSpec, text = '1000 200 3'): void {
    for (const p of spec.processes) for (const t of p.threads) writeFile(dir, `proc/${p.pid}/task/${t.tid}/schedstat`, text + '\n');
  }

  it("does not re-read the stat of a thread whose schedstat says it has not run, and does when it ran", () => {
    const spec = box(4, 25);
    const dir = materialize(spec);
    writeSchedstat(dir, spec);
    const { inc, refresh } = incremental(dir, { rotationMs: 1000 });
    refresh();
    refresh(); // every thread visited once more: its schedstat baseline is set
    refresh();
    expect(inc.stats.rotated).toBe(100);
    expect(inc.stats.statReads).toBe(0);
    // Thread 1205 ran (its counters moved) and is now blocked.
    setThread(dir, 1200, 1205, 'D', FROZEN_STACK);
    writeFile(dir, 'proc/1200/task/1205/schedstat', '2000 250 4\n');
    const s = refresh();
    expect(inc.stats.statReads).toBe(1);
    expect(blocked(s)).toEqual(['1200/1205']);
  });

  it("reuses a blocked task's details while it has not run, and re-reads them when it has", () => {
    const writer: ProcessSpec = { pid: 5000, cwd: '/', mountinfo: MOUNTS, fds: [{ fd: 3, target: '/srv/data', mntId: 40, flags: '0102001' }], threads: [{ tid: 5000, comm: 'writer', state: 'D', stack: FROZEN_STACK, syscall: '1 0x3 0x7f0 0x10 0x0 0x0 0x0 0x7ffd 0x7f3b' }] };
    const spec = box(1, 3, [writer]);
    const dir = materialize(spec);
    writeSchedstat(dir, spec);
    const { inc, refresh } = incremental(dir);
    refresh();
    refresh();
    const before = refresh();
    expect(inc.stats.detailHits).toBeGreaterThan(0);
    expect(essence(before)).toEqual(essence(collect(new ReplaySource(dir), { now: before.takenAtMs })));
    // It ran and now waits elsewhere: the cache must not hide that.
    const other = '[<0>] mystery_wait+0x10/0x100\n[<0>] do_syscall_64+0x71/0x280';
    setThread(dir, 5000, 5000, 'D', other);
    writeFile(dir, 'proc/5000/task/5000/schedstat', '5000 300 9\n');
    const after = refresh();
    expect(after.tasks.find((t) => t.tid === 5000)?.detail?.stack?.[0]?.func).toBe('mystery_wait');
  });

  it("re-reads a blocked task's cgroup (nothing proves it unchanged) within the rotation", () => {
    const writer: ProcessSpec = { pid: 5000, cwd: '/', mountinfo: MOUNTS, cgroup: '0::/system.slice/a.service', threads: [{ tid: 5000, comm: 'writer', state: 'D', stack: FROZEN_STACK }] };
    const dir = materialize(box(1, 3, [writer]));
    const { refresh } = incremental(dir, { rotationMs: 3000 });
    refresh();
    writeFile(dir, 'proc/5000/cgroup', '0::/system.slice/docker-0123456789abcdef0123.scope\n');
    const seen: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) seen.push(refresh().tasks.find((t) => t.tid === 5000)?.detail?.cgroup);
    expect(seen.indexOf('0::/system.slice/docker-0123456789abcdef0123.scope')).toBeGreaterThanOrEqual(0);
    expect(seen.indexOf('0::/system.slice/docker-0123456789abcdef0123.scope')).toBeLessThanOrEqual(2);
  });

  it('looks everywhere when a newly blocked task stays blocked (escalation), at most every escalateEveryMs', () => {
    const dir = materialize(box(10, 30));
    const { inc, refresh } = incremental(dir, { rotationMs: 10_000, escalateEveryMs: 5000 });
    refresh();
    // Two threads block; the rotation (a tenth of the table per refresh) meets one first.
    setThread(dir, 1000, 1001, 'D', FROZEN_STACK);
    setThread(dir, 1900, 1929, 'D', FROZEN_STACK);
    let s = refresh();
    expect(blocked(s)).toEqual(['1000/1001']);
    // Still blocked at the next refresh: a full pass finds the other at once.
    s = refresh();
    expect(inc.stats.escalated).toBe(true);
    expect(blocked(s)).toEqual(['1000/1001', '1900/1929']);
    // Another one soon after: no second full pass within escalateEveryMs.
    setThread(dir, 1500, 1502, 'D', FROZEN_STACK);
    for (let i = 0; i < 3; i++) {
      refresh();
      expect(inc.stats.escalated).toBe(false);
    }
  });
});
