// What a terminal sends, split into keys as the App reads them (src/ui/keysplit.ts): the F-keys of
// xterm, rxvt and the linux console, cursor keys in both modes, several keys in one read (tmux
// sends `send-keys F1 F10 j` as one write), Alt, pastes, UTF-8, and sequences cut in two by a slow
// link, which wait ESC_DELAY_MS for their end.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeKey } from '../../src/ui/keymap.js';
import { ESC_DELAY_MS, KeySplitter, flushPending, keyReader, splitKeys, type KeyToken } from '../../src/ui/keysplit.js';

const E = '\u001b';
/** A token as the keymap names it: f10, up, q; text and pastes marked; an unknown key as its bytes. */
const name = (t: KeyToken): string => (t.kind === 'key' ? decodeKey(t.raw) ?? JSON.stringify(t.raw) : `${t.kind}:${t.text}`);
/** Reads in order through one splitter, then whatever is still pending flushed (no more input came). */
function keys(...reads: (string | Buffer)[]): string[] {
  const s = new KeySplitter();
  const out = reads.flatMap((r) => s.push(r));
  return [...out, ...s.flush()].map(name);
}

describe('splitKeys: one read into keys', () => {
  it('names the F-keys of xterm (SS3 F1-F4, CSI ~ F5-F12), rxvt (ESC[11~-14~) and the linux console (ESC[[A-E)', () => {
    const xterm = [`${E}OP`, `${E}OQ`, `${E}OR`, `${E}OS`, `${E}[15~`, `${E}[17~`, `${E}[18~`, `${E}[19~`, `${E}[20~`, `${E}[21~`, `${E}[23~`, `${E}[24~`];
    expect(keys(xterm.join(''))).toEqual(['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9', 'f10', 'f11', 'f12']);
    expect(keys(`${E}[11~${E}[12~${E}[13~${E}[14~${E}[7~${E}[8~`)).toEqual(['f1', 'f2', 'f3', 'f4', 'home', 'end']);
    expect(keys(`${E}[[A${E}[[B${E}[[C${E}[[D${E}[[E`)).toEqual(['f1', 'f2', 'f3', 'f4', 'f5']);
  });

  it('reads cursor keys in normal (CSI) and application (SS3) mode, modified ones as the plain key, PgUp/PgDn', () => {
    expect(keys(`${E}[A${E}OB${E}[C${E}OD${E}[1;5A${E}[1;2F${E}[5~${E}[6~${E}[H${E}OF`)).toEqual(['up', 'down', 'right', 'left', 'up', 'end', 'pageup', 'pagedown', 'home', 'end']);
  });

  it('splits several keys in one read: what tmux writes for `send-keys F1 F10 j`, and Ink gave us as one event per key', () => {
    expect(keys(`${E}OP${E}[21~j`)).toEqual(['f1', 'f10', 'j']);
    expect(keys(`q\r\t\u007f\u0003\u000c`)).toEqual(['q', 'enter', 'tab', 'backspace', 'ctrl-c', 'ctrl-l']);
  });

  it('keeps printable characters read at once together as text (a paste, or keys typed while the UI was busy)', () => {
    const r = splitKeys(`/tmp/mnt1\r${E}[B`);
    expect(r).toEqual({ tokens: [{ kind: 'text', text: '/tmp/mnt1' }, { kind: 'key', raw: '\r' }, { kind: 'key', raw: `${E}[B` }], pending: '' });
  });

  it('reads Alt+key as one key (ESC and the character), and ESC before a sequence as Alt on it', () => {
    expect(splitKeys(`${E}x${E}${E}[A${E}\r`).tokens).toEqual([{ kind: 'key', raw: `${E}x` }, { kind: 'key', raw: `${E}${E}[A` }, { kind: 'key', raw: `${E}\r` }]);
    // No keymap binding for them: Alt+q is not q.
    expect(decodeKey(`${E}q`)).toBeUndefined();
  });

  it('takes UTF-8 characters whole: one accented letter or emoji is one key, several are text', () => {
    expect(splitKeys('é').tokens).toEqual([{ kind: 'key', raw: 'é' }]);
    expect(splitKeys('😀').tokens).toEqual([{ kind: 'key', raw: '😀' }]);
    expect(splitKeys(`${E}😀`).tokens).toEqual([{ kind: 'key', raw: `${E}😀` }]);
    expect(splitKeys('日本é').tokens).toEqual([{ kind: 'text', text: '日本é' }]);
  });

  it('decodes bytes across reads: a UTF-8 character cut between two reads is one key', () => {
    const b = Buffer.from('é€', 'utf8');
    // é whole after the second read, € (3 bytes) after the third: two reads, two keys.
    expect(keys(b.subarray(0, 1), b.subarray(1, 3), b.subarray(3))).toEqual(['é', '€']);
    expect(keys(b.subarray(0, 1), b.subarray(1))).toEqual(['text:é€']);
    expect(keys(b.subarray(0, 1), b.subarray(1, 2))).toEqual(['é']);
  });

  it('takes a bracketed paste whole, control characters and all, even cut across reads', () => {
    expect(splitKeys(`${E}[200~ky\rq${E}[201~j`).tokens).toEqual([{ kind: 'paste', text: 'ky\rq' }, { kind: 'key', raw: 'j' }]);
    expect(keys(`${E}[200~k`, `y${E}[2`, `01~`)).toEqual(['paste:ky']);
  });

  it('never turns a broken sequence into typed text: what was read of it is one unknown key', () => {
    expect(keys(`${E}[1${'\u0003'}`)).toEqual([JSON.stringify(`${E}[1`), 'ctrl-c']);
    expect(keys(`${E}O\r`)).toEqual([JSON.stringify(`${E}O`), 'enter']);
  });
});

