// The live collector's memory between refreshes.
//
// collect() reads every thread's stat: ~15-25 µs of CPU each, 0.2 s at 10,000 threads, far too
// much to repeat every second. The collector child keeps one IncrementalCollector and, per
// refresh, reads only:
//   1. /proc/loadavg: its last-PID and thread-count fields say whether any task was created or
//      exited since the last refresh. Nothing created: no directory is listed at all. A few
//      created: each new PID number is looked up directly (new processes AND new threads, found
//      in the very next refresh). A burst: /proc is listed and every process's task directory
//      is re-listed over the next rotation.
//   2. The tasks the last snapshot showed (blocked tasks and holders), every refresh, with the
//      other threads of their (small) processes.
//   3. A rotating share of all other threads: as many as the CPU budget leaves room for, and
//      never fewer than total * elapsed / rotationMs, so every thread is looked at at least once
//      per rotationMs (a small box is read in full every refresh).
// A thread that has not run since its state was read cannot have entered D: a task puts itself
// to sleep. /proc/PID/task/TID/schedstat (run time, run-queue wait, run count) changes whenever
// it runs, and that file, read through an fd kept open, costs a fraction of opening and parsing
// stat. So rotation and hot reads re-read stat only for threads that ran (or were running or
// blocked: a blocked task is woken without running, so its stat is always read). The same test
// lets the files of a blocked task that has not run (its stack, syscall, fds...) be reused
// instead of re-read: they cannot have changed.
// Then the rest of collect() runs unchanged on this table: the same demand-driven details, the
// same analysis rounds, the same Snapshot. One difference: the tasks shown last time are read
// from the start (CollectOptions.carry), so a holder that took a stack scan to find is found
// again without one (Snapshot.gathered.stackScan says whether a scan ran).
//
// Worst-case detection delay of a new D task, with refreshes R apart (--interval plus the
// collection time) and T = rotationMs:
//   - a task created since the last refresh (new process or thread, at most probeLimit new
//     PIDs per refresh): at the next refresh, <= R;
//   - any other thread: the refresh that reads it again comes at most T after the last read,
//     plus at most one R to get there: <= T + R (+ that refresh's collection time); threads
//     created in a burst are found by the re-listing within the same bound.
// With the defaults (T = 2 s) and --interval 1: about 3 s at worst (issue 11's bound). Measured at
// 10,000 threads and 50 D on the 2-core VM (bench --quick --only steady, back to back): T = 5 s
// gave 2.93% of a core and 4.4 s worst of 3 existing threads; T = 2 s 3.60% and 2.1 s.
import * as fs from 'node:fs';
import type { Snapshot, Task } from '../model.js';
import { collect, isKmsgRelevant, taskFromStat, type CollectOptions, type TaskTable } from './collect.js';
import { LiveSource, type ProcSource } from '../procfs/source.js';
import { PF_KTHREAD } from '../procfs/parse.js';

export interface IncrementalOptions {
  /** Every thread's state is read at least once per this many ms of wall time, whatever it costs. */
  rotationMs?: number;
  /**
   * Share of one core the collector aims at, everything included (its refreshes, sending them,
   * its garbage collection): the rotation reads as many threads as what is left of it pays for,
   * and never fewer than rotationMs requires. 0: the rotationMs minimum only.
   */
  cpuBudget?: number;
  /** A newly blocked task that stays blocked for a refresh triggers a full pass, at most this often. */
  escalateEveryMs?: number;
  /** At most this many schedstat fds are kept open (each pins ~4.7 KB of kernel memory). */
  maxHeldFds?: number;
  /** More new PID numbers than this in one refresh: list /proc instead of looking each up. */
  probeLimit?: number;
  /** Processes of shown tasks with at most this many threads have all their threads re-read. */
  hotProcessThreads?: number;
  /** Wall clock in ms (tests). */
  clock?: () => number;
}

/** What the last refresh did, for tests and the benchmark. */
export interface RefreshStats {
  full: boolean;
  escalated: boolean;
  listed: boolean;
  probes: number;
  hot: number;
  rotated: number;
  statReads: number;
  relisted: number;
  detailHits: number;
  threads: number;
  heldFds: number;
}

interface Entry {
  proc: Proc;
  pid: number;
  tid: number;
  key: string;
  task: Task;
  /**
   * schedstat's run time (ns) and run count, read just before the stat that gave task.state:
   * unchanged means the thread has not run since. NaN: not known. Numbers, not the text: the
   * rotation then allocates nothing for a thread that did not run.
   */
  run: number;
  runs: number;
  /** Held schedstat fd (live source only), -1 when none. */
  fd: number;
  /** Held stat fd while the task is shown (re-read every refresh), -1 when none. */
  statFd: number;
  /** Wall ms when the state was last verified. */
  readAt: number;
  gone: boolean;
}

