// The UI state, one zustand store outside React: the refresher writes analyses into it, keys
// turn into actions on it, and the views are pure functions of it.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Analysis, RemedyAction, RootCause } from '../model.js';
import { pushSample, sampleOf, type HistorySample } from './history.js';
import { rowsOf, scrollFor, SORT_KEYS, targetRootCause, type Row, type SortSpec } from './derive.js';

export type View = 'main' | 'detail' | 'graph' | 'help';

export interface CollectorStatus {
  /** A request is out (never two at once). */
  pending: boolean;
  pendingSince?: number;
  /** Set when the collector took longer than timeoutMs; cleared by the next good snapshot. */
  stalledSince?: number;
  lastError?: string;
  lastOkAt?: number;
  refreshes: number;
}

export interface MemInfo {
  total: number;
  available: number;
}

export interface Message {
  text: string;
  level: 'info' | 'warn' | 'error';
  at: number;
}

/**
 * Remediation plugs in here (src/actions/ builds it). Called with the root cause of the selected
 * task and the remedy asked for; the returned text is shown in the footer.
 */
export type RemedyHandler = (rootCause: RootCause, action: RemedyAction) => Promise<string | void> | string | void;

export interface StoreOptions {
  intervalMs: number;
  timeoutMs: number;
  readOnly: boolean;
  dryRun: boolean;
  live: boolean;
  replayDir?: string;
  clock?: () => number;
}

export const MESSAGE_MS = 6000;

export interface UiState {
  analysis?: Analysis;
  /** An analysis that arrived while paused: shown on resume. */
  stashed?: Analysis;
  history: HistorySample[];
  collector: CollectorStatus;
  paused: boolean;
  now: number;
  view: View;
  filter: string;
  filterEditing: boolean;
  sort: SortSpec;
  collapsed: ReadonlySet<string>;
  tagged: ReadonlySet<string>;
  cursor: number;
  selectedId?: string;
  scroll: number;
  overlayScroll: number;
  detailKey?: string;
  /** Rows the table and the overlay views have on screen now (set by the layout). */
  viewport: { tableRows: number; overlayRows: number; overlayTotal: number };
  message?: Message;
  /** Bumped by Ctrl-L. */
  redraws: number;
  mem?: MemInfo;
  remedyHandler?: RemedyHandler;
  readonly opts: Readonly<Omit<StoreOptions, 'clock'>>;

  setAnalysis(a: Analysis): void;
  setPending(pending: boolean): void;
  setStalled(): void;
  setCollectorError(msg: string, stalled: boolean): void;
  setViewport(v: Partial<UiState['viewport']>): void;
  setMem(m: MemInfo | undefined): void;
  setRemedyHandler(h: RemedyHandler | undefined): void;
  tick(): void;
  say(text: string, level?: Message['level']): void;

  move(delta: number): void;
  moveTo(index: number): void;
  scrollOverlay(delta: number): void;
  scrollOverlayTo(pos: number): void;
  openDetail(): void;
  toggleView(v: Exclude<View, 'main'>): void;
  close(): void;
  startFilter(): void;
  typeFilter(text: string): void;
  eraseFilter(): void;
  acceptFilter(): void;
  cancelFilter(): void;
  cycleSort(): void;
  invertSort(): void;
  toggleTag(): void;
  untagAll(): void;
  setCollapsed(collapsed: boolean): void;
  togglePause(): void;
  redraw(): void;
  requestRemedy(action: RemedyAction, key: string): void;
}

export type UiStore = StoreApi<UiState>;

export function rowsFor(s: Pick<UiState, 'analysis' | 'sort' | 'filter' | 'collapsed'>): Row[] {
  return rowsOf({ analysis: s.analysis, sort: s.sort, filter: s.filter, collapsed: s.collapsed });
}

/** The row index of `id` in `rows`; if it is gone (filtered out, finished), the first task. */
function place(rows: readonly Row[], id: string | undefined): number {
  if (id !== undefined) {
    const i = rows.findIndex((r) => r.id === id);
    if (i >= 0) return i;
  }
  return Math.max(0, rows.findIndex((r) => r.kind === 'task'));
}

