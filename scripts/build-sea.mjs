// dist/wedgetop: a single executable that needs no Node installed (Node's SEA: the node binary
// with the bundle injected). Requires dist/wedgetop.mjs (npm run build) and postject.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wedgetop-sea-build-'));
try {
  const config = {
    main: path.join(root, 'scripts', 'sea-entry.cjs'),
    output: path.join(work, 'sea-prep.blob'),
    disableExperimentalSEAWarning: true,
    assets: { 'wedgetop.mjs': path.join(dist, 'wedgetop.mjs') },
  };
  fs.writeFileSync(path.join(work, 'sea-config.json'), JSON.stringify(config));
  execFileSync(process.execPath, ['--experimental-sea-config', path.join(work, 'sea-config.json')], { stdio: 'ignore' });
  const out = path.join(dist, 'wedgetop');
  fs.copyFileSync(process.execPath, out);
  fs.chmodSync(out, 0o755);
  execFileSync(process.execPath, [
    path.join(root, 'node_modules', 'postject', 'dist', 'cli.js'),
    out, 'NODE_SEA_BLOB', config.output, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
  ], { stdio: 'ignore' });
  console.log(`wrote ${path.relative(root, out)}`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
