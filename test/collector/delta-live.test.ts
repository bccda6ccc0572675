// Live, with the real collector child of the bundle, on a writer stuck on a frozen loop mount of
// our own: after the first refresh every reply is a delta, and what the UI rebuilds from each is
// exactly the full analysis the child would otherwise have sent (it sends both here, `check`).
// A child that is abandoned takes the base with it: the next reply is whole again.
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CollectorClient } from '../../src/collector/collector.js';
import { frozenFsUp, isRoot, type FrozenWedge } from '../support/wedge.js';

const BUNDLE = path.resolve(__dirname, '../../dist/wedgetop.mjs');

describe.skipIf(!isRoot)('refreshes ship as deltas (live, real collector child, frozen loop mount)', () => {
  let w: FrozenWedge | undefined;
  const client = new CollectorClient(BUNDLE, 2, { deltas: true, check: true });
  afterAll(() => {
    client.close();
    w?.down();
  });

  it('the first reply is whole, the next ones are deltas that give what a whole reply gives', async () => {
    w = frozenFsUp();
    const writer = w.writers[0]!;
    const first = await client.analysis({ selfPid: process.pid }, 20_000);
    expect(client.stats).toEqual({ full: 1, delta: 0, refused: 0, slow: 0 });
    expect(first.tasks.some((t) => t.pid === writer.pid && t.state === 'D')).toBe(true);
    let last = first;
    for (let i = 1; i <= 3; i++) {
      await new Promise((r) => setTimeout(r, 300));
      last = await client.analysis({ selfPid: process.pid }, 20_000);
      expect(client.stats).toEqual({ full: 1, delta: i, refused: 0, slow: 0 });
      expect(client.lastReply && 'delta' in client.lastReply).toBe(true);
      const c = client.lastCheck!;
      expect(JSON.stringify(c.applied)).toBe(JSON.stringify(c.full));
    }
    // What the store gets: our writer, still in D with its kernel stack, and our mount as a root cause.
    const t = last.tasks.find((x) => x.pid === writer.pid && x.state === 'D');
    expect(t?.detail?.stack?.length).toBeGreaterThan(0);
    expect(t!.detail).toBe(last.snapshot.tasks.find((x) => x.pid === t!.pid && x.tid === t!.tid)!.detail);
    expect(last.rootCauses.some((rc) => rc.id.includes(w!.mount))).toBe(true);
    // The clock moved on in every refresh: a delta carried it.
    expect(last.snapshot.takenAtMs).toBeGreaterThan(first.snapshot.takenAtMs);
    // Its stack did not change between refreshes: the UI kept the object it had.
    const t0 = first.tasks.find((x) => x.key === t!.key)!;
    expect(t!.detail!.stack).toBe(t0.detail!.stack);

    // An abandoned child (as after a stall) leaves no base: the next child's first reply is whole.
    client.abandon();
    const after = await client.analysis({ selfPid: process.pid }, 20_000);
    expect(client.stats).toEqual({ full: 2, delta: 3, refused: 0, slow: 0 });
    expect(after.tasks.some((x) => x.pid === writer.pid && x.state === 'D')).toBe(true);
    await client.analysis({ selfPid: process.pid }, 20_000);
    expect(client.stats).toEqual({ full: 2, delta: 4, refused: 0, slow: 0 });
    expect(JSON.stringify(client.lastCheck!.applied)).toBe(JSON.stringify(client.lastCheck!.full));
  });
});
