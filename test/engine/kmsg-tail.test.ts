// The live collector's kernel log tail and the one-shot read go through the same /dev/kmsg
// reader (src/procfs/kmsg.ts): the tail keeps what its filter wants of the same records, and a
// record it has read once is not read again.
import { afterEach, describe, expect, it } from 'vitest';
import { KmsgTail, readKmsgNonBlocking } from '../../src/procfs/kmsg.js';
import { parseKmsg } from '../../src/procfs/parse.js';
import { isRoot } from '../support/wedge.js';

const tails: KmsgTail[] = [];
afterEach(() => {
  for (const t of tails.splice(0)) t.close();
});

function tail(keep: (text: string) => boolean): KmsgTail {
  const t = new KmsgTail(keep);
  tails.push(t);
  return t;
}

const seqs = (raw: string | undefined): number[] => parseKmsg(raw ?? '').map((r) => r.seq);

describe.skipIf(!isRoot)('KmsgTail on the real /dev/kmsg', () => {
  it('keeps the records the one-shot read gives, filtered, and only new ones after', () => {
    const all = tail(() => true);
    const first = seqs(all.read());
    const fresh = seqs(readKmsgNonBlocking());
    expect(first.length).toBeGreaterThan(0);
    // Records logged in between may be in `fresh` only; every one the tail has is in it (the
    // ring does not wrap in a few ms).
    expect(fresh).toEqual(expect.arrayContaining(first));
    // Read again: what it had, then only records newer than those.
    const second = seqs(all.read());
    expect(second.slice(0, first.length)).toEqual(first);
    for (const s of second.slice(first.length)) expect(s).toBeGreaterThan(first[first.length - 1]!);
    expect(new Set(second).size).toBe(second.length);
  });

  it('keeps only what its filter wants', () => {
    const texts = parseKmsg(readKmsgNonBlocking() ?? '').map((r) => r.text);
    const word = texts[texts.length - 1]!.split(/\s+/)[0]!;
    const kept = parseKmsg(tail((t) => t.startsWith(word)).read() ?? '');
    expect(kept.length).toBeGreaterThan(0);
    for (const r of kept) expect(r.text.startsWith(word)).toBe(true);
    expect(tail(() => false).read()).toBe('');
  });
});
