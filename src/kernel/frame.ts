// A kernel stack frame as data: how a frame is named in the tables (a pattern) and how it prints.
// The bottom of kernel/: signatures.ts and mm.ts both use the pattern type (a separate module so
// that neither imports the other for it).
import type { Frame } from '../model.js';

/** A frame's function name exactly, or a regular expression over it. */
export type FramePattern = string | RegExp;

export function matchesFrame(func: string, pats: FramePattern[]): boolean {
  return pats.some((p) => (typeof p === 'string' ? p === func : p.test(func)));
}

/** As /proc/PID/stack prints it: "func+0xOFF/0xSIZE [module]". */
export function formatFrame(f: Frame): string {
  return `${f.func}+0x${f.offset.toString(16)}/0x${f.size.toString(16)}${f.module ? ` [${f.module}]` : ''}`;
}
