// The diagnosis corpus (issue 9): every recorded wedge under test/fixtures/<family>/ with a
// ground-truth.json must replay to the top root cause and first remedy that freed it for real.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeDir } from '../support/replay.js';

interface GroundTruth {
  family: string;
  proved: 'real-wedge' | 'fixture-only';
  expect: { rootCauseId: string; remedyAction: string | null; remedyCommand?: string | null; blockedAtLeast?: number };
}

const ROOT = path.join(import.meta.dirname, '..', 'fixtures');
const dirs = fs.readdirSync(ROOT).filter((d) => fs.existsSync(path.join(ROOT, d, 'ground-truth.json')));

describe('diagnosis corpus', () => {
  it('has fixtures', () => expect(dirs.length).toBeGreaterThan(0));

  it.each(dirs)('%s replays to its ground truth', (d) => {
    const gt = JSON.parse(fs.readFileSync(path.join(ROOT, d, 'ground-truth.json'), 'utf8')) as GroundTruth;
    expect(gt.family).toBe(d);
    const a = analyzeDir(path.join(ROOT, d));
    const top = a.rootCauses[0];
    expect(top?.id, JSON.stringify(a.rootCauses.map((r) => [r.id, r.blocked]))).toBe(gt.expect.rootCauseId);
    expect(top!.remedies[0]?.action ?? null).toBe(gt.expect.remedyAction);
    if (gt.expect.remedyCommand !== undefined) expect(top!.remedies[0]?.command ?? null).toBe(gt.expect.remedyCommand);
    if (gt.expect.blockedAtLeast !== undefined) expect(top!.blocked).toBeGreaterThanOrEqual(gt.expect.blockedAtLeast);
  });
});
