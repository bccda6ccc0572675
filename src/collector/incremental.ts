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
// instead of re-read: they cannot have changed. Which files that holds for is declared with
// each file (src/procfs/files.ts: `reuse`), and incremental/refresh-source.ts serves them so.
//
// The parts, one job each, under incremental/: table.ts (every thread, the rotation's ring),
// membership.ts (which tasks exist, from /proc/loadavg), thread-io.ts (schedstat and stat,
// through held fds on the live /proc), held-fds.ts (how many may be held), cpu-budget.ts (how
// many threads the rotation may read), refresh-source.ts (reuse of declared files). This file
// decides which threads to read when, and runs collect() on the table.
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
import type { Snapshot } from '../model.js';
import { collect, isKmsgRelevant, type CollectOptions, type TaskTable } from './collect.js';
import { LiveSource, type ProcSource } from '../procfs/source.js';
import { parseStat, PF_KTHREAD } from '../procfs/parse.js';
import { KmsgTail } from '../procfs/kmsg.js';
import { CpuBudget } from './incremental/cpu-budget.js';
import { HeldFds, heldFdLimit } from './incremental/held-fds.js';
import { Membership } from './incremental/membership.js';
import { RefreshSource } from './incremental/refresh-source.js';
import { emptyStats, type RefreshStats } from './incremental/stats.js';
import { ThreadTable, type Entry } from './incremental/table.js';
import { LiveThreadIO, SourceThreadIO, type ThreadIO } from './incremental/thread-io.js';

export type { RefreshStats } from './incremental/stats.js';

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

/** A run count of 0: schedstat without CONFIG_SCHED_INFO ("0 0 0"), or a thread that never ran: proves nothing. */
function provesNothing(runs: number): boolean {
  return !(runs > 0);
}

export class IncrementalCollector {
  private readonly o: Required<Omit<IncrementalOptions, 'clock'>>;
  private readonly clock: () => number;
  private readonly io: ThreadIO;
  private readonly rsrc: RefreshSource;
  private readonly kmsgTail?: KmsgTail;
  private readonly budget: CpuBudget;
  private readonly membership: Membership;
  private readonly table: ThreadTable;

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
  private warn: (m: string) => void = () => {};
  private now = 0;

