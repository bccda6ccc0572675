// The task table: wait-site group lines and task rows, only the visible window of them built.
import type { AnalyzedTask } from '../../model.js';
import { formatDuration } from '../../report/text.js';
import { indexOf, longestBlocked, processName, roleOf, siteFunc, worstState, type Row, type SortKey } from '../../store/derive.js';
import type { UiState } from '../../store/store.js';
import { cell, line, seg, type Line, type Role, type Seg } from '../line.js';
import { glyphs, type TermCaps } from '../term.js';

interface Column {
  key: SortKey;
  title: string;
  width: number;
  align?: 'right';
}

/** What the text columns hold, over all rows (not the visible ones: widths must not jitter on scroll). */
export interface ColumnContent {
  site: number;
  waits: number;
  /** Widest CONTAINER value; 0 when no task runs in a container (the column is dropped). */
  container: number;
}

const contentMemo = new WeakMap<readonly Row[], ColumnContent>();

export function contentOf(rows: readonly Row[], s: UiState): ColumnContent {
  const hit = contentMemo.get(rows);
  if (hit) return hit;
  const c: ColumnContent = { site: 9, waits: 17, container: 0 };
  const idx = s.analysis ? indexOf(s.analysis) : undefined;
  for (const r of rows) {
    if (r.kind !== 'task') continue;
    const t = r.task;
    c.site = Math.max(c.site, siteFunc(t).length);
    c.waits = Math.max(c.waits, (idx?.waitsText.get(t.key) ?? '-').length);
    if (t.container) c.container = Math.max(c.container, t.container.length, 9);
  }
  contentMemo.set(rows, c);
  return c;
}

/**
 * Column widths for a terminal `cols` wide: fixed columns, then the text ones sized by what they
 * hold — WAIT SITE no wider than its longest value, CONTAINER only when some task has one —
 * and WAITS ON / HOLDER gets the rest.
 */
export function columns(cols: number, content: ColumnContent = { site: 40, waits: 80, container: 12 }, hidden?: ReadonlySet<SortKey>): Column[] {
  const all = allColumns(cols, content);
  if (!hidden?.size) return all;
  const shown = all.filter((c) => !hidden.has(c.key));
  // What the hidden ones took goes to the widest text column still shown (WAITS ON, else WAIT SITE).
  const freed = all.filter((c) => hidden.has(c.key)).reduce((n, c) => n + c.width + 1, 0);
  const wide = shown.find((c) => c.key === 'waits') ?? shown.find((c) => c.key === 'site') ?? shown[shown.length - 1];
  return shown.map((c) => (c === wide ? { ...c, width: c.width + freed } : c));
}

/** Titles of the columns, for the F2 chooser. */
export const COLUMN_TITLES: Record<SortKey, string> = {
  pid: 'PID', tid: 'TID', user: 'USER', comm: 'COMM', state: 'STATE', blocked: 'BLOCKED FOR', site: 'WAIT SITE', waits: 'WAITS ON / HOLDER', container: 'CONTAINER',
};

function allColumns(cols: number, content: ColumnContent): Column[] {
  const wide = cols >= 100;
  const fixed: Column[] = [
    { key: 'pid', title: 'PID', width: 7, align: 'right' },
    { key: 'tid', title: 'TID', width: 7, align: 'right' },
    { key: 'user', title: 'USER', width: wide ? 9 : 7 },
    { key: 'comm', title: 'COMM', width: wide ? 15 : 12 },
    { key: 'state', title: wide ? 'STATE' : 'S', width: wide ? 5 : 1 },
    { key: 'blocked', title: wide ? 'BLOCKED FOR' : 'BLOCKED', width: wide ? 12 : 8, align: 'right' },
  ];
  const hasContainer = content.container > 0;
  // A gutter column for tag / holder marks, then a space before each column.
  const used = 1 + fixed.reduce((n, c) => n + c.width + 1, 0) + (hasContainer ? 3 : 2);
  const rest = Math.max(18, cols - used);
  // Each text column gets what it needs while the others still get a fair share.
  const container = hasContainer ? Math.min(content.container, Math.max(6, Math.floor(rest * 0.16))) : 0;
  const site = Math.max(9, Math.min(content.site + 1, Math.floor((rest - container) / 2)));
  const out: Column[] = [
    ...fixed,
    { key: 'site', title: 'WAIT SITE', width: site },
    { key: 'waits', title: 'WAITS ON / HOLDER', width: rest - container - site },
  ];
  if (hasContainer) out.push({ key: 'container', title: 'CONTAINER', width: container });
  return out;
}

/**
 * Shorten a cell that holds a path from the middle, keeping where it starts and what it ends in
 * ("frozen /tmp/…/mnt"): the end of a mount path is what tells two apart.
 */
export function elideMiddle(text: string, w: number): string {
  if ([...text].length <= w || w < 8) return text;
  const slash = text.indexOf('/');
  if (slash < 0) return text;
  const last = text.lastIndexOf('/');
  const head = text.slice(0, text.indexOf('/', slash + 1) > 0 ? text.indexOf('/', slash + 1) + 1 : slash + 1);
  const tail = text.slice(last);
  if (head.length + 1 + tail.length <= w) {
    // Keep as much of the middle as fits, from the end side (nearer the mount point's name).
    const room = w - head.length - 1 - tail.length;
    const mid = text.slice(head.length, last);
    return `${head}…${room > 0 ? mid.slice(Math.max(0, mid.length - room)) : ''}${tail}`;
  }
  return `…${text.slice(text.length - w + 1)}`;
}

export function stateRole(state: string): Role {
  if (state === 'D') return 'stateD';
  if (state === 'T' || state === 't') return 'stateT';
  if (state === 'R') return 'stateR';
  if (state === 'Z') return 'stateZ';
  return 'normal';
}

