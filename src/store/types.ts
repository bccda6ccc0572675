// The store's types: one interface per slice (src/store/slices/), and UiState, their union.
// A module of its own so that the slices and the store that composes them import it, not each other.
import type { StoreApi } from 'zustand/vanilla';
import type { Analysis, RemedyAction } from '../model.js';
import type { ActionPlan, FollowResult } from '../actions/remedy.js';
import type { ActionRecord } from '../actions/log.js';
import type { HistorySample } from './history.js';
import type { RowsMemo, SortKey, SortSpec } from './derive.js';

export type View = 'main' | 'detail' | 'graph' | 'help' | 'actions';

/** Where the main view's selection is: a task in the table, or a root cause in the panel. */
export type Focus = 'table' | 'causes';

export interface CollectorStatus {
  /** A request is out (never two at once). */
  pending: boolean;
  pendingSince?: number;
  /** Set when the collector took longer than timeoutMs; cleared by the next good snapshot. */
  stalledSince?: number;
  /** The collector is past timeoutMs but still computing (its CPU time rises): slow, not stuck. */
  stalledBusy?: boolean;
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

/** The F2 column chooser (src/store/slices/columns.ts). */
export interface ColumnsSlice {
  hiddenColumns: ReadonlySet<SortKey>;
  /** Open: the highlighted line of the chooser, and whether anything changed. */
  columnsChooser?: { cursor: number; changed: boolean };
  columnStore?: ColumnStore;
  setColumnStore(c: ColumnStore): void;
  openColumns(): void;
  closeColumns(): void;
  moveColumns(delta: number): void;
  toggleColumn(): void;
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

/** What the refresher writes: the analysis shown, the history, the collector's state. Z freezes it as a whole. */
export interface DataSlice {
  analysis?: Analysis;
  /** An analysis that arrived while paused (or under the dialog): shown on resume. */
  stashed?: Analysis;
  history: HistorySample[];
  /** The history as it was when Z paused the display: the chart holds still with the rest. */
  pausedHistory?: HistorySample[];
  collector: CollectorStatus;
  paused: boolean;
  now: number;
  mem?: MemInfo;
  /** The header's CPU%, from consecutive snapshots. */
  cpu: CpuMeter;
  setAnalysis(a: Analysis): void;
  setPending(pending: boolean): void;
  setStalled(busy?: boolean): void;
  setCollectorError(msg: string, stalled: boolean): void;
  setMem(m: MemInfo | undefined): void;
  tick(): void;
  togglePause(): void;
}

/** The task table and the root-cause panel: selection, filter, search, sort, folds, tags. */
export interface TableSlice {
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
  /** Rows the table and the overlay views have on screen now (set by the layout). */
  viewport: { tableRows: number; overlayRows: number; overlayTotal: number };
  focus: Focus;
  /** The root cause selected in the panel (by id, so it survives refreshes that reorder them). */
  causeId?: string;
  /** This store's memo of the table's rows (per store: two stores do not evict each other's). */
  readonly rows: RowsMemo;
  setViewport(v: Partial<TableSlice['viewport']>): void;
  move(delta: number): void;
  moveTo(index: number): void;
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
  toggleFocus(): void;
  selectCause(n: number): void;
}

/** The views over the table (detail, graph, help, actions), the message line, Ctrl-L. */
export interface OverlaySlice {
  view: View;
  overlayScroll: number;
  detailKey?: string;
  message?: Message;
  /** Bumped by Ctrl-L. */
  redraws: number;
  scrollOverlay(delta: number): void;
  scrollOverlayTo(pos: number): void;
  openDetail(): void;
  toggleView(v: Exclude<View, 'main'>): void;
  close(): void;
  say(text: string, level?: Message['level']): void;
  redraw(): void;
}

/** The remedy confirmation dialog and the remediator it hands a confirmed plan to. */
export interface DialogSlice {
  dialog?: ConfirmDialog;
  remediator?: Remediator;
  setRemediator(r: Remediator | undefined): void;
  requestRemedy(action: RemedyAction, key: string): void;
  confirmYes(): void;
  confirmNo(): void;
  confirmToggle(): void;
  confirmEnter(): void;
}

/** The action running now (or the last one) and this session's action log. */
export interface ActionSlice {
  action?: ActionRun;
  /** Confirmed plans of a tagged kill still to run, after the one running now. */
  actionQueue?: ActionPlan[];
  /** A copy of the action log's entries (this session), for the actions view. */
  actionLog: readonly ActionRecord[];
  actionBegin(plan: ActionPlan, dryRun: boolean): void;
  actionStep(text: string): void;
  actionFollow(f: FollowResult): void;
  actionEnd(ok: boolean, result: string, follow?: FollowResult): void;
  setActionLog(entries: readonly ActionRecord[]): void;
}

export interface UiState extends DataSlice, TableSlice, OverlaySlice, DialogSlice, ActionSlice, ColumnsSlice {
  readonly opts: Readonly<Omit<StoreOptions, 'clock'>>;
}

export type UiStore = StoreApi<UiState>;

/** What every slice is built with: the store's set/get, its clock, and the moves several slices share. */
export interface SliceContext {
  set: (patch: Partial<UiState>) => void;
  get: () => UiState;
  clock: () => number;
  /** After the row set changed: keep the selected row selected (by id) and in view. */
  reselect(patch: Partial<UiState>): Partial<UiState>;
  /** A new analysis on screen (the data slice's, and the dialog's on close). */
  apply(a: Analysis): Partial<UiState>;
  /** The dialog gone; what arrived under it is shown now (unless paused with Z). */
  closeDialog(): Partial<UiState>;
}
