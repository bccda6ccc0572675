// README's diagnosis table is generated from the corpus (scripts/readme-diagnosis.ts): this
// fails when the pasted block differs from what the script prints, e.g. after a branch adds a
// fixture, so "proved on a real wedge" / "fixture only" cannot drift from the ground truth.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLOCK, FAMILIES, README, diagnosisMarkdown } from '../../scripts/readme-diagnosis.js';
import { corpusFixtures, type CorpusFixture } from '../support/corpus.js';

const ROOT = path.dirname(README);

function readmeBlock(): string {
  const m = BLOCK.exec(fs.readFileSync(README, 'utf8'));
  if (!m) throw new Error('README.md has no <!-- diagnosis:start --> ... <!-- diagnosis:end --> block');
  return m[2]!;
}

const rowOf = (md: string, family: string): string | undefined => md.split('\n').find((l) => l.startsWith(`| \`${family}\` |`));

describe('README diagnosis table', () => {
  it('is exactly what `npm run readme-diagnosis` prints (run `npm run readme-diagnosis -- --write` if this fails)', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/readme-diagnosis.ts'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(diagnosisMarkdown());
    expect(readmeBlock()).toBe(r.stdout);
  });

  it('lists every family of the corpus and of issue 9, each with its proof', () => {
    const md = readmeBlock();
    for (const f of corpusFixtures()) expect(rowOf(md, f.truth.family), f.name).toContain(`[\`${f.name}\`]`);
    for (const f of FAMILIES) expect(rowOf(md, f.id), f.id).toMatch(/\| (proved on a real wedge|fixture only|not yet) \|/);
  });

  it('says "proved on a real wedge" only with a real-wedge fixture, "not yet" without any', () => {
    const fx = (family: string, proved: CorpusFixture['truth']['proved'], name: string): CorpusFixture => ({
      name, dir: '/nonexistent', truth: { family, proved, source: 's', notes: 'an unlisted wedge', expect: { rootCauseId: 'x', remedyAction: null, blockedAtLeast: 1 } },
    });
    const md = diagnosisMarkdown([fx('vfork', 'fixture-only', 'a'), fx('vfork', 'real-wedge', 'b'), fx('rtnl-mutex', 'fixture-only', 'c'), fx('brand-new', 'fixture-only', 'd')]);
    expect(rowOf(md, 'vfork')).toMatch(/\| proved on a real wedge \| \[`a`\]\(test\/fixtures\/a\/ground-truth.json\) \[`b`\]/);
    expect(rowOf(md, 'rtnl-mutex')).toContain('| fixture only |');
    expect(rowOf(md, 'nfs-server-gone')).toContain('| not yet | — |');
    expect(rowOf(md, 'brand-new')).toBe('| `brand-new` | an unlisted wedge | x | fixture only | [`d`](test/fixtures/d/ground-truth.json) |');
  });
});
