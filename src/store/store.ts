// The UI state, one zustand store outside React: the refresher writes analyses into it, keys
// turn into actions on it, and the views are pure functions of it.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Analysis, RemedyAction, RootCause } from '../model.js';
import type { ActionPlan, FollowResult } from '../actions/remedy.js';
import type { ActionRecord } from '../actions/log.js';
import { pushSample, sampleOf, type HistorySample } from './history.js';
import { cpuUsage } from '../procfs/meters.js';
import { indexOf, rowsOf, scrollFor, SORT_KEYS, targetRootCause, type Row, type SortKey, type SortSpec } from './derive.js';

export type View = 'main' | 'detail' | 'graph' | 'help' | 'actions';

/** Where the main view's selection is: a task in the table, or a root cause in the panel. */
export type Focus = 'table' | 'causes';

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
 * Remediation plugs in here (src/store/remediation.ts builds it for the TUI). The store asks it
 * for a plan when a remedy key is pressed and hands it the plan once the admin confirmed; the
 * run reports back through the store's action* methods, never by blocking the key path.
 */
export interface Remediator {
  /** Actions only show what they would run: --dry-run, or a replayed snapshot. */
  readonly dryRun: boolean;
  /** Why actions are dry-run only when --dry-run was not given (a replay). */
  readonly dryRunWhy?: string;
  /** The action log's file, or why it is not on a tmpfs (entries are then kept in memory only). */
  readonly logFile?: string;
  readonly logProblem?: string;
  plan(a: Analysis, rootCauseId: string, action: RemedyAction): ActionPlan | { refused: string };
  /** Start the confirmed plan; returns at once. */
  run(plan: ActionPlan): void;
}

/** The remedy confirmation dialog. */
export interface ConfirmDialog {
  plan: ActionPlan;
  /** 2: the second question of a plan that asks twice (fuse-abort). */
  stage: 1 | 2;
  /** The highlighted answer: Enter takes it. Always starts on No. */
  choice: 'no' | 'yes';
  dryRun: boolean;
  dryRunWhy?: string;
  /**
   * Kill on tagged rows (htop's F9 on tagged processes): the other tagged holders' plans, run one
   * after another once the first is done, each checked again by its own guards when it runs.
   */
  queue?: ActionPlan[];
  /** Tagged rows that will not be acted on, and why (a waiter, PID 1, a kernel thread, wedgetop). */
  refused?: string[];
}

/** The action running now, or the last one (its outcome stays on screen). */
export interface ActionRun {
  plan: ActionPlan;
  dryRun: boolean;
  startedAt: number;
  /** Every step execute() reported, in order, with when. */
  steps: { at: number; text: string }[];
  phase: 'running' | 'following' | 'done';
  /** Follow-up progress: how many of plan.blockedKeys came free so far. */
  follow?: FollowResult;
  ok?: boolean;
  /** One line: the outcome, as the action log has it. */
  result?: string;
  finishedAt?: number;
}

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

/** The header's CPU meter: the difference of the last two snapshots' /proc/stat cpu lines. */
export interface CpuMeter {
  /** The newest snapshot's cpu ticks (the base of the next difference). */
  last?: number[];
  /** Percent of all CPUs busy and in iowait since the snapshot before; undefined until two. */
  usage?: { busy: number; iowait: number };
}

/** Where the F2 column choice is kept (src/ui/prefs.ts; tests give their own). */
export interface ColumnStore {
  readonly file: string;
  load(): { hidden: SortKey[]; warning?: string };
  save(hidden: readonly SortKey[], a: Analysis | undefined): { ok: boolean; text: string };
}

/** The F2 column chooser: its own small state. */
export interface ColumnsState {
  hiddenColumns: ReadonlySet<SortKey>;
  /** Open: the highlighted line of the chooser. */
  columnsChooser?: { cursor: number; changed: boolean };
  columnStore?: ColumnStore;
  setColumnStore(c: ColumnStore): void;
  openColumns(): void;
  closeColumns(): void;
  moveColumns(delta: number): void;
  toggleColumn(): void;
}

