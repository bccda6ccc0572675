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
  const order: KeyContext[] = ['global', 'main', 'causes', 'scroll', 'filter', 'search', 'confirm', 'columns'];
  const rank = (b: Binding): number => order.indexOf(b.contexts[0]!);
  return [...KEYMAP]
    .map((b, i) => ({ b, i }))
    .sort((x, y) => rank(x.b) - rank(y.b) || x.b.contexts.length - y.b.contexts.length || x.i - y.i)
    .map(({ b }) => ({ section: sectionTitle(b.contexts), keys: keysLabel(b), help: b.help, binding: b }));
}

/** What the remedy keys' help lines add in this session: why they will not act, or dry-run only. */
export function remedyNote(s: Pick<UiState, 'opts' | 'remediator'>): string {
  if (s.opts.readOnly) return ' (off: --read-only)';
  if (!s.remediator) return ' (not available here)';
  if (s.remediator.dryRun) return s.remediator.dryRunWhy ? ' (dry run only: replayed snapshot)' : ' (dry run: --dry-run)';
  return '';
}

export function helpLines(a: Analysis | undefined, note = ''): Line[] {
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
    out.push({ ...line(seg(`  ${e.keys.padEnd(KEYS_W)}`, 'key'), seg(e.help + (e.binding.remedy ? note : ''))), indent: KEYS_W + 2 });
  }
  out.push(plain(''));
  out.push(plain('Reading the screen', 'title'));
  out.push(plain('  State letters: D uninterruptible (red), S sleeping, T stopped (yellow), R running.'));
  out.push(plain('  H in the first column: the task holds what others wait for. * : tagged.'));
  out.push(plain('  The remedy keys act on the root cause marked in "What to do first": the selected task\'s, or the one'));
  out.push(plain('  selected there with Tab or 1-9. Each asks first (No is the default), then shows its steps and how'));
  out.push(plain('  many blocked tasks came free; L lists every action taken.'));
  if (a?.warnings.length) {
    out.push(plain(''));
    out.push(plain('Warnings from the last snapshot', 'title'));
    for (const w of a.warnings) out.push(plain(`  ${w}`, 'warn'));
  }
  return out;
}

/** The mode that changes what the remedy keys do, first on the footer so it is never cut off. */
export function modeBadge(s: Pick<UiState, 'opts'>): string | undefined {
  if (s.opts.readOnly) return 'READ-ONLY';
  if (s.opts.dryRun) return 'DRY-RUN';
  return undefined;
}

/** htop's bottom line: key, then its label in a bar. Items that do not fit are left out. */
export function footerLine(s: UiState, cols: number): Line {
  if (s.filterEditing) {
    return line(seg('Filter: ', 'keyLabel'), seg(s.filter), seg('_', 'highlight'), seg('   Enter keep · Esc clear · Backspace erase', 'dim'));
  }
  if (s.searchEditing) {
    const m = s.message;
    const miss = m && s.now - m.at < MESSAGE_MS && m.level === 'warn' ? `   ${m.text}` : '';
    return line(seg('Search: ', 'keyLabel'), seg(s.search), seg('_', 'highlight'), seg('   ↓ next · ↑ previous · Enter stay here · Esc end', 'dim'), seg(miss, 'warn'));
  }
  const badge = modeBadge(s);
  const lead: Seg[] = badge ? [seg(badge, 'error'), seg(' ')] : [];
  const m = s.message;
  if (m && s.now - m.at < MESSAGE_MS) return line(...lead, seg(m.text, m.level === 'error' ? 'error' : m.level === 'warn' ? 'warn' : 'info'));
  const segs: Seg[] = [...lead];
  let used = badge ? badge.length + 1 : 0;
  if (s.filter) {
    const f = `/${s.filter} `;
    segs.push(seg(f, 'highlight'));
    used += f.length;
  }
  // With --read-only the remedy keys do nothing: not offered (the panel says read-only instead).
  const items = KEYMAP.filter((b) => b.footer && !(b.remedy && s.opts.readOnly)).sort((x, y) => x.footer!.order - y.footer!.order);
  for (const b of items) {
    const key = keyLabel(b.keys[0]!);
    const label = b.footer!.label.padEnd(6);
    if (used + key.length + label.length > cols) break;
    segs.push(seg(key, 'key'), seg(label, 'keyLabel'));
    used += key.length + label.length;
  }
  return { segs };
}
