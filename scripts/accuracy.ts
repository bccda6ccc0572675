// `npm run accuracy`: replay every recorded wedge in test/fixtures/<family>/ that has a
// ground-truth.json and print fixture, expected, got, right (the diagnosis corpus of issue 9).
// Exit status 1 when any top root cause or first remedy differs from its ground truth.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { collect } from '../src/procfs/collect.js';
import { ReplaySource } from '../src/procfs/source.js';
import { analyze } from '../src/graph/analyze.js';

interface GroundTruth {
  proved: string;
  expect: { rootCauseId: string; remedyAction: string | null };
}

const root = path.resolve(import.meta.dirname, '..', 'test', 'fixtures');
const rows: string[][] = [['fixture', 'proved', 'expected', 'got', 'right']];
let wrong = 0;
for (const d of fs.readdirSync(root).sort()) {
  const gtFile = path.join(root, d, 'ground-truth.json');
  if (!fs.existsSync(gtFile)) continue;
  const gt = JSON.parse(fs.readFileSync(gtFile, 'utf8')) as GroundTruth;
  const meta = JSON.parse(fs.readFileSync(path.join(root, d, 'meta.json'), 'utf8')) as { time: string };
  const a = analyze(collect(new ReplaySource(path.join(root, d)), { now: Date.parse(meta.time) }));
  const top = a.rootCauses[0];
  const want = `${gt.expect.rootCauseId} / ${gt.expect.remedyAction ?? 'none'}`;
  const got = `${top?.id ?? '-'} / ${top?.remedies[0]?.action ?? 'none'}`;
  const ok = want === got;
  if (!ok) wrong++;
  rows.push([d, gt.proved, want, got, ok ? 'yes' : 'NO']);
}
const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) process.stdout.write(r.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd() + '\n');
process.stdout.write(`${rows.length - 1 - wrong} of ${rows.length - 1} right\n`);
process.exitCode = wrong ? 1 : 0;
