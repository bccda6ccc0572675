// The UI state, one zustand store outside React: the refresher writes analyses into it, keys
// turn into actions on it, and the views are pure functions of it. Composed of slices, as zustand's
// slice pattern does (src/store/slices/): data (what the refresher writes; Z freezes it as a whole),
// table, overlays, dialog, action run, columns. Each slice owns its fields and the actions that change them.
import { createStore } from 'zustand/vanilla';
import type { Analysis } from '../model.js';
import { scrollFor } from './derive.js';
import { place, rowsFor } from './select.js';
import type { SliceContext, StoreOptions, UiState, UiStore } from './types.js';
import { dataSlice } from './slices/data.js';
import { tableSlice } from './slices/table.js';
import { overlaySlice } from './slices/overlays.js';
import { dialogSlice } from './slices/dialog.js';
import { actionSlice } from './slices/action.js';
import { columnsSlice } from './slices/columns.js';

export * from './types.js';
export { actionBusy, remedyTarget, rowsFor } from './select.js';

export function createUiStore(o: StoreOptions): UiStore {
  const clock = o.clock ?? Date.now;
  const opts: Omit<StoreOptions, 'clock'> = { intervalMs: o.intervalMs, timeoutMs: o.timeoutMs, readOnly: o.readOnly, dryRun: o.dryRun, live: o.live, replayDir: o.replayDir };
  return createStore<UiState>()((set, get) => {
    /** After the row set changed: keep the selected row selected (by id) and in view. */
    const reselect = (patch: Partial<UiState>): Partial<UiState> => {
      const s = { ...get(), ...patch };
      const rows = rowsFor(s);
      // First data, or the selected row gone: the first task, not its group's line.
      const cursor = place(rows, s.selectedId, s.analysis);
      return { ...patch, cursor, selectedId: rows[cursor]?.id, scroll: scrollFor(cursor, s.scroll, s.viewport.tableRows, rows.length) };
    };
    const apply = (a: Analysis): Partial<UiState> => {
      // A selected root cause that went away (freed) is not replaced by another one: the remedy
      // keys go back to acting on the selected task's, which the admin can see in the table.
      const lost = get().focus === 'causes' && !a.rootCauses.some((r) => r.id === get().causeId);
      return reselect({ analysis: a, stashed: undefined, ...(lost ? { focus: 'table' as const, causeId: undefined } : {}) });
    };
    /** The dialog gone; what arrived under it is shown now (unless paused with Z). */
    const closeDialog = (): Partial<UiState> => {
      const s = get();
      return s.stashed && !s.paused ? { ...apply(s.stashed), dialog: undefined } : { dialog: undefined };
    };
    const ctx: SliceContext = { set, get, clock, reselect, apply, closeDialog };
    return { ...dataSlice(ctx), ...tableSlice(ctx), ...overlaySlice(ctx), ...dialogSlice(ctx), ...actionSlice(ctx), ...columnsSlice(ctx), opts };
  });
}
