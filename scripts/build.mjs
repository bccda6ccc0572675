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
      // Ink makes a new Output, with empty caches, for every frame, and tokenises every styled
      // line of the screen again (half of a frame's cost). Lines rarely change between frames
      // (a cursor move changes two), so one set of caches is kept across frames, emptied when
      // it holds a few screens' worth of lines. The cached values are never mutated by Ink.
      name: 'ink-output-caches',
      setup(b) {
        b.onLoad({ filter: /[\\/]ink[\\/]build[\\/]output\.js$/ }, async (args) => {
          const src = await fs.promises.readFile(args.path, 'utf8');
          const from = '    caches = new OutputCaches();';
          if (!src.includes(from)) throw new Error(`ink-output-caches: "${from.trim()}" not found in ${args.path}: Ink changed, update the build`);
          // A cached line costs ~10 KB (an object per character): a few screens' worth at most.
          const shared = [
            'let wtSharedCaches;',
            'function wtCaches() {',
            '    const c = wtSharedCaches;',
            '    if (c && c.styledChars.size < 300 && c.blockWidths.size < 1000 && c.widths.size < 4000) return c;',
            '    return (wtSharedCaches = new OutputCaches());',
            '}',
          ].join('\n');
          return { contents: `${src.replace(from, '    caches = wtCaches();')}\n${shared}\n`, loader: 'js' };
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
