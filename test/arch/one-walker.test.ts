// One walker (issue 10, item 3): src/graph/walk.ts is the only code that follows waits-on edges
// from task to resource to holder, and the only code that turns a whole-process holder (a socket
// owner, a FUSE daemon, a tracer) into its threads. Three walkers used to repeat that expansion
// and drifted apart; this fails on a fourth.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceFiles, stripComments } from '../../scripts/arch.js';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');
const WALKER = 'graph/walk.ts';

/** A read of Resource.holderScope that only picks the words printed for it is not a walk. */
const PRINTS_SCOPE = /\.holderScope\s*===\s*'process'\s*\?\s*'[^'\n]*'\s*:\s*'[^'\n]*'/g;

/** Why a file's code acts on holderScope or walks edges itself: "file:line: what". */
export function walkerFindings(file: string, text: string): string[] {
  if (file === WALKER) return [];
  const out: string[] = [];
  const code = stripComments(text);
  const readsEdges = /\bwaitsOn\b/.test(code);
  code.split('\n').forEach((l, i) => {
    const at = `src/${file}:${i + 1}`;
    if (/\.holderScope\b/.test(l.replace(PRINTS_SCOPE, ''))) out.push(`${at}: decides what a holder is (holderScope)`);
    if (!readsEdges) return;
    // A work list, a pointer chase or a path stack: the shapes every walker of the graph took.
    if (/\.shift\(\)|\b(queue|stack|todo|frontier)\.pop\(\)/.test(l)) out.push(`${at}: a work list over the graph`);
    if (/for\s*\(\s*let\s+(\w+)\b[^;]*;[^;]*;\s*\1\s*=/.test(l)) out.push(`${at}: follows a chain link by link`);
    if (/\bstack\.(indexOf|includes)\(/.test(l)) out.push(`${at}: keeps a path stack for cycles`);
  });
  return out;
}

describe('one walker of the waits-on graph', () => {
  it('has no other module that walks edges or expands a whole-process holder', () => {
    const found = sourceFiles(src).flatMap((f) => walkerFindings(f, fs.readFileSync(path.join(src, f), 'utf8')));
    expect(found).toEqual([]);
  });

  it('reads the walker itself (a scan that sees nothing would pass everything)', () => {
    const text = fs.readFileSync(path.join(src, WALKER), 'utf8');
    expect(text).toMatch(/\.holderScope\b/);
    expect(walkerFindings('graph/other.ts', text).length).toBeGreaterThan(0);
  });

  it('finds each shape of a walk written again, and lets a printed scope or a comment through', () => {
    const walk = [
      'const seen = new Set<string>(); const queue = [k];',
      'while (queue.length) { const cur = queue.shift()!; const rid = waitsOn.get(cur);',
      "  if (r.holderScope === 'process') queue.push(...threadsOf(pid)); }",
      'for (let cur: string | undefined = k; cur && !seen.includes(cur); cur = hop(cur)) seen.push(cur);',
      'const at = stack.indexOf(node);',
    ].join('\n');
    expect(walkerFindings('graph/analyze.ts', walk).map((f) => f.replace(/^src\/graph\/analyze\.ts:\d+: /, ''))).toEqual([
      'a work list over the graph', 'decides what a holder is (holderScope)', 'follows a chain link by link', 'keeps a path stack for cycles',
    ]);
    const fine = [
      "const verb = r.holderScope === 'process' ? 'owned by process' : 'held by';",
      '// a walker once did queue.shift() over waitsOn and r.holderScope here',
    ].join('\n');
    expect(walkerFindings('ui/screens/detail.ts', fine)).toEqual([]);
  });
});