interface Proc {
  pid: number;
  threads: Entry[];
  byTid: Map<number, Entry>;
  /** Task list handed to collect() as threadsOf (same order as threads). */
  tasks: Task[];
  /** Re-list the task directory when the rotation reaches this process (after a burst). */
  relist: boolean;
}

/** How one thread's small files are read: held fds on the live /proc, plain reads elsewhere. */
interface ThreadIO {
  /** Read schedstat into run/runs; false when there is none to read. */
  schedstat(e: Entry): boolean;
  run: number;
  runs: number;
  /** hold: keep the stat fd open (a shown task, read every refresh). */
  stat(e: Entry, hold: boolean): string | undefined;
  /** Close the stat fd of a task no longer shown. */
  releaseStat(e: Entry): void;
  release(e: Entry): void;
  readonly held: number;
}

class SourceThreadIO implements ThreadIO {
  readonly held = 0;
  run = NaN;
  runs = NaN;
  constructor(private readonly src: ProcSource) {}
  schedstat(e: Entry): boolean {
    const t = this.src.read(`/proc/${e.pid}/task/${e.tid}/schedstat`);
    if (t === undefined) return false;
    const f = t.trim().split(/\s+/).map(Number);
    this.run = f[0] ?? NaN;
    this.runs = f[2] ?? NaN;
    return true;
  }
  stat(e: Entry): string | undefined {
    return this.src.read(`/proc/${e.pid}/task/${e.tid}/stat`);
  }
  releaseStat(): void {}
  release(): void {}
}

class LiveThreadIO implements ThreadIO {
  held = 0;
  run = NaN;
  runs = NaN;
  private readonly buf = Buffer.allocUnsafe(1024);
  constructor(private readonly src: ProcSource, private readonly maxHeld: number) {}

  schedstat(e: Entry): boolean {
    // The first look at a thread reads stat only (a fast first snapshot); the fd is opened at
    // the second, which also sets the baseline.
    if (e.fd < 0) {
      if (e.readAt === 0) return false;
      if (this.held >= this.maxHeld) return false;
      try {
        e.fd = fs.openSync(`/proc/${e.pid}/task/${e.tid}/schedstat`, 'r');
        this.held++;
      } catch {
        return false;
      }
    }
    let n: number;
    try {
      // pread at 0: a seq_file regenerates its text when read from the start.
      n = fs.readSync(e.fd, this.buf, 0, 256, 0);
    } catch {
      // ESRCH: the thread is gone (the fd names the task, not the number).
      this.release(e);
      return false;
    }
    // "RUN_NS DELAY_NS RUNS\n", parsed from the bytes.
    const b = this.buf;
    let i = 0;
    let run = 0;
    for (; i < n && b[i] !== 0x20; i++) run = run * 10 + (b[i]! - 0x30);
    for (i++; i < n && b[i] !== 0x20; i++);
    let runs = 0;
    for (i++; i < n && b[i]! >= 0x30 && b[i]! <= 0x39; i++) runs = runs * 10 + (b[i]! - 0x30);
    this.run = run;
    this.runs = i > 0 ? runs : NaN;
    return true;
  }

  stat(e: Entry, hold: boolean): string | undefined {
    if (e.statFd < 0 && hold && this.held < this.maxHeld) {
      try {
        e.statFd = fs.openSync(`/proc/${e.pid}/task/${e.tid}/stat`, 'r');
        this.held++;
      } catch {
        return undefined;
      }
    }
    if (e.statFd < 0) return this.src.read(`/proc/${e.pid}/task/${e.tid}/stat`);
    try {
      const n = fs.readSync(e.statFd, this.buf, 0, this.buf.length, 0);
      // A stat line is ~300 bytes; a longer one (it cannot be) would need the general path.
      if (n === this.buf.length) return this.src.read(`/proc/${e.pid}/task/${e.tid}/stat`);
      return this.buf.toString('utf8', 0, n);
    } catch {
      this.releaseStat(e);
      return undefined;
    }
  }

  releaseStat(e: Entry): void {
    if (e.statFd < 0) return;
    closeQuietly(e.statFd);
    e.statFd = -1;
    this.held--;
  }

  release(e: Entry): void {
    this.releaseStat(e);
    if (e.fd < 0) return;
    closeQuietly(e.fd);
    e.fd = -1;
    this.held--;
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    /* already closed */
  }
}

/** A run count of 0: schedstat without CONFIG_SCHED_INFO ("0 0 0"), or a thread that never ran: proves nothing. */
function provesNothing(runs: number): boolean {
  return !(runs > 0);
}

