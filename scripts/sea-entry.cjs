// Entry of the single executable (Node SEA). SEA's entry must be CommonJS, and Ink 6 / yoga
// use top-level await, which CommonJS cannot hold: so the ESM bundle rides along as an asset,
// is written to a private directory on tmpfs (never a disk that could be frozen) and imported.
const { getAsset } = require('node:sea');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

process.env.WEDGETOP_SEA = '1';
const dir = fs.mkdtempSync('/dev/shm/wedgetop-sea-');
const file = path.join(dir, 'wedgetop.mjs');
fs.writeFileSync(file, Buffer.from(getAsset('wedgetop.mjs')), { mode: 0o600 });
const cleanup = () => {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    /* already gone */
  }
};
process.on('exit', cleanup);
import(pathToFileURL(file).href)
  .then(cleanup)
  .catch((e) => {
    process.stderr.write(`wedgetop: ${e && e.stack ? e.stack : e}\n`);
    process.exitCode = 2;
  });
