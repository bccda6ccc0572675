// Help overlay and footer, both generated from KEYMAP (never written by hand).
import type { Analysis } from '../../model.js';
import type { UiState } from '../../store/store.js';
import { MESSAGE_MS } from '../../store/store.js';
import { CONTEXT_TITLES, KEYMAP, keyLabel, keysLabel, type Binding, type KeyContext } from '../keymap.js';
import { line, plain, seg, type Line, type Seg } from '../line.js';
import { VERSION } from '../../version.js';

const KEYS_W = 18;

export interface HelpEntry {
  /** The section: where the binding applies. */
  section: string;
  keys: string;
  help: string;
  binding: Binding;
}

function sectionTitle(contexts: readonly KeyContext[]): string {
  const [first, ...rest] = contexts.map((c) => CONTEXT_TITLES[c]);
  return rest.length ? `${first} (also ${rest.map((t) => t.toLowerCase()).join(', ')})` : first!;
}

/** One help line per binding, in sections by where they apply (global first, filter last). */
export function helpEntries(): HelpEntry[] {
  const order: KeyContext[] = ['global', 'main', 'scroll', 'filter'];
  const rank = (b: Binding): number => order.indexOf(b.contexts[0]!);
  return [...KEYMAP]
    .map((b, i) => ({ b, i }))
    .sort((x, y) => rank(x.b) - rank(y.b) || x.b.contexts.length - y.b.contexts.length || x.i - y.i)
    .map(({ b }) => ({ section: sectionTitle(b.contexts), keys: keysLabel(b), help: b.help, binding: b }));
}

export function helpLines(a: Analysis | undefined, remediationReady: boolean): Line[] {
  const out: Line[] = [
    line(seg(`wedgetop ${VERSION}`, 'title'), seg(' — who is stuck in D state, on what, held by whom', 'dim')),
    plain(''),
  ];
  let section: string | undefined;
  for (const e of helpEntries()) {
    if (e.section !== section) {
      if (section) out.push(plain(''));
      section = e.section;
      out.push(plain(section, 'title'));
    }
    const note = e.binding.remedy && !remediationReady ? ' (remediation: coming)' : '';
    out.push({ ...line(seg(`  ${e.keys.padEnd(KEYS_W)}`, 'key'), seg(e.help + note)), indent: KEYS_W + 2 });
  }
  out.push(plain(''));
  out.push(plain('Reading the screen', 'title'));
  out.push(plain('  State letters: D uninterruptible (red), S sleeping, T stopped (yellow), R running.'));
  out.push(plain('  H in the first column: the task holds what others wait for. * : tagged.'));
  out.push(plain('  The remedy keys act on the root cause of the selected task, marked in "What to do first".'));
  if (a?.warnings.length) {
    out.push(plain(''));
    out.push(plain('Warnings from the last snapshot', 'title'));
    for (const w of a.warnings) out.push(plain(`  ${w}`, 'warn'));
  }
  return out;
}

/** htop's bottom line: key, then its label in a bar. Items that do not fit are left out. */
export function footerLine(s: UiState, cols: number): Line {
  if (s.filterEditing) {
    return line(seg('Filter: ', 'keyLabel'), seg(s.filter), seg('_', 'highlight'), seg('   Enter keep · Esc clear · Backspace erase', 'dim'));
  }
  const m = s.message;
  if (m && s.now - m.at < MESSAGE_MS) return line(seg(m.text, m.level === 'error' ? 'error' : m.level === 'warn' ? 'warn' : 'info'));
  const segs: Seg[] = [];
  let used = 0;
  if (s.filter) {
    const f = `/${s.filter} `;
    segs.push(seg(f, 'highlight'));
    used += f.length;
  }
  const items = KEYMAP.filter((b) => b.footer).sort((x, y) => x.footer!.order - y.footer!.order);
  for (const b of items) {
    const key = keyLabel(b.keys[0]!);
    const label = b.footer!.label.padEnd(6);
    if (used + key.length + label.length > cols) break;
    segs.push(seg(key, 'key'), seg(label, 'keyLabel'));
    used += key.length + label.length;
  }
  return { segs };
}