export function headerLine(s: UiState, cols: number, caps: TermCaps, content?: ColumnContent): Line {
  const segs: Seg[] = [seg(' ', 'colHeader')];
  for (const c of columns(cols, content, s.hiddenColumns)) {
    const sorted = s.sort.key === c.key;
    const mark = sorted ? (caps.unicode ? (s.sort.desc ? '▼' : '▲') : s.sort.desc ? 'v' : '^') : '';
    // The sort mark must survive a narrow column: the title is cut, never the mark.
    const t = [...c.title].length + mark.length > c.width ? [...c.title].slice(0, Math.max(0, c.width - mark.length)).join('') : c.title;
    const title = c.align === 'right' ? `${mark}${t}` : `${t}${mark}`;
    segs.push(cell(title, c.width, sorted ? 'colHeaderSorted' : 'colHeader', c.align), seg(' ', 'colHeader'));
  }
  return { segs, fill: 'colHeader' };
}

function blockedRole(ms: number | undefined, hungSecs: number | undefined): Role {
  if (ms === undefined) return 'dim';
  if (hungSecs && ms >= hungSecs * 1000) return 'stateD';
  return 'normal';
}

/**
 * Off-CPU time when the kernel told it; otherwise only "since wedgetop first saw it blocked",
 * a lower bound: shown as ≥N, and as ? before it means anything.
 */
export function blockedText(ms: number | undefined, lowerBound: boolean | undefined): string {
  if (ms === undefined || (lowerBound && ms < 1000)) return '?';
  return `${lowerBound ? '≥' : ''}${formatDuration(ms)}`;
}

function taskLine(s: UiState, t: AnalyzedTask, cols: number, content: ColumnContent, threads?: AnalyzedTask[]): Line {
  const a = s.analysis!;
  const idx = indexOf(a);
  const tagged = s.tagged.has(t.key);
  const rowRole: Role | undefined = tagged ? 'tagged' : undefined;
  const cs = columns(cols, content, s.hiddenColumns);
  const w = (k: SortKey): number => cs.find((c) => c.key === k)?.width ?? 0;
  // The role in the gutter: H holds what others wait on, T is stopped (and holds nothing found).
  const role = roleOf(t);
  const gut = tagged ? '*' : role === 'holder' ? 'H' : role === 'stopped' ? 'T' : ' ';
  // A folded process: its thread count in TID, the worst state, the longest blocked.
  const state = threads ? worstState(threads) : t.state;
  const blockedMs = threads ? longestBlocked(threads) : t.blockedForMs;
  const values: Record<SortKey, [string, Role | undefined]> = {
    pid: [String(t.pid), undefined],
    tid: [threads ? `${threads.length}thr` : String(t.tid), threads ? 'dim' : undefined],
    user: [t.user ?? '?', undefined],
    // A folded process by its name ("md-wr0"), not its first thread's ("md-wr0-084").
    comm: [threads ? processName(threads) : t.comm, t.isHolder ? 'holder' : undefined],
    state: [state, stateRole(state)],
    blocked: [blockedText(blockedMs, t.blockedForMin), blockedRole(blockedMs, a.snapshot.hungTask.timeoutSecs)],
    site: [siteFunc(t), 'dim'],
    waits: [elideMiddle(idx.waitsText.get(t.key) ?? '-', w('waits')), t.isHolder && !t.waitsOn ? 'holder' : undefined],
    container: [t.container ?? '-', 'dim'],
  };
  const segs: Seg[] = [seg(gut, tagged ? 'tagged' : 'holder')];
  for (const c of cs) {
    const [text, role] = values[c.key];
    segs.push(seg(' '), cell(text, c.width, rowRole ?? role, c.align));
  }
  return { segs };
}

function groupLine(r: Extract<Row, { kind: 'group' }>, caps: TermCaps): Line {
  const g = glyphs(caps.unicode);
  const sign = r.collapsed ? g.collapsed : g.expanded;
  const n = `${r.count} task${r.count === 1 ? '' : 's'}`;
  if (r.stoppedOnly) return line(seg(`${sign} `, 'group'), seg('stopped', 'stateT'), seg(` — ${n} stopped (SIGSTOP or ptrace), holding nothing others were found waiting on`, 'group'));
  if (r.holdersOnly) return line(seg(`${sign} `, 'group'), seg('holders', 'holder'), seg(` — ${n} holding what others wait for (not waiting themselves)`, 'group'));
  const res = r.resource;
  return line(
    seg(`${sign} `, 'group'),
    seg(r.signature, 'group'),
    seg(` @ ${r.site}`, 'group'),
    seg(` — ${n}`, 'group'),
    seg(res ? ` — waits on ${res.label}` : '', 'group'),
    seg(res && res.holders.length === 0 && res.how ? ` [${res.confidence}]` : '', 'dim'),
  );
}

/** The visible rows, `height` of them starting at `scroll`, the cursor's as the selection bar. */
export function tableLines(s: UiState, rows: readonly Row[], scroll: number, height: number, cols: number, caps: TermCaps): Line[] {
  const out: Line[] = [];
  const content = contentOf(rows, s);
  const end = Math.min(rows.length, scroll + height);
  for (let i = scroll; i < end; i++) {
    const r = rows[i]!;
    const l = r.kind === 'group' ? groupLine(r, caps) : taskLine(s, r.task, cols, content, r.threads);
    if (i === s.cursor) {
      l.bar = true;
      // Without reverse video (TERM=dumb) the selection needs a visible mark.
      if (!caps.attrs) {
        if (r.kind === 'group') l.segs.unshift(seg('>'));
        else l.segs[0] = seg('>');
      }
    }
    out.push(l);
  }
  return out;
}
