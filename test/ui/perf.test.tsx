// Keypress to redraw with 5,000 blocked tasks, through Ink: rows are sorted once per analysis and
// only the visible window is built per frame, so the cost is the screen's, not the task count's.
import { describe, expect, it } from 'vitest';
import { bigAnalysis, fixtureAnalysis, KEYS, renderApp, tick } from './helpers.js';

const MARKED = { color: false, attrs: false, unicode: true };

async function keyToFrameMs(n: number): Promise<{ median: number; p90: number }> {
  const base = fixtureAnalysis('frozen-ext4');
  const r = renderApp({ analysis: n > base.tasks.length ? bigAnalysis(n, base) : base, columns: 120, rows: 40, caps: MARKED });
  await r.waitFor((f) => f.includes('PID'));
  const keys = ['down', 'down', 'down', 'up', 'up', 'up'];
  const times: number[] = [];
  for (let i = 0; i < 36; i++) {
    const frame = r.frame();
    const t = performance.now();
    r.write(KEYS[keys[i % keys.length]!]!);
    await r.waitFor((f) => f !== frame, `redraw after key ${i}`);
    times.push(performance.now() - t);
    await tick(2);
  }
  r.unmount();
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1]!, p90: times[Math.floor(times.length * 0.9)]! };
}

describe('5,000 blocked tasks', () => {
  it('redraws after a key about as fast as with 5 tasks', async () => {
    const small = await keyToFrameMs(5);
    const big = await keyToFrameMs(5000);
    const what = `5 tasks: median ${small.median.toFixed(1)} ms; 5,000 tasks: median ${big.median.toFixed(1)} ms, p90 ${big.p90.toFixed(1)} ms`;
    expect(big.median, what).toBeLessThan(50);
    expect(big.p90, what).toBeLessThan(150);
    // A full table of rows costs more to draw than 5 rows; the task count itself must not.
    expect(big.median, what).toBeLessThan(small.median * 3 + 10);
  });
});
