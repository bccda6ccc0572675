// Bundle the whole program into one file, dist/wedgetop.mjs, that runs with plain `node`.
// `--if-stale` skips the build when the bundle is newer than every source file.
import { build } from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'wedgetop.mjs');

function newest(dir) {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

const INK_PATCHES = {
  // Ink makes a new Output, with empty caches, for every frame, and tokenises every styled line
  // of the screen again (half of a frame's cost). Lines rarely change between frames (a cursor
  // move changes two), so one set of caches is kept across frames, emptied once it holds a few
  // screens' worth: a cached line is ~10 KB (an object per character). Ink never mutates them.
  'output.js': [
    ['    caches = new OutputCaches();', '    caches = wtCaches();'],
    ['export default class Output {', [
      'let wtSharedCaches;',
      'function wtCaches() {',
      '    const c = wtSharedCaches;',
      '    if (c && c.styledChars.size < 300 && c.blockWidths.size < 1000 && c.widths.size < 4000) return c;',
      '    return (wtSharedCaches = new OutputCaches());',
      '}',
      'export default class Output {',
    ].join('\n')],
  ],
  // Two caches that Ink never empties: every distinct line ever drawn stays in memory. A task
  // table whose "blocked for" column changes every second leaks ~50 lines a second, for hours.
  'measure-text.js': [['    cache.set(text, dimensions);', '    if (cache.size >= 2000) cache.clear();\n    cache.set(text, dimensions);']],
  // Layout has just measured the same text (measureText, cached); measuring it again uncached
  // here was a tenth of the TUI's CPU time.
  'render-node-to-output.js': [
    ["import widestLine from 'widest-line';", "import measureText from './measure-text.js';"],
    ['const currentWidth = widestLine(text);', 'const currentWidth = measureText(text).width;'],
  ],
  'wrap-text.js': [
    ['const cache = {};', 'let cache = {};\nlet wtCached = 0;'],
    ['    cache[cacheKey] = wrappedText;', '    if (++wtCached > 2000) {\n        cache = {};\n        wtCached = 1;\n    }\n    cache[cacheKey] = wrappedText;'],
  ],
};

if (process.argv.includes('--if-stale') && fs.existsSync(out)) {
  const src = Math.max(newest(path.join(root, 'src')), fs.statSync(path.join(root, 'package.json')).mtimeMs);
  if (fs.statSync(out).mtimeMs >= src) process.exit(0);
}

await build({
  entryPoints: [path.join(root, 'src', 'main.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  jsx: 'automatic',
  logLevel: 'warning',
  legalComments: 'none',
  // React's production build: the development one is slower and checks what tests already check.
  define: { 'process.env.NODE_ENV': '"production"' },
  plugins: [
    {
      // Ink asks is-in-ci whether to draw frames at all: wedgetop only mounts Ink on a terminal.
      name: 'never-ci',
      setup(b) {
        b.onResolve({ filter: /^is-in-ci$/ }, () => ({ path: path.join(root, 'src', 'vendor', 'is-in-ci.ts') }));
      },
    },
    {
      // Edits to Ink's caches, each a literal replacement that fails the build when Ink changes.
      name: 'ink-caches',
      setup(b) {
        b.onLoad({ filter: /[\\/]ink[\\/]build[\\/][\w-]+\.js$/ }, async (args) => {
          const patches = INK_PATCHES[path.basename(args.path)];
          if (!patches) return undefined;
          let src = await fs.promises.readFile(args.path, 'utf8');
          for (const [from, to] of patches) {
            if (!src.includes(from)) throw new Error(`ink-caches: "${from.trim()}" not found in ${args.path}: Ink changed, update scripts/build.mjs`);
            src = src.replace(from, to);
          }
          return { contents: src, loader: 'js' };
        });
      },
    },
    {
      // Ink loads its React devtools bridge only when DEV=true; an ESM bundle would still hoist
      // the import of that optional package to the top, so give it an inert stand-in.
      name: 'no-devtools',
      setup(b) {
        b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'stub' }));
        b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export default { initialize() {}, connectToDevTools() {} };', loader: 'js' }));
      },
    },
  ],
  // CommonJS dependencies (blessed-contrib, systeminformation) call require(): give the ESM bundle one.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __wtCreateRequire } from 'node:module';\nconst require = __wtCreateRequire(import.meta.url);",
  },
});
fs.chmodSync(out, 0o755);
