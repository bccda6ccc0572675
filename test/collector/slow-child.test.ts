// Seen at 10,000 writers in D on a frozen mount: the first full scan took longer than the 5 s
// timeout, the child was abandoned, the next one started the same scan over, and the TUI showed
// "collector stalled, waiting for the first snapshot" for minutes. A child that is computing is
// slow, not stuck: its answer is waited for. One that is asleep (a read that never returns) is
// still given up on at the timeout.
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CollectorClient, CollectorStalled } from '../../src/collector/collector.js';

const FAKE = path.resolve(__dirname, '../support/slow-child.mjs');
const saved = { ms: process.env.WEDGETOP_TEST_SLOW_MS, how: process.env.WEDGETOP_TEST_SLOW_HOW };
let client: CollectorClient | undefined;

afterEach(() => {
  client?.abandon();
  client = undefined;
  process.env.WEDGETOP_TEST_SLOW_MS = saved.ms;
  process.env.WEDGETOP_TEST_SLOW_HOW = saved.how;
});

function slowChild(how: 'spin' | 'sleep', ms: number): CollectorClient {
  process.env.WEDGETOP_TEST_SLOW_MS = String(ms);
  process.env.WEDGETOP_TEST_SLOW_HOW = how;
  return (client = new CollectorClient(FAKE, 2));
}

async function started(c: CollectorClient): Promise<void> {
  await expect(c.analysis({}, 10_000)).rejects.toThrow('ready');
}

describe('a collector child past its timeout', () => {
  it('is waited for while it computes: its answer arrives, not a stall', async () => {
    const c = slowChild('spin', 2500);
    await started(c);
    await expect(c.analysis({}, 500)).rejects.toThrow('answered after spinning 2500 ms');
    expect(c.stats.slow).toBeGreaterThanOrEqual(2);
    expect(c.abandoned).toBe(0);
  });

  it('is given up on at the timeout when it uses no CPU', async () => {
    const c = slowChild('sleep', 5000);
    await started(c);
    const e = await c.analysis({}, 500).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CollectorStalled);
    expect((e as Error).message).toBe('collector did not answer within 500 ms');
    expect(c.stats.slow).toBe(0);
  });
});
