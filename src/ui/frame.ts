// One whole screen as Line[], a pure function of the store state, the terminal size and its
// capabilities. The frame is exactly rows-1 lines: Ink 6 clears and redraws the whole terminal
// on every update once its output reaches the terminal's height (flicker), so it never does.
import type { Analysis } from '../model.js';
import { remedyTarget, rowsFor, type UiState } from '../store/store.js';
import { scrollFor } from '../store/derive.js';
import { fitLine, line, mergeSegs, plain, seg, wrapLine, type Line } from './line.js';
import type { TermCaps } from './term.js';
import { HEADER_ROWS, headerLines, warningLines } from './screens/header.js';
import { rootCauseLines, rootCausePanelHeight } from './screens/rootcauses.js';
import { contentOf, headerLine, tableLines } from './screens/table.js';
import { detailLines, detailTitle } from './screens/detail.js';
import { graphLines } from './screens/graph.js';
import { footerLine, helpLines, remedyNote } from './screens/help.js';
import { actionStatusLine, actionsViewLines, ACTIONS_TITLE } from './screens/actions.js';
import { dialogLines } from './screens/dialog.js';
import { columnsLines } from './screens/columns.js';

export interface Frame {
  lines: Line[];
  /** Rows available to the task table / to an overlay's content, and the overlay's length. */
  tableRows: number;
  overlayRows: number;
  overlayTotal: number;
}

export function maxCausesFor(rows: number): number {
  if (rows >= 40) return 5;
  if (rows >= 30) return 3;
  if (rows >= 20) return 2;
  return 1;
}

let graphMemo: { a: Analysis | undefined; unicode: boolean; cols: number; readOnly: boolean; lines: Line[] } | undefined;

const wrapAll = (lines: Line[], cols: number): Line[] => lines.flatMap((l) => wrapLine(l, cols));

function overlayContent(s: UiState, caps: TermCaps, cols: number): { title: string; lines: Line[] } {
  switch (s.view) {
    case 'detail':
      return { title: detailTitle(s.analysis, s.detailKey), lines: wrapAll(detailLines(s.analysis, s.detailKey, caps, s.opts.readOnly), cols) };
    case 'graph': {
      // The graph of 5,000 waiters is not rebuilt for every scroll key.
      if (!graphMemo || graphMemo.a !== s.analysis || graphMemo.unicode !== caps.unicode || graphMemo.cols !== cols || graphMemo.readOnly !== s.opts.readOnly) {
        graphMemo = { a: s.analysis, unicode: caps.unicode, cols, readOnly: s.opts.readOnly, lines: wrapAll(graphLines(s.analysis, caps, s.opts.readOnly), cols) };
      }
      return { title: 'Waits-on graph: root causes down to their waiters', lines: graphMemo.lines };
    }
    case 'actions':
      return { title: ACTIONS_TITLE, lines: wrapAll(actionsViewLines(s), cols) };
    default:
      return { title: 'Help', lines: wrapAll(helpLines(s.analysis, remedyNote(s)), cols) };
  }
}

export function composeFrame(s: UiState, caps: TermCaps, cols: number, rows: number): Frame {
  const usable = Math.max(3, rows - 1);
  const out: Line[] = [];
  let tableRows = s.viewport.tableRows;
  let overlayRows = s.viewport.overlayRows;
  let overlayTotal = s.viewport.overlayTotal;

  if (s.view === 'main') {
    const header = usable >= 15 ? headerLines(s, caps, cols) : [];
    const warnings = warningLines(s.analysis, usable >= 19 ? 2 : usable >= 15 ? 1 : 0);
    const maxCauses = maxCausesFor(rows);
    const rcH = usable >= 11 ? rootCausePanelHeight(s.analysis, maxCauses) : 0;
    const status = usable >= 9 ? actionStatusLine(s, caps) : undefined;
    tableRows = Math.max(1, usable - header.length - warnings.length - rcH - (status ? 1 : 0) - 2);
    const rows_ = rowsFor(s);
    const scroll = scrollFor(s.cursor, s.scroll, tableRows, rows_.length);
    const target = remedyTarget(s);
    out.push(...header, ...warnings);
    if (rcH) out.push(...rootCauseLines(s, caps, maxCauses, target).slice(0, rcH));
    if (status) out.push(status);
    // With a scrollbar the rows are laid out one column narrower, so that none is cut with "…".
    const bar = rows_.length > tableRows;
    const body = tableLines(s, rows_, scroll, tableRows, bar ? cols - 1 : cols, caps);
    if (bar) {
      // htop's habit: where the selection is in the list, and a scrollbar on the right edge.
      const pos = ` ${Math.min(s.cursor + 1, rows_.length)}/${rows_.length} `;
      const hl = fitLine(headerLine(s, cols - 1, caps, contentOf(rows_, s)), Math.max(0, cols - pos.length), true);
      out.push({ ...hl, segs: [...hl.segs, seg(pos, 'colHeaderSorted')] });
      const thumbAt = Math.floor((scroll / Math.max(1, rows_.length - tableRows)) * (body.length - 1));
      body.forEach((l, i) => {
        const f = fitLine(l, cols - 1, true);
        body[i] = { ...f, segs: [...f.segs, seg(i === thumbAt ? (caps.unicode ? '█' : '#') : caps.unicode ? '│' : '|', 'dim')] };
      });
    } else out.push(headerLine(s, cols, caps, contentOf(rows_, s)));
    if (rows_.length === 0) body.push(plain(s.analysis ? (s.filter ? `  no task matches "${s.filter}"` : '  no blocked tasks') : '  waiting for the first snapshot…', 'dim'));
    out.push(...body);
  } else {
    const { title, lines } = overlayContent(s, caps, cols);
    overlayRows = Math.max(1, usable - 2);
    overlayTotal = lines.length;
    const top = Math.max(0, Math.min(s.overlayScroll, Math.max(0, lines.length - overlayRows)));
    const range = lines.length > overlayRows ? `  lines ${top + 1}-${Math.min(lines.length, top + overlayRows)} of ${lines.length}` : '';
    out.push({ ...line(seg(` ${title}`, 'colHeader'), seg(`${range}  Esc closes`, 'colHeader')), fill: 'colHeader' });
    out.push(...lines.slice(top, top + overlayRows));
  }
  while (out.length < usable - 1) out.push(plain(''));
  out.length = Math.min(out.length, usable - 1);
  if (s.columnsChooser && !s.dialog) {
    const box = columnsLines(s, caps, cols, usable - 1);
    const top = Math.max(0, Math.floor((usable - 1 - box.length) / 2));
    out.splice(top, box.length, ...box);
  }
  if (s.dialog) {
    // Over the middle of the screen, whole lines: what it covers is frozen while it is open.
    const box = dialogLines(s.dialog, caps, cols, usable - 1);
    const top = Math.max(0, Math.floor((usable - 1 - box.length) / 2));
    out.splice(top, box.length, ...box);
  }
  out.push(footerLine(s, cols));
  return { lines: out.map((l) => mergeSegs(fitLine(l, cols))), tableRows, overlayRows, overlayTotal };
}
