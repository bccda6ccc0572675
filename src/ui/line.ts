// Every screen is built as Line[] by pure functions (testable without Ink), then drawn by one
// component. A line is styled segments; roles, not colours, so NO_COLOR and TERM=dumb are
// decided in one place (theme.ts).
import { fit, sanitize, truncate, width } from './text.js';

export type Role =
  | 'normal' | 'dim' | 'bold' | 'title' | 'heading'
  | 'stateD' | 'stateT' | 'stateR' | 'stateZ'
  | 'warn' | 'error' | 'ok' | 'info'
  | 'key' | 'keyLabel' | 'colHeader' | 'colHeaderSorted'
  | 'group' | 'tagged' | 'holder' | 'deadlock' | 'highlight' | 'remedy'
  | 'series0' | 'series1' | 'series2' | 'series3'
  /** Text that already carries its own SGR colour codes (a chart). */
  | 'raw';

export interface Seg {
  text: string;
  role?: Role;
}

export interface Line {
  segs: Seg[];
  /** The selection bar: the whole line in reverse video. */
  bar?: boolean;
  /** Role of the padding that fills the line to the full width (header bars). */
  fill?: Role;
  /** Where continuation lines start when the line is wrapped (overlays). */
  indent?: number;
}

export const seg = (text: string, role?: Role): Seg => ({ text, role });
export const line = (...segs: Seg[]): Line => ({ segs });
export const plain = (text: string, role?: Role): Line => ({ segs: [{ text, role }] });

export function lineText(l: Line): string {
  return l.segs.map((s) => s.text).join('');
}

/**
 * At most `w` columns, so a line never wraps: segments cut where the width runs out. Padded to
 * exactly `w` only when asked or when it is a bar (every character costs Ink tokenising time,
 * and the terminal's line is erased before it is drawn anyway). 'raw' segments are trusted to be
 * pre-fitted (their escape codes have no width).
 */
export function fitLine(l: Line, w: number, pad = !!(l.bar || l.fill)): Line {
  const out: Seg[] = [];
  let used = 0;
  for (const s of l.segs) {
    if (used >= w) break;
    if (s.role === 'raw') {
      out.push(s);
      used += rawWidth(s.text);
      continue;
    }
    const text = sanitize(s.text);
    const tw = width(text);
    if (used + tw <= w) {
      out.push({ text, role: s.role });
      used += tw;
    } else {
      out.push({ text: truncate(text, w - used), role: s.role });
      used = w;
    }
  }
  if (used < w && pad) out.push({ text: ' '.repeat(w - used), role: l.fill });
  // An empty Ink text has no height: a blank line would vanish and pull the footer up.
  else if (used === 0) out.push({ text: ' ' });
  return { segs: out, bar: l.bar };
}

function rawWidth(s: string): number {
  return width(s.replace(/\u001b\[[0-9;]*m/g, ''));
}

/** Adjacent segments with the same role as one: fewer Ink nodes per line. */
export function mergeSegs(l: Line): Line {
  const out: Seg[] = [];
  for (const s of l.segs) {
    const last = out[out.length - 1];
    if (last && last.role === s.role && s.role !== 'raw') last.text += s.text;
    else out.push({ text: s.text, role: s.role });
  }
  return { ...l, segs: out };
}

export function sameLine(a: Line, b: Line): boolean {
  if (a === b) return true;
  if (a.bar !== b.bar || a.segs.length !== b.segs.length) return false;
  for (let i = 0; i < a.segs.length; i++) if (a.segs[i]!.text !== b.segs[i]!.text || a.segs[i]!.role !== b.segs[i]!.role) return false;
  return true;
}

/** A fixed-width cell. */
export function cell(text: string, w: number, role?: Role, align: 'left' | 'right' = 'left'): Seg {
  return { text: fit(text, w, align), role };
}

/**
 * Wrap a line to `w` columns: continuation lines start with `indent` spaces (Line.indent, else
 * the line's own leading spaces). Breaks at a space when one is near, else mid-word.
 */
export function wrapLine(l: Line, w: number): Line[] {
  const total = l.segs.reduce((n, s) => n + width(s.text), 0);
  if (total <= w || w < 20 || l.segs.some((s) => s.role === 'raw')) return [l];
  const lead = /^ */.exec(l.segs[0]?.text ?? '')![0].length;
  const indent = Math.min(l.indent ?? lead, Math.floor(w / 2));
  const out: Line[] = [];
  let cur: Seg[] = [];
  let used = 0;
  const flush = (): void => {
    out.push({ segs: cur, fill: l.fill });
    cur = [{ text: ' '.repeat(indent) }];
    used = indent;
  };
  for (const s of l.segs) {
    let rest = sanitize(s.text);
    while (rest.length) {
      const room = w - used;
      if (width(rest) <= room) {
        cur.push({ text: rest, role: s.role });
        used += width(rest);
        break;
      }
      const fits = truncate(rest, room, '').length;
      const sp = rest.lastIndexOf(' ', fits);
      // A space to break at, unless that leaves most of the line empty.
      const soft = sp > 0 && sp >= fits - 20;
      const piece = rest.slice(0, soft ? sp : fits);
      if (piece) cur.push({ text: piece, role: s.role });
      rest = rest.slice(soft ? sp + 1 : fits);
      flush();
    }
  }
  if (cur.length > 1 || out.length === 0) out.push({ segs: cur, fill: l.fill });
  return out;
}
