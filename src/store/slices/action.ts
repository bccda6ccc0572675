// The action slice: the action running now (or the last one), step by step, and the session's log.
import type { ActionSlice, SliceContext } from '../types.js';

export function actionSlice(ctx: SliceContext): ActionSlice {
  const { set, get, clock } = ctx;
  return {
    actionLog: [],

    actionBegin(plan, dryRun) {
      const now = clock();
      set({ action: { plan, dryRun, startedAt: now, steps: [], phase: 'running' }, now });
    },
    actionStep(text) {
      const a = get().action;
      if (!a) return;
      const now = clock();
      set({ action: { ...a, steps: [...a.steps, { at: now, text }] }, now });
    },
    actionFollow(f) {
      const a = get().action;
      if (a) set({ action: { ...a, phase: 'following', follow: f }, now: clock() });
    },
    actionEnd(ok, result, follow) {
      const a = get().action;
      if (!a) return;
      const now = clock();
      set({ action: { ...a, phase: 'done', ok, result, follow: follow ?? a.follow, finishedAt: now }, now, message: { text: result, level: ok ? 'info' : 'error', at: now } });
      // A tagged kill: the next target, planned when confirmed, guarded again as it runs.
      const q = get().actionQueue;
      if (q?.length) {
        set({ actionQueue: q.slice(1) });
        get().remediator?.run(q[0]!);
      }
    },
    setActionLog(entries) {
      set({ actionLog: [...entries] });
    },
  };
}
