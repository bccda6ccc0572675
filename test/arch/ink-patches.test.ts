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
