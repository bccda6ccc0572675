// Every string that comes from the box (comm, set by any task with prctl(PR_SET_NAME); mount
// paths; socket labels; kernel log text; user and cgroup names; and anything in a replayed
// snapshot) is escaped before it reaches a terminal, so that it can neither send an escape
// sequence to the admin's terminal (retitle, clear, remap keys) nor forge a line of output.

/**
 * Characters never shown raw: C0 controls (tab and newline too: a newline forges a line), DEL,
 * C1 controls (0x9b is a one-byte CSI), and the invisible Unicode formatting characters that
 * reorder or hide text on screen (bidi overrides and isolates, zero-width characters, line and
 * paragraph separators, the BOM), and lone surrogates.
 */
export const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udfff]/gu;

/** True when s has a character escapeText would change. */
export function hasUnsafeChars(s: string): boolean {
  UNSAFE_CHARS.lastIndex = 0;
  const r = UNSAFE_CHARS.test(s);
  UNSAFE_CHARS.lastIndex = 0;
  return r;
}

/** `\x1b`-style for bytes below 0x100, `\u{202e}`-style above: visible, one line, never interpreted. */
export function escapeChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  return cp < 0x100 ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u{${cp.toString(16)}}`;
}

/** The one escaping of untrusted text for a terminal (--once, the TUI, --fix's messages). */
export function escapeText(s: string): string {
  return s.replace(UNSAFE_CHARS, escapeChar);
}
