// The diagnosis corpus: every directory under test/fixtures/ with a ground-truth.json is a
// recorded (or, for families this kernel cannot build, reconstructed) wedge plus what an expert
// says its answer is. Replayed through exactly the path of `wedgetop --replay DIR`: collect() on
// a ReplaySource, then analyze(). Used by test/engine/corpus.test.ts, `npm run accuracy` and the
// README's diagnosis table (scripts/readme-diagnosis.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Analysis, RemedyAction, RootCause } from '../../src/model.js';
import { analyzeDir } from './replay.js';
import { writeSnapshotDir, type SnapshotSpec } from './snapdir.js';

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const GROUND_TRUTH = 'ground-truth.json';

export type Proved = 'real-wedge' | 'fixture-only';

export interface GroundTruth {
  /** Wait family, e.g. "frozen-fs-xfs"; the README's diagnosis table groups by it. */
  family: string;
  /** Where the wedge came from: the wedge script and kernel, or the published stacks it was rebuilt from (URLs). */
  source: string;
  proved: Proved;
  expect: {
    /** Id (as in --json) of the top-ranked root cause. */
    rootCauseId: string;
    /** Action of that root cause's first remedy; null: wedgetop can apply none. */
    remedyAction: RemedyAction | null;
    /** The exact command of that remedy, when there is one. */
    remedyCommand?: string;
    /** At least this many tasks must be blocked behind that root cause. */
    blockedAtLeast: number;
    /** Text the root cause's advice (the expert remedy wedgetop prints but never runs) must contain. */
    adviceIncludes?: string;
  };
  /** What the admin should see, in one or two sentences. */
  notes: string;
}

const ACTIONS: readonly RemedyAction[] = ['kill', 'thaw', 'fuse-abort', 'cont', 'cgroup-thaw'];

/** Parse a ground-truth.json; the messages say which field is wrong, so a helper adding a fixture can fix it. */
export function parseGroundTruth(text: string, where: string): GroundTruth {
  const fail = (why: string): never => {
    throw new Error(`${where}: ${why}`);
  };
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    return fail(`not JSON (${(e as Error).message})`);
  }
  const o = j as Record<string, unknown>;
  const str = (v: unknown, name: string): string => (typeof v === 'string' && v.length > 0 ? v : fail(`"${name}" must be a non-empty string`));
  if (typeof o !== 'object' || o === null) fail('must be an object');
  const family = str(o.family, 'family');
  const source = str(o.source, 'source');
  const proved = o.proved === 'real-wedge' || o.proved === 'fixture-only' ? o.proved : fail('"proved" must be "real-wedge" or "fixture-only"');
  const notes = str(o.notes, 'notes');
  const e = o.expect as Record<string, unknown> | undefined;
  if (typeof e !== 'object' || e === null) fail('"expect" must be an object');
  const ex = e as Record<string, unknown>;
  const rootCauseId = str(ex.rootCauseId, 'expect.rootCauseId');
  const action = ex.remedyAction === undefined ? null : ex.remedyAction;
  if (action !== null && !ACTIONS.includes(action as RemedyAction)) fail(`"expect.remedyAction" must be null or one of ${ACTIONS.join(', ')}`);
  if (ex.remedyCommand !== undefined && (action === null || typeof ex.remedyCommand !== 'string')) fail('"expect.remedyCommand" needs a remedyAction and must be a string');
  const blockedAtLeast = typeof ex.blockedAtLeast === 'number' && Number.isInteger(ex.blockedAtLeast) && ex.blockedAtLeast >= 1 ? ex.blockedAtLeast : fail('"expect.blockedAtLeast" must be an integer >= 1');
  if (ex.adviceIncludes !== undefined) str(ex.adviceIncludes, 'expect.adviceIncludes');
  return {
    family, source, proved, notes,
    expect: {
      rootCauseId, remedyAction: action as RemedyAction | null, blockedAtLeast,
      ...(ex.remedyCommand !== undefined ? { remedyCommand: ex.remedyCommand as string } : {}),
      ...(ex.adviceIncludes !== undefined ? { adviceIncludes: ex.adviceIncludes as string } : {}),
    },
  };
}

export interface CorpusFixture {
  name: string;
  dir: string;
  truth: GroundTruth;
}

