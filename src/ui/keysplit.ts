// Raw terminal input -> one token per key. Ink reads stdin itself ('readable' + read()) and hands
// its split keys only to a private emitter, whose public face (useInput) forgets which F-key was
// pressed. Every chunk read() returns is also emitted as 'data' (Node streams: with a 'readable'
// listener, 'data' fires from read() and never makes the stream flow), so the App listens there,
// on the public stdin, and splits the chunks here.
import { StringDecoder } from 'node:string_decoder';

export type KeyToken =
  /** One key: an escape sequence (with an Alt/ESC prefix if any), a control character, or one printable character. */
  | { kind: 'key'; raw: string }
  /** Several printable characters in one read: a paste, or keys typed faster than the UI read them. */
  | { kind: 'text'; text: string }
  /** Text between bracketed-paste markers (ESC[200~ ... ESC[201~). */
  | { kind: 'paste'; text: string };

export interface Split {
  tokens: KeyToken[];
  /** The start of a sequence the input ended in the middle of: kept for the next read. */
  pending: string;
}

const ESC = '\u001b';
const PASTE_START = '\u001b[200~';
const PASTE_END = '\u001b[201~';

/**
 * How long an input that ends in the middle of an escape sequence (a lone ESC above all) waits for
 * the rest: htop's ESCDELAY (25 ms). A terminal writes a key's whole sequence at once, but ssh or a
 * serial console may deliver it in two reads; a person does not press Esc and another key within
 * 25 ms. Ink waits only until the end of the current event-loop turn (setImmediate), which splits
 * such a late F10 into Esc, '[', '2', '1', '~'.
 */
export const ESC_DELAY_MS = 25;

/** A pending bracketed paste longer than this is delivered as it is (its end marker may be lost). */
const MAX_PENDING = 64 * 1024;

const isControl = (c: number): boolean => c < 0x20 || (c >= 0x7f && c <= 0x9f);
const isFinal = (c: number): boolean => c >= 0x40 && c <= 0x7e;
/** CSI parameter (0x30–0x3f) and intermediate (0x20–0x2f) bytes. */
const isCsiMiddle = (c: number): boolean => c >= 0x20 && c <= 0x3f;

type Seq = { end: number } | 'pending' | { broken: number };

/**
 * An escape sequence starting at `i` (input[i] is ESC): CSI `ESC [ params final` (with the linux
 * console's extra `[`: ESC[[A is its F1), SS3 `ESC O final` (xterm's F1–F4, keypad cursor keys).
 * `broken` when a byte that cannot be in the sequence comes first (end of what was consumed).
 */
function sequenceAt(input: string, i: number): Seq | undefined {
  const kind = input[i + 1];
  if (kind === undefined) return 'pending';
  if (kind === 'O') {
    if (i + 2 >= input.length) return 'pending';
    return isFinal(input.charCodeAt(i + 2)) ? { end: i + 3 } : { broken: i + 2 };
  }
  if (kind !== '[') return undefined;
  let j = i + 2;
  if (input[j] === '[') j++;
  for (; j < input.length; j++) {
    const c = input.charCodeAt(j);
    if (isCsiMiddle(c)) continue;
    return isFinal(c) ? { end: j + 1 } : { broken: j };
  }
  return 'pending';
}

/** Split one read (after what was pending from the last) into keys. Pure. */
export function splitKeys(input: string): Split {
  const tokens: KeyToken[] = [];
  const key = (raw: string): void => void tokens.push({ kind: 'key', raw });
  let i = 0;
  while (i < input.length) {
    const c = input.charCodeAt(i);
    if (input[i] === ESC) {
      const seq = sequenceAt(input, i);
      if (seq === 'pending') return { tokens, pending: input.slice(i) };
      if (seq && 'end' in seq) {
        const raw = input.slice(i, seq.end);
        if (raw === PASTE_START) {
          const close = input.indexOf(PASTE_END, seq.end);
          if (close < 0) return { tokens, pending: input.slice(i) };
          tokens.push({ kind: 'paste', text: input.slice(seq.end, close) });
          i = close + PASTE_END.length;
        } else {
          key(raw);
          i = seq.end;
        }
        continue;
      }
      if (seq) {
        // Not a sequence after all: what was consumed is one unknown key (ignored), never typed text.
        key(input.slice(i, seq.broken));
        i = seq.broken;
        continue;
      }
      if (input[i + 1] === ESC) {
        // ESC before a sequence is Alt+that key (ESC ESC [ A); before anything else, a lone Esc.
        const inner = sequenceAt(input, i + 1);
        if (inner === 'pending') return { tokens, pending: input.slice(i) };
        if (inner && 'end' in inner) {
          key(input.slice(i, inner.end));
          i = inner.end;
        } else {
          key(ESC);
          i++;
        }
        continue;
      }
      // Alt+key: ESC and one character (a code point: it may be a surrogate pair).
      const cp = input.codePointAt(i + 1)!;
      const end = i + 1 + (cp > 0xffff ? 2 : 1);
      key(input.slice(i, end));
      i = end;
      continue;
    }
    if (isControl(c)) {
      key(input[i]!);
      i++;
      continue;
    }
    let j = i;
    while (j < input.length && !isControl(input.charCodeAt(j))) j++;
    const run = input.slice(i, j);
    if ([...run].length === 1) key(run);
    else tokens.push({ kind: 'text', text: run });
    i = j;
  }
  return { tokens, pending: '' };
}

/** What was pending when no more input came: a lone Esc (or two), an open paste, or an unknown key. */
export function flushPending(pending: string): KeyToken[] {
  if (!pending) return [];
  if (pending.startsWith(PASTE_START)) return [{ kind: 'paste', text: pending.slice(PASTE_START.length) }];
  if (pending === ESC) return [{ kind: 'key', raw: ESC }];
  if (pending.startsWith(ESC + ESC)) return [{ kind: 'key', raw: ESC }, ...flushPending(pending.slice(1))];
  return [{ kind: 'key', raw: pending }];
}

/** A stream's chunks (strings, or bytes decoded as UTF-8 across reads) to key tokens. */
export class KeySplitter {
  private pending = '';
  private readonly decoder = new StringDecoder('utf8');

  push(chunk: string | Buffer): KeyToken[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const r = splitKeys(this.pending + text);
    this.pending = r.pending;
    return this.pending.length > MAX_PENDING ? [...r.tokens, ...this.flush()] : r.tokens;
  }

  hasPending(): boolean {
    return this.pending !== '';
  }

  flush(): KeyToken[] {
    const p = this.pending;
    this.pending = '';
    return flushPending(p);
  }
}

/**
 * The App's reader: chunks in, key tokens out in read order; what is pending at a chunk's end is
 * delivered after ESC_DELAY_MS without more input.
 */
export function keyReader(onKeys: (tokens: KeyToken[]) => void, delayMs = ESC_DELAY_MS): { data(chunk: string | Buffer): void; close(): void } {
  const split = new KeySplitter();
  let timer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  return {
    data(chunk) {
      stop();
      const tokens = split.push(chunk);
      if (tokens.length) onKeys(tokens);
      if (split.hasPending()) {
        timer = setTimeout(() => {
          timer = undefined;
          const rest = split.flush();
          if (rest.length) onKeys(rest);
        }, delayMs);
      }
    },
    close: stop,
  };
}
