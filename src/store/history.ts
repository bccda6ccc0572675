// Blocked-task counts over time, one sample per successful refresh: the total and each root
// cause's share, for the header chart and the root-cause sparklines.
import type { Analysis } from '../model.js';
import { blockedCount } from '../report/json.js';

export interface HistorySample {
  /** Wall-clock time of the refresh (ms). */
  t: number;
  total: number;
  byRoot: Record<string, number>;
}

/** About an hour at the default 1 s interval: enough for "since when", bounded memory. */
export const HISTORY_MAX = 3600;

export function sampleOf(a: Analysis, t: number): HistorySample {
  const byRoot: Record<string, number> = {};
  for (const rc of a.rootCauses) byRoot[rc.id] = rc.blocked;
  return { t, total: blockedCount(a), byRoot };
}

export function pushSample(h: readonly HistorySample[], s: HistorySample, max = HISTORY_MAX): HistorySample[] {
  const out = h.length >= max ? h.slice(h.length - max + 1) : h.slice();
  out.push(s);
  return out;
}

/** The last `n` values of one series (the total when rootId is undefined). */
export function series(h: readonly HistorySample[], n: number, rootId?: string): number[] {
  const from = Math.max(0, h.length - n);
  const out: number[] = [];
  for (let i = from; i < h.length; i++) out.push(rootId === undefined ? h[i]!.total : h[i]!.byRoot[rootId] ?? 0);
  return out;
}
