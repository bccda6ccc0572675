// Which processes and threads exist, without listing /proc every second: /proc/loadavg's last-PID
// and thread-count fields say whether any task was created since the last refresh. Nothing
// created: nothing is listed (exits are found when the dead threads' reads fail). A few created:
// each new PID number is looked up directly (new processes AND new threads: a thread takes a
// number from the same counter). A burst, or the numbers wrapped: /proc is listed now and every
// task directory re-listed when the rotation reaches its process.
import type { ProcSource } from '../../procfs/source.js';
import { parseStatus } from '../../procfs/parse.js';
import type { Entry, Proc, ThreadTable } from './table.js';
import type { RefreshStats } from './stats.js';

export interface MembershipHost {
  readonly table: ThreadTable;
  readonly stats: RefreshStats;
  /** Wall ms of this refresh (a thread verified now has readAt === now). */
  readonly now: number;
  /** Read a thread's state; false when it is gone. */
  verify(e: Entry, force: boolean): boolean;
}

export class Membership {
  private lastPid?: number;
  private nrThreads?: number;
  /** Processes added during this refresh. */
  private readonly added = new Set<number>();

  constructor(private readonly src: ProcSource, private readonly host: MembershipHost, private readonly probeLimit: number) {}

  update(first: boolean): void {
    this.added.clear();
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
      // Nothing created; a rise without a new number is something this missed: look.
      if (nr > prevNr) this.listAll(false);
      return;
    }
    const created = lastPid - prevLast;
    if (created > 0 && created <= this.probeLimit) {
      for (let n = prevLast + 1; n <= lastPid; n++) this.probe(n);
    } else {
      this.listAll(false);
    }
  }

  /** Re-list a process's task directory: threads created in a burst, threads gone. */
  relist(p: Proc): void {
    this.host.stats.relisted++;
    p.relist = false;
    const listed = new Set<number>();
    for (const tEnt of this.src.list(`/proc/${p.pid}/task`)) {
      const tid = Number(tEnt);
      if (!Number.isInteger(tid)) continue;
      listed.add(tid);
      if (p.byTid.has(tid)) continue;
      this.addThread(p, tid);
    }
    this.host.table.removeEntries(p, p.threads.filter((e) => !listed.has(e.tid)));
  }

  private listAll(first: boolean): void {
    const { table, stats } = this.host;
    stats.listed = true;
    const seen = new Set<number>();
    for (const ent of this.src.list('/proc')) {
      if (!/^\d+$/.test(ent)) continue;
      const pid = Number(ent);
      seen.add(pid);
      const p = table.procs.get(pid);
      if (!p) this.addProcess(pid);
      else if (!first) p.relist = true;
    }
    for (const pid of [...table.procs.keys()]) if (!seen.has(pid)) table.dropProcess(pid);
    if (first) stats.full = true;
  }

  /** A PID number allocated since the last refresh: a new process, or a new thread of one. */
  private probe(n: number): void {
    const { table, stats, now } = this.host;
    stats.probes++;
    const status = this.src.read(`/proc/${n}/status`);
    if (status === undefined) return; // already gone
    const tgid = parseStatus(status).tgid;
    if (tgid === undefined || !Number.isInteger(tgid)) return;
    // The number was free a moment ago: whatever the table had under it (unless added by
    // this refresh) is dead.
    if (table.procs.has(n) && !this.added.has(n)) table.dropProcess(n);
    if (tgid === n) {
      if (!table.procs.has(n)) this.addProcess(n);
      return;
    }
    const p = table.procs.get(tgid);
    if (!p) {
      this.addProcess(tgid);
      return;
    }
    const old = p.byTid.get(n);
    if (old?.readAt === now) return; // listed with its process just now
    if (old) table.removeEntries(p, [old]);
    this.addThread(p, n);
  }

  private addProcess(pid: number): void {
    const p = this.host.table.newProc(pid);
    this.added.add(pid);
    for (const tEnt of this.src.list(`/proc/${pid}/task`)) {
      const tid = Number(tEnt);
      if (Number.isInteger(tid)) this.addThread(p, tid);
    }
    this.host.table.addProc(p);
  }

  private addThread(p: Proc, tid: number): void {
    const e = this.host.table.newEntry(p, tid);
    if (this.host.verify(e, true)) this.host.table.addEntry(p, e);
  }
}
