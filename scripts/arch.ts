// The layering of src/, checked (test/arch/imports.test.ts runs it; `node --import tsx scripts/arch.ts`
// prints the same findings). Imports run one way: a module may import its own folder or a folder of a
// LOWER rank, never a sibling of the same rank and never upwards; and no import circle, even within a
// folder (type-only imports count: a circle of types is still two modules that cannot be read apart).
// A regex scanner is enough: the project writes every import as `import … from '…'`, `export … from '…'`
// or `import('…')`, with relative paths ending in .js.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Bottom to top. A path is matched by its first entry that it starts with (relative to src/). */
export const LAYERS: { rank: number; name: string; paths: string[]; what: string }[] = [
  { rank: 0, name: 'base', paths: ['model.ts', 'version.ts', 'safefs/', 'text/'], what: 'types shared by every stage; writes that cannot follow a planted symlink; escaping and shell quoting' },
  { rank: 1, name: 'kernel', paths: ['kernel/'], what: 'kernel knowledge as data: signatures, classify, syscalls, kmsg, frame names' },
  { rank: 2, name: 'procfs', paths: ['procfs/'], what: 'reading /proc without blocking: sources, parsers, the declared files (how long a read stays true), kmsg, the snapshot-directory reader, meters' },
  { rank: 3, name: 'graph', paths: ['graph/'], what: 'the engine: snapshot -> resources, holders, waits-on edges, root causes' },
  // Collection asks the engine what to read next (the read -> needs loop) and the collector child
  // ships the Analysis it made: both sit above the engine.
  { rank: 4, name: 'collector', paths: ['collector/'], what: 'demand-driven collection (collect, incremental, replay) and the collector child: read, analyse, ship the Analysis' },
  { rank: 5, name: 'report', paths: ['report/'], what: 'text, JSON, Prometheus renderings of an Analysis' },
  { rank: 5, name: 'actions', paths: ['actions/'], what: 'remedies: plan, guard, execute, follow up, log' },
  { rank: 6, name: 'bundle', paths: ['bundle/'], what: 'support bundles (uses reports and the action log location)' },
  { rank: 7, name: 'store', paths: ['store/'], what: 'UI state (zustand slices) and what the views derive from it' },
  { rank: 7, name: 'app', paths: ['app/'], what: 'options, the snapshot source every mode uses, the --fix mode' },
  { rank: 8, name: 'ui', paths: ['ui/'], what: 'Ink views, keymap, dispatch, the TUI mode' },
  { rank: 9, name: 'entry', paths: ['cli.ts', 'main.ts'], what: 'flags and mode selection; the program entry' },
];

/**
 * Known upward imports, each with the reason it is still there. Keep this list short: the test
 * fails on any upward import not in it, and on an entry here that no longer exists.
 */
export const ALLOWED_UP: { from: string; to: string; why: string }[] = [];

export interface Import {
  from: string;
  to: string;
  line: number;
}

const IMPORT_RE = /(?:^|\n)[ \t]*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|(?:^|\n)[ \t]*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every source file under dir, relative to it, '/'-separated. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (/\.(ts|tsx)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(r);
    }
  };
  walk('');
  return out.sort();
}

/** Strip comments so that an import quoted in a comment does not count (strings are left alone). */
export function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\\])\/\/[^\n]*/g, '$1');
}

/** The relative imports of one file, resolved to files under src/ (package imports are not ours). */
export function importsOf(file: string, text: string, files: Set<string>): Import[] {
  const out: Import[] = [];
  const body = stripComments(text);
  for (const m of body.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    if (!spec.startsWith('.')) continue;
    const joined = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    const base = joined.replace(/\.(js|jsx|ts|tsx)$/, '');
    const to = [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((c) => files.has(c)) ?? joined;
    const line = body.slice(0, m.index).split('\n').length + (m[0].startsWith('\n') ? 1 : 0);
    out.push({ from: file, to, line });
  }
  return out;
}

export function layerOf(file: string): (typeof LAYERS)[number] | undefined {
  return LAYERS.find((l) => l.paths.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p)));
}

export interface Findings {
  unlayered: string[];
  upward: Import[];
  sideways: Import[];
  cycles: string[][];
  staleAllowed: string[];
  imports: Import[];
}

export function check(srcDir: string): Findings {
  const files = sourceFiles(srcDir);
  const set = new Set(files);
  const imports = files.flatMap((f) => importsOf(f, fs.readFileSync(path.join(srcDir, f), 'utf8'), set));
  const unlayered = files.filter((f) => !layerOf(f));
  const upward: Import[] = [];
  const sideways: Import[] = [];
  const allowedSeen = new Set<string>();
  for (const i of imports) {
    const a = layerOf(i.from);
    const b = layerOf(i.to);
    if (!a || !b || a === b) continue;
    if (b.rank > a.rank) {
      const ok = ALLOWED_UP.find((x) => x.from === i.from && x.to === i.to);
      if (ok) allowedSeen.add(`${ok.from} -> ${ok.to}`);
      else upward.push(i);
    } else if (b.rank === a.rank) sideways.push(i);
  }
  const staleAllowed = ALLOWED_UP.map((x) => `${x.from} -> ${x.to}`).filter((k) => !allowedSeen.has(k));
  return { unlayered, upward, sideways, cycles: cyclesOf(files, imports), staleAllowed, imports };
}

/** Strongly connected components with more than one file (or a file importing itself): Tarjan. */
export function cyclesOf(files: string[], imports: Import[]): string[][] {
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const i of imports) next.get(i.from)?.push(i.to);
  let n = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, n);
    low.set(v, n++);
    stack.push(v);
    on.add(v);
    for (const w of next.get(v) ?? []) {
      if (!next.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || next.get(v)!.includes(v)) out.push(comp.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return out;
}

export function describe(f: Findings): string[] {
  const at = (i: Import): string => `src/${i.from}:${i.line} imports src/${i.to}`;
  return [
    ...f.unlayered.map((x) => `src/${x} is in no layer (add its folder to LAYERS in scripts/arch.ts)`),
    ...f.upward.map((i) => `${at(i)}: runs up the layers (${layerOf(i.from)!.name} -> ${layerOf(i.to)!.name})`),
    ...f.sideways.map((i) => `${at(i)}: a sibling layer (${layerOf(i.from)!.name} -> ${layerOf(i.to)!.name}); move the shared part down`),
    ...f.cycles.map((c) => `import circle: ${c.map((x) => `src/${x}`).join(' <-> ')}`),
    ...f.staleAllowed.map((k) => `ALLOWED_UP lists ${k}, which is no longer imported: drop it`),
  ];
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const problems = describe(check(path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'src')));
  for (const p of problems) process.stdout.write(`${p}\n`);
  process.exitCode = problems.length ? 1 : 0;
}