/**
 * parseStat's result (as taskFromStat builds it) for a well-formed stat line, without splitting
 * all 52 fields into strings: the table reads thousands of these. Anything unusual: undefined,
 * and the caller uses taskFromStat, which also says what was wrong.
 */
function quickTask(pid: number, text: string): Task | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open || text.charCodeAt(close + 1) !== 0x20) return undefined;
  const tid = Number(text.slice(0, open));
  const state = text[close + 2];
  if (!Number.isInteger(tid) || state === undefined || !/^[A-Za-z]$/.test(state) || text.charCodeAt(close + 3) !== 0x20) return undefined;
  // Fields 4.. after "state ": 4 ppid, 9 flags, 22 starttime (1-based, as in proc(5)).
  let field = 4;
  let at = close + 4;
  let ppid = NaN;
  let flags = NaN;
  let start = NaN;
  while (field <= 22) {
    const sp = text.indexOf(' ', at);
    if (sp < 0) return undefined;
    if (field === 4) ppid = Number(text.slice(at, sp));
    else if (field === 9) flags = Number(text.slice(at, sp));
    else if (field === 22) start = Number(text.slice(at, sp));
    at = sp + 1;
    field++;
  }
  if (!Number.isFinite(ppid) || !Number.isFinite(flags) || !Number.isFinite(start)) return undefined;
  return {
    pid, tid, comm: text.slice(open + 1, close), state, ppid, startTicks: start, flags, isKernelThread: (flags & PF_KTHREAD) !== 0,
  };
}

/** Max open files (soft) of this process, from /proc/self/limits. */
function openFileLimit(src: ProcSource): number {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(src.read('/proc/self/limits') ?? '');
  if (!m) return 1024;
  return m[1] === 'unlimited' ? 1 << 20 : Number(m[1]);
}

/** Tails /dev/kmsg through one fd kept open, keeping only the records collect() keeps. */
class KmsgTail {
  private fd?: number;
  private failed = false;
  private records: string[] = [];
  private readonly buf = Buffer.alloc(8192);