export interface UiState extends ColumnsState {
  analysis?: Analysis;
  cpu: CpuMeter;
  /** An analysis that arrived while paused: shown on resume. */
  stashed?: Analysis;
  history: HistorySample[];
  /** The history as it was when Z paused the display: the chart holds still with the rest. */
  pausedHistory?: HistorySample[];
  collector: CollectorStatus;
  paused: boolean;
  now: number;
  view: View;
  filter: string;
  filterEditing: boolean;
  /** The F3 search: jumps the selection, filters nothing. */
  search: string;
  searchEditing: boolean;
  /** htop's H: threads folded into one row per process (within each wait-site group). */
  threadsFolded: boolean;
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
  focus: Focus;
  /** The root cause selected in the panel (by id, so it survives refreshes that reorder them). */
  causeId?: string;
  dialog?: ConfirmDialog;
  action?: ActionRun;
  /** Confirmed plans of a tagged kill still to run, after the one running now. */
  actionQueue?: ActionPlan[];
  /** A copy of the action log's entries (this session), for the actions view. */
  actionLog: readonly ActionRecord[];
  remediator?: Remediator;
  readonly opts: Readonly<Omit<StoreOptions, 'clock'>>;

  setAnalysis(a: Analysis): void;
  setPending(pending: boolean): void;
  setStalled(): void;
  setCollectorError(msg: string, stalled: boolean): void;
  setViewport(v: Partial<UiState['viewport']>): void;
  setMem(m: MemInfo | undefined): void;
  setRemediator(r: Remediator | undefined): void;
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
  startSearch(): void;
  typeSearch(text: string): void;
  eraseSearch(): void;
  acceptSearch(): void;
  cancelSearch(): void;
  /** Jump to the next (1) or previous (-1) task matching the search, wrapping around. */
  searchJump(dir: 1 | -1): void;
  toggleThreads(): void;
  cycleSort(): void;
  invertSort(): void;
  toggleTag(): void;
  untagAll(): void;
  setCollapsed(collapsed: boolean): void;
  togglePause(): void;
  redraw(): void;
  toggleFocus(): void;
  selectCause(n: number): void;
  requestRemedy(action: RemedyAction, key: string): void;
  confirmYes(): void;
  confirmNo(): void;
  confirmToggle(): void;
  confirmEnter(): void;
  actionBegin(plan: ActionPlan, dryRun: boolean): void;
  actionStep(text: string): void;
  actionFollow(f: FollowResult): void;
  actionEnd(ok: boolean, result: string, follow?: FollowResult): void;
  setActionLog(entries: readonly ActionRecord[]): void;
}

/** The root cause the remedy keys act on now: the panel's selection, else the selected task's. */
export function remedyTarget(s: Pick<UiState, 'analysis' | 'sort' | 'filter' | 'collapsed' | 'threadsFolded' | 'cursor' | 'focus' | 'causeId'>): RootCause | undefined {
  const a = s.analysis;
  if (s.focus === 'causes' && a) {
    const rc = a.rootCauses.find((r) => r.id === s.causeId);
    if (rc) return rc;
  }
  return targetRootCause(a, rowsFor(s), s.cursor);
}

/** True while an action or its follow-up runs: a second one waits for it. */
export const actionBusy = (s: Pick<UiState, 'action'>): boolean => !!s.action && s.action.phase !== 'done';

export type UiStore = StoreApi<UiState>;

export function rowsFor(s: Pick<UiState, 'analysis' | 'sort' | 'filter' | 'collapsed' | 'threadsFolded'>): Row[] {
  return rowsOf({ analysis: s.analysis, sort: s.sort, filter: s.filter, collapsed: s.collapsed, threadsFolded: s.threadsFolded });
}

/** The next row index from `from` (exclusive, or inclusive with `inclusive`) whose task matches. */
function findMatch(rows: readonly Row[], a: Analysis | undefined, text: string, from: number, dir: 1 | -1, inclusive: boolean): number | undefined {
  const q = text.trim().toLowerCase();
  if (!q || !a || rows.length === 0) return undefined;
  const idx = indexOf(a);
  for (let k = inclusive ? 0 : 1; k <= rows.length; k++) {
    const i = (((from + dir * k) % rows.length) + rows.length) % rows.length;
    const r = rows[i]!;
    if (r.kind !== 'task') continue;
    const ts = r.threads ?? [r.task];
    if (ts.some((t) => idx.search.get(t.key)?.includes(q))) return i;
  }
  return undefined;
}

/**
 * The row index of `id` in `rows`; if it is gone (filtered out, finished), the first task whose
 * root cause is the top one, so that a remedy key pressed at once acts on "what to do first", not
 * on whichever task sorts first (issue 9: an idle audit daemon listed first as a holder drew the
 * kill that frees nobody); else the first task.
 */
