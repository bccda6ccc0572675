// The live collector's table of every thread: what collect() gets as its TaskTable, kept between
// refreshes, and the ring the rotation walks. Task objects live as long as their thread: collect()
// and the views get copies.
import type { Task } from '../../model.js';
import type { ThreadHandle } from './thread-io.js';

export interface Entry extends ThreadHandle {
  proc: Proc;
  key: string;
  task: Task;
  /**
   * schedstat's run time (ns) and run count, read just before the stat that gave task.state:
   * unchanged means the thread has not run since. NaN: not known. Numbers, not the text: the
   * rotation then allocates nothing for a thread that did not run.
   */
  run: number;
  runs: number;
  gone: boolean;
}

export interface Proc {
  pid: number;
  threads: Entry[];
  byTid: Map<number, Entry>;
  /** Task list handed to collect() as threadsOf (same order as threads). */
  tasks: Task[];
  /** Re-list the task directory when the rotation reaches this process (after a burst). */
  relist: boolean;
}

export class ThreadTable {
  readonly procs = new Map<number, Proc>();
  readonly entries = new Map<string, Entry>();
  readonly all = new Map<string, Task>();
  readonly threadsOf = new Map<number, Task[]>();
  readonly stateCounts: Record<string, number> = {};
  ring: Entry[] = [];
  /** Where the rotation goes on from. */
  cursor = 0;
  private ringDirty = true;

  /** removed: called for each entry taken out (its fds closed, it is no longer shown). */
  constructor(private readonly removed: (e: Entry) => void) {}

  newProc(pid: number): Proc {
    return { pid, threads: [], byTid: new Map(), tasks: [], relist: false };
  }

  /** A process found with at least one thread becomes part of the table. */
  addProc(p: Proc): boolean {
    if (p.threads.length === 0) return false; // vanished while listing
    this.procs.set(p.pid, p);
    this.threadsOf.set(p.pid, p.tasks);
    return true;
  }

  newEntry(proc: Proc, tid: number): Entry {
    const pid = proc.pid;
    // Every field collect() sets, in its order: one object shape for all tasks.
    const task: Task = { pid, tid, comm: '', state: '', ppid: 0, startTicks: 0, flags: 0, isKernelThread: false, detail: undefined };
    return { proc, pid, tid, key: `${pid}/${tid}`, task, run: NaN, runs: NaN, fd: -1, statFd: -1, readAt: 0, gone: false };
  }

  addEntry(p: Proc, e: Entry): void {
    p.threads.push(e);
    p.byTid.set(e.tid, e);
    p.tasks.push(e.task);
    this.entries.set(e.key, e);
    this.all.set(e.key, e.task);
    this.count(e.task.state, 1);
    this.ringDirty = true;
  }

  /** Remove threads of one process (all of them drops the process). */
  removeEntries(p: Proc, gone: Entry[]): void {
    if (gone.length === 0) return;
    const dead = new Set(gone);
    for (const e of dead) {
      e.gone = true;
      this.removed(e);
      p.byTid.delete(e.tid);
      this.entries.delete(e.key);
      this.all.delete(e.key);
      this.count(e.task.state, -1);
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

  dropProcess(pid: number): void {
    const p = this.procs.get(pid);
    if (p) this.removeEntries(p, p.threads);
  }

  /** A thread's state letter changed from `from` ('' for one not yet counted) to `to`. */
  recount(from: string, to: string): void {
    if (from === to || !from) return;
    this.count(from, -1);
    this.count(to, 1);
  }

  private count(state: string, d: number): void {
    if (!state) return;
    const c = (this.stateCounts[state] ?? 0) + d;
    if (c > 0) this.stateCounts[state] = c;
    else delete this.stateCounts[state];
  }

  /** The ring as it is now (rebuilt after threads came or went). */
  currentRing(): Entry[] {
    if (!this.ringDirty) return this.ring;
    const at = this.ring[this.cursor % Math.max(1, this.ring.length)];
    this.ring = [...this.entries.values()];
    // Keep the rotation where it was, roughly: the guarantee does not depend on it (the
    // rotation also reads every thread overdue, wherever it is).
    const i = at ? this.ring.indexOf(at) : -1;
    this.cursor = i >= 0 ? i : this.ring.length ? this.cursor % this.ring.length : 0;
    this.ringDirty = false;
    return this.ring;
  }
}
