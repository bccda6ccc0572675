// Analysis with a memory across refreshes: where a task has no off-CPU time (no schedstats),
// "blocked for" is "since wedgetop first saw it blocked", which only whoever analyses every
// refresh can know. In live mode that is the collector child (it already ran the read->needs
// loop on the same snapshot), so the UI process never runs analyze() on its thread; a replay or
// a one-shot report has no child and analyses in-process through the same class.
//
// A collector child that is abandoned (it hung in a read) takes its first sightings with it:
// the next child starts them again at its first snapshot. They are marked as lower bounds
// (blockedForMin) anyway, and a hung child is already the exception the UI reports.
import type { Analysis, Snapshot } from '../model.js';
import { analyze } from '../graph/analyze.js';

export interface AnalystOptions {
  killGraceMs?: number;
}

export class Analyst {
  /** Task key -> when it was first seen blocked: analyze()'s fallback for "blocked for". */
  readonly firstSeen = new Map<string, number>();

  analyze(snap: Snapshot, o: AnalystOptions = {}): Analysis {
    const { needs: _needs, ...a } = analyze(snap, { firstSeen: this.firstSeen, killGraceMs: o.killGraceMs });
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

/**
 * An Analysis as it crosses the IPC pipe. Each shown task's detail is the very object of the
 * snapshot's task (analyze() copies the reference): serialised as it is, every detail (stack,
 * fds, status) would travel twice. It travels once, in the snapshot, and is put back on arrival.
 */
export type PackedAnalysis = Analysis & { packed: true };

export function packAnalysis(a: Analysis): PackedAnalysis {
  return { ...a, tasks: a.tasks.map((t) => (t.detail ? { ...t, detail: undefined } : t)), packed: true };
}

export function unpackAnalysis(p: PackedAnalysis): Analysis {
  const { packed: _p, ...a } = p;
  const details = new Map<string, NonNullable<Snapshot['tasks'][number]['detail']>>();
  for (const t of a.snapshot.tasks) if (t.detail) details.set(`${t.pid}/${t.tid}`, t.detail);
  for (const t of a.tasks) if (t.detail === undefined) t.detail = details.get(t.key);
  return a;
}