/** Every fixture directory with a ground-truth.json, by name. */
export function corpusFixtures(root = FIXTURES_DIR): CorpusFixture[] {
  return fs.readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, d.name, GROUND_TRUTH)))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const dir = path.join(root, name);
      const file = path.join(dir, GROUND_TRUTH);
      return { name, dir, truth: parseGroundTruth(fs.readFileSync(file, 'utf8'), `test/fixtures/${name}/${GROUND_TRUTH}`) };
    });
}

/** The advice text of a root cause, whichever field the engine gives it (root cause or remedy). */
export function adviceOf(rc: RootCause): string {
  const r = rc as RootCause & { advice?: string | string[] };
  const own = Array.isArray(r.advice) ? r.advice.join('\n') : r.advice ?? '';
  const rem = rc.remedies.map((x) => (x as { advice?: string }).advice ?? '').filter(Boolean).join('\n');
  return [own, rem].filter(Boolean).join('\n');
}

export interface CorpusResult {
  fixture: string;
  family: string;
  proved: Proved;
  expected: string;
  got: string;
  right: boolean;
  /** One line per mismatch; empty when right. */
  problems: string[];
}

const describeExpect = (e: GroundTruth['expect']): string =>
  `${e.rootCauseId} / ${e.remedyAction === null ? 'no remedy' : e.remedyCommand ?? e.remedyAction} / >=${e.blockedAtLeast} blocked`;

const describeRoot = (rc: RootCause | undefined): string => {
  if (!rc) return 'no root cause';
  const r = rc.remedies[0];
  return `${rc.id} / ${r ? r.command : 'no remedy'} / ${rc.blocked} blocked`;
};

/** Compare the top root cause of an analysis with the ground truth. */
export function judge(f: CorpusFixture, a: Analysis): CorpusResult {
  const e = f.truth.expect;
  const rc = a.rootCauses[0];
  const problems: string[] = [];
  if (!rc) problems.push(`no root cause at all (expected ${e.rootCauseId})`);
  else {
    if (rc.id !== e.rootCauseId) {
      const at = a.rootCauses.findIndex((r) => r.id === e.rootCauseId);
      problems.push(`top root cause is ${rc.id} (${rc.label}), expected ${e.rootCauseId}${at > 0 ? ` (ranked #${at + 1})` : ' (not found at all)'}`);
    }
    const first = rc.remedies[0];
    if (e.remedyAction === null) {
      if (first) problems.push(`wedgetop offers "${first.command}" but no remedy it can apply is right here`);
    } else if (!first) problems.push(`no remedy offered, expected ${e.remedyAction}${e.remedyCommand ? ` (${e.remedyCommand})` : ''}`);
    else {
      if (first.action !== e.remedyAction) problems.push(`first remedy is ${first.action} (${first.command}), expected ${e.remedyAction}`);
      if (e.remedyCommand !== undefined && first.command !== e.remedyCommand) problems.push(`remedy command is "${first.command}", expected "${e.remedyCommand}"`);
    }
    if (rc.blocked < e.blockedAtLeast) problems.push(`only ${rc.blocked} tasks blocked behind it, expected at least ${e.blockedAtLeast}`);
    if (e.adviceIncludes !== undefined && !adviceOf(rc).includes(e.adviceIncludes)) {
      problems.push(`advice ${JSON.stringify(adviceOf(rc) || '(none)')} does not say "${e.adviceIncludes}"`);
    }
  }
  return {
    fixture: f.name, family: f.truth.family, proved: f.truth.proved,
    expected: describeExpect(e), got: describeRoot(rc), right: problems.length === 0, problems,
  };
}

/** Replay one fixture exactly as `wedgetop --replay DIR` does and judge it. */
export function evaluate(f: CorpusFixture): CorpusResult {
  let a: Analysis;
  try {
    a = analyzeDir(f.dir);
  } catch (err) {
    const e = f.truth.expect;
    return { fixture: f.name, family: f.truth.family, proved: f.truth.proved, expected: describeExpect(e), got: 'replay failed', right: false, problems: [`replay threw: ${(err as Error).message}`] };
  }
  return judge(f, a);
}

/** Write a fixture from its builder: the snapshot and its ground truth (for fixture builder scripts). */
export function writeFixture(dir: string, spec: SnapshotSpec, truth: GroundTruth): void {
  writeSnapshotDir(dir, spec);
  fs.writeFileSync(path.join(dir, GROUND_TRUTH), JSON.stringify(truth, null, 2) + '\n');
}
