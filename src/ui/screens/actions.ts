// What remediation did: one status line under the root causes (the running action's latest step
// and follow-up progress, else the last outcome, else why the action log is memory-only) and the
// actions view (L): every action of this session with its time, target, command and result.
import type { UiState } from '../../store/store.js';
import { clockTime } from './header.js';
import { line, plain, seg, type Line } from '../line.js';
import { glyphs, type TermCaps } from '../term.js';

const secs = (ms: number): string => `${(Math.max(0, ms) / 1000).toFixed(1)} s`;

/** The line under the root causes, or undefined when there is nothing to say. */
export function actionStatusLine(s: UiState, caps: TermCaps): Line | undefined {
  const g = glyphs(caps.unicode);
  const a = s.action;
  if (a) {
    const what = `${a.plan.remedy.action} ${a.plan.target}`;
    const dry = a.dryRun ? 'DRY RUN ' : '';
    if (a.phase === 'done') {
      return line(
        seg(`Last action ${clockTime(a.finishedAt ?? a.startedAt)} `, 'heading'),
        seg(`${dry}${what}: `, 'bold'),
        seg(a.result ?? '', a.ok ? 'ok' : 'error'),
        seg('  (L: actions)', 'dim'),
      );
    }
    const total = a.plan.blockedKeys.length;
    const progress = a.phase === 'following' && a.follow
      ? `following: ${a.follow.freed} of ${total} blocked task${total === 1 ? '' : 's'} free after ${secs(s.now - a.startedAt)}`
      : a.steps.at(-1)?.text ?? `running ${a.plan.command}`;
    return line(seg(`${g.selected} ${dry}${what}: `, 'highlight'), seg(progress, 'info'), seg(g.ellipsis, 'info'));
  }
  const problem = s.remediator?.logProblem;
  if (problem && !s.opts.readOnly) return line(seg('action log: ', 'warn'), seg(problem, 'warn'));
  return undefined;
}

export const ACTIONS_TITLE = 'Actions: what remediation ran, newest first';

export function actionsViewLines(s: UiState): Line[] {
  const out: Line[] = [];
  const r = s.remediator;
  if (s.opts.readOnly) out.push(plain('read-only (--read-only): no actions can be taken in this session', 'warn'));
  else if (!r) out.push(plain('remediation is not available here', 'dim'));
  else {
    if (r.dryRun) out.push(plain(r.dryRunWhy ? `DRY RUN: ${r.dryRunWhy}` : 'DRY RUN (--dry-run): actions only show what they would run', 'warn'));
    if (r.logFile) out.push(line(seg('logged to ', 'dim'), seg(r.logFile)));
    if (r.logProblem) out.push(line(seg('action log: ', 'warn'), seg(r.logProblem, 'warn')));
  }
  const a = s.action;
  if (a) {
    out.push(plain(''));
    out.push(line(seg(a.phase === 'done' ? 'Last action' : 'Running', 'title'), seg(`  ${a.dryRun ? 'DRY RUN ' : ''}${a.plan.remedy.action} ${a.plan.target}`, 'bold')));
    out.push({ ...line(seg('  command   ', 'heading'), seg(a.plan.command, 'remedy')), indent: 12 });
    out.push({ ...line(seg('  waiting   ', 'heading'), seg(`${a.plan.blockedKeys.length} blocked task${a.plan.blockedKeys.length === 1 ? '' : 's'} behind ${a.plan.rootCause.label}`)), indent: 12 });
    for (const st of a.steps) out.push({ ...line(seg(`  ${clockTime(st.at)}  `, 'dim'), seg(st.text)), indent: 12 });
    if (a.follow && a.phase !== 'done') out.push({ ...line(seg('  follow-up ', 'heading'), seg(`${a.follow.freed} of ${a.plan.blockedKeys.length} free so far`, 'info')), indent: 12 });
    if (a.phase === 'done') out.push({ ...line(seg('  outcome   ', 'heading'), seg(a.result ?? '', a.ok ? 'ok' : 'error')), indent: 12 });
  }
  out.push(plain(''));
  out.push(plain(`Action log (${s.actionLog.length} entr${s.actionLog.length === 1 ? 'y' : 'ies'} this session)`, 'title'));
  if (s.actionLog.length === 0) out.push(plain('  nothing yet', 'dim'));
  for (const e of [...s.actionLog].reverse()) {
    const t = e.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    out.push({ ...line(seg(`  ${t}  `, 'dim'), seg(e.action.padEnd(10), 'bold'), seg(e.target)), indent: 4 });
    out.push({ ...line(seg('      $ ', 'dim'), seg(e.command, 'remedy')), indent: 8 });
    out.push({ ...line(seg('      = ', 'dim'), seg(e.result)), indent: 8 });
  }
  return out;
}