  stats: RefreshStats = emptyStats();
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
    this.budget = new CpuBudget(this.o.cpuBudget);
    if (src instanceof LiveSource) {
      this.io = new LiveThreadIO(src, new HeldFds(heldFdLimit(src, this.o.maxHeldFds)));
      this.kmsgTail = new KmsgTail(isKmsgRelevant);
    } else {
      this.io = new SourceThreadIO(src);
    }
    this.table = new ThreadTable((e) => {
      this.io.release(e);
      this.hot.delete(e.key);
    });
    const self = this;
    this.membership = new Membership(src, {
      table: this.table,
      get stats() { return self.stats; },
      get now() { return self.now; },
      verify: (e, force) => this.verify(e, force),
    }, this.o.probeLimit);
    this.rsrc = new RefreshSource(src, {
      task: (pid, tid) => this.taskGeneration(pid, tid),
      proc: (pid) => this.procGeneration(pid),
      identity: (pid, tid) => {
        const t = this.table.entries.get(`${pid}/${tid}`)?.task;
        return t ? `${pid}/${tid}:${t.startTicks}` : undefined;
      },
      now: () => this.now,
      ttlMs: this.o.rotationMs,
    }, this.kmsgTail);
  }

  /** One snapshot, like collect(src, opts), from the table kept since the last one. */
  collect(opts: CollectOptions = {}): Snapshot {
    this.now = this.clock();
    this.budget.beginCycle();
    this.stats = emptyStats();
    this.rsrc.beginRefresh();
    const snap = collect(this.rsrc, { ...opts, carry: [...this.hot] }, (_src, warn) => this.scan(warn));
    this.rsrc.endRefresh();

    // The table's Task objects live on: hand out copies, and clear the details collect() set.
    snap.tasks = snap.tasks.map((t) => ({ ...t }));
    // Assigned, not deleted: a deleted property would turn 10,000 objects into slow dictionaries.
    for (const t of this.table.all.values()) if (t.detail) t.detail = undefined;
    this.hot = new Set(snap.tasks.map((t) => `${t.pid}/${t.tid}`));
    for (const e of this.statHeld) {
      if (this.hot.has(e.key) && !e.gone) continue;
      this.io.releaseStat(e);
      this.statHeld.delete(e);
    }
    for (const k of this.hot) {
      const e = this.table.entries.get(k);
      if (e) this.statHeld.add(e);
    }
    this.lastRefreshAt = this.now;
    this.refreshes++;
    this.stats.detailHits = this.rsrc.hits;
    this.stats.threads = this.table.entries.size;
    this.stats.heldFds = this.io.held;
    return snap;
  }

  /** Close every held fd. */
  close(): void {
    for (const e of this.table.entries.values()) this.io.release(e);
    this.kmsgTail?.close();
  }

  private scan(warn: (m: string) => void): TaskTable {
    this.warn = warn;
    this.judged = this.suspects;
    this.suspects = new Set();
    const first = this.lastRefreshAt === undefined;
    this.membership.update(first);
    if (!first) {
      this.readHot();
      this.rotate();
    }
    this.table.currentRing();
    const { all, threadsOf, stateCounts } = this.table;
    return { all, threadsOf, stateCounts: { ...stateCounts } };
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
    const task = e.task;
    const st = task.state;
    if (!force && st !== 'R' && st !== 'D' && st !== '' && !provesNothing(runs) && run === e.run && runs === e.runs) {
      e.readAt = this.now;
      return true;
    }
    const text = this.io.stat(e, this.hot.has(e.key));
    this.stats.statReads++;
    if (text === undefined) return false;
    const s = parseStat(text, (m) => this.warn(`/proc/${e.pid}/task/${e.tid}/stat: ${m}`));
    if (!s || s.pid !== e.tid) return false;
    // Entries not yet in the table (st '') are counted when added.
    this.table.recount(st, s.state);
    // Newly blocked, found outside the shown set (not on the first scan: that one sees everything).
    if (s.state === 'D' && st !== 'D' && !this.hot.has(e.key) && this.lastRefreshAt !== undefined) this.suspects.add(e.key);
    task.comm = s.comm;
    task.state = s.state;
    task.ppid = s.ppid;
    task.startTicks = s.startTicks;
    task.flags = s.flags;
    task.isKernelThread = (s.flags & PF_KTHREAD) !== 0;
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
    const e = this.table.entries.get(`${pid}/${tid}`);
    if (!e || e.gone || e.task.state === 'R') return undefined;
    if (e.readAt === this.now) return provesNothing(e.runs) ? undefined : `${e.run}/${e.runs}`;
    if (!this.io.schedstat(e) || provesNothing(this.io.runs)) return undefined;
    return `${this.io.run}/${this.io.runs}`;
  }

  /** All threads' generations, for files of the whole process (fds, cwd, maps); small processes only. */
  private procGeneration(pid: number): string | undefined {
    const p = this.table.procs.get(pid);
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
    this.table.removeEntries(e.proc, [e]);
  }

  /** Shown tasks every refresh, with the other threads of their processes when those are few. */
  private readHot(): void {
    const pids = new Set<number>();
    for (const k of this.hot) {
      const e = this.table.entries.get(k);
      if (!e) continue;
      this.stats.hot++;
      this.check(e, true);
      pids.add(e.pid);
    }
    for (const pid of pids) {
      const p = this.table.procs.get(pid);
      if (!p) continue;
      if (p.relist) this.membership.relist(p);
      // A blocked task's siblings: often next (a thread pool on a frozen disk).
      if (p.threads.length <= this.o.hotProcessThreads) for (const e of [...p.threads]) if (!this.hot.has(e.key)) this.check(e, false);
    }
    // Newly blocked tasks that stayed blocked: others are probably joining them; look everywhere now.
    let persisted = false;
    for (const k of this.judged) if (this.table.entries.get(k)?.task.state === 'D' && this.hot.has(k)) persisted = true;
    if (persisted && this.now - this.lastEscalationAt >= this.o.escalateEveryMs) {
      this.lastEscalationAt = this.now;
      this.stats.escalated = true;
      this.fullPass();
    }
  }

  private fullPass(): void {
    this.stats.full = true;
    for (const e of [...this.table.entries.values()]) {
      if (e.readAt === this.now) continue;
      this.stats.rotated++;
      this.check(e, false);
    }
    for (const p of [...this.table.procs.values()]) if (p.relist) this.membership.relist(p);
  }

  /** The rotating share, then anything overdue (the guarantee), then pending re-listings. */
  private rotate(): void {
    if (this.stats.full) return;
    const ring = this.table.currentRing();
    const total = ring.length;
    if (total === 0) return;
    const dt = Math.max(0, this.now - (this.lastRefreshAt ?? this.now));
    const minShare = Math.ceil((total * Math.min(dt, this.o.rotationMs)) / this.o.rotationMs);
    const share = Math.min(total, Math.max(minShare, this.budget.threadsFor(dt)));
    this.budget.startRotation();
    let n = 0;
    const cursor = this.table.cursor;
    for (let i = 0; i < share; i++) {
      const e = ring[(cursor + i) % total]!;
      if (e.proc.relist && !e.gone) this.membership.relist(e.proc);
      if (e.gone || e.readAt === this.now) continue;
      this.check(e, false);
      n++;
    }
    this.table.cursor = (cursor + share) % total;
    // The bound on detection delay rests on this, not on where the cursor happens to be.
    const due = this.now - this.o.rotationMs;
    for (const e of ring) {
      if (e.gone || e.readAt > due) continue;
      if (e.proc.relist) this.membership.relist(e.proc);
      if (e.gone || e.readAt === this.now) continue;
      this.check(e, false);
      n++;
    }
    this.stats.rotated = n;
    this.budget.endRotation(n);
  }
}
