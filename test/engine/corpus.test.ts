// The diagnosis corpus: every fixture under test/fixtures/ with a ground-truth.json, replayed
// the way `wedgetop --replay DIR` replays it. The top-ranked root cause must be the one the
// ground truth names, with its remedy, and hold at least as many tasks as the incident did.
// A fixture added by any branch is picked up by its ground-truth.json alone.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, corpusFixtures, evaluate, judge, parseGroundTruth, type CorpusFixture } from '../support/corpus.js';
import { analyzeDir } from '../support/replay.js';

const fixtures = corpusFixtures();

describe('diagnosis corpus', () => {
  it('holds the seeds and the recorded frozen ext4 (the corpus cannot silently be empty)', () => {
    expect(fixtures.map((f) => f.name)).toEqual(expect.arrayContaining(['seed-000', 'seed-004', 'frozen-ext4']));
  });

  it('has a ground truth for every fixture directory (a recording without one would be replayed by nothing)', () => {
    const dirs = fs.readdirSync(FIXTURES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(dirs).toEqual(fixtures.map((f) => f.name));
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s: top root cause, remedy and blocked count are the ground truth', (_name, f) => {
    const r = evaluate(f);
    expect(r.problems, `${f.name} (${f.truth.family}, ${f.truth.proved}):\n  expected ${r.expected}\n  got      ${r.got}\n  ${r.problems.join('\n  ')}`).toEqual([]);
  });
});

describe('the corpus judge', () => {
  const seed = fixtures.find((f) => f.name === 'seed-004')!;
  const a = analyzeDir(seed.dir);
  const withExpect = (e: Partial<CorpusFixture['truth']['expect']>): CorpusFixture => ({ ...seed, truth: { ...seed.truth, expect: { ...seed.truth.expect, ...e } } });

  it('fails a wrong top root cause and says where the expected one ranked', () => {
    const r = judge(withExpect({ rootCauseId: 'task:1693' }), a);
    expect(r.right).toBe(false);
    expect(r.problems).toEqual(['top root cause is frozen-fs:/var (frozen filesystem /var (ext4 on /dev/mapper/vg-var)), expected task:1693 (not found at all)']);
  });

  it('fails a wrong remedy action or command, and too few blocked tasks', () => {
    expect(judge(withExpect({ remedyAction: 'kill' }), a).problems).toEqual(['first remedy is thaw (fsfreeze -u /var), expected kill']);
    expect(judge(withExpect({ remedyCommand: 'fsfreeze -u /' }), a).problems).toEqual(['remedy command is "fsfreeze -u /var", expected "fsfreeze -u /"']);
    expect(judge(withExpect({ blockedAtLeast: 7 }), a).problems).toEqual(['only 6 tasks blocked behind it, expected at least 7']);
  });

  it('fails a remedy offered where none applies, and missing advice', () => {
    const none = judge({ ...seed, truth: { ...seed.truth, expect: { rootCauseId: 'frozen-fs:/var', remedyAction: null, blockedAtLeast: 1 } } }, a);
    expect(none.problems).toEqual(['wedgetop offers "fsfreeze -u /var" but no remedy it can apply is right here']);
    expect(judge(withExpect({ adviceIncludes: 'umount -f' }), a).problems).toEqual(['advice "(none)" does not say "umount -f"']);
  });

  it('reports a fixture whose replay throws as a miss, not a crash', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wedgetop-corpus-'));
    const r = evaluate({ name: 'broken', dir, truth: seed.truth });
    expect(r.right).toBe(false);
    expect(r.got).toBe('replay failed');
  });

  it('rejects a malformed ground-truth.json with the field that is wrong', () => {
    const ok = JSON.parse(fs.readFileSync(path.join(seed.dir, 'ground-truth.json'), 'utf8')) as Record<string, unknown>;
    expect(() => parseGroundTruth('{', 'x.json')).toThrow(/^x\.json: not JSON/);
    expect(() => parseGroundTruth(JSON.stringify({ ...ok, proved: 'yes' }), 'x.json')).toThrow('x.json: "proved" must be "real-wedge" or "fixture-only"');
    expect(() => parseGroundTruth(JSON.stringify({ ...ok, expect: { rootCauseId: 'a', remedyAction: 'reboot', blockedAtLeast: 1 } }), 'x.json')).toThrow(/remedyAction/);
    expect(() => parseGroundTruth(JSON.stringify({ ...ok, expect: { rootCauseId: 'a', remedyAction: null, blockedAtLeast: 0 } }), 'x.json')).toThrow(/blockedAtLeast/);
    expect(parseGroundTruth(JSON.stringify(ok), 'x.json')).toEqual(seed.truth);
  });
});