describe('a sequence cut between two reads', () => {
  it('is held at the end of a read and completed by the next one', () => {
    for (const [a, b, want] of [[`${E}`, '[21~', 'f10'], [`${E}[2`, '1~', 'f10'], [`${E}O`, 'P', 'f1'], [`${E}[`, '[A', 'f1'], [`${E}[1;`, '5B', 'down']] as const) {
      const first = splitKeys(`j${a}`);
      expect(first.tokens.map(name)).toEqual(['j']);
      expect(first.pending).toBe(a);
      expect(splitKeys(first.pending + b).tokens.map(name)).toEqual([want]);
    }
  });

  it('is given up when nothing follows: a lone ESC is Esc, two are two, an unfinished sequence an unknown key', () => {
    expect(flushPending(E).map(name)).toEqual(['escape']);
    expect(flushPending(`${E}${E}`).map(name)).toEqual(['escape', 'escape']);
    expect(flushPending(`${E}[2`).map(name)).toEqual([JSON.stringify(`${E}[2`)]);
    expect(flushPending(`${E}[200~abc`).map(name)).toEqual(['paste:abc']);
  });
});

describe('keyReader: the App\'s reader on a stream', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  /** A reader on fake timers, and each delivery's key names. */
  const reader = (): { got: string[][]; r: ReturnType<typeof keyReader> } => {
    vi.useFakeTimers();
    const got: string[][] = [];
    return { got, r: keyReader((t) => got.push(t.map(name))) };
  };

  it('delivers a lone ESC after ESC_DELAY_MS, and joins the rest of a sequence arriving before then', () => {
    const { got, r } = reader();
    r.data(E);
    vi.advanceTimersByTime(ESC_DELAY_MS - 1);
    expect(got).toEqual([]);
    r.data('[21~');
    expect(got).toEqual([['f10']]);
    r.data(`j${E}`);
    expect(got).toEqual([['f10'], ['j']]);
    vi.advanceTimersByTime(ESC_DELAY_MS);
    expect(got).toEqual([['f10'], ['j'], ['escape']]);
    r.close();
  });

  it('drops what is pending when closed (the App unmounting): nothing fires later', () => {
    const { got, r } = reader();
    r.data(E);
    r.close();
    vi.advanceTimersByTime(10 * ESC_DELAY_MS);
    expect(got).toEqual([]);
  });
});
