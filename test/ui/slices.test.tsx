// The store is composed of slices, each owning its fields and actions; two stores share nothing
// (two live views, or the tests' stores, must not evict each other's memoised rows).
import { describe, expect, it } from 'vitest';
import { rowsFor, type SliceContext } from '../../src/store/store.js';
import { dataSlice } from '../../src/store/slices/data.js';
import { tableSlice } from '../../src/store/slices/table.js';
import { overlaySlice } from '../../src/store/slices/overlays.js';
import { dialogSlice } from '../../src/store/slices/dialog.js';
import { actionSlice } from '../../src/store/slices/action.js';
import { columnsSlice } from '../../src/store/slices/columns.js';
import { fixtureAnalysis, makeStore } from './helpers.js';

describe('the store slices', () => {
  it('each field and action belongs to exactly one slice, and the store has them all', () => {
    const noop = (): never => {
      throw new Error('not called while building');
    };
    const ctx: SliceContext = { set: noop, get: noop, clock: () => 0, reselect: noop, apply: noop, closeDialog: noop };
    const slices = { data: dataSlice(ctx), table: tableSlice(ctx), overlays: overlaySlice(ctx), dialog: dialogSlice(ctx), action: actionSlice(ctx), columns: columnsSlice(ctx) };
    const owner = new Map<string, string>();
    for (const [name, s] of Object.entries(slices)) {
      for (const k of Object.keys(s)) {
        expect(owner.get(k), `${k} in ${name} and ${owner.get(k)}`).toBeUndefined();
        owner.set(k, name);
      }
    }
    const state = Object.keys(makeStore().getState()).filter((k) => k !== 'opts');
    expect(state.sort()).toEqual([...owner.keys()].sort());
  });

  it('keeps the rows memo per store: another store in between does not rebuild them', () => {
    const one = makeStore();
    const two = makeStore();
    one.getState().setAnalysis(fixtureAnalysis('frozen-ext4'));
    two.getState().setAnalysis(fixtureAnalysis('seed-004'));
    const rows = rowsFor(one.getState());
    expect(rows.length).toBeGreaterThan(0);
    expect(rowsFor(two.getState())).not.toBe(rows);
    expect(rowsFor(one.getState())).toBe(rows);
  });

  it('Z freezes the data slice as a whole: an analysis that arrives is stashed, shown on resume', () => {
    const s = makeStore();
    const first = fixtureAnalysis('frozen-ext4');
    const next = fixtureAnalysis('seed-004');
    s.getState().setAnalysis(first);
    s.getState().togglePause();
    s.getState().setAnalysis(next);
    expect(s.getState().analysis).toBe(first);
    expect(s.getState().stashed).toBe(next);
    s.getState().togglePause();
    expect(s.getState().analysis).toBe(next);
  });
});
