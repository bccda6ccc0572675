// The overlay slice: which view is over the table (detail, graph, help, actions), its scroll, the
// message line and Ctrl-L.
import { clampOverlay, rowsFor } from '../select.js';
import type { OverlaySlice, SliceContext } from '../types.js';

export function overlaySlice(ctx: SliceContext): OverlaySlice {
  const { set, get, clock, reselect } = ctx;
  return {
    view: 'main',
    overlayScroll: 0,
    redraws: 0,

    scrollOverlay(delta) {
      const s = get();
      set({ overlayScroll: clampOverlay(s.overlayScroll + delta, s.viewport) });
    },
    scrollOverlayTo(pos) {
      set({ overlayScroll: clampOverlay(pos, get().viewport) });
    },
    openDetail() {
      const s = get();
      const row = rowsFor(s)[s.cursor];
      if (!row) return;
      if (row.kind === 'group') {
        s.setCollapsed(!row.collapsed);
        return;
      }
      set({ view: 'detail', detailKey: row.id, overlayScroll: 0 });
    },
    toggleView(v) {
      const s = get();
      set({ view: s.view === v ? 'main' : v, overlayScroll: 0, filterEditing: false });
    },
    close() {
      const s = get();
      if (s.view !== 'main') set({ view: 'main', overlayScroll: 0 });
      else if (s.focus === 'causes') set({ focus: 'table' });
      else if (s.search) set({ search: '' });
      else if (s.filter) set(reselect({ filter: '', filterEditing: false }));
    },
    say(text, level = 'info') {
      set({ message: { text, level, at: clock() } });
    },
    redraw() {
      set({ redraws: get().redraws + 1 });
    },
  };
}
