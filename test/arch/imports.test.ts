// Imports run one way (README "Architecture"): base <- kernel <- procfs <- graph <- collector <-
// report, actions <- bundle <- store, app <- ui <- cli/main. The layers and the one known exception are listed in
// scripts/arch.ts; this test fails on any import up the layers, between siblings, or in a circle.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { check, cyclesOf, describe as explain, importsOf, layerOf, LAYERS } from '../../scripts/arch.js';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

describe('the layering of src/', () => {
  const f = check(src);

  it('puts every source file in a layer', () => {
    expect(f.unlayered).toEqual([]);
  });

  it('has no import that runs up the layers or across to a sibling layer', () => {
    expect(explain({ ...f, cycles: [], unlayered: [] })).toEqual([]);
  });

  it('has no import circle', () => {
    expect(f.cycles.map((c) => c.join(' <-> '))).toEqual([]);
  });

  it('sees the imports it checks (a scanner that finds nothing would pass everything)', () => {
    // cli.ts dispatches to the modes with dynamic imports; the engine imports the kernel tables.
    expect(f.imports.some((i) => i.from === 'cli.ts' && i.to === 'ui/run.tsx')).toBe(true);
    expect(f.imports.some((i) => i.from === 'graph/analyze.ts' && i.to.startsWith('kernel/'))).toBe(true);
    expect(f.imports.length).toBeGreaterThan(200);
  });
});

describe('the scanner itself', () => {
  const files = new Set(['kernel/a.ts', 'procfs/b.ts', 'graph/c.ts', 'graph/d.tsx', 'graph/rules/index.ts']);

  it('reads static, re-export, side-effect and dynamic imports, not ones in comments', () => {
    const text = [
      "import type { X } from '../graph/c.js';",
      "export { Y } from './b.js';",
      "import '../kernel/a.js';",
      "const m = await import('../graph/d.js');",
      "// import { Z } from '../graph/rules/index.js';",
      "import { W } from '../graph/rules/index.js';",
      "import * as fs from 'node:fs';",
    ].join('\n');
    const got = importsOf('procfs/b.ts', text, files).map((i) => `${i.to}:${i.line}`).sort();
    expect(got).toEqual(['graph/c.ts:1', 'graph/d.tsx:4', 'graph/rules/index.ts:6', 'kernel/a.ts:3', 'procfs/b.ts:2']);
  });

  it('finds a circle of three and ignores a chain', () => {
    const imp = (from: string, to: string) => ({ from, to, line: 1 });
    expect(cyclesOf(['a', 'b', 'c', 'd'], [imp('a', 'b'), imp('b', 'c'), imp('c', 'a'), imp('c', 'd')])).toEqual([['a', 'b', 'c']]);
    expect(cyclesOf(['a', 'b'], [imp('a', 'b')])).toEqual([]);
  });

  it('ranks the layers bottom to top as README says', () => {
    const rank = (f: string) => layerOf(f)!.rank;
    expect(rank('model.ts')).toBeLessThan(rank('kernel/signatures.ts'));
    expect(rank('kernel/signatures.ts')).toBeLessThan(rank('procfs/parse.ts'));
    expect(rank('procfs/parse.ts')).toBeLessThan(rank('graph/analyze.ts'));
    expect(rank('graph/analyze.ts')).toBeLessThan(rank('collector/collect.ts'));
    expect(rank('collector/collector.ts')).toBeLessThan(rank('app/source.ts'));
    expect(rank('graph/analyze.ts')).toBeLessThan(rank('report/text.ts'));
    expect(rank('report/text.ts')).toBeLessThan(rank('store/store.ts'));
    expect(rank('store/store.ts')).toBeLessThan(rank('ui/App.tsx'));
    expect(rank('ui/App.tsx')).toBeLessThan(rank('cli.ts'));
    expect(new Set(LAYERS.map((l) => l.name)).size).toBe(LAYERS.length);
  });
});

describe("README's Architecture section", () => {
  const readme = fs.readFileSync(path.join(src, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Architecture'), readme.indexOf('\n## ', readme.indexOf('## Architecture') + 5));

  it('is a true map: every folder and file of src/ in the row of its layer', () => {
    expect(section.length).toBeGreaterThan(100);
    const rows = new Map<string, number>();
    for (const m of section.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)) for (const p of m[2]!.matchAll(/`([^`]+)`/g)) rows.set(p[1]!, Number(m[1]));
    for (const l of LAYERS) for (const p of l.paths) expect(rows.get(p), `${p} in README row ${l.rank}`).toBe(l.rank);
    const top = new Set(fs.readdirSync(src, { withFileTypes: true }).map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).filter((n) => n.endsWith('/') || /\.tsx?$/.test(n)));
    for (const t of top) expect(rows.has(t), `src/${t} in README`).toBe(true);
  });
});
