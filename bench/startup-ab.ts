// `node --import tsx bench/startup-ab.ts A.mjs B.mjs`: start to first frame and to first data of two
// bundles, 7 interleaved runs each in tmux, with 10,000 sleeping threads (the before/after of a start-up change).
import { startSleepers, median, threadCount } from './live.js';
import { firstFrame, killTmux } from './tui.js';
const [a, b] = process.argv.slice(2);
const s = await startSleepers(Math.max(1000, 10000 - threadCount()), 10);
try {
  const res: Record<string, { f: number[]; d: number[] }> = { [a!]: { f: [], d: [] }, [b!]: { f: [], d: [] } };
  for (let i = 0; i < 7; i++) for (const x of [a!, b!]) {
    const r = await firstFrame([process.execPath, x], 1);
    res[x]!.f.push(...r.firstFrameMs);
    res[x]!.d.push(...r.firstDataMs);
  }
  for (const [k, v] of Object.entries(res)) console.log(k, 'first frame median', median(v.f).toFixed(0), 'ms; first data median', median(v.d).toFixed(0), 'ms; runs', v.f.map((x) => x.toFixed(0)).join(' '), '/', v.d.map((x) => x.toFixed(0)).join(' '));
} finally {
  s.stop();
  killTmux();
}
