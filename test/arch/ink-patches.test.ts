// wedgetop runs a patched Ink (scripts/ink-patches.mjs): the tests must run the Ink that ships,
// and a patch that no longer applies to Ink's published files must fail here, not silently.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script without type declarations
import * as patches from '../../scripts/ink-patches.mjs';

interface Patches {
  INK_DIR: string;
  INK_PATCHES: Record<string, { why: string; upstream: string; edits: [string, string][] }>;
  applyEdits(file: string, pristine: string): string;
  pristineOf(inkDir: string, file: string): string;
  unpatched(inkDir?: string): string[];
  patchInk(inkDir?: string): string[];
  WT_NARROW_RANGES: [number, number][];
}
const P = patches as Patches;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('Ink as installed', () => {
  it('is patched: the files vitest loads are the ones the bundle is built from', () => {
    expect(P.unpatched()).toEqual([]);
    // The Ink this test process resolves is that same directory.
    const resolved = path.dirname(createRequire(import.meta.url).resolve('ink'));
    expect(fs.realpathSync(resolved)).toBe(fs.realpathSync(path.join(P.INK_DIR, 'build')));
  });

  it('takes every patch, each once, on its published files', () => {
    for (const file of Object.keys(P.INK_PATCHES)) {
      const pristine = P.pristineOf(P.INK_DIR, file);
      const out = P.applyEdits(file, pristine);
      for (const [, to] of P.INK_PATCHES[file]!.edits) expect(out).toContain(to);
      expect(fs.readFileSync(path.join(P.INK_DIR, 'build', file), 'utf8')).toBe(out);
    }
  });

  it('names, for each patch, why and the upstream issue or PR it mirrors', () => {
    for (const [file, p] of Object.entries(P.INK_PATCHES)) {
      expect(p.why.length, file).toBeGreaterThan(20);
      expect(p.upstream, file).toMatch(/vadimdemedes\/ink#\d+|^ours \(no upstream issue\)$/);
    }
  });

  it('no longer asks is-in-ci: no Ink module that ships imports it', () => {
    const build = path.join(P.INK_DIR, 'build');
    const importers = fs.readdirSync(build).filter((f) => f.endsWith('.js') && /from 'is-in-ci'/.test(fs.readFileSync(path.join(build, f), 'utf8')));
    expect(importers).toEqual([]);
  });
});

describe('the patcher', () => {
  const copy = (): string => {
    const d = fs.mkdtempSync('/dev/shm/wedgetop-inkpatch-');
    fs.mkdirSync(path.join(d, 'build'));
    fs.copyFileSync(path.join(P.INK_DIR, 'package.json'), path.join(d, 'package.json'));
    for (const f of Object.keys(P.INK_PATCHES)) fs.writeFileSync(path.join(d, 'build', f), P.pristineOf(P.INK_DIR, f));
    return d;
  };

  it('patches a pristine Ink once, and a second run writes nothing', () => {
    const d = copy();
    try {
      expect(P.patchInk(d).sort()).toEqual(Object.keys(P.INK_PATCHES).sort());
      expect(P.patchInk(d)).toEqual([]);
      expect(P.unpatched(d)).toEqual([]);
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it('fails loudly, naming the file and the text, when Ink changed under a patch', () => {
    const d = copy();
    try {
      const f = path.join(d, 'build', 'measure-text.js');
      fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('cache.set(text, dimensions);', 'cache.put(text, dimensions);'));
      expect(() => P.patchInk(d)).toThrow(/measure-text\.js: "cache\.set\(text, dimensions\);" not found: Ink changed/);
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it('runs at npm install (postinstall), and npm start rebuilds when it or the packages change', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.postinstall).toBe('node scripts/ink-patches.mjs');
    const build = fs.readFileSync(path.join(root, 'scripts/build.mjs'), 'utf8');
    for (const f of ['scripts/build.mjs', 'scripts/ink-patches.mjs', 'package-lock.json', 'node_modules/.package-lock.json']) expect(build).toContain(`'${f}'`);
  });
});

describe("the row cache (output.js): every frame exactly as Ink's own get() draws it", () => {
  interface Op { x: number; y: number; text: string; transformers: ((line: string, index: number) => string)[] }
  interface InkOutput { write(x: number, y: number, text: string, o: { transformers: Op['transformers'] }): void; clip(c: object): void; unclip(): void; get(): { output: string; height: number }; wtInkGet(): { output: string; height: number } }

  it('draws the same rows for styled, wide, multi-line, overlapping and off-screen writes, cached or not', async () => {
    const { default: Output } = (await import(path.join(P.INK_DIR, 'build', 'output.js'))) as { default: new (o: { width: number; height: number }) => InkOutput };
    const sgr = (code: string, t: string): string => `\u001b[${code}m${t}\u001b[0m`;
    const texts = [
      'hello', `${sgr('31', 'red')} plain ${sgr('1;44', 'bold on blue')}`, '日本語のテキスト', 'a\nbb\nccc\ndddd', sgr('7', '  selection bar  '),
      'e\u0301 combining', '😀 wide emoji', `${' '.repeat(90)}far right`, sgr('2', 'dim') + sgr('33', '▶ │ █'),
    ];
    const green = (l: string, i: number): string => `${sgr('32', l)}${i}`;
    const checked: string[] = [];
    // Twice over: the second round is answered from the cache the first one filled.
    for (let round = 0; round < 2; round++) {
      for (let trial = 0; trial < 600; trial++) {
        const w = 20 + (trial % 50);
        const h = 1 + (trial % 9);
        const o = new Output({ width: w, height: h });
        for (let i = 0; i < trial % 6; i++) {
          o.write((trial * 13 + i * 5) % (w + 3), (trial + i * 2) % (h + 2), texts[(trial * 7 + i * 3) % texts.length]!, { transformers: (trial + i) % 3 ? [] : [green] });
        }
        const got = o.get();
        expect(got).toEqual(o.wtInkGet());
        if (round === 0) checked.push(got.output);
        else expect(got.output).toBe(checked[trial]);
      }
    }
    // Some frames must have drawn something, styled and wide, or the comparison proves little.
    expect(checked.filter((f) => f.includes('\u001b[')).length).toBeGreaterThan(100);
    expect(checked.some((f) => f.includes('日本語'))).toBe(true);
  });

  it("leaves a frame with clipping to Ink's own get()", async () => {
    const { default: Output } = (await import(path.join(P.INK_DIR, 'build', 'output.js'))) as { default: new (o: { width: number; height: number }) => InkOutput };
    const o = new Output({ width: 10, height: 2 });
    o.clip({ x1: 0, x2: 4, y1: 0, y2: 1 });
    o.write(0, 0, 'abcdefgh', { transformers: [] });
    o.unclip();
    expect(o.get()).toEqual(o.wtInkGet());
    expect(o.get().output).toBe('abcd\n');
  });
});

describe('the narrow-line width (measure-text.js): what string-width says, without its segmenter', () => {
  // string-width and widest-line as Ink resolves them.
  const inkRequire = createRequire(path.join(P.INK_DIR, 'package.json'));
  const load = async <T,>(name: string): Promise<T> => ((await import(inkRequire.resolve(name))) as { default: T }).default;

  it('counts one column for every code point it takes the short way', async () => {
    const stringWidth = await load<(s: string) => number>('string-width');
    const wide: string[] = [];
    let n = 0;
    for (const [a, b] of P.WT_NARROW_RANGES) {
      for (let c = a; c <= b; c++, n++) if (stringWidth(String.fromCodePoint(c)) !== 1) wide.push(c.toString(16));
    }
    expect(wide).toEqual([]);
    expect(n).toBeGreaterThan(900);
  });

  it('measures lines as widest-line does: narrow, styled, wide, combining, emoji, other escapes, several lines', async () => {
    const widestLine = await load<(s: string) => number>('widest-line');
    const { default: measureText } = (await import(path.join(P.INK_DIR, 'build', 'measure-text.js'))) as { default: (t: string) => { width: number; height: number } };
    const lines = [
      ' 14430   14430 root      touch           D      12m 03s percpu_rwsem_wait frozen /tmp/mnt1 │',
      '\u001b[7m ▶ 1 ▁▂▃ 5 blocked [u] thaw  frozen-fs /tmp/…/mnt — ≥2s ×\u001b[27m', '\u001b[38;2;1;2;3m┌─┤ ⚠ ✓ ← → ·\u001b[39m',
      '日本語 writer', 'e\u0301 combining', '😀 emoji', '▶\ufe0f presented', '\u001b]8;;http://x\u0007link\u001b]8;;\u0007', 'a\nbb\nccc',
      '\u00ad soft hyphen', 'zero\u200bwidth', '\u25fd square', '\u001b[38:5:1mcolon SGR\u001b[m',
    ];
    for (const l of lines) expect(measureText(l).width, JSON.stringify(l)).toBe(widestLine(l));
  });
});
