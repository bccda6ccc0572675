// `node --import tsx bench/keys-ab.ts A.mjs B.mjs [rounds]`: keypress to redraw of two bundles,
// interleaved in tmux (the before/after of a UI change on a shared box): with 5,000 blocked tasks
// in a synthetic replay (the redraw alone), then (as root) with 5,000 writers in D on a frozen
// mount, refreshing every second (bench/run.ts's `keys` and `big` parts, same key sequence).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { blockedThreads, frozenWedge, median, percentile, SHM, sleep, startSleepers, type Sleepers } from './live.js';
import { keypressLatency, killTmux } from './tui.js';
import { writeSynthetic } from './synth.js';

const [a, b, n] = process.argv.slice(2);
const rounds = Number(n ?? 3);
const seq = ['j', 'j', 'j', 'End', 'Home', 'PageDown', 'Up', 'j', 'PageDown', 'Down', 'End', 'Up', 'Home', 'j'];
const stats = (xs: number[]): string => `median ${median(xs).toFixed(0)} p90 ${percentile(xs, 90).toFixed(0)} max ${Math.max(...xs).toFixed(0)} ms (n ${xs.length})`;

async function ab(what: string, extra: string[]): Promise<void> {
  const res: Record<string, number[]> = { [a!]: [], [b!]: [] };
  for (let i = 0; i < rounds; i++) {
    for (const x of i % 2 ? [b!, a!] : [a!, b!]) {
      const r = await keypressLatency([process.execPath, x, ...extra], seq);
      res[x]!.push(...r.presses.map((p) => p.ms));
    }
  }
  for (const [k, v] of Object.entries(res)) console.log(`${what}: ${path.basename(k)} ${stats(v)}`);
}

const dir = path.join(SHM, `wt-bench-keys-ab-${process.pid}`);
let writers: Sleepers | undefined;
let wedge: Awaited<ReturnType<typeof frozenWedge>> | undefined;
try {
  writeSynthetic(dir, { tasks: 20_000, threadsPerProcess: 20, blocked: 5000, chainLength: 8 });
  await ab('replay, 5,000 D, no refresh', ['--replay', dir, '--interval', '3600']);
  if (process.getuid?.() === 0) {
    wedge = await frozenWedge(5, 0);
    writers = await startSleepers(5050, 50, `${wedge.mount}/data/many`);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && blockedThreads() < 5000) await sleep(500);
    await ab('live, 5,000 D, --interval 1', ['--interval', '1']);
  }
} finally {
  killTmux();
  if (wedge) spawnSync('fsfreeze', ['-u', wedge.mount], { stdio: 'ignore' });
  writers?.stop();
  wedge?.down();
  fs.rmSync(dir, { recursive: true, force: true });
}