export function createUiStore(o: StoreOptions): UiStore {
  const clock = o.clock ?? Date.now;
  const opts: Omit<StoreOptions, 'clock'> = { intervalMs: o.intervalMs, timeoutMs: o.timeoutMs, readOnly: o.readOnly, dryRun: o.dryRun, live: o.live, replayDir: o.replayDir };
  return createStore<UiState>()((set, get) => {
    /** After the row set changed: keep the selected row selected (by id) and in view. */
    const reselect = (patch: Partial<UiState>): Partial<UiState> => {
      const s = { ...get(), ...patch };
      const rows = rowsFor(s);
      // First data, or the selected row gone: the first task, not its group's line.
      const cursor = place(rows, s.selectedId);
      return { ...patch, cursor, selectedId: rows[cursor]?.id, scroll: scrollFor(cursor, s.scroll, s.viewport.tableRows, rows.length) };
    };
    const apply = (a: Analysis): Partial<UiState> => reselect({ analysis: a, stashed: undefined });

    return {
      history: [],
      collector: { pending: false, refreshes: 0 },
      paused: false,
      now: clock(),
      view: 'main',
      filter: '',
      filterEditing: false,
      sort: { key: 'blocked', desc: true },
      collapsed: new Set(),
      tagged: new Set(),
      cursor: 0,
      scroll: 0,
      overlayScroll: 0,
      viewport: { tableRows: 10, overlayRows: 20, overlayTotal: 0 },
      redraws: 0,
      opts,

      setAnalysis(a) {
        const now = clock();
        const s = get();
        const collector: CollectorStatus = { ...s.collector, pending: false, pendingSince: undefined, stalledSince: undefined, lastError: undefined, lastOkAt: now, refreshes: s.collector.refreshes + 1 };
        const history = pushSample(s.history, sampleOf(a, now));
        if (s.paused) set({ stashed: a, collector, history, now });
        else set({ ...apply(a), collector, history, now });
      },
      setPending(pending) {
        const s = get();
        set({ collector: { ...s.collector, pending, pendingSince: pending ? clock() : undefined } });
      },
      setStalled() {
        const s = get();
        if (s.collector.stalledSince !== undefined) return;
        set({ collector: { ...s.collector, stalledSince: s.collector.pendingSince ?? clock() } });
      },
      setCollectorError(msg, stalled) {
        const s = get();
        const now = clock();
        set({
          collector: {
            ...s.collector, pending: false, pendingSince: undefined, lastError: msg,
            stalledSince: stalled ? s.collector.stalledSince ?? s.collector.pendingSince ?? now : s.collector.stalledSince,
          },
          now,
        });
      },
      setViewport(v) {
        const s = get();
        const viewport = { ...s.viewport, ...v };
        if (viewport.tableRows === s.viewport.tableRows && viewport.overlayRows === s.viewport.overlayRows && viewport.overlayTotal === s.viewport.overlayTotal) return;
        const rows = rowsFor(s);
        set({ viewport, scroll: scrollFor(s.cursor, s.scroll, viewport.tableRows, rows.length), overlayScroll: clampOverlay(s.overlayScroll, viewport) });
      },
      setMem(m) {
        set({ mem: m });
      },
      setRemedyHandler(h) {
        set({ remedyHandler: h });
      },
      tick() {
        set({ now: clock() });
      },
      say(text, level = 'info') {
        set({ message: { text, level, at: clock() } });
      },

      move(delta) {
        get().moveTo(get().cursor + delta);
      },
      moveTo(index) {
        const s = get();
        const rows = rowsFor(s);
        const cursor = Math.max(0, Math.min(index, rows.length - 1));
        set({ cursor, selectedId: rows[cursor]?.id, scroll: scrollFor(cursor, s.scroll, s.viewport.tableRows, rows.length) });
      },
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
        else if (s.filter) set(reselect({ filter: '', filterEditing: false }));
      },
      startFilter() {
        set({ filterEditing: true, view: 'main' });
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
      togglePause() {
        const s = get();
        if (s.paused && s.stashed) set({ ...apply(s.stashed), paused: false });
        else set({ paused: !s.paused });
      },
      redraw() {
        set({ redraws: get().redraws + 1 });
      },
      requestRemedy(action, key) {
        const s = get();
        const rc = targetRootCause(s.analysis, rowsFor(s), s.cursor);
        if (!rc) {
          s.say('nothing is blocked: no root cause to act on');
          return;
        }
        const remedy = rc.remedies.find((r) => r.action === action);
        if (!remedy) {
          const have = rc.remedies.map((r) => r.action).join(', ');
          s.say(`${key}: no ${action} remedy for "${rc.label}"${have ? ` (it has: ${have})` : ' (wedgetop has no remedy for it)'}`, 'warn');
          return;
        }
        if (s.opts.readOnly) {
          s.say(`read-only: not running ${remedy.command}`, 'warn');
          return;
        }
        const h = s.remedyHandler;
        if (!h) {
          s.say(`remediation: coming — ${key} would run: ${remedy.command}`, 'warn');
          return;
        }
        try {
          const r = h(rc, action);
          if (r instanceof Promise) {
            s.say(`${action}: ${remedy.command} …`);
            r.then((m) => m && get().say(m), (e: unknown) => get().say(`${action} failed: ${e instanceof Error ? e.message : String(e)}`, 'error'));
          } else if (r) s.say(r);
        } catch (e) {
          s.say(`${action} failed: ${e instanceof Error ? e.message : String(e)}`, 'error');
        }
      },
    };
  });
}

function clampOverlay(pos: number, v: UiState['viewport']): number {
  return Math.max(0, Math.min(pos, Math.max(0, v.overlayTotal - v.overlayRows)));
}
