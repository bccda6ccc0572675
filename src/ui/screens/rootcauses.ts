// "What to do first": each root cause with how many tasks it blocks, its chain on one line and
// the key that remedies it. The one the remedy keys would act on now is marked; with the focus
// in the panel (Tab, or 1-9) it is also the selection bar, and the panel scrolls to keep it shown.
import type { Analysis, RootCause } from '../../model.js';
import { series } from '../../store/history.js';
import type { UiState } from '../../store/store.js';
import { anyWaiting } from '../../store/derive.js';
import { spark } from '../chart.js';
import { remedyKey } from '../keymap.js';
import { line, plain, seg, type Line, type Role } from '../line.js';
import type { TermCaps } from '../term.js';
import { glyphs } from '../term.js';
import { CHART_ROOTS, shownHistory } from './header.js';

const SPARK_W = 8;

/** "[u] thaw"; with --read-only the keys do nothing, so the label says so instead of a key. */
export function remedyLabel(rc: RootCause, readOnly = false): string {
  if (rc.remedies.length === 0) return 'no remedy';
  return rc.remedies.map((r) => (readOnly ? `[read-only] ${r.action}` : `[${remedyKey(r.action) ?? '?'}] ${r.action}`)).join(' ');
}

/** How many lines the panel wants for `n` root causes, capped at `maxCauses`. */
export function rootCausePanelHeight(a: Analysis | undefined, maxCauses: number): number {
  const n = a?.rootCauses.length ?? 0;
  return 1 + (n === 0 ? 1 : Math.min(n, maxCauses) * 2);
}

export function rootCauseLines(s: UiState, caps: TermCaps, maxCauses: number, target: RootCause | undefined): Line[] {
  const a = s.analysis;
  const g = glyphs(caps.unicode);
  const rcs = a?.rootCauses ?? [];
  const focused = s.focus === 'causes';
  const at = target ? rcs.findIndex((r) => r.id === target.id) : -1;
  // #1 (what to do first) never scrolls out: a target further down takes the last places.
  const picked: number[] = at >= maxCauses && maxCauses > 1
    ? [0, ...Array.from({ length: maxCauses - 1 }, (_, k) => at - maxCauses + 2 + k)]
    : at >= maxCauses ? [at] : Array.from({ length: Math.min(maxCauses, rcs.length) }, (_, k) => k);
  const more = rcs.length - picked.length;
  const how = focused ? 'Tab or Esc: back to the tasks' : 'Tab or 1-9 selects one';
  // The selected row is a holder that is not a root cause: the remedy keys act on it.
  const onHop = target !== undefined && at < 0 ? `; remedy keys act on the selected holder ${target.label}` : '';
  const out: Line[] = [
    line(
      seg('What to do first', 'title'),
      seg(rcs.length ? ` (${rcs.length} root cause${rcs.length === 1 ? '' : 's'}${more > 0 ? `, ${more} more not shown: t shows all` : ''}; remedy keys act on ${g.selected}; ${how}${onHop})` : '', 'dim'),
    ),
  ];
  if (!a) {
    out.push(plain('  waiting for data…', 'dim'));
    return out;
  }
  if (rcs.length === 0) {
    out.push(plain(anyWaiting(a) ? '  blocked tasks, but no root cause found (see the table)' : '  Nothing is blocked.', anyWaiting(a) ? 'warn' : 'ok'));
    return out;
  }
  // Shared scale with headroom, so root causes compare and a steady count is not a solid block.
  const hist = shownHistory(s);
  const max = Math.max(1, Math.ceil(1.2 * Math.max(0, ...hist.slice(-SPARK_W).map((h) => h.total))));
  picked.forEach((i) => {
    const rc = rcs[i]!;
    const isTarget = target?.id === rc.id;
    // The colour of its line on the header chart; alone, it is the total's line (red).
    const colour: Role = rcs.length === 1 ? 'series0' : i < CHART_ROOTS ? (`series${i + 1}` as Role) : 'bold';
    const sp = spark(series(hist, SPARK_W, rc.id), SPARK_W, max, caps.unicode);
    const l = line(
      seg(isTarget ? `${g.selected}` : ' ', 'highlight'),
      seg(`${i + 1} `, colour),
      seg(sp, colour),
      seg(` ${rc.blocked} blocked `, rc.blocked > 0 ? 'stateD' : 'normal'),
      seg(remedyLabel(rc, s.opts.readOnly), rc.remedies.length && !s.opts.readOnly ? 'key' : 'dim'),
      // A holder the engine only guessed is never offered as a one-key kill without saying so.
      seg(rc.confidence === 'guess' && rc.remedies.length ? ' (guess)' : '', 'warn'),
      seg(rc.inCycle ? ' DEADLOCK' : '', 'deadlock'),
      seg(`  ${rc.label}`, 'bold'),
    );
    // The selection bar; without reverse video (TERM=dumb) the ▶ mark already shows it.
    if (focused && isTarget) l.bar = true;
    out.push(l);
    out.push(line(seg(`      ${rc.chain.join(` ${g.arrow} `)}`, 'dim')));
  });
  return out;
}
