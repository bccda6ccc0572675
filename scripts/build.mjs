// Bundle the whole program into one file, dist/wedgetop.mjs, that runs with plain `node`.
// `--if-stale` skips the build when the bundle is newer than every source file, this script, the
// Ink patches and the installed packages (npm rewrites node_modules/.package-lock.json on install).
import { build } from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { patchInk } from './ink-patches.mjs';

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

// Ink as the tests run it: patched in node_modules (idempotent; see scripts/ink-patches.mjs).
const patched = patchInk();
if (patched.length) process.stderr.write(`build: patched Ink's ${patched.join(', ')}\n`);

const mtime = (p) => (fs.existsSync(p) ? fs.statSync(p).mtimeMs : 0);
if (process.argv.includes('--if-stale') && fs.existsSync(out) && !patched.length) {
  const inputs = Math.max(
    newest(path.join(root, 'src')),
    ...['package.json', 'package-lock.json', 'scripts/build.mjs', 'scripts/ink-patches.mjs', 'node_modules/.package-lock.json', 'node_modules/ink/package.json']
      .map((f) => mtime(path.join(root, f))),
  );
  if (fs.statSync(out).mtimeMs >= inputs) process.exit(0);
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
