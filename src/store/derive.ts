// The store's derived views, as pure functions of an Analysis and the UI settings: grouping,
// filtering, sorting, folding, the visible window, and which root cause a task leads to.
// Memoised on the identity of their inputs, so a keypress that only moves the cursor costs a
// window slice, not a re-sort of 5,000 rows.
import type { Analysis, AnalyzedTask, Resource, RootCause } from '../model.js';
import { groupBySite } from '../report/text.js';
import { heldBy as engineHeldBy } from '../graph/walk.js';

export type SortKey = 'blocked' | 'pid' | 'tid' | 'user' | 'comm' | 'state' | 'site' | 'waits' | 'container';

/** Column order, which is also the order F6 / '>' steps through. */
export const SORT_KEYS: readonly SortKey[] = ['pid', 'tid', 'user', 'comm', 'state', 'blocked', 'site', 'waits', 'container'];

export interface SortSpec {
  key: SortKey;
  desc: boolean;
}

export interface GroupRow {
  kind: 'group';
  id: string;
  /** groupBySite's key: "signature|resource id". */
  groupKey: string;
  signature: string;
  site: string;
  resource?: Resource;
  /** Tasks in the group after filtering. */
  count: number;
  collapsed: boolean;
  /** A group of holders that wait on nothing themselves. */
  holdersOnly: boolean;
  /** A group of stopped tasks that neither wait nor hold anything the engine found. */
  stoppedOnly?: boolean;
}

export interface TaskRow {
  kind: 'task';
  /** The task key "pid/tid" (of the representative thread, for a folded process). */
  id: string;
  task: AnalyzedTask;
  groupId: string;
  /** Threads folded into this process row (H), the representative first; absent: one thread. */
  threads?: AnalyzedTask[];
}

/** The worst state among threads, as an admin reads them: D first, then stopped, then the rest. */
export function worstState(ts: readonly AnalyzedTask[]): string {
  const order = ['D', 'T', 't', 'Z', 'R', 'S'];
  let best = ts[0]?.state ?? '?';
  for (const t of ts) {
    const a = order.indexOf(t.state);
    const b = order.indexOf(best);
    if (a >= 0 && (b < 0 || a < b)) best = t.state;
  }
  return best;
}

/**
 * A process's name from its threads: the main thread's command when it is among them, else what
 * the thread names share ("md-wr0-000" … "md-wr0-499" -> "md-wr0").
 */
export function processName(ts: readonly AnalyzedTask[]): string {
  const main = ts.find((t) => t.tid === t.pid);
  if (main) return main.comm;
  let p = ts[0]!.comm;
  for (const t of ts) while (!t.comm.startsWith(p)) p = p.slice(0, -1);
  p = p.replace(/[-_:./ ]+\d*$/, '');
  return p || ts[0]!.comm;
}

/** The longest blocked-for among threads (unknown only when all are). */
export function longestBlocked(ts: readonly AnalyzedTask[]): number | undefined {
  let m: number | undefined;
  for (const t of ts) if (t.blockedForMs !== undefined && (m === undefined || t.blockedForMs > m)) m = t.blockedForMs;
  return m;
}

export type Row = GroupRow | TaskRow;

/**
 * What a row is in the waits-on graph, as the gutter marks it and the filter / search find it:
 * a holder (others wait on it), a stopped task (T / t) that is no holder, or a waiter.
 */
export type TaskRole = 'holder' | 'stopped' | 'waiting';

export function roleOf(t: AnalyzedTask): TaskRole {
  if (t.isHolder) return 'holder';
  if (t.state === 'T' || t.state === 't') return 'stopped';
  return 'waiting';
}

/** Some task waits (D, or an S waiter the engine classified): not just stopped tasks on the box. */
export function anyWaiting(a: Analysis): boolean {
  return a.tasks.some((t) => t.state === 'D' || t.waitsOn !== undefined);
}

export interface Index {
  resources: Map<string, Resource>;
  tasks: Map<string, AnalyzedTask>;
  /** Task key -> the root cause its chain ends at (the one a remedy key acts on). */
  rootOf: Map<string, RootCause>;
  /** Task key -> what the WAITS ON / HOLDER column shows. */
  waitsText: Map<string, string>;
  /** Task key -> lower-case text the filter and F3 search look in: made on first use (most refreshes filter nothing). */
  search(key: string): string | undefined;
  /** Root cause id -> its position in Analysis.rootCauses (the number shown in the panel). */
  rcIndex: Map<string, number>;
}

const indexes = new WeakMap<Analysis, Index>();

export function siteFunc(t: AnalyzedTask): string {
  if (t.site) return t.site.func;
  return t.detail?.wchan && t.detail.wchan !== '0' ? t.detail.wchan : '-';
}

