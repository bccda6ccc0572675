// "What to do first": each root cause with how many tasks it blocks, its chain on one line and
// the key that remedies it. The one the remedy keys would act on now is marked.
import type { Analysis, RootCause } from '../../model.js';
import { series } from '../../store/history.js';
import type { UiState } from '../../store/store.js';
import { spark } from '../chart.js';
import { remedyKey } from '../keymap.js';
import { line, plain, seg, type Line, type Role } from '../line.js';
import type { TermCaps } from '../term.js';
import { glyphs } from '../term.js';
import { CHART_ROOTS } from './header.js';

const SPARK_W = 8;

export function remedyLabel(rc: RootCause): string {
  if (rc.remedies.length === 0) return 'no remedy';
  return rc.remedies.map((r) => `[${remedyKey(r.action) ?? '?'}] ${r.action}`).join(' ');
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
  const shown = rcs.slice(0, maxCauses);
  const more = rcs.length - shown.length;
  const out: Line[] = [
    line(
      seg('What to do first', 'title'),
      seg(rcs.length ? ` (${rcs.length} root cause${rcs.length === 1 ? '' : 's'}${more > 0 ? `, ${more} more: t shows all` : ''}; remedy keys act on ${g.selected})` : '', 'dim'),
    ),
  ];
  if (!a) {
    out.push(plain('  waiting for data…', 'dim'));
    return out;
  }
  if (rcs.length === 0) {
    out.push(plain(a.tasks.length ? '  blocked tasks, but no root cause found (see the table)' : '  Nothing is blocked.', a.tasks.length ? 'warn' : 'ok'));
    return out;
  }
  // Shared scale with headroom, so root causes compare and a steady count is not a solid block.
  const max = Math.max(1, Math.ceil(1.2 * Math.max(0, ...s.history.slice(-SPARK_W).map((h) => h.total))));
  shown.forEach((rc, i) => {
    const isTarget = target?.id === rc.id;
    // The colour of its line on the header chart; alone, it is the total's line (red).
    const colour: Role = rcs.length === 1 ? 'series0' : i < CHART_ROOTS ? (`series${i + 1}` as Role) : 'bold';
    const sp = spark(series(s.history, SPARK_W, rc.id), SPARK_W, max, caps.unicode);
    out.push(line(
      seg(isTarget ? `${g.selected}` : ' ', 'highlight'),
      seg(`${i + 1} `, colour),
      seg(sp, colour),
      seg(` ${rc.blocked} blocked `, rc.blocked > 0 ? 'stateD' : 'normal'),
      seg(remedyLabel(rc), rc.remedies.length ? 'key' : 'dim'),
      seg(rc.inCycle ? ' DEADLOCK' : '', 'deadlock'),
      seg(`  ${rc.label}`, 'bold'),
    ));
    out.push(line(seg(`      ${rc.chain.join(` ${g.arrow} `)}`, 'dim')));
  });
  return out;
}
