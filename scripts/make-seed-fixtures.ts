// Regenerate test/fixtures/seed-000 and seed-004 from test/support/seeds.ts.
// test/seeds.test.ts checks the committed directories still match.
import * as fs from 'node:fs';
import { writeSnapshotDir } from '../test/support/snapdir.js';
import { seed000, seed004 } from '../test/support/seeds.js';

for (const [name, spec] of [['seed-000', seed000()], ['seed-004', seed004()]] as const) {
  const dir = `test/fixtures/${name}`;
  fs.rmSync(dir, { recursive: true, force: true });
  writeSnapshotDir(dir, spec);
  console.log(`wrote ${dir}`);
}
