// The --once report (and the non-TTY fallback): root causes first, then blocked tasks grouped
// by wait site with their stacks. Plain text; colour only when asked and allowed.
import type { Analysis, AnalyzedTask } from '../model.js';
import { formatFrame } from '../procfs/parse.js';
import { blockedCount } from './json.js';
import { VERSION } from '../version.js';
import { escapeText } from '../text/escape.js';
import { shellCommand } from '../text/shell.js';
import { KNOWN_CAUSE_NOTE, knownCauseOf } from '../graph/known-causes.js';

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '?';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length);
}

export function groupBySite(tasks: AnalyzedTask[]): Map<string, AnalyzedTask[]> {
  const groups = new Map<string, AnalyzedTask[]>();
  for (const t of tasks) {
    const g = `${t.site?.signature ?? 'unclassified'}|${t.waitsOn ?? ''}`;
    const l = groups.get(g);
    if (l) l.push(t);
    else groups.set(g, [t]);
  }
  return new Map([...groups].sort((a, b) => b[1].length - a[1].length));
}

export function textReport(a: Analysis): string {
  const s = a.snapshot;
  const out: string[] = [];
  const nBlocked = blockedCount(a);
  out.push(`wedgetop ${VERSION} — ${s.hostname}, kernel ${s.kernel}, up ${formatDuration(s.uptimeSec * 1000)}, load ${s.loadavg.map((x) => x.toFixed(2)).join(' ')}`);
  out.push(`${nBlocked} task${nBlocked === 1 ? '' : 's'} blocked (D) of ${s.taskCount}; hung-task timeout ${s.hungTask.timeoutSecs ?? '?'}s, reports so far ${s.hungTask.detectCount ?? '?'}`);
  for (const w of a.warnings) out.push(`warning: ${w}`);
  // Stopped tasks alone (listed since issue 13) are not a wedge.
  if (!a.tasks.some((t) => t.state === 'D' || t.waitsOn !== undefined || t.isHolder)) {
    out.push('', 'Nothing is blocked.');
    return shown(out);
  }
  out.push('', 'ROOT CAUSES (what to do first)');
  a.rootCauses.forEach((rc, i) => {
    out.push(` ${i + 1}. ${rc.blocked} task${rc.blocked === 1 ? '' : 's'} blocked by ${rc.label}${rc.inCycle ? '  [DEADLOCK CYCLE]' : ''}${rc.confidence === 'guess' ? '  [HOLDER IS A GUESS]' : ''}`);
    out.push(`    chain: ${rc.chain.join(' -> ')}`);
    if (rc.how) out.push(`    how:   ${rc.how} [${rc.confidence}]`);
    for (const n of rc.notes ?? []) out.push(`    note:  ${n}`);
    if (rc.remedies.length === 0) out.push('    fix:   no remedy wedgetop can apply');
    // Each hint runs exactly the remedy on its line: the first is --fix's default, the others need --action.
    rc.remedies.forEach((r, j) => out.push(`    fix:   ${r.command}    (${shellCommand(['wedgetop', '--fix', rc.id, ...(j > 0 ? ['--action', r.action] : []), '--yes'])})`));
    if (rc.advice) out.push(`    advice (not run by wedgetop): ${rc.advice}`);
    const kc = knownCauseOf(a, rc);
    if (kc) {
      out.push(`    known: ${KNOWN_CAUSE_NOTE} (not certain): ${kc.cause.title}`);
      out.push(`           ${kc.cause.explain}`);
      out.push(`           upstream: ${kc.cause.upstream.project} ${kc.cause.upstream.ref} <${kc.cause.upstream.link}>`);
      out.push(`           durable fix: ${kc.cause.fix}`);
      // Evidence quotes the box (comm, kernel log): control characters never reach the terminal.
      out.push(`           matched on: ${kc.evidence.join('; ').replace(/[\x00-\x1f\x7f]/g, '?')}`);
    }
  });
  for (const c of a.cycles) out.push(`cycle: ${c.join(' -> ')} -> ${c[0]}`);
  out.push('', 'BLOCKED TASKS BY WAIT SITE');
  for (const [, ts] of groupBySite(a.tasks.filter((t) => t.waitsOn || t.state === 'D'))) {
    const t0 = ts[0]!;
    const res = a.resources.find((r) => r.id === t0.waitsOn);
    out.push('', `${t0.site?.signature ?? 'unclassified'} at ${t0.site?.site ?? t0.detail?.wchan ?? '?'} — ${ts.length} task${ts.length === 1 ? '' : 's'}${res ? ` waiting on ${res.label}` : ''}`);
    if (t0.killable !== undefined) out.push(`  kill -9 of a waiter: ${t0.killable === 'unknown' ? 'unknown for this wait site' : t0.killable ? 'ends its wait' : 'stays pending until the wait ends (uninterruptible)'}`);
    out.push(`  ${pad('PID', 8)} ${pad('TID', 8)} ${pad('USER', 9)} ${pad('COMM', 16)} ${pad('S', 2)} ${pad('BLOCKED', 8)} HOLDER`);
    for (const t of ts) {
      const holders = res?.holders.length ? res.holders.join(',') : res?.id ?? '';
      out.push(`  ${pad(String(t.pid), 8)} ${pad(String(t.tid), 8)} ${pad(t.user ?? '?', 9)} ${pad(t.comm, 16)} ${pad(t.state, 2)} ${pad(formatDuration(t.blockedForMs), 8)} ${t.isHolder ? '(holder) ' : ''}${holders}`);
    }
    const stack = t0.detail?.stack;
    if (stack?.length) {
      const same = ts.filter((t) => (t.detail?.stack ?? []).map((f) => f.func).join() === stack.map((f) => f.func).join()).length;
      out.push(`  stack of ${t0.comm}:${t0.tid}${same > 1 ? ` (same path for ${same} tasks)` : ''}:`);
      stack.forEach((f, i) => out.push(`    ${i === t0.site?.frameIndex ? '>' : ' '} ${formatFrame(f)}`));
    } else if (t0.detail?.wchan) {
      out.push(`  wchan: ${t0.detail.wchan}`);
    }
  }
  const idle = a.tasks.filter((t) => t.isHolder && !t.waitsOn && t.state !== 'D');
  if (idle.length) {
    out.push('', 'HOLDERS NOT WAITING ON ANYTHING WEDGETOP KNOWS');
    for (const t of idle) out.push(`  ${pad(String(t.pid), 8)} ${pad(String(t.tid), 8)} ${pad(t.user ?? '?', 9)} ${pad(t.comm, 16)} ${pad(t.state, 2)} wchan ${t.detail?.wchan ?? '?'}`);
  }
  return shown(out);
}

/**
 * Every line escaped as a whole, so no field from the box (comm, mount, label, kernel log text,
 * a replayed snapshot's anything) can be missed. The printed commands are shell-quoted into
 * printable text first, which escaping leaves exactly as it is: they still run as printed.
 */
function shown(lines: string[]): string {
  return lines.map(escapeText).join('\n') + '\n';
}