export function taskLabel(t: { comm: string; pid: number; tid: number }): string {
  return `${t.comm}:${t.pid === t.tid ? t.pid : `${t.pid}/${t.tid}`}`;
}

/**
 * Resources a task holds: named as holder, or its process is ('process' scope: a socket owner,
 * a daemon), in which case every thread of it carries them: graph/walk.ts decides, for the engine too.
 */
export function heldBy(a: Analysis, t: AnalyzedTask, idx: Index): Resource[] {
  return engineHeldBy(idx.resources.values(), t.key);
}

/** A resource in a table cell: the mount for filesystems (the label is in the group line). */
export function shortLabel(r: Resource): string {
  if (r.kind === 'frozen-fs' && r.mount) return `frozen ${r.mount}`;
  if (r.kind === 'fuse-conn' && r.mount) return `FUSE ${r.mount}`;
  return r.label;
}

export function indexOf(a: Analysis): Index {
  const hit = indexes.get(a);
  if (hit) return hit;
  const resources = new Map(a.resources.map((r) => [r.id, r]));
  const tasks = new Map(a.tasks.map((t) => [t.key, t]));
  const rcById = new Map(a.rootCauses.map((rc) => [rc.id, rc]));
  const rcIndex = new Map(a.rootCauses.map((rc, i) => [rc.id, i]));
  const searchText = new Map<string, string>();
  const search = (key: string): string | undefined => {
    const hit = searchText.get(key);
    if (hit !== undefined) return hit;
    const t = tasks.get(key);
    if (!t) return undefined;
    const text = [
      t.pid, t.tid, t.user ?? '', t.comm, t.state, t.site?.signature ?? '', siteFunc(t), idx.waitsText.get(key) ?? '-',
      t.waitsOn ? resources.get(t.waitsOn)?.label ?? '' : '', t.container ?? '', roleOf(t),
    ].join('\u0000').toLowerCase();
    searchText.set(key, text);
    return text;
  };
  const idx: Index = { resources, tasks, rootOf: new Map(), waitsText: new Map(), search, rcIndex };

  // The engine walked the graph once (Analysis.rootOf): only its ids are looked up here.
  for (const [k, id] of Object.entries(a.rootOf)) {
    const rc = rcById.get(id);
    if (rc) idx.rootOf.set(k, rc);
  }
  for (const t of a.tasks) {
    let text = '-';
    if (t.waitsOn) {
      const r = resources.get(t.waitsOn);
      const hs = r?.holders ?? [];
      if (hs.length) {
        const h = tasks.get(hs[0]!);
        const first = h ? taskLabel(h) : hs[0]!;
        text = `${first}${hs.length > 1 ? ` +${hs.length - 1}` : ''}`;
      } else text = r ? shortLabel(r) : t.waitsOn;
    } else if (t.isHolder) {
      const held = heldBy(a, t, idx);
      text = `holds ${held.map((r) => r.label).join(', ') || '?'}`;
    }
    idx.waitsText.set(t.key, text);
  }
  indexes.set(a, idx);
  return idx;
}

function compareTasks(key: SortKey, idx: Index): (a: AnalyzedTask, b: AnalyzedTask) => number {
  const str = (f: (t: AnalyzedTask) => string) => (a: AnalyzedTask, b: AnalyzedTask) => f(a).localeCompare(f(b));
  switch (key) {
    case 'pid': return (a, b) => a.pid - b.pid || a.tid - b.tid;
    case 'tid': return (a, b) => a.tid - b.tid;
    case 'user': return str((t) => t.user ?? '');
    case 'comm': return str((t) => t.comm);
    case 'state': return str((t) => t.state);
    // Unknown durations sort as the shortest.
    case 'blocked': return (a, b) => (a.blockedForMs ?? -1) - (b.blockedForMs ?? -1);
    case 'site': return str(siteFunc);
    case 'waits': return str((t) => idx.waitsText.get(t.key) ?? '');
    case 'container': return str((t) => t.container ?? '');
  }
}

export interface RowInputs {
  analysis?: Analysis;
  sort: SortSpec;
  filter: string;
  collapsed: ReadonlySet<string>;
  threadsFolded?: boolean;
}

export const groupId = (groupKey: string): string => `g:${groupKey}`;

