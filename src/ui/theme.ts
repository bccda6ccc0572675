// Roles to Ink text styles. The only place colours are chosen; without colour only bold and
// reverse remain (NO_COLOR allows attributes), and on TERM=dumb nothing at all.
import type { Role } from './line.js';
import type { TermCaps } from './term.js';

export interface Style {
  color?: string;
  backgroundColor?: string;
  bold?: boolean;
  dimColor?: boolean;
  inverse?: boolean;
}

const COLOR: Record<Role, Style> = {
  normal: {},
  dim: { dimColor: true },
  bold: { bold: true },
  title: { bold: true, color: 'cyan' },
  heading: { color: 'cyan' },
  stateD: { bold: true, color: 'red' },
  stateT: { color: 'yellow' },
  stateR: { color: 'green' },
  stateZ: { color: 'magenta' },
  warn: { color: 'yellow' },
  error: { bold: true, color: 'red' },
  ok: { color: 'green' },
  info: { color: 'cyan' },
  key: { bold: true },
  keyLabel: { color: 'black', backgroundColor: 'cyan' },
  colHeader: { color: 'black', backgroundColor: 'green' },
  colHeaderSorted: { color: 'black', backgroundColor: 'cyan', bold: true },
  group: { bold: true, color: 'blue' },
  tagged: { color: 'yellow', bold: true },
  holder: { bold: true, color: 'magenta' },
  deadlock: { bold: true, color: 'red' },
  highlight: { bold: true, color: 'yellow' },
  remedy: { bold: true, color: 'green' },
  series0: { color: 'red' },
  series1: { bold: true, color: 'yellow' },
  series2: { bold: true, color: 'magenta' },
  series3: { bold: true, color: 'cyan' },
  raw: {},
};

const MONO: Partial<Record<Role, Style>> = {
  title: { bold: true },
  stateD: { bold: true },
  error: { bold: true },
  key: { bold: true },
  keyLabel: { inverse: true },
  colHeader: { inverse: true },
  colHeaderSorted: { inverse: true, bold: true },
  group: { bold: true },
  tagged: { bold: true },
  holder: { bold: true },
  deadlock: { bold: true },
  highlight: { bold: true },
  remedy: { bold: true },
  bold: { bold: true },
  series1: { bold: true },
  series2: { bold: true },
  series3: { bold: true },
};

export function styleOf(role: Role | undefined, caps: TermCaps): Style {
  if (!role || !caps.attrs) return {};
  if (caps.color) return COLOR[role];
  return MONO[role] ?? {};
}

/** The selection bar: htop's reverse-video line. */
export function barStyle(caps: TermCaps): Style {
  if (!caps.attrs) return {};
  return caps.color ? { color: 'black', backgroundColor: 'cyan' } : { inverse: true };
}
