// Commands wedgetop prints (`fix: fsfreeze -u MOUNT`, `wedgetop --fix ID --yes`) are quoted for a
// POSIX shell, so that pasting one runs exactly what wedgetop would run: a mount path with a
// space, `;`, quotes or a newline is one argument, never a second command. A quoted command
// contains printable characters only (what escapeText leaves alone), so it is shown as is.
import { hasUnsafeChars } from './escape.js';

/** Words that need no quoting at all (kept bare so that common commands read as usual). */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * A printf format that prints exactly s: unsafe characters as octal escapes of their UTF-8
 * bytes (POSIX printf's `\ddd`), backslash and percent doubled, quotes closed and reopened.
 */
function printfFormat(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '%') out += '%%';
    else if (ch === "'") out += "'\\''";
    else if (hasUnsafeChars(ch)) for (const b of Buffer.from(ch, 'utf8')) out += `\\${b.toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return out;
}

/**
 * One word for a POSIX shell that expands to exactly s. Printable text is single-quoted; text
 * with control characters becomes "$(printf '...')" (dash has no $'...'). A command substitution
 * drops trailing newlines, so a word ending in one has no one-word form: shellCommand handles it.
 */
export function shellQuote(s: string): string {
  if (s === '') return "''";
  if (PLAIN.test(s)) return s;
  if (!hasUnsafeChars(s)) return `'${s.replace(/'/g, "'\\''")}'`;
  if (s.endsWith('\n')) throw new RangeError('a word ending in a newline has no one-word POSIX form: use shellCommand()');
  return `"$(printf '${printfFormat(s)}')"`;
}

/**
 * A command line for a POSIX shell that runs argv exactly. A word that ends in a newline is
 * built in a variable first (printf's output plus a sentinel `x`, cut again by `${v%x}`).
 */
export function shellCommand(argv: readonly string[]): string {
  const pre: string[] = [];
  const words = argv.map((w) => {
    if (!w.endsWith('\n')) return shellQuote(w);
    const v = `_wt${pre.length + 1}`;
    pre.push(`${v}=$(printf '${printfFormat(w)}x')`);
    return `"\${${v}%x}"`;
  });
  return [...pre, words.join(' ')].join('; ');
}

/** The thaw remedy's command, as run (remedy.ts spawns fsfreeze with exactly this argv). */
export function thawArgv(mount: string): string[] {
  return ['fsfreeze', '-u', mount];
}