  read(): string | undefined {
    if (this.fd === undefined && !this.failed) {
      try {
        this.fd = fs.openSync('/dev/kmsg', fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      } catch {
        this.failed = true;
      }
    }
    if (this.fd === undefined) return undefined;
    for (let i = 0; i < 20000; i++) {
      let n: number;
      try {
        n = fs.readSync(this.fd, this.buf, 0, this.buf.length, null);
      } catch (e) {
        // EAGAIN: no more records. EPIPE: records were overwritten while away; go on.
        if ((e as NodeJS.ErrnoException).code === 'EPIPE') continue;
        break;
      }
      if (n <= 0) break;
      const rec = this.buf.toString('utf8', 0, n).replace(/\n$/, '');
      const semi = rec.indexOf(';');
      const text = (semi >= 0 ? rec.slice(semi + 1) : rec).split('\n')[0]!;
      if (isKmsgRelevant(text)) this.records.push(rec);
    }
    if (this.records.length > 1000) this.records = this.records.slice(-500);
    return this.records.join('\n');
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

const TASK_FILE = /^\/proc\/(\d+)\/task\/(\d+)\/(?:stack|wchan|syscall|status|sched)$/;
const CGROUP_FILE = /^\/proc\/(\d+)\/cgroup$/;
const PROC_FILE = /^\/proc\/(\d+)\/(?:fd|fd\/\d+|fdinfo\/\d+|cwd|ns\/mnt|maps)$/;

/** A task's (or a process's) generation now: equal to an earlier one means it has not run since. */
interface Generations {
  task(pid: number, tid: number): string | undefined;
  proc(pid: number): string | undefined;
  /** "pid:starttime" of a known process (a reused PID is another process), else undefined. */
  identity(pid: number): string | undefined;
  now(): number;
  /** How long a file that nothing can vouch for may be reused. */
  ttlMs: number;
}

/**
 * The source collect() reads through during one incremental refresh: the inner source, except
 * that a task's own files (and its process's fds, cwd, maps) are served from an earlier refresh
 * when its schedstat proves it has not run since, and the kernel log is tailed. mountinfo is
 * always read (anyone can mount or unmount); cgroup and /etc/passwd are re-read once per
 * rotation (someone else moves a process or adds a user, and nothing here sees it happen).
 */
class RefreshSource implements ProcSource {
  readonly live: boolean;
  /** tid -> schedstat this refresh (null: none that proves anything), asked for once per refresh. */
  readonly taskGen = new Map<number, string | null>();
  /** pid -> the joined generations of all its threads, when every one is known. */
  readonly procGen = new Map<number, string | null>();
  hits = 0;
  /** errs: the failures the read counted (EACCES...), counted again on every reuse. */
  private cache = new Map<string, { gen: string; v: string | undefined | string[]; used: boolean; errs?: [string, number][] }>();
  private aged = new Map<string, { id: string; at: number; v: string | undefined }>();

  constructor(private readonly inner: ProcSource, private readonly gens: Generations, private readonly kmsgTail?: KmsgTail) {
    this.live = inner.live;
  }
  get errors(): Map<string, number> {
    return this.inner.errors;
  }

  taskGenOf(pid: number, tid: number): string | undefined {
    let g = this.taskGen.get(tid);
    if (g === undefined) {
      g = this.gens.task(pid, tid) ?? null;
      this.taskGen.set(tid, g);
    }
    return g ?? undefined;
  }

  private genOf(p: string): string | undefined {
    let m = TASK_FILE.exec(p);
    if (m) return this.taskGenOf(Number(m[1]), Number(m[2]));
    m = PROC_FILE.exec(p);
    if (m) {
      const pid = Number(m[1]);
      let g = this.procGen.get(pid);
      if (g === undefined) {
        g = this.gens.proc(pid) ?? null;
        this.procGen.set(pid, g);
      }
      return g ?? undefined;
    }
    return undefined;
  }

  private cached<T extends string | undefined | string[]>(key: string, gen: string | undefined, get: () => T): T {
    if (gen === undefined) return get();
    const c = this.cache.get(key);
    const errors = this.inner.errors;
    if (c && c.gen === gen) {
      c.used = true;
      this.hits++;
      // A reused failure is still a failure of this refresh: collect() tells a stack the kernel
      // refused (not root) from one that vanished by the error it counted, refresh after refresh.
      for (const [code, n] of c.errs ?? []) errors.set(code, (errors.get(code) ?? 0) + n);
      return c.v as T;
    }
    const before = copyCounts(errors);
    const v = get();
    this.cache.set(key, { gen, v, used: true, errs: v === undefined ? errorsSince(before, errors) : undefined });
    return v;
  }

  read(p: string): string | undefined {
    // A process's cgroup (the container column) changes when someone moves it, which nothing
    // here can see happen: re-read it once per rotation, like any thread that did not run.
    const cg = CGROUP_FILE.exec(p);
    if (cg || p === '/etc/passwd') {
      const id = cg ? this.gens.identity(Number(cg[1])) : 'passwd';
      if (id === undefined) return this.inner.read(p);
      const now = this.gens.now();
      const c = this.aged.get(p);
      if (c && c.id === id && now - c.at < this.gens.ttlMs) {
        this.hits++;
        return c.v;
      }
      const v = this.inner.read(p);
      this.aged.set(p, { id, at: now, v });
      return v;
    }
    return this.cached(p, this.genOf(p), () => this.inner.read(p));
  }
  readlink(p: string): string | undefined {
    return this.cached(`L${p}`, this.genOf(p), () => this.inner.readlink(p));
  }
  list(p: string): string[] {
    // Copied: the caller may keep (and slice) the array.
    return [...this.cached(`D${p}`, this.genOf(p), () => this.inner.list(p))];
  }
  readMemString(pid: number, tid: number, addr: bigint): string | undefined {
    return this.cached(`M${tid}:${addr}`, this.taskGenOf(pid, tid), () => this.inner.readMemString(pid, tid, addr));
  }
  ssNetlink(): string | undefined {
    return this.inner.ssNetlink();
  }
  kmsg(): string | undefined {
    return this.kmsgTail ? this.kmsgTail.read() : this.inner.kmsg();
  }

  beginRefresh(): void {
    this.taskGen.clear();
    this.procGen.clear();
    this.hits = 0;
    for (const c of this.cache.values()) c.used = false;
  }
  /** Forget what this refresh did not use: those tasks are no longer shown. */
  endRefresh(): void {
    for (const [k, c] of this.cache) if (!c.used) this.cache.delete(k);
    const now = this.gens.now();
    for (const [k, c] of this.aged) if (now - c.at >= this.gens.ttlMs) this.aged.delete(k);
  }
}

function copyCounts(errors: Map<string, number>): Map<string, number> {
  return new Map(errors);
}

function errorsSince(before: Map<string, number>, now: Map<string, number>): [string, number][] | undefined {
  const out: [string, number][] = [];
  for (const [code, n] of now) if (n > (before.get(code) ?? 0)) out.push([code, n - (before.get(code) ?? 0)]);
  return out.length ? out : undefined;
}

export class IncrementalCollector {
  private readonly o: Required<Omit<IncrementalOptions, 'clock'>>;
  private readonly clock: () => number;
  private readonly io: ThreadIO;
  private readonly rsrc: RefreshSource;
  private readonly kmsgTail?: KmsgTail;

  private readonly procs = new Map<number, Proc>();
  private readonly entries = new Map<string, Entry>();
  private readonly all = new Map<string, Task>();
  private readonly threadsOf = new Map<number, Task[]>();
  private readonly stateCounts: Record<string, number> = {};
  private ring: Entry[] = [];
  private ringDirty = true;
  private cursor = 0;

  private lastPid?: number;
  private nrThreads?: number;
  private lastRefreshAt?: number;
  private lastEscalationAt = -Infinity;
  /** Tasks shown by the last snapshot: re-read every refresh. */
  private hot = new Set<string>();
  /** Tasks found newly blocked by the rotation or a probe: a full pass if they stay blocked. */
  private suspects = new Set<string>();
  /** The previous refresh's suspects, judged by this one. */
  private judged = new Set<string>();
  /** Entries that may hold a stat fd (shown tasks). */
  private statHeld = new Set<Entry>();
  /** Processes added during this refresh. */
  private added = new Set<number>();
  /** CPU µs per thread read by the rotation (moving average), for the budget. */
  private costUs = 5;
  /** CPU µs the process spent per refresh cycle apart from the rotation (moving average). */
  private fixedUs?: number;
  private cycleStart?: NodeJS.CpuUsage;
  private rotationUs = 0;
  private warn: (m: string) => void = () => {};
  private now = 0;

  stats: RefreshStats = {
    full: false, escalated: false, listed: false, probes: 0, hot: 0, rotated: 0, statReads: 0, relisted: 0,
    detailHits: 0, threads: 0, heldFds: 0,
  };
  refreshes = 0;

  constructor(private readonly src: ProcSource, opts: IncrementalOptions = {}) {
    this.o = {
      rotationMs: opts.rotationMs ?? 2000,
      cpuBudget: opts.cpuBudget ?? 0.018,
      escalateEveryMs: opts.escalateEveryMs ?? 10_000,
      maxHeldFds: opts.maxHeldFds ?? 16_384,
      probeLimit: opts.probeLimit ?? 512,
      hotProcessThreads: opts.hotProcessThreads ?? 64,
    };
    this.clock = opts.clock ?? Date.now;
    if (src instanceof LiveSource) {
      // Leave room for everything else the collector opens (and for Node itself).
      const max = Math.max(0, Math.min(this.o.maxHeldFds, openFileLimit(src) - 1024));
      this.io = new LiveThreadIO(src, max);
      this.kmsgTail = new KmsgTail();
    } else {
      this.io = new SourceThreadIO(src);
    }
    this.rsrc = new RefreshSource(src, {
      task: (pid, tid) => this.taskGeneration(pid, tid),
      proc: (pid) => this.procGeneration(pid),
      identity: (pid) => {
        const t = this.procs.get(pid)?.byTid.get(pid)?.task;
        return t ? `${pid}:${t.startTicks}` : undefined;
      },
      now: () => this.now,
      ttlMs: this.o.rotationMs,
    }, this.kmsgTail);
  }

  /** One snapshot, like collect(src, opts), from the table kept since the last one. */
  collect(opts: CollectOptions = {}): Snapshot {
    this.now = this.clock();
    // What the whole last cycle cost (that refresh, sending it, collecting its garbage), less
    // its rotation: the part of the budget the rotation cannot have.
    const cpu = process.cpuUsage();
    if (this.cycleStart) {
      const cycle = cpu.user - this.cycleStart.user + (cpu.system - this.cycleStart.system);
      const fixed = Math.max(0, cycle - this.rotationUs);
      this.fixedUs = this.fixedUs === undefined ? fixed : this.fixedUs * 0.7 + fixed * 0.3;
    }
    this.cycleStart = cpu;
    this.rotationUs = 0;
    this.stats = {
      full: false, escalated: false, listed: false, probes: 0, hot: 0, rotated: 0, statReads: 0, relisted: 0,
      detailHits: 0, threads: 0, heldFds: 0,
    };
    this.rsrc.beginRefresh();
    const snap = collect(this.rsrc, { ...opts, carry: [...this.hot] }, (_src, warn) => this.scan(warn));
    this.rsrc.endRefresh();

    // The table's Task objects live on: hand out copies, and clear the details collect() set.
    snap.tasks = snap.tasks.map((t) => ({ ...t }));
    // Assigned, not deleted: a deleted property would turn 10,000 objects into slow dictionaries.
    for (const t of this.all.values()) if (t.detail) t.detail = undefined;
    this.hot = new Set(snap.tasks.map((t) => `${t.pid}/${t.tid}`));
    for (const e of this.statHeld) {
      if (this.hot.has(e.key) && !e.gone) continue;
      this.io.releaseStat(e);
      this.statHeld.delete(e);
    }
    for (const k of this.hot) {
      const e = this.entries.get(k);
      if (e) this.statHeld.add(e);
    }
    this.lastRefreshAt = this.now;
    this.refreshes++;
    this.stats.detailHits = this.rsrc.hits;
    this.stats.threads = this.entries.size;
    this.stats.heldFds = this.io.held;
    return snap;
  }

  /** Close every held fd. */
  close(): void {
    for (const e of this.entries.values()) this.io.release(e);
    this.kmsgTail?.close();
  }

  private scan(warn: (m: string) => void): TaskTable {
    this.warn = warn;
    this.judged = this.suspects;
    this.suspects = new Set();
    this.added.clear();
    const first = this.lastRefreshAt === undefined;
    this.updateMembership(first);
    if (!first) {
      this.readHot();
      this.rotate();
    }
    if (this.ringDirty) this.rebuildRing();
    return { all: this.all, threadsOf: this.threadsOf, stateCounts: { ...this.stateCounts } };
  }

  // ---------- membership: which processes and threads exist ----------

  private updateMembership(first: boolean): void {
    const la = (this.src.read('/proc/loadavg') ?? '').trim().split(/\s+/);
    const lastPid = Number(la[4]);
    const nr = Number(la[3]?.split('/')[1]);
    const known = Number.isInteger(lastPid) && Number.isInteger(nr);
    const prevLast = this.lastPid;
    const prevNr = this.nrThreads;
    this.lastPid = known ? lastPid : undefined;
    this.nrThreads = known ? nr : undefined;
    if (first || !known || prevLast === undefined || prevNr === undefined) {
      this.listAll(first);
      return;
    }
    if (lastPid === prevLast) {
      // Nothing created. Exits (nr lower) are found when the dead threads' reads fail.
      if (nr > prevNr) this.listAll(false);
      return;
    }
    const created = lastPid - prevLast;
    if (created > 0 && created <= this.o.probeLimit) {
      for (let n = prevLast + 1; n <= lastPid; n++) this.probe(n);
    } else {
      // A burst, or PID numbers wrapped: list /proc now, and every task directory over the next rotation.
      this.listAll(false);
    }
  }

  private listAll(first: boolean): void {
    this.stats.listed = true;
    const seen = new Set<number>();
    for (const ent of this.src.list('/proc')) {
      if (!/^\d+$/.test(ent)) continue;
      const pid = Number(ent);
      seen.add(pid);
      const p = this.procs.get(pid);
      if (!p) this.addProcess(pid);
      else if (!first) p.relist = true;
    }
    for (const pid of [...this.procs.keys()]) if (!seen.has(pid)) this.dropProcess(pid);
    if (first) this.stats.full = true;
  }

  /** A PID number allocated since the last refresh: a new process, or a new thread of one. */
  private probe(n: number): void {
    this.stats.probes++;
    const status = this.src.read(`/proc/${n}/status`);
    if (status === undefined) return; // already gone
    const tgid = Number(/^Tgid:\s*(\d+)/m.exec(status)?.[1]);
    if (!Number.isInteger(tgid)) return;
    // The number was free a moment ago: whatever the table had under it (unless added by
    // this refresh) is dead.
    if (this.procs.has(n) && !this.added.has(n)) this.dropProcess(n);
    if (tgid === n) {
      if (!this.procs.has(n)) this.addProcess(n);
      return;
    }
    const p = this.procs.get(tgid);
    if (!p) {
      this.addProcess(tgid);
      return;
    }
    const old = p.byTid.get(n);
    if (old?.readAt === this.now) return; // listed with its process just now
    if (old) this.removeEntries(p, [old]);
    const e = this.newEntry(p, n);
    if (this.verify(e, true)) this.addEntry(p, e);
  }

  private addProcess(pid: number): void {
    const p: Proc = { pid, threads: [], byTid: new Map(), tasks: [], relist: false };
    this.added.add(pid);
    for (const tEnt of this.src.list(`/proc/${pid}/task`)) {
      const tid = Number(tEnt);
      if (!Number.isInteger(tid)) continue;
      const e = this.newEntry(p, tid);
      if (this.verify(e, true)) this.addEntry(p, e);
    }
    if (p.threads.length === 0) return; // vanished while listing
    this.procs.set(pid, p);
    this.threadsOf.set(pid, p.tasks);
  }

  /** Re-list a process's task directory: threads created in a burst, threads gone. */
  private relistProcess(p: Proc): void {
    this.stats.relisted++;
    p.relist = false;
    const listed = new Set<number>();
    for (const tEnt of this.src.list(`/proc/${p.pid}/task`)) {
      const tid = Number(tEnt);
      if (!Number.isInteger(tid)) continue;
      listed.add(tid);
      if (p.byTid.has(tid)) continue;
      const e = this.newEntry(p, tid);
      if (this.verify(e, true)) this.addEntry(p, e);
    }
    this.removeEntries(p, p.threads.filter((e) => !listed.has(e.tid)));
  }

  private dropProcess(pid: number): void {
    const p = this.procs.get(pid);
    if (!p) return;
    this.removeEntries(p, p.threads);
  }

  private newEntry(proc: Proc, tid: number): Entry {
    const pid = proc.pid;
    // Every field collect() sets, in its order: one object shape for all tasks.
    const task: Task = { pid, tid, comm: '', state: '', ppid: 0, startTicks: 0, flags: 0, isKernelThread: false, detail: undefined };
    return { proc, pid, tid, key: `${pid}/${tid}`, task, run: NaN, runs: NaN, fd: -1, statFd: -1, readAt: 0, gone: false };
  }

  private addEntry(p: Proc, e: Entry): void {
    p.threads.push(e);
    p.byTid.set(e.tid, e);
    p.tasks.push(e.task);
    this.entries.set(e.key, e);
    this.all.set(e.key, e.task);
    this.count(e.task.state, 1);
    this.ringDirty = true;
  }

  /** Remove threads of one process (all of them drops the process). */
  private removeEntries(p: Proc, gone: Entry[]): void {
    if (gone.length === 0) return;
    const dead = new Set(gone);
    for (const e of dead) {
      e.gone = true;
      this.io.release(e);
      p.byTid.delete(e.tid);
      this.entries.delete(e.key);
      this.all.delete(e.key);
      this.count(e.task.state, -1);
      this.hot.delete(e.key);
    }
    p.threads = p.threads.filter((e) => !dead.has(e));
    // threadsOf holds this array: change it in place.
    p.tasks.length = 0;
    for (const e of p.threads) p.tasks.push(e.task);
    if (p.threads.length === 0) {
      this.procs.delete(p.pid);
      this.threadsOf.delete(p.pid);
    }
    this.ringDirty = true;
  }

  private count(state: string, d: number): void {
    if (!state) return;
    const c = (this.stateCounts[state] ?? 0) + d;
    if (c > 0) this.stateCounts[state] = c;
    else delete this.stateCounts[state];
  }

  private rebuildRing(): void {
    const at = this.ring[this.cursor % Math.max(1, this.ring.length)];
    this.ring = [...this.entries.values()];
    // Keep the rotation where it was, roughly: the guarantee does not depend on it (see rotate()).
    const i = at ? this.ring.indexOf(at) : -1;
    this.cursor = i >= 0 ? i : this.ring.length ? this.cursor % this.ring.length : 0;
    this.ringDirty = false;
  }

  // ---------- reading states ----------

  /**
   * Bring one thread's state up to date. Without force, a thread that schedstat shows has not
   * run since its state was read keeps that state (unless it was running or blocked: those
   * change without running). Returns false when the thread is gone.
   */
  private verify(e: Entry, force: boolean): boolean {
    const ok = this.io.schedstat(e);
    const run = ok ? this.io.run : NaN;
    const runs = ok ? this.io.runs : NaN;
    const st = e.task.state;
    if (!force && st !== 'R' && st !== 'D' && st !== '' && !provesNothing(runs) && run === e.run && runs === e.runs) {
      e.readAt = this.now;
      return true;
    }
    const text = this.io.stat(e, this.hot.has(e.key));
    this.stats.statReads++;
    if (text === undefined) return false;
    const t = quickTask(e.pid, text) ?? taskFromStat(e.pid, text, (m) => this.warn(`/proc/${e.pid}/task/${e.tid}/stat: ${m}`));
    if (!t || t.tid !== e.tid) return false;
    if (t.state !== st && st) {
      // Entries not yet in the table (st '') are counted when added.
      this.count(st, -1);
      this.count(t.state, 1);
    }
    // Newly blocked, found outside the shown set (not on the first scan: that one sees everything).
    if (t.state === 'D' && st !== 'D' && !this.hot.has(e.key) && this.lastRefreshAt !== undefined) this.suspects.add(e.key);
    Object.assign(e.task, t);
    e.run = run;
    e.runs = runs;
    e.readAt = this.now;
    return true;
  }

  /**
   * The schedstat of a task now, when it can vouch for its files: equal to the one stored with
   * cached files means the task has not run since they were read, so they are unchanged. Read
   * fresh (not the baseline of the state check, which must stay what it was when stat was read).
   */
  private taskGeneration(pid: number, tid: number): string | undefined {
    const e = this.entries.get(`${pid}/${tid}`);
    if (!e || e.gone || e.task.state === 'R') return undefined;
    if (e.readAt === this.now) return provesNothing(e.runs) ? undefined : `${e.run}/${e.runs}`;
    if (!this.io.schedstat(e) || provesNothing(this.io.runs)) return undefined;
    return `${this.io.run}/${this.io.runs}`;
  }

  /** All threads' generations, for files of the whole process (fds, cwd, maps); small processes only. */
  private procGeneration(pid: number): string | undefined {
    const p = this.procs.get(pid);
    if (!p || p.threads.length === 0 || p.threads.length > this.o.hotProcessThreads) return undefined;
    const gens: string[] = [];
    for (const e of p.threads) {
      const g = this.rsrc.taskGenOf(pid, e.tid);
      if (g === undefined) return undefined;
      gens.push(g);
    }
    return gens.join('|');
  }

  /** Verify, and drop the thread if it is gone. */
  private check(e: Entry, force: boolean): void {
    if (e.gone) return;
    if (this.verify(e, force)) return;
    this.removeEntries(e.proc, [e]);
  }

  /** Shown tasks every refresh, with the other threads of their processes when those are few. */
  private readHot(): void {
    const pids = new Set<number>();
    for (const k of this.hot) {
      const e = this.entries.get(k);
      if (!e) continue;
      this.stats.hot++;
      this.check(e, true);
      pids.add(e.pid);
    }
    for (const pid of pids) {
      const p = this.procs.get(pid);
      if (!p) continue;
      if (p.relist) this.relistProcess(p);
      // A blocked task's siblings: often next (a thread pool on a frozen disk).
      if (p.threads.length <= this.o.hotProcessThreads) for (const e of [...p.threads]) if (!this.hot.has(e.key)) this.check(e, false);
    }
    // Newly blocked tasks that stayed blocked: others are probably joining them; look everywhere now.
    let persisted = false;
    for (const k of this.judged) if (this.entries.get(k)?.task.state === 'D' && this.hot.has(k)) persisted = true;
    if (persisted && this.now - this.lastEscalationAt >= this.o.escalateEveryMs) {
      this.lastEscalationAt = this.now;
      this.stats.escalated = true;
      this.fullPass();
    }
  }

  private fullPass(): void {
    this.stats.full = true;
    for (const e of [...this.entries.values()]) {
      if (e.readAt === this.now) continue;
      this.stats.rotated++;
      this.check(e, false);
    }
    for (const p of [...this.procs.values()]) if (p.relist) this.relistProcess(p);
  }

  /** The rotating share, then anything overdue (the guarantee), then pending re-listings. */
  private rotate(): void {
    if (this.stats.full) return;
    if (this.ringDirty) this.rebuildRing();
    const total = this.ring.length;
    if (total === 0) return;
    const dt = Math.max(0, this.now - (this.lastRefreshAt ?? this.now));
    const minShare = Math.ceil((total * Math.min(dt, this.o.rotationMs)) / this.o.rotationMs);
    const spareUs = this.o.cpuBudget * dt * 1000 - (this.fixedUs ?? Infinity);
    const budgetShare = spareUs > 0 ? Math.floor(spareUs / Math.max(0.5, this.costUs)) : 0;
    const share = Math.min(total, Math.max(minShare, budgetShare));
    const c0 = process.cpuUsage();
    let n = 0;
    for (let i = 0; i < share; i++) {
      const e = this.ring[(this.cursor + i) % total]!;
      if (e.proc.relist && !e.gone) this.relistProcess(e.proc);
      if (e.gone || e.readAt === this.now) continue;
      this.check(e, false);
      n++;
    }
    this.cursor = (this.cursor + share) % total;
    // The bound on detection delay rests on this, not on where the cursor happens to be.
    const due = this.now - this.o.rotationMs;
    for (const e of this.ring) {
      if (e.gone || e.readAt > due) continue;
      if (e.proc.relist) this.relistProcess(e.proc);
      if (e.gone || e.readAt === this.now) continue;
      this.check(e, false);
      n++;
    }
    this.stats.rotated = n;
    const c = process.cpuUsage(c0);
    this.rotationUs = c.user + c.system;
    if (n > 50) this.costUs = this.costUs * 0.7 + (this.rotationUs / n) * 0.3;
  }
}