/** Filtered tasks grouped by wait site, each group sorted; folded groups contribute their header only. */
export function buildRows(inp: RowInputs): Row[] {
  const a = inp.analysis;
  if (!a) return [];
  const idx = indexOf(a);
  const f = inp.filter.trim().toLowerCase();
  const tasks = f ? a.tasks.filter((t) => idx.search(t.key)!.includes(f)) : a.tasks;
  const groups = [...groupBySite(tasks)];
  // Holders that wait on nothing are the ones to act on: first, not buried under 5,000 waiters.
  const holdersOnly = (ts: AnalyzedTask[]) => ts.every((t) => t.isHolder && !t.waitsOn);
  groups.sort((x, y) => Number(holdersOnly(y[1])) - Number(holdersOnly(x[1])));
  const cmp = compareTasks(inp.sort.key, idx);
  const dir = inp.sort.desc ? -1 : 1;
  const rows: Row[] = [];
  for (const [groupKey, ts] of groups) {
    const t0 = ts[0]!;
    const id = groupId(groupKey);
    const collapsed = inp.collapsed.has(id);
    const ho = holdersOnly(ts);
    const so = !ho && ts.every((t) => roleOf(t) === 'stopped' && !t.waitsOn);
    rows.push({
      kind: 'group', id, groupKey, collapsed, count: ts.length, holdersOnly: ho, ...(so ? { stoppedOnly: true } : {}),
      signature: ho ? 'holders' : t0.site?.signature ?? 'unclassified',
      site: t0.site?.site ?? (t0.detail?.wchan && t0.detail.wchan !== '0' ? t0.detail.wchan : '?'),
      resource: t0.waitsOn ? idx.resources.get(t0.waitsOn) : undefined,
    });
    if (collapsed) continue;
    const sorted = [...ts].sort((x, y) => dir * cmp(x, y) || x.pid - y.pid || x.tid - y.tid);
    if (!inp.threadsFolded) {
      for (const t of sorted) rows.push({ kind: 'task', id: t.key, task: t, groupId: id });
      continue;
    }
    // One row per process, where its first thread sorts; the main thread represents it when here.
    const byPid = new Map<number, AnalyzedTask[]>();
    for (const t of sorted) {
      const l = byPid.get(t.pid);
      if (l) l.push(t);
      else byPid.set(t.pid, [t]);
    }
    for (const ths of byPid.values()) {
      const rep = ths.find((t) => t.tid === t.pid) ?? ths[0]!;
      const threads = [rep, ...ths.filter((t) => t !== rep)];
      rows.push({ kind: 'task', id: rep.key, task: rep, groupId: id, ...(threads.length > 1 ? { threads } : {}) });
    }
  }
  return rows;
}

/** buildRows, remembered for the last inputs (compared by identity). */
export type RowsMemo = (inp: RowInputs) => Row[];

/** A memo of its own: each store makes one, so two stores (tests, a second view) never evict each other's rows. */
export function makeRowsMemo(): RowsMemo {
  let memo: { inp: RowInputs; rows: Row[] } | undefined;
  return (inp) => {
    const m = memo;
    if (m && m.inp.analysis === inp.analysis && m.inp.sort === inp.sort && m.inp.filter === inp.filter && m.inp.collapsed === inp.collapsed && !!m.inp.threadsFolded === !!inp.threadsFolded) return m.rows;
    const rows = buildRows(inp);
    memo = { inp, rows };
    return rows;
  };
}

/** buildRows with a memo of its own, for callers outside a store. */
export const rowsOf: RowsMemo = makeRowsMemo();

/** The first row to show so that `cursor` is visible, moving the window as little as possible. */
export function scrollFor(cursor: number, scroll: number, height: number, total: number): number {
  if (height <= 0) return 0;
  let s = scroll;
  if (cursor < s) s = cursor;
  if (cursor >= s + height) s = cursor - height + 1;
  return Math.max(0, Math.min(s, Math.max(0, total - height)));
}

export function visibleWindow<T>(rows: readonly T[], scroll: number, height: number): T[] {
  return rows.slice(scroll, scroll + height);
}

/** The root cause the remedy keys act on: the selected task's, else the first ("what to do first"). */
export function targetRootCause(a: Analysis | undefined, rows: readonly Row[], cursor: number): RootCause | undefined {
  if (!a || a.rootCauses.length === 0) return undefined;
  const idx = indexOf(a);
  const r = rows[cursor];
  if (r?.kind === 'task') {
    // A holder selected (a daemon in the middle of a chain, a stopped task): act on it, not on
    // the end of its chain. The dialog then says what the engine expects that to free.
    const t = r.task;
    if (t.isHolder) {
      const own = a.rootCauses.find((rc) => rc.id === `task:${t.pid}`) ?? a.hops.find((h) => h.id === `task:${t.pid}`);
      if (own) return own;
    }
    return idx.rootOf.get(r.id) ?? a.rootCauses[0];
  }
  if (r?.kind === 'group') {
    // The group's first task: the next row, or (folded) the first task with the group's key.
    const next = rows[cursor + 1];
    const key = next?.kind === 'task' && next.groupId === r.id
      ? next.id
      : a.tasks.find((x) => `${x.site?.signature ?? 'unclassified'}|${x.waitsOn ?? ''}` === r.groupKey)?.key;
    if (key) return idx.rootOf.get(key) ?? a.rootCauses[0];
  }
  return a.rootCauses[0];
}
