// Issue 10 item 1 / issue 11 "no key ever waiting": in live mode the collector child analyses
// what it read and ships the Analysis; the UI process only stores and draws it. A writer stuck
// on a frozen loop mount (our own) shows up with its kernel stack while analyze() in this
// process — the UI's — is never called, keys and refreshes included.
import * as path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Analysis } from '../../src/model.js';
import { CollectorClient } from '../../src/collector/collector.js';
import { Refresher } from '../../src/store/refresher.js';
import { analyze } from '../../src/graph/analyze.js';
import { frozenFsUp, isRoot, type FrozenWedge } from '../support/wedge.js';
import { makeStore, renderApp, tick } from './helpers.js';

vi.mock('../../src/graph/analyze.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/graph/analyze.js')>();
  return { ...m, analyze: vi.fn(m.analyze) };
});

// The bundle the global setup built: its collector child is the one that ships.
const BUNDLE = path.resolve(__dirname, '../../dist/wedgetop.mjs');

describe.skipIf(!isRoot)('the UI process runs no kernel analysis (live, real collector child)', () => {
  let w: FrozenWedge | undefined;
  const client = new CollectorClient(BUNDLE);
  afterAll(() => {
    client.close();
    w?.down();
  });

  it('shows a writer stuck on a frozen mount, with its stack, while analyze() here is never called', async () => {
    w = frozenFsUp();
    const writer = w.writers[0]!;
    const key = `${writer.pid}/${writer.pid}`;
    const counted = vi.mocked(analyze);
    counted.mockClear();
    const store = makeStore({ live: true, clock: Date.now });
    const got: Analysis[] = [];
    const refresher = new Refresher(store, { next: async () => {
      const a = await client.analysis({ selfPid: process.pid }, 20_000);
      got.push(a);
      return a;
    } }, { intervalMs: 100, timeoutMs: 20_000 });
    const r = renderApp({ store });
    try {
      refresher.start();
      const until = Date.now() + 30_000;
      while (got.length < 3 && Date.now() < until) {
        await r.press('j', 'k');
        await tick(50);
      }
      expect(got.length).toBeGreaterThanOrEqual(3);
      // A remedy's follow-up takes the refresher's next analysis, also made in the child.
      await refresher.nextAnalysis();
    } finally {
      refresher.stop();
      r.unmount();
    }
    const last = got.at(-1)!;
    const t = last.tasks.find((x) => x.tid === writer.pid && x.pid === writer.pid) ?? last.tasks.find((x) => x.pid === writer.pid);
    expect(t, `writer ${key} among the shown tasks`).toBeDefined();
    expect(t!.state).toBe('D');
    // Its detail crossed the pipe once (in the snapshot) and is the same object on both sides.
    expect(t!.detail?.stack?.length).toBeGreaterThan(0);
    expect(t!.detail).toBe(last.snapshot.tasks.find((x) => x.pid === t!.pid && x.tid === t!.tid)!.detail);
    expect(last.rootCauses.some((rc) => rc.id.includes(w!.mount))).toBe(true);
    expect(store.getState().analysis?.snapshot.takenAtMs).toBeGreaterThanOrEqual(got[0]!.snapshot.takenAtMs);
    expect(counted).not.toHaveBeenCalled();
    // The spy is live: an analysis here would have been counted.
    analyze(last.snapshot);
    expect(counted).toHaveBeenCalledTimes(1);
  });
});
