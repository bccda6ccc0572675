// Regenerate the fixture-only families (test/fixtures/<name>: snapshot and ground truth) from
// test/support/families.ts. test/engine/families.test.ts checks the committed directories still match.
import * as fs from 'node:fs';
import { writeFixture } from '../test/support/corpus.js';
import { FAMILY_FIXTURES } from '../test/support/families.js';

for (const f of FAMILY_FIXTURES) {
  const dir = `test/fixtures/${f.name}`;
  fs.rmSync(dir, { recursive: true, force: true });
  writeFixture(dir, f.spec(), f.truth);
  console.log(`wrote ${dir}`);
}
