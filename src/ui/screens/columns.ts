// The F2 column chooser: a small box over the list, one line per column with its [x] mark.
import { SORT_KEYS } from '../../store/derive.js';
import type { UiState } from '../../store/store.js';
import { KEYMAP, keyLabel } from '../keymap.js';
import { fitLine, line, plain, seg, type Line } from '../line.js';
import type { TermCaps } from '../term.js';
import { COLUMN_TITLES } from './table.js';

export function columnsLines(s: UiState, caps: TermCaps, cols: number, maxRows: number): Line[] {
  const ch = s.columnsChooser;
  if (!ch) return [];
  const boxW = Math.max(24, Math.min(cols - 2, 60));
  const inner = boxW - 4;
  const keys = KEYMAP.filter((b) => b.contexts.includes('columns')).map((b) => `${b.keys.map(keyLabel).join('/')} ${b.action.replace('columns-', '')}`).join(' · ');
  const items: Line[] = [plain('Columns shown', 'title'), plain('')];
  SORT_KEYS.forEach((k, i) => {
    const on = !s.hiddenColumns.has(k);
    const at = i === ch.cursor;
    // The highlighted line is marked as well as coloured: it must show on TERM=dumb too.
    items.push(line(seg(at ? (caps.unicode ? '▶ ' : '> ') : '  ', 'keyLabel'), seg(on ? '[x] ' : '[ ] ', on ? 'ok' : 'dim'), seg(COLUMN_TITLES[k], at ? 'keyLabel' : on ? 'bold' : 'dim')));
  });
  items.push(plain(''), plain(s.columnStore ? `saved in ${s.columnStore.file} on close` : 'not saved: no config directory', 'dim'), plain(keys, 'dim'));
  const [tl, tr, bl, br, h, v] = caps.unicode ? ['┌', '┐', '└', '┘', '─', '│'] : ['+', '+', '+', '+', '-', '|'];
  const left = ' '.repeat(Math.max(0, Math.floor((cols - boxW) / 2)));
  const edge = (a: string, b: string): Line => line(seg(left), seg(a + h.repeat(boxW - 2) + b, 'highlight'));
  const body = items.slice(0, Math.max(1, maxRows - 2)).map((l) => {
    const f = fitLine(l, inner, true);
    return line(seg(left), seg(`${v} `, 'highlight'), ...f.segs, seg(` ${v}`, 'highlight'));
  });
  return [edge(tl, tr), ...body, edge(bl, br)];
}
