// The table slice: the selection (a task row or a root cause in the panel), filter, F3 search, sort,
// thread folding, group folds and tags. Every change of the row set keeps the selected row selected.
import { makeRowsMemo, scrollFor, SORT_KEYS, targetRootCause } from '../derive.js';
import { clampOverlay, findMatch, rowsFor } from '../select.js';
import type { SliceContext, TableSlice } from '../types.js';

export function tableSlice(ctx: SliceContext): TableSlice {
  const { set, get, clock, reselect } = ctx;
  return {
    filter: '',
    filterEditing: false,
    search: '',
    searchEditing: false,
    threadsFolded: false,
    sort: { key: 'blocked', desc: true },
    collapsed: new Set(),
    tagged: new Set(),
    cursor: 0,
    scroll: 0,
    viewport: { tableRows: 10, overlayRows: 20, overlayTotal: 0 },
    focus: 'table',
    rows: makeRowsMemo(),

    setViewport(v) {
      const s = get();
      const viewport = { ...s.viewport, ...v };
      if (viewport.tableRows === s.viewport.tableRows && viewport.overlayRows === s.viewport.overlayRows && viewport.overlayTotal === s.viewport.overlayTotal) return;
      const rows = rowsFor(s);
      set({ viewport, scroll: scrollFor(s.cursor, s.scroll, viewport.tableRows, rows.length), overlayScroll: clampOverlay(s.overlayScroll, viewport) });
    },
    move(delta) {
      const s = get();
      if (s.focus === 'causes') {
        const rcs = s.analysis?.rootCauses ?? [];
        const i = rcs.findIndex((r) => r.id === s.causeId);
        s.moveTo(Math.max(0, i) + delta);
        return;
      }
      s.moveTo(s.cursor + delta);
    },
    moveTo(index) {
      const s = get();
      if (s.focus === 'causes') {
        const rcs = s.analysis?.rootCauses ?? [];
        const rc = rcs[Math.max(0, Math.min(index, rcs.length - 1))];
        if (rc) set({ causeId: rc.id });
        return;
      }
      const rows = rowsFor(s);
      const cursor = Math.max(0, Math.min(index, rows.length - 1));
      set({ cursor, selectedId: rows[cursor]?.id, scroll: scrollFor(cursor, s.scroll, s.viewport.tableRows, rows.length) });
    },
    startFilter() {
      set({ filterEditing: true, view: 'main', focus: 'table' });
    },
    typeFilter(text) {
      set(reselect({ filter: get().filter + text }));
    },
    eraseFilter() {
      set(reselect({ filter: [...get().filter].slice(0, -1).join('') }));
    },
    acceptFilter() {
      set({ filterEditing: false });
    },
    cancelFilter() {
      set(reselect({ filter: '', filterEditing: false }));
    },
    startSearch() {
      set({ searchEditing: true, search: '', view: 'main', focus: 'table' });
    },
    typeSearch(text) {
      const s = get();
      const search = s.search + text;
      const rows = rowsFor(s);
      // While typing, the match may be the selected row itself (it matched the shorter text too).
      const i = findMatch(rows, s.analysis, search, s.cursor, 1, true);
      if (i === undefined) {
        set({ search, message: { text: `no task matches "${search}"`, level: 'warn', at: clock() } });
        return;
      }
      set({ search, message: undefined, cursor: i, selectedId: rows[i]!.id, scroll: scrollFor(i, s.scroll, s.viewport.tableRows, rows.length) });
    },
    eraseSearch() {
      set({ search: [...get().search].slice(0, -1).join('') });
    },
    acceptSearch() {
      set({ searchEditing: false });
    },
    cancelSearch() {
      set({ searchEditing: false, search: '' });
    },
    searchJump(dir) {
      const s = get();
      if (!s.search) {
        s.say('no search yet: F3 starts one');
        return;
      }
      const rows = rowsFor(s);
      const i = findMatch(rows, s.analysis, s.search, s.cursor, dir, false);
      if (i === undefined) {
        s.say(`no task matches "${s.search}"`, 'warn');
        return;
      }
      set({ cursor: i, selectedId: rows[i]!.id, scroll: scrollFor(i, s.scroll, s.viewport.tableRows, rows.length) });
    },
    toggleThreads() {
      const s = get();
      const row = rowsFor(s)[s.cursor];
      // The process row of the selected thread stays selected (its id is its representative's key).
      const folded = !s.threadsFolded;
      set(reselect({ threadsFolded: folded }));
      const rows = rowsFor(get());
      if (row?.kind === 'task' && !rows.some((r) => r.id === row.id)) {
        const i = rows.findIndex((r) => r.kind === 'task' && (r.threads ?? [r.task]).some((t) => t.pid === row.task.pid));
        if (i >= 0) set({ cursor: i, selectedId: rows[i]!.id, scroll: scrollFor(i, get().scroll, s.viewport.tableRows, rows.length) });
      }
      get().say(folded ? 'threads folded into their process (H shows every thread)' : 'every thread shown (H folds them into their process)');
    },
    cycleSort() {
      const s = get();
      const i = SORT_KEYS.indexOf(s.sort.key);
      const key = SORT_KEYS[(i + 1) % SORT_KEYS.length]!;
      // Durations read best longest first; names and numbers ascending, as htop does.
      set(reselect({ sort: { key, desc: key === 'blocked' } }));
    },
    invertSort() {
      const s = get();
      set(reselect({ sort: { key: s.sort.key, desc: !s.sort.desc } }));
    },
    toggleTag() {
      const s = get();
      const row = rowsFor(s)[s.cursor];
      if (!row || row.kind !== 'task') return;
      const tagged = new Set(s.tagged);
      if (tagged.has(row.id)) tagged.delete(row.id);
      else tagged.add(row.id);
      set({ tagged });
      get().move(1);
    },
    untagAll() {
      set({ tagged: new Set() });
    },
    setCollapsed(collapsed) {
      const s = get();
      const rows = rowsFor(s);
      const row = rows[s.cursor];
      if (!row) return;
      const gid = row.kind === 'group' ? row.id : row.groupId;
      if (s.collapsed.has(gid) === collapsed) return;
      const next = new Set(s.collapsed);
      if (collapsed) next.add(gid);
      else next.delete(gid);
      // Folding from inside a group lands the cursor on the group's line.
      set(reselect({ collapsed: next, selectedId: collapsed ? gid : row.id }));
    },
    toggleFocus() {
      const s = get();
      if (s.focus === 'causes') {
        set({ focus: 'table' });
        return;
      }
      const rcs = s.analysis?.rootCauses ?? [];
      if (rcs.length === 0) {
        s.say('no root cause to select');
        return;
      }
      // Start on the one the remedy keys act on now, so Tab alone changes nothing they would do.
      const now = targetRootCause(s.analysis, rowsFor(s), s.cursor);
      set({ focus: 'causes', causeId: now?.id ?? rcs[0]!.id });
    },
    selectCause(n) {
      const s = get();
      const rc = s.analysis?.rootCauses[n - 1];
      if (!rc) {
        s.say(`no root cause ${n} (there ${s.analysis?.rootCauses.length === 1 ? 'is 1' : `are ${s.analysis?.rootCauses.length ?? 0}`})`, 'warn');
        return;
      }
      set({ focus: 'causes', causeId: rc.id, filterEditing: false });
    },
  };
}
