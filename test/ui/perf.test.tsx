// What keeps redraws cheap with thousands of blocked tasks, checked by what is drawn, not by the
// clock (timings are in `npm run bench`): only the visible window of the table is built, and a
// store change that alters nothing on screen draws nothing (every Ink frame lays out and
// re-tokenises the whole screen).
import { describe, expect, it } from 'vitest';
import { bigAnalysis, fixtureAnalysis, renderApp, tick } from './helpers.js';

const MARKED = { color: false, attrs: false, unicode: true };

describe('5,000 blocked tasks', () => {
  it('draws one screen of rows, and a key moves the selection through all of them', async () => {
    const base = fixtureAnalysis('frozen-ext4');
    const r = renderApp({ analysis: bigAnalysis(5000, base), columns: 120, rows: 40, caps: MARKED });
    const first = await r.waitFor((f) => f.includes('PID'));
    expect(first.split('\n').length).toBeLessThanOrEqual(40);
    expect(first.match(/writer\d+/g)?.length ?? 0).toBeLessThan(40);
    await r.press('end');
    const last = await r.waitFor((f) => f !== first, 'the end of the table');
    expect(last.split('\n').length).toBeLessThanOrEqual(40);
    r.unmount();
  });
});

describe('redraws', () => {
  it('a request going out or an idle second draws no new frame; a key does', async () => {
    const r = renderApp({ analysis: fixtureAnalysis('frozen-ext4'), columns: 100, rows: 30, caps: MARKED });
    await r.waitFor((f) => f.includes('/tmp/mnt1'));
    await tick(50);
    const before = r.frames();
    r.store.getState().setPending(true);
    r.store.getState().tick();
    r.store.getState().setPending(false);
    await tick(80);
    expect(r.frames()).toBe(before);
    await r.press('down');
    expect(r.frames()).toBeGreaterThan(before);
    r.unmount();
  });
});
