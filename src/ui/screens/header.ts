// The header block: host facts on the left, the blocked-task history chart on the right, then
// warning lines (audit backlog, hung-task detector off, analysis warnings).
import type { Analysis, Snapshot } from '../../model.js';
import { formatDuration } from '../../report/text.js';
import { blockedCount } from '../../report/json.js';
import type { UiState } from '../../store/store.js';
import { series, type HistorySample } from '../../store/history.js';
import { lineChart, SERIES_COLORS, type ChartSeries } from '../chart.js';
import { fitLine, line, plain, seg, type Line, type Role } from '../line.js';
import type { TermCaps } from '../term.js';
import { formatBytes } from '../text.js';
import { VERSION } from '../../version.js';

export const HEADER_ROWS = 5;
/** Root causes drawn as their own series on the chart (besides the total). */
export const CHART_ROOTS = 3;

export function clockTime(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** When a replayed snapshot was recorded, or that it is not known (a meta.json without a valid time). */
export function recordedAt(snap: Snapshot): string {
  if (snap.timeUnknown || !Number.isFinite(snap.takenAtMs)) return 'at an unknown time';
  return new Date(snap.takenAtMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function chartWidth(cols: number): number {
  if (cols >= 120) return 48;
  if (cols >= 100) return 36;
  if (cols >= 72) return 26;
  return 0;
}

function statusLine(s: UiState): Line {
  const c = s.collector;
  const a = s.analysis;
  const since = a ? `, showing data from ${clockTime(a.snapshot.takenAtMs)}` : '';
  if (c.stalledSince !== undefined && c.stalledBusy) {
    return line(seg('collector slow', 'warn'), seg(` ${formatDuration(s.now - c.stalledSince)}: still computing, not stuck${since}`, 'warn'));
  }
  if (c.stalledSince !== undefined) {
    return line(seg('⚠ collector stalled', 'error'), seg(` ${formatDuration(s.now - c.stalledSince)}${since}`, 'error'));
  }
  if (c.lastError) return line(seg(`⚠ collector error${since}: `, 'error'), seg(c.lastError, 'error'));
  if (s.paused) return line(seg('PAUSED', 'warn'), seg(` — Z resumes${s.stashed ? ' (newer data waiting)' : ''}${since}`, 'warn'));
  if (!a) return plain(c.pending ? (s.opts.live ? 'collecting…' : `reading the snapshot ${s.opts.replayDir ?? ''}…`) : 'waiting for the first snapshot', 'dim');
  if (!s.opts.live) return line(seg('REPLAY ', 'info'), seg(`${s.opts.replayDir ?? ''} recorded ${recordedAt(a.snapshot)}`, 'dim'));
  // The data's own clock time changes only when data arrives, so an idle second redraws nothing;
  // how long ago is said only once the data is late.
  const ago = c.lastOkAt !== undefined ? Math.max(0, Math.round((s.now - c.lastOkAt) / 1000)) : 0;
  const late = ago * 1000 > 2 * s.opts.intervalMs + 1000 ? `, ${ago}s ago` : '';
  return line(seg('●', 'ok'), seg(` live every ${s.opts.intervalMs / 1000}s, data of ${clockTime(a.snapshot.takenAtMs)}${late}`, 'dim'));
}

function hungTaskText(snap: Snapshot): Line {
  const h = snap.hungTask;
  if (h.timeoutSecs === undefined) return line(seg('Hung-task: ', 'heading'), seg('unknown', 'dim'));
  if (h.timeoutSecs === 0) return line(seg('Hung-task: ', 'heading'), seg('off (hung_task_timeout_secs=0)', 'warn'));
  // Only worth room when the detector has gone quiet (hung_task_warnings used up).
  const silenced = h.warnings === 0 ? ', silenced (no reports left)' : '';
  return line(seg(`Hung-task ${h.timeoutSecs}s: `, 'heading'), seg(`${h.detectCount ?? '?'} report${h.detectCount === 1 ? '' : 's'}`), seg(silenced, 'warn'));
}

function pct(v: number): string {
  return v >= 10 ? v.toFixed(0) : v.toFixed(1);
}

/** How loud a stall share is: a few percent is a busy box, a quarter of the time is a wedge. */
function stallRole(v: number | undefined): Role {
  if (v === undefined) return 'dim';
  if (v >= 25) return 'error';
  if (v >= 5) return 'warn';
  return 'normal';
}

/**
 * PSI as htop's meter has it, avg10 some/full: the I/O figure first, it is what a wedge moves
 * (tasks in D on a disk or a dead NFS server stall I/O; a frozen filesystem's waiters do not).
 */
export function psiLine(snap: Snapshot): Line {
  const psi = snap.meters?.psi;
  if (!psi || (!psi.io && !psi.memory && !psi.cpu)) return line(seg('PSI ', 'heading'), seg(snap.meters ? 'not available (kernel without PSI)' : 'not recorded', 'dim'));
  const segs = [seg('PSI ', 'heading')];
  const pair = (name: string, p: typeof psi.io, full = true): void => {
    if (!p) return;
    segs.push(seg(`${name} `, 'heading'), seg(`${p.some ? pct(p.some.avg10) : '?'}`, stallRole(p.some?.avg10)));
    if (full) segs.push(seg('/'), seg(`${p.full ? pct(p.full.avg10) : '?'}`, stallRole(p.full?.avg10)));
    segs.push(seg('%  '));
  };
  pair('io', psi.io);
  pair('mem', psi.memory);
  // System-wide cpu "full" is always zero (a CPU is never stalled on itself): some only.
  pair('cpu', psi.cpu, false);
  segs.push(seg('some/full, 10s', 'dim'));
  return line(...segs);
}

function meterLine(s: UiState, snap: Snapshot): Line {
  const mem = snap.meters?.mem ?? s.mem;
  const cpu = snap.meters?.cpu ? s.cpu.usage : undefined;
  const segs = [seg('Load ', 'heading'), seg(snap.loadavg.map((x) => x.toFixed(2)).join(' '))];
  if (snap.meters?.cpu) {
    segs.push(seg('  CPU ', 'heading'), seg(cpu ? `${pct(cpu.busy)}%` : '?', cpu ? 'normal' : 'dim'));
    if (cpu) segs.push(seg(' wa ', 'dim'), seg(`${pct(cpu.iowait)}%`, stallRole(cpu.iowait)));
  }
  if (mem) segs.push(seg('  Mem ', 'heading'), seg(`${formatBytes(mem.total - mem.available)}/${formatBytes(mem.total)}`));
  return line(...segs);
}

function leftLines(s: UiState): Line[] {
  const a = s.analysis;
  if (!a) return [line(seg('wedgetop ', 'title'), seg(VERSION, 'dim')), plain(''), plain(''), plain(''), statusLine(s)];
  const snap = a.snapshot;
  const nBlocked = blockedCount(a);
  const stopped = (snap.stateCounts.T ?? 0) + (snap.stateCounts.t ?? 0);
  return [
    line(seg('wedgetop ', 'title'), seg(snap.hostname, 'bold'), seg(`  ${snap.kernel}  up ${formatDuration(snap.uptimeSec * 1000)}`)),
    meterLine(s, snap),
    psiLine(snap),
    line(
      seg('Blocked: ', 'heading'),
      seg(`${nBlocked} D`, nBlocked > 0 ? 'stateD' : 'ok'),
      seg(`${stopped ? `, ${stopped} T` : ''} of ${snap.taskCount}  `),
      ...hungTaskText(snap).segs,
    ),
    statusLine(s),
  ];
}

/** What the chart and sparklines draw: frozen while paused, like the rest of the screen. */
export function shownHistory(s: Pick<UiState, 'history' | 'pausedHistory'>): readonly HistorySample[] {
  return s.pausedHistory ?? s.history;
}

function chartLines(s: UiState, caps: TermCaps, w: number): string[] {
  const rows = HEADER_ROWS - 1;
  const cols = w;
  const n = cols * (caps.unicode ? 2 : 1);
  const roots = (s.analysis?.rootCauses ?? []).slice(0, CHART_ROOTS);
  const h = shownHistory(s);
  const list: ChartSeries[] = [{ values: series(h, n), color: SERIES_COLORS[0] }];
  // One root cause is the total: a second line would only hide the first.
  if (roots.length > 1) roots.forEach((rc, i) => list.push({ values: series(h, n, rc.id), color: SERIES_COLORS[i + 1]! }));
  const span = h.length > 1 ? formatDuration(h[h.length - 1]!.t - h[Math.max(0, h.length - n)]!.t) : '';
  const caption = `Blocked tasks${span ? `, last ${span}` : ''}`;
  return [caption, ...lineChart(list, { width: cols, height: rows, unicode: caps.unicode, color: caps.color })];
}

/** Kernel reports older than this are history, not news: dimmed. */
const AUDIT_FRESH_S = 60;
/** ... and older than this, with no task waiting on the audit queue any more, not shown at all. */
const AUDIT_GONE_S = 600;

function auditWarning(a: Analysis): Line | undefined {
  const f = a.auditBacklog;
  if (!f) return undefined;
  const { ageS, waiting, exceeded: last, lost, reports: n } = f;
  if (ageS > AUDIT_GONE_S && !waiting) return undefined;
  const role = ageS > AUDIT_FRESH_S && !waiting ? 'dim' : 'error';
  const detail = last?.backlog !== undefined ? `backlog ${last.backlog} > limit ${last.limit}` : last ? 'backlog limit exceeded' : 'audit records lost';
  const age = `last ${formatDuration(ageS * 1000)} ago`;
  return line(seg('⚠ audit ', role), seg(`${detail}${lost !== undefined ? `, ${lost} records lost` : ''} (${n} kernel report${n === 1 ? '' : 's'}, ${age}): the audit daemon is not draining its queue`, role));
}

export function warningLines(a: Analysis | undefined, max: number): Line[] {
  if (!a || max <= 0) return [];
  const out: Line[] = [];
  const aw = auditWarning(a);
  if (aw) out.push(aw);
  if (a.warnings.length) {
    const more = a.warnings.length > 1 ? ` (+${a.warnings.length - 1} more in the help view)` : '';
    out.push(line(seg('warning: ', 'warn'), seg(`${a.warnings[0]}${more}`, 'warn')));
  }
  return out.slice(0, max);
}

/** HEADER_ROWS lines of `cols` columns (segments; the chart part is 'raw'). */
export function headerLines(s: UiState, caps: TermCaps, cols: number): Line[] {
  const cw = chartWidth(cols);
  const left = leftLines(s);
  if (!cw) return left;
  const lw = cols - cw - 1;
  const chart = chartLines(s, caps, cw);
  return left.map((l, i) => {
    const padded = fitLine(l, lw, true);
    const c = chart[i] ?? '';
    return { segs: [...padded.segs, seg(' '), i === 0 ? seg(c, 'dim') : seg(c, 'raw')] };
  });
}
