// Reading the store's state: the table's rows, the root cause the remedy keys act on, search
// matches, where the selection lands. Pure functions of a state; the slices and the views use them.
import type { Analysis, RootCause } from '../model.js';
import { indexOf, targetRootCause, type Row } from './derive.js';
import type { UiState } from './types.js';

/** The root cause the remedy keys act on now: the panel's selection, else the selected task's. */
export function remedyTarget(s: Pick<UiState, 'analysis' | 'sort' | 'filter' | 'collapsed' | 'threadsFolded' | 'rows' | 'cursor' | 'focus' | 'causeId'>): RootCause | undefined {
  const a = s.analysis;
  if (s.focus === 'causes' && a) {
    const rc = a.rootCauses.find((r) => r.id === s.causeId);
    if (rc) return rc;
  }
  return targetRootCause(a, rowsFor(s), s.cursor);
}

/** True while an action or its follow-up runs: a second one waits for it. */
export const actionBusy = (s: Pick<UiState, 'action'>): boolean => !!s.action && s.action.phase !== 'done';

export function rowsFor(s: Pick<UiState, 'analysis' | 'sort' | 'filter' | 'collapsed' | 'threadsFolded' | 'rows'>): Row[] {
  return s.rows({ analysis: s.analysis, sort: s.sort, filter: s.filter, collapsed: s.collapsed, threadsFolded: s.threadsFolded });
}

/** The next row index from `from` (exclusive, or inclusive with `inclusive`) whose task matches. */
export function findMatch(rows: readonly Row[], a: Analysis | undefined, text: string, from: number, dir: 1 | -1, inclusive: boolean): number | undefined {
  const q = text.trim().toLowerCase();
  if (!q || !a || rows.length === 0) return undefined;
  const idx = indexOf(a);
  for (let k = inclusive ? 0 : 1; k <= rows.length; k++) {
    const i = (((from + dir * k) % rows.length) + rows.length) % rows.length;
    const r = rows[i]!;
    if (r.kind !== 'task') continue;
    const ts = r.threads ?? [r.task];
    if (ts.some((t) => idx.search(t.key)?.includes(q))) return i;
  }
  return undefined;
}

/**
 * The row index of `id` in `rows`; if it is gone (filtered out, finished), the first task whose
 * root cause is the top one, so that a remedy key pressed at once acts on "what to do first", not
 * on whichever task sorts first (issue 9: an idle audit daemon listed first as a holder drew the
 * kill that frees nobody); else the first task.
 */
export function place(rows: readonly Row[], id: string | undefined, a?: Analysis): number {
  if (id !== undefined) {
    const i = rows.findIndex((r) => r.id === id);
    if (i >= 0) return i;
  }
  const top = a?.rootCauses[0];
  if (top) {
    const rootOf = indexOf(a).rootOf;
    const i = rows.findIndex((r) => r.kind === 'task' && rootOf.get(r.id) === top);
    if (i >= 0) return i;
  }
  return Math.max(0, rows.findIndex((r) => r.kind === 'task'));
}

export function clampOverlay(pos: number, v: UiState['viewport']): number {
  return Math.max(0, Math.min(pos, Math.max(0, v.overlayTotal - v.overlayRows)));
}
