// Per-refresh store work on the packed message bench/ui-harness.tsx caches: index, rows, frame.
import * as fs from 'node:fs';
import { unpackAnalysis, type PackedAnalysis } from '../src/collector/analyst.js';
import { buildRows, indexOf } from '../src/store/derive.js';
import { createUiStore } from '../src/store/store.js';
import { composeFrame } from '../src/ui/frame.js';

const packed = fs.readFileSync(process.argv[2]!, 'utf8');
const caps = { color: true, attrs: true, unicode: true };
const t: Record<string, number[]> = { index: [], rows: [], setAnalysis: [], compose: [], key: [] };
const store = createUiStore({ intervalMs: 1000, timeoutMs: 5000, readOnly: true, dryRun: true, live: true });
store.getState().setViewport({ tableRows: 30 });
for (let r = 0; r < 15; r++) {
  const p = JSON.parse(packed) as PackedAnalysis;
  for (const x of p.packedTasks) if (x.blockedForMs !== undefined) x.blockedForMs += r * 1000;
  const a = unpackAnalysis(p);
  const b = unpackAnalysis(JSON.parse(packed) as PackedAnalysis);
  let t0 = performance.now();
  indexOf(b);
  t.index!.push(performance.now() - t0);
  t0 = performance.now();
  buildRows({ analysis: b, sort: { key: 'blocked', desc: true }, filter: '', collapsed: new Set() });
  t.rows!.push(performance.now() - t0);
  t0 = performance.now();
  store.getState().setAnalysis(a);
  t.setAnalysis!.push(performance.now() - t0);
  t0 = performance.now();
  composeFrame(store.getState(), caps, 160, 50);
  t.compose!.push(performance.now() - t0);
  t0 = performance.now();
  store.getState().move(1);
  composeFrame(store.getState(), caps, 160, 50);
  t.key!.push(performance.now() - t0);
}
const med = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const min = (xs: number[]): number => Math.min(...xs);
process.stdout.write(Object.entries(t).map(([k, v]) => `${k} median ${med(v.slice(3)).toFixed(1)} min ${min(v.slice(3)).toFixed(1)} ms`).join('\n') + '\n');
