// Column arithmetic for a terminal. Every string that reaches the screen goes through fit():
// Ink then never has to wrap (slow with thousands of rows, and a wrapped row breaks the
// "never taller than the terminal" rule), and a task name can never smuggle an escape
// sequence onto an administrator's terminal (comm is set by the task itself: prctl(PR_SET_NAME)).
import { escapeText } from '../text/escape.js';

/** Display width of one code point: 0 for combining marks, 2 for East Asian wide / emoji. */
export function charWidth(cp: number): number {
  if (cp === 0) return 0;
  if (cp >= 0x300 && cp <= 0x36f) return 0;
  if (cp >= 0x200b && cp <= 0x200f) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) return 2;
  return 1;
}

/** Control and invisible formatting characters shown escaped (`\x1b`), by the one escaping of src/text. */
export function sanitize(s: string): string {
  return escapeText(s);
}

export function width(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0)!);
  return w;
}

/** Cut to at most `w` columns, marking the cut with an ellipsis. */
export function truncate(s: string, w: number, ellipsis = '…'): string {
  if (w <= 0) return '';
  if (width(s) <= w) return s;
  const ew = width(ellipsis);
  let out = '';
  let used = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (used + cw > w - ew) break;
    out += ch;
    used += cw;
  }
  return out + (w >= ew ? ellipsis : '');
}

/** Exactly `w` columns: sanitized, truncated, padded. */
export function fit(s: string, w: number, align: 'left' | 'right' = 'left', ellipsis = '…'): string {
  const t = truncate(sanitize(s), w, ellipsis);
  const pad = ' '.repeat(Math.max(0, w - width(t)));
  return align === 'left' ? t + pad : pad + t;
}

const SGR = /\u001b\[[0-9;]*m/g;

export function stripSgr(s: string): string {
  return s.replace(SGR, '');
}

export function formatBytes(n: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)}${units[i]}`;
}

// One-column stand-ins, so widths computed before the substitution stay right.
const ASCII: Record<string, string> = {
  '…': '~', '—': '-', '–': '-', '→': '>', '←': '<', '▾': '-', '▸': '+', '●': '*', '↺': '@', '▶': '>',
  '▲': '^', '▼': 'v', '★': '*', '├': '|', '└': '`', '│': '|', '─': '-', '┤': '|', '×': 'x', '·': '.',
  '⚠': '!', '✓': '+',
};

/** For a terminal without UTF-8: every non-ASCII character becomes one ASCII column. */
export function asciify(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\u0000-\u007f]/.test(s)) return s;
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out += ch;
    else out += (ASCII[ch] ?? '?').repeat(Math.max(charWidth(cp), ASCII[ch] ? 1 : 0) || 0);
  }
  return out;
}