function place(rows: readonly Row[], id: string | undefined, a?: Analysis): number {
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
    /**
     * Kill on tagged rows: one dialog for every tagged holder, each planned (and so guarded: PID 1,
     * kernel threads, wedgetop itself, the start time) exactly as a single kill is; tagged waiters
     * are named and left alone (killing a waiter frees nobody behind the holder).
     */
    const requestTaggedKill = (key: string): void => {
      const s = get();
      const a = s.analysis;
      const r = s.remediator;
      if (!a) return;
      const idx = indexOf(a);
      const plans: ActionPlan[] = [];
      const refused: string[] = [];
      const done = new Set<number>();
      for (const k of s.tagged) {
        const t = idx.tasks.get(k);
        if (!t) continue;
        const name = `${t.comm}:${t.pid === t.tid ? t.pid : `${t.pid}/${t.tid}`}`;
        if (done.has(t.pid)) continue;
        const rc = t.isHolder ? a.rootCauses.find((x) => x.id === `task:${t.pid}`) ?? a.hops.find((x) => x.id === `task:${t.pid}`) : undefined;
        if (!rc || !rc.remedies.some((m) => m.action === 'kill')) {
          refused.push(`${name}: ${t.isHolder ? 'no kill remedy for it' : 'not a holder (killing a waiter frees nobody)'}`);
          continue;
        }
        done.add(t.pid);
        if (s.opts.readOnly || !r) {
          refused.push(`${name}: ${s.opts.readOnly ? 'read-only' : 'remediation is not available here'}`);
          continue;
        }
        const plan = r.plan(a, rc.id, 'kill');
        if ('refused' in plan) refused.push(`${name}: ${plan.refused}`);
        else plans.push(plan);
      }
      if (plans.length === 0) {
        s.say(`${key}: no tagged holder to kill${refused.length ? ` — ${refused.join('; ')}` : ''} (U untags)`, 'warn');
        return;
      }
      if (actionBusy(s)) {
        s.say(`an action is still running on ${s.action!.plan.target}: wait for its outcome (L shows its steps)`, 'warn');
        return;
      }
      set({ dialog: { plan: plans[0]!, queue: plans.slice(1), refused, stage: 1, choice: 'no', dryRun: r!.dryRun, dryRunWhy: r!.dryRunWhy }, message: undefined });
    };
    /** The dialog gone; what arrived under it is shown now (unless paused with Z). */
    const closeDialog = (): Partial<UiState> => {
      const s = get();
      return s.stashed && !s.paused ? { ...apply(s.stashed), dialog: undefined } : { dialog: undefined };
    };

    return {
      ...columnsSlice(set, get),
      cpu: {},
      history: [],
      collector: { pending: false, refreshes: 0 },
      paused: false,
      now: clock(),
      view: 'main',
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
      overlayScroll: 0,
      viewport: { tableRows: 10, overlayRows: 20, overlayTotal: 0 },
      redraws: 0,
      focus: 'table',
      actionLog: [],
      opts,

      setAnalysis(a) {
        const now = clock();
        const s = get();
        const collector: CollectorStatus = { ...s.collector, pending: false, pendingSince: undefined, stalledSince: undefined, lastError: undefined, lastOkAt: now, refreshes: s.collector.refreshes + 1 };
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
            // An error after a stall is the newer news (e.g. "2 abandoned collectors are still
            // stuck"): shown instead of the stall it followed.
            stalledSince: stalled ? s.collector.stalledSince ?? s.collector.pendingSince ?? now : undefined,
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
      setRemediator(r) {
        set({ remediator: r });
      },
      tick() {
        set({ now: clock() });
      },
      say(text, level = 'info') {
        set({ message: { text, level, at: clock() } });
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
      togglePause() {
        const s = get();
        if (s.paused && s.stashed && !s.dialog) set({ ...apply(s.stashed), paused: false, pausedHistory: undefined });
        else set({ paused: !s.paused, pausedHistory: s.paused ? undefined : s.history });
      },
      redraw() {
        set({ redraws: get().redraws + 1 });
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
      requestRemedy(action, key) {
        const s = get();
        if (s.dialog) return;
        if (action === 'kill' && s.tagged.size > 0) {
          requestTaggedKill(key);
          return;
        }
        const rc = remedyTarget(s);
        if (!rc) {
          s.say('nothing is blocked: no root cause to act on');
          return;
        }
        // "Continue" is what makes a parked holder run again: SIGCONT for a stopped one, the thaw of
        // its cgroup for one in a frozen cgroup (SIGCONT cannot wake it); the dialog says which.
        const remedy = rc.remedies.find((r) => r.action === action) ?? (action === 'cont' ? rc.remedies.find((r) => r.action === 'cgroup-thaw') : undefined);
        if (!remedy) {
          const have = rc.remedies.map((r) => r.action).join(', ');
          s.say(`${key}: no ${action} remedy for "${rc.label}"${have ? ` (it has: ${have})` : ' (wedgetop has no remedy for it)'}`, 'warn');
          return;
        }
        if (s.opts.readOnly) {
          s.say(`read-only: not running ${remedy.command}`, 'warn');
          return;
        }
        const r = s.remediator;
        if (!r) {
          s.say(`remediation is not available here — ${key} would run: ${remedy.command}`, 'warn');
          return;
        }
        if (actionBusy(s)) {
          s.say(`an action is still running on ${s.action!.plan.target}: wait for its outcome (L shows its steps)`, 'warn');
          return;
        }
        const plan = s.analysis ? r.plan(s.analysis, rc.id, remedy.action) : { refused: 'no data yet' };
        if ('refused' in plan) {
          s.say(`refused: ${plan.refused}`, 'error');
          return;
        }
        set({ dialog: { plan, stage: 1, choice: 'no', dryRun: r.dryRun, dryRunWhy: r.dryRunWhy }, message: undefined });
      },
      confirmYes() {
        const s = get();
        const d = s.dialog;
        if (!d) return;
        if (d.plan.confirmTwice && d.stage === 1) {
          // The second question starts on No again: one reflexive Enter must not abort a mount.
          set({ dialog: { ...d, stage: 2, choice: 'no' } });
          return;
        }
        set({ ...closeDialog(), ...(d.queue?.length ? { actionQueue: d.queue, tagged: new Set<string>() } : {}) });
        if (!s.remediator) return;
        s.remediator.run(d.plan);
      },
      confirmNo() {
        const s = get();
        if (!s.dialog) return;
        set({ ...closeDialog(), message: { text: `not run: ${s.dialog.plan.command}`, level: 'info', at: clock() } });
      },
      confirmToggle() {
        const d = get().dialog;
        if (d) set({ dialog: { ...d, choice: d.choice === 'no' ? 'yes' : 'no' } });
      },
      confirmEnter() {
        const d = get().dialog;
        if (!d) return;
        if (d.choice === 'yes') get().confirmYes();
        else get().confirmNo();
      },
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
  });
}

function clampOverlay(pos: number, v: UiState['viewport']): number {
  return Math.max(0, Math.min(pos, Math.max(0, v.overlayTotal - v.overlayRows)));
}

/** The CPU meter after a new snapshot: a static replay (same ticks) keeps the last usage. */
function nextCpu(prev: CpuMeter, a: Analysis): CpuMeter {
  const cur = a.snapshot.meters?.cpu;
  if (!cur) return prev;
  return { last: cur, usage: cpuUsage(prev.last, cur) ?? prev.usage };
}

/** F2: show / hide columns, saved through the ColumnStore when the chooser closes. */
function columnsSlice(set: StoreApi<UiState>['setState'], get: () => UiState): ColumnsState {
  const say = (text: string, level: Message['level'] = 'info'): void => get().say(text, level);
  return {
    hiddenColumns: new Set(),
    setColumnStore(c) {
      const r = c.load();
      set({ columnStore: c, hiddenColumns: new Set(r.hidden) });
      if (r.warning) say(r.warning, 'warn');
    },
    openColumns() {
      set({ columnsChooser: { cursor: 0, changed: false } });
    },
    closeColumns() {
      const s = get();
      const ch = s.columnsChooser;
      set({ columnsChooser: undefined });
      if (!ch?.changed) return;
      if (!s.columnStore) {
        say('columns changed for this session (no config directory: HOME and XDG_CONFIG_HOME unset)');
        return;
      }
      const r = s.columnStore.save([...s.hiddenColumns], s.analysis);
      say(r.text, r.ok ? 'info' : 'warn');
    },
    moveColumns(delta) {
      const ch = get().columnsChooser;
      if (ch) set({ columnsChooser: { ...ch, cursor: Math.max(0, Math.min(SORT_KEYS.length - 1, ch.cursor + delta)) } });
    },
    toggleColumn() {
      const s = get();
      const ch = s.columnsChooser;
      if (!ch) return;
      const key = SORT_KEYS[ch.cursor]!;
      const hidden = new Set(s.hiddenColumns);
      if (hidden.has(key)) hidden.delete(key);
      else if (SORT_KEYS.length - hidden.size <= 1) {
        say('one column at least stays shown', 'warn');
        return;
      } else hidden.add(key);
      set({ hiddenColumns: hidden, columnsChooser: { ...ch, changed: true } });
    },
  };
}
