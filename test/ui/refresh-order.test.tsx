// A refresh that lands while the admin is pressing keys: the key is handled (on the rows already
// on screen) before the new Analysis is applied, the selection survives the new data, and keys
// pressed without pause still let the data through. No timing: the order of the event loop.
import { afterEach, describe, expect, it } from 'vitest';
import type { Analysis } from '../../src/model.js';
import { Refresher } from '../../src/store/refresher.js';
import type { UiStore } from '../../src/store/store.js';
import { rowsFor } from '../../src/store/store.js';
import { bigAnalysis, fixtureAnalysis, makeStore } from './helpers.js';

const base = fixtureAnalysis('frozen-ext4');
const older = bigAnalysis(50, base);
/** The next refresh: the same tasks, each blocked a second longer. */
const newer: Analysis = { ...older, tasks: older.tasks.map((t) => ({ ...t, blockedForMs: (t.blockedForMs ?? 0) + 1000 })) };

/** A collector whose reply the test delivers. */
class Replies {
  private pending: ((a: Analysis) => void)[] = [];
  next(): Promise<Analysis> {
    return new Promise((resolve) => this.pending.push(resolve));
  }
  reply(a: Analysis): void {
    this.pending.shift()?.(a);
  }
  get waiting(): number {
    return this.pending.length;
  }
}

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

const refreshers: Refresher[] = [];
afterEach(() => {
  for (const r of refreshers.splice(0)) r.stop();
});

function start(store: UiStore, src: Replies): Refresher {
  const r = new Refresher(store, src, { intervalMs: 60_000, timeoutMs: 60_000 });
  refreshers.push(r);
  r.start();
  return r;
}

describe('a refresh arriving between keys', () => {
  it('is applied after a key handled in the same turn, and the selected task stays selected', async () => {
    const store = makeStore();
    store.getState().setAnalysis(older);
    const src = new Replies();
    start(store, src);
    expect(src.waiting).toBe(1);
    const cursor0 = store.getState().cursor;
    // The reply and a key in the same poll phase: the key first, on the rows on screen.
    src.reply(newer);
    await Promise.resolve();
    store.getState().move(3);
    expect(store.getState().analysis).toBe(older);
    const picked = store.getState().selectedId;
    expect(picked).toBe(rowsFor(store.getState())[cursor0 + 3]!.id);
    await turns(8);
    expect(store.getState().analysis).toBe(newer);
    expect(store.getState().selectedId).toBe(picked);
    expect(rowsFor(store.getState())[store.getState().cursor]!.id).toBe(picked);
  });

  it('still comes through while keys keep arriving every turn', async () => {
    const store = makeStore();
    store.getState().setAnalysis(older);
    const src = new Replies();
    start(store, src);
    src.reply(newer);
    let keys = 0;
    for (let i = 0; i < 20 && store.getState().analysis !== newer; i++) {
      store.getState().move(i % 2 ? -1 : 1);
      keys++;
      await turns(1);
    }
    expect(store.getState().analysis).toBe(newer);
    expect(keys).toBeGreaterThan(1);
    expect(keys).toBeLessThan(20);
  });

  it('is dropped once the refresher is stopped', async () => {
    const store = makeStore();
    store.getState().setAnalysis(older);
    const src = new Replies();
    const r = start(store, src);
    src.reply(newer);
    await Promise.resolve();
    r.stop();
    await turns(8);
    expect(store.getState().analysis).toBe(older);
  });
});
