// Regenerate test/fixtures/seed-000 and seed-004 (snapshot and ground truth) from test/support/seeds.ts.
// test/engine/seeds.test.ts checks the committed directories still match.
import * as fs from 'node:fs';
import { writeFixture } from '../test/support/corpus.js';
import { SEED000_TRUTH, SEED004_TRUTH, seed000, seed004 } from '../test/support/seeds.js';

for (const [name, spec, truth] of [['seed-000', seed000(), SEED000_TRUTH], ['seed-004', seed004(), SEED004_TRUTH]] as const) {
  const dir = `test/fixtures/${name}`;
  fs.rmSync(dir, { recursive: true, force: true });
  writeFixture(dir, spec, truth);
  console.log(`wrote ${dir}`);
}
