// The data slice: what the refresher writes (analysis, history, collector state). Z pauses it as a
// whole: what arrives meanwhile is stashed, and the chart's history is frozen with it.
import { pushSample, sampleOf } from '../history.js';
import { cpuUsage } from '../../procfs/meters.js';
import type { Analysis } from '../../model.js';
import type { CollectorStatus, CpuMeter, DataSlice, SliceContext } from '../types.js';

export function dataSlice(ctx: SliceContext): DataSlice {
  const { set, get, clock, apply } = ctx;
  return {
    history: [],
    cpu: {},
    collector: { pending: false, refreshes: 0 },
    paused: false,
    now: clock(),

    setAnalysis(a) {
      const now = clock();
      const s = get();
      const collector: CollectorStatus = { ...s.collector, pending: false, pendingSince: undefined, stalledSince: undefined, stalledBusy: undefined, lastError: undefined, lastOkAt: now, refreshes: s.collector.refreshes + 1 };
      const history = pushSample(s.history, sampleOf(a, now));
      const cpu = nextCpu(s.cpu, a);
      // Under the dialog the screen must keep showing what the admin is confirming.
      if (s.paused || s.dialog) set({ stashed: a, collector, history, now, cpu });
      else set({ ...apply(a), collector, history, now, cpu });
    },
    setPending(pending) {
      const s = get();
      set({ collector: { ...s.collector, pending, pendingSince: pending ? clock() : undefined } });
    },
    setStalled(busy = false) {
      const s = get();
      if (s.collector.stalledSince !== undefined && !!s.collector.stalledBusy === busy) return;
      set({ collector: { ...s.collector, stalledSince: s.collector.stalledSince ?? s.collector.pendingSince ?? clock(), stalledBusy: busy || undefined } });
    },
    setCollectorError(msg, stalled) {
      const s = get();
      const now = clock();
      set({
        collector: {
          ...s.collector, pending: false, pendingSince: undefined, lastError: msg,
          // An error after a stall is the newer news (e.g. "2 abandoned collectors are still
          // stuck"): shown instead of the stall it followed.
          stalledSince: stalled ? s.collector.stalledSince ?? s.collector.pendingSince ?? now : undefined,
          stalledBusy: undefined,
        },
        now,
      });
    },
    setMem(m) {
      set({ mem: m });
    },
    tick() {
      set({ now: clock() });
    },
    togglePause() {
      const s = get();
      if (s.paused && s.stashed && !s.dialog) set({ ...apply(s.stashed), paused: false, pausedHistory: undefined });
      else set({ paused: !s.paused, pausedHistory: s.paused ? undefined : s.history });
    },
  };
}

/** The CPU meter after a new snapshot: a static replay (same ticks) keeps the last usage. */
function nextCpu(prev: CpuMeter, a: Analysis): CpuMeter {
  const cur = a.snapshot.meters?.cpu;
  if (!cur) return prev;
  return { last: cur, usage: cpuUsage(prev.last, cur) ?? prev.usage };
}
