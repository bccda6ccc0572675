// Analysis with a memory across refreshes: where a task has no off-CPU time (no schedstats),
// "blocked for" is "since wedgetop first saw it blocked", which only whoever analyses every
// refresh can know. In live mode that is the collector child (it already ran the read->needs
// loop on the same snapshot), so the UI process never runs analyze() on its thread; a replay or
// a one-shot report has no child and analyses in-process through the same class.
//
// A collector child that is abandoned (it hung in a read) takes its first sightings with it:
// the next child starts them again at its first snapshot. They are marked as lower bounds
// (blockedForMin) anyway, and a hung child is already the exception the UI reports.
import type { Analysis, AnalyzedTask, Snapshot, Task } from '../model.js';
import { analyze } from '../graph/analyze.js';

export interface AnalystOptions {
  killGraceMs?: number;
}

export class Analyst {
  /** Task key -> when it was first seen blocked: analyze()'s fallback for "blocked for". */
  readonly firstSeen = new Map<string, number>();

  analyze(snap: Snapshot, o: AnalystOptions = {}): Analysis {
    const a = analyze(snap, { firstSeen: this.firstSeen, killGraceMs: o.killGraceMs });
    // Remember first sightings for the next refresh; forget tasks that are no longer shown.
    const shown = new Set<string>();
    for (const t of a.tasks) {
      shown.add(t.key);
      if (!this.firstSeen.has(t.key)) this.firstSeen.set(t.key, snap.takenAtMs);
    }
    for (const k of this.firstSeen.keys()) if (!shown.has(k)) this.firstSeen.delete(k);
    return a;
  }
}

/** What analyze() adds to a snapshot's task: all an AnalyzedTask carries over the pipe. */
type PackedTask = Omit<AnalyzedTask, keyof Task>;

/**
 * An Analysis as it crosses the IPC pipe. Each shown task is a copy of the snapshot's task
 * (analyze() copies its fields and the very detail object) plus what the analysis found:
 * serialised as it is, each task's stat fields and detail (stack, fds, status) would travel
 * twice. They travel once, in the snapshot, and are put back on arrival. At 5,000 blocked
 * (synthetic, 20k tasks) the message is 6.4 MB instead of 10.3 MB as it is (7.0 MB with only the
 * details sent once); JSON.parse + unpack took 34-57 ms either way, within the shared box's noise.
 * After the first refresh only the change from the last one sent travels (delta.ts).
 */
export type PackedAnalysis = Omit<Analysis, 'tasks'> & { packedTasks: PackedTask[] };

export function packAnalysis(a: Analysis): PackedAnalysis {
  const { tasks, ...rest } = a;
  const packedTasks = tasks.map((t): PackedTask => ({
    key: t.key, site: t.site, waitsOn: t.waitsOn, blockedForMs: t.blockedForMs, blockedForMin: t.blockedForMin,
    container: t.container, user: t.user, isHolder: t.isHolder, killable: t.killable,
  }));
  return { ...rest, packedTasks };
}

/** Where each unpacked task came from: its two halves, to know it again on the next refresh. */
const origin = new WeakMap<AnalyzedTask, { packed: PackedTask; task: Task }>();

/**
 * Put the tasks back together. With `prev` (the Analysis unpacked from the base a delta was
 * applied to), a task whose two halves are the very objects it was made of last time (the delta
 * left it alone) is prev's own object: the views can tell an unchanged task by identity.
 */
export function unpackAnalysis(p: PackedAnalysis, prev?: Analysis): Analysis {
  const { packedTasks, ...rest } = p;
  const byKey = new Map<string, Task>();
  for (const t of rest.snapshot.tasks) byKey.set(`${t.pid}/${t.tid}`, t);
  const before = new Map<string, AnalyzedTask>();
  for (const t of prev?.tasks ?? []) before.set(t.key, t);
  const tasks: AnalyzedTask[] = [];
  for (const x of packedTasks) {
    const t = byKey.get(x.key);
    // Every shown task is in the snapshot the child analysed; one that is not is dropped, not invented.
    if (!t) continue;
    const old = before.get(x.key);
    const o = old && origin.get(old);
    if (old && o && o.packed === x && o.task === t) {
      tasks.push(old);
      continue;
    }
    // The same literal, field for field, as analyze() builds: one object shape for the views.
    const at: AnalyzedTask = {
      pid: t.pid, tid: t.tid, comm: t.comm, state: t.state, ppid: t.ppid, startTicks: t.startTicks, flags: t.flags,
      isKernelThread: t.isKernelThread, detail: t.detail,
      key: x.key, site: x.site, waitsOn: x.waitsOn, blockedForMs: x.blockedForMs, blockedForMin: x.blockedForMin,
      container: x.container, user: x.user, isHolder: x.isHolder, killable: x.killable,
    };
    origin.set(at, { packed: x, task: t });
    tasks.push(at);
  }
  return { ...rest, tasks };
}
