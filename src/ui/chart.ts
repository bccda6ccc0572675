// The history chart and sparklines, drawn with blessed-contrib's own renderers but off-screen:
// its line chart's braille canvas (drawille-canvas-blessed-contrib) and its sparkline widget's
// renderer (sparkline). Both produce text, which Ink shows like any other line. blessed-contrib's
// widgets themselves need a blessed Screen that would fight Ink for the terminal; see
// README-notes.md. Without Unicode (Linux console, non-UTF-8 locale) plain ASCII is drawn instead.
import BrailleCanvas from 'drawille-blessed-contrib';
import Context from 'drawille-canvas-blessed-contrib';
import sparklineRender from 'sparkline';
import { stripSgr } from './text.js';

export interface ChartSeries {
  values: number[];
  /** A drawille colour name; ignored without colour. */
  color: string;
}

export interface ChartOptions {
  /** Columns, including the y-axis labels. */
  width: number;
  /** Rows. */
  height: number;
  unicode: boolean;
  color: boolean;
}

/**
 * drawille's canvas allocates with `new Buffer()`, which prints a deprecation warning once bundled
 * (the warning is only suppressed for code inside node_modules) — on a screen Ink owns. Same
 * object, same prototype, allocated the current way.
 */
class QuietCanvas {
  constructor(w: number, h: number) {
    const c = Object.create(BrailleCanvas.prototype) as BrailleCanvas;
    const cells = (w * h) / 8;
    c.width = w;
    c.height = h;
    c.content = Buffer.alloc(cells);
    c.colors = new Array<string | undefined>(cells);
    c.chars = new Array<string | null | undefined>(cells);
    c.fontFg = 'normal';
    c.fontBg = 'normal';
    c.color = 'normal';
    return c;
  }
}

/** The top of the y axis: the maximum plus 20% headroom, as blessed-contrib's line chart does. */
function niceMax(values: number[][]): number {
  let m = 0;
  for (const vs of values) for (const v of vs) if (v > m) m = v;
  return Math.max(1, Math.ceil(m * 1.2));
}

/**
 * A line chart of `series` (oldest first), newest at the right edge, y from 0 to the maximum.
 * Returns exactly `height` lines of `width` columns (colour codes have no width).
 */
export function lineChart(series: ChartSeries[], o: ChartOptions): string[] {
  const max = niceMax(series.map((s) => s.values));
  const labelW = String(max).length + 1;
  const cols = Math.max(1, o.width - labelW);
  const axis = o.unicode ? '┤' : '|';
  const label = (row: number): string => {
    const text = row === 0 ? String(max) : row === o.height - 1 ? '0' : '';
    return text.padStart(labelW - 1) + axis;
  };
  const body = o.unicode ? brailleBody(series, cols, o.height, max, o.color) : asciiBody(series[0]?.values ?? [], cols, o.height, max);
  return body.map((l, i) => label(i) + l);
}

function brailleBody(series: ChartSeries[], cols: number, rows: number, max: number, color: boolean): string[] {
  const w = cols * 2;
  const h = rows * 4;
  const ctx = new Context(w, h, QuietCanvas);
  const y = (v: number): number => h - 1 - Math.round((Math.min(v, max) / max) * (h - 1));
  for (const s of series) {
    const vs = s.values.slice(-w);
    if (vs.length === 0) continue;
    const x0 = w - vs.length;
    ctx.strokeStyle = s.color;
    ctx.beginPath();
    ctx.moveTo(x0, y(vs[0]!));
    // A single sample still shows: a one-dot segment.
    ctx.lineTo(x0, y(vs[0]!));
    for (let i = 1; i < vs.length; i++) ctx.lineTo(x0 + i, y(vs[i]!));
    ctx.stroke();
  }
  const frame = ctx._canvas.frame();
  const lines = frame.split('\n').slice(0, rows);
  return color ? lines : lines.map(stripSgr);
}

function asciiBody(values: number[], cols: number, rows: number, max: number): string[] {
  const vs = values.slice(-cols);
  const pad = cols - vs.length;
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    // Row r (from the top) is filled when the value reaches its band.
    const band = ((rows - r - 0.5) / rows) * max;
    let l = ' '.repeat(pad);
    for (const v of vs) l += v >= band && v > 0 ? '#' : r === rows - 1 ? (v > 0 ? '#' : '_') : ' ';
    out.push(l);
  }
  return out;
}

const ASCII_RAMP = '_.-=+*#@';

/** A one-line sparkline of the last `width` values, scaled 0..max so series compare. */
export function spark(values: number[], width: number, max: number, unicode: boolean): string {
  const vs = values.slice(-width).map((v) => Math.max(0, Math.min(v, max)));
  if (vs.length === 0) return ' '.repeat(width);
  const pad = ' '.repeat(width - vs.length);
  if (unicode) return pad + sparklineRender(vs, { min: 0, max: Math.max(1, max) });
  const m = Math.max(1, max);
  return pad + vs.map((v) => ASCII_RAMP[Math.round((v / m) * (ASCII_RAMP.length - 1))]!).join('');
}

/** drawille colour names for the series: total first, then root causes in panel order. */
export const SERIES_COLORS = ['red', 'yellow', 'magenta', 'cyan'] as const;
