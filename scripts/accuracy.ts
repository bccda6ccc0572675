// `npm run accuracy`: replay the diagnosis corpus (every test/fixtures/*/ground-truth.json, the
// way `wedgetop --replay DIR` does) and print, per fixture, what the ground truth expects and
// what wedgetop answers. Exits 1 on any miss (test/engine/corpus.test.ts fails on the same ones).
import { pathToFileURL } from 'node:url';
import { corpusFixtures, evaluate, type CorpusResult } from '../test/support/corpus.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|');

export function accuracyTable(results: CorpusResult[]): string {
  const out = ['| fixture | family | proved | expected | got | right |', '|---|---|---|---|---|---|'];
  for (const r of results) {
    out.push(`| ${[r.fixture, r.family, r.proved, r.expected, r.got, r.right ? 'yes' : 'NO'].map(cell).join(' | ')} |`);
  }
  const right = results.filter((r) => r.right).length;
  out.push('', `${right}/${results.length} right`);
  for (const r of results.filter((x) => !x.right)) out.push(`${r.fixture}: ${r.problems.join('; ')}`);
  return out.join('\n') + '\n';
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = corpusFixtures().map(evaluate);
  process.stdout.write(accuracyTable(results));
  process.exitCode = results.every((r) => r.right) ? 0 : 1;
}
