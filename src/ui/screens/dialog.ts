// The remedy confirmation dialog: names the target exactly (PID, comm and user; the mount; the
// FUSE connection), the exact command, its risk and how many blocked tasks it should free, with
// No highlighted until the admin moves to Yes. Its key line is generated from the keymap.
import type { ConfirmDialog } from '../../store/store.js';
import type { ActionPlan } from '../../actions/remedy.js';
import { KEYMAP, keyLabel } from '../keymap.js';
import { fitLine, line, plain, seg, wrapLine, type Line, type Seg } from '../line.js';
import type { TermCaps } from '../term.js';

function title(p: ActionPlan, stage: 1 | 2): string {
  switch (p.remedy.action) {
    case 'kill': return `Kill ${p.target}?`;
    case 'cont': return `Continue (SIGCONT) ${p.target}?`;
    case 'thaw': return `Thaw ${p.remedy.mount ?? p.target}?`;
    case 'cgroup-thaw': return `Thaw the frozen cgroup ${p.remedy.cgroup ?? p.target}?`;
    case 'fuse-abort': return stage === 1 ? `Abort ${p.target}?` : `Really abort ${p.target}? (asked twice)`;
  }
}

/** The dialog's key line, from the 'confirm' bindings of the keymap. */
export function dialogKeysText(): string {
  return KEYMAP.filter((b) => b.contexts.includes('confirm')).map((b) => `${b.keys.map(keyLabel).join('/')} ${b.hint ?? b.action}`).join(' · ');
}

interface Item {
  l: Line;
  /** 0: always shown; 1: dropped when the terminal is too short; 2: spacing, dropped first. */
  prio: 0 | 1 | 2;
  /** The No / Yes line: kept even when nothing else fits. */
  buttons?: true;
}

function content(d: ConfirmDialog, inner: number): Item[] {
  const p = d.plan;
  const rc = p.rootCause;
  const n = p.blockedKeys.length;
  const kv = (k: string, v: string, role?: Seg['role'], prio: 0 | 1 = 0): Item[] =>
    wrapLine({ ...line(seg(k.padEnd(12), 'heading'), seg(v, role)), indent: 12 }, inner).map((l, i) => ({ l, prio: i === 0 ? prio : 1 }));
  const out: Item[] = [];
  if (d.queue !== undefined) {
    // Tagged rows: every target with its exact command, then the tagged rows left alone.
    const plans = [p, ...d.queue];
    const total = new Set(plans.flatMap((x) => x.blockedKeys)).size;
    out.push({ l: plain(`Kill ${plans.length} tagged holder${plans.length === 1 ? '' : 's'}, one after another?`, 'title'), prio: 0 });
    out.push({ l: plain(''), prio: 2 });
    plans.forEach((x, i) => {
      out.push(...kv(`target ${i + 1}`, x.target, 'bold'));
      out.push(...kv('command', x.command, 'remedy'));
      out.push(...kv('checked', x.guard, 'dim', 1));
      for (const note of x.rootCause.notes ?? []) out.push(...kv('note', note, 'warn', 1));
    });
    for (const why of d.refused ?? []) out.push(...kv('not killed', why, 'warn'));
    out.push(...kv('risk', p.remedy.risk || '-', 'warn', 1));
    out.push(...kv('should free', `${total} blocked task${total === 1 ? '' : 's'}`, total > 0 ? 'stateD' : 'dim'));
  } else {
    out.push({ l: plain(title(p, d.stage), 'title'), prio: 0 });
    out.push({ l: plain(''), prio: 2 });
    out.push(...kv('root cause', `${rc.label}${rc.inCycle ? '  [DEADLOCK CYCLE]' : ''}`, 'bold', 1));
    const where = p.remedy.action === 'fuse-abort' && rc.mount ? ` (mount ${rc.mount})` : '';
    out.push(...kv('target', `${p.target}${where}`, 'bold'));
    out.push(...kv('command', p.command, 'remedy'));
    // Another mount namespace: which path is used, and where it runs.
    if (p.how) out.push(...kv('where', p.how, undefined, 1));
    out.push(...kv('checked', p.guard, 'dim', 1));
    out.push(...kv('risk', p.remedy.risk || '-', 'warn', 1));
    for (const n of rc.notes ?? []) out.push(...kv('note', n, 'warn', 1));
    out.push(...kv('should free', `${n} blocked task${n === 1 ? '' : 's'}`, n > 0 ? 'stateD' : 'dim'));
  }
  if (d.stage === 2) {
    out.push({ l: plain(''), prio: 2 });
    out.push(...wrapLine(plain('This fails every pending request on that FUSE mount. Answer again: are you sure?', 'error'), inner).map((l) => ({ l, prio: 0 as const })));
  }
  if (d.dryRun) {
    out.push({ l: plain(''), prio: 2 });
    out.push(...wrapLine(plain(`DRY RUN: nothing will be run${d.dryRunWhy ? ` — ${d.dryRunWhy}` : ' (--dry-run)'}`, 'warn'), inner).map((l, i) => ({ l, prio: (i === 0 ? 0 : 1) as 0 | 1 })));
  }
  out.push({ l: plain(''), prio: 2 });
  const yes = d.choice === 'yes';
  // The highlighted answer is bracketed as well as coloured: it must show on TERM=dumb too.
  const button = (label: string, on: boolean): Seg => seg(on ? `[ ${label} ]` : `  ${label}  `, on ? 'keyLabel' : 'bold');
  const pad = Math.max(0, Math.floor((inner - 20) / 2));
  out.push({ l: line(seg(' '.repeat(pad)), button('No', !yes), seg('    '), button(d.dryRun ? 'Yes (dry run)' : 'Yes', yes)), prio: 0, buttons: true });
  out.push({ l: plain(''), prio: 2 });
  out.push(...wrapLine(plain(dialogKeysText(), 'dim'), inner).map((l, i) => ({ l, prio: (i === 0 ? 0 : 1) as 0 | 1 })));
  return out;
}

/** The dialog box, at most `maxRows` lines of `cols` columns (each line full width). */
export function dialogLines(d: ConfirmDialog, caps: TermCaps, cols: number, maxRows: number): Line[] {
  const boxW = Math.max(24, Math.min(cols - 2, 100));
  const inner = boxW - 4;
  const left = ' '.repeat(Math.max(0, Math.floor((cols - boxW) / 2)));
  let items = content(d, inner);
  const room = Math.max(1, maxRows - 2);
  for (const drop of [2, 1] as const) {
    while (items.length > room && items.some((i) => i.prio === drop)) {
      const at = items.map((i) => i.prio).lastIndexOf(drop);
      items = items.filter((_, k) => k !== at);
    }
  }
  if (items.length > room) {
    // A tiny terminal: the title and target first, and the answer the admin is choosing, always.
    const b = items.find((i) => i.buttons)!;
    items = [...items.filter((i) => !i.buttons).slice(0, room - 1), b];
  }
  const [tl, tr, bl, br, h, v] = caps.unicode ? ['┌', '┐', '└', '┘', '─', '│'] : ['+', '+', '+', '+', '-', '|'];
  const edge = (a: string, b: string): Line => line(seg(left), seg(a + h.repeat(boxW - 2) + b, 'highlight'));
  return [
    edge(tl, tr),
    ...items.map(({ l }) => line(seg(left), seg(`${v} `, 'highlight'), ...fitLine(l, inner, true).segs, seg(` ${v}`, 'highlight'))),
    edge(bl, br),
  ];
}
