// The UI applies a delta only on the base it names. A child that answers with a delta on another
// base (a reply the UI never saw), or one that does not fit the base it names, gets asked again
// for a whole analysis, and the UI shows that one: never a delta applied to the wrong base.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CollectorClient } from '../../src/collector/collector.js';
import { Analyst, packAnalysis, type PackedAnalysis } from '../../src/collector/analyst.js';
import { diffAnalysis, type AnalysisDelta } from '../../src/collector/delta.js';
import type { Snapshot } from '../../src/model.js';
import { replay } from '../support/replay.js';
import { FIXTURES_DIR } from '../support/corpus.js';

const FAKE = path.resolve(__dirname, '../support/delta-child.mjs');
const wire = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/** Four refreshes of a recorded frozen mount, each a second later, one writer fewer each time. */
function refreshes(): PackedAnalysis[] {
  const analyst = new Analyst();
  let s: Snapshot = replay(path.join(FIXTURES_DIR, 'frozen-ext4'));
  const out: PackedAnalysis[] = [];
  for (let i = 0; i < 4; i++) {
    out.push(wire(packAnalysis(analyst.analyze(s))));
    s = structuredClone(s);
    s.takenAtMs += 1000;
    const d = s.tasks.findIndex((t) => t.state === 'D');
    s.tasks.splice(d, 1);
  }
  return out;
}

describe('a delta on a base the UI does not hold is refused and a full analysis asked for', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wedgetop-delta-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('wrong base, then a delta that does not fit, then a right one, then an error', async () => {
    const [a, b, c, d] = refreshes();
    const wrongBase: AnalysisDelta = wire(diffAnalysis(a!, b!, 7, 8));
    // Numbered as if made on the full reply 2 (c's predecessor b) but made on a: its lists do not fit.
    const misfit: AnalysisDelta = { ...wire(diffAnalysis(a!, c!, 2, 3)), base: 2 };
    const right: AnalysisDelta = wire(diffAnalysis(c!, d!, 3, 4));
    const scriptFile = path.join(dir, 'script.json');
    const log = path.join(dir, 'log');
    fs.writeFileSync(scriptFile, JSON.stringify({
      fulls: [{ seq: 1, analysis: a }, { seq: 2, analysis: b }, { seq: 3, analysis: c }, { seq: 9, analysis: a }],
      deltas: [wrongBase, misfit, right],
    }));
    fs.writeFileSync(log, '');
    process.env.WEDGETOP_TEST_DELTA_SCRIPT = scriptFile;
    process.env.WEDGETOP_TEST_DELTA_LOG = log;
    const client = new CollectorClient(FAKE, 2, { deltas: true });
    try {
      const got = [];
      for (let i = 0; i < 4; i++) got.push(await client.analysis({}, 10_000));
      const requests = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: number; base: number | null });
      // 1: full (seq 1). 2: asks on base 1, gets a delta on 7: refused, asked again whole (seq 2).
      // 3: asks on base 2, gets a delta that does not fit: refused, asked again whole (seq 3).
      // 4: asks on base 3, gets the delta c -> d: applied.
      expect(requests).toEqual([
        { id: 1, base: null }, { id: 2, base: 1 }, { id: 2, base: null },
        { id: 3, base: 2 }, { id: 3, base: null }, { id: 4, base: 3 },
      ]);
      expect(client.stats).toEqual({ full: 3, delta: 1, refused: 2, slow: 0 });
      const shown = got.map((x) => x.tasks.filter((t) => t.state === 'D').length);
      const expected = [a, b, c, d].map((p) => p!.packedTasks.filter((t) => p!.snapshot.tasks.find((s) => `${s.pid}/${s.tid}` === t.key)?.state === 'D').length);
      expect(shown).toEqual(expected);
      expect(JSON.stringify(got[3]!.snapshot)).toBe(JSON.stringify(d!.snapshot));
      expect(JSON.stringify(got[3]!.rootCauses)).toBe(JSON.stringify(d!.rootCauses));

      // 5: asks on base 4 and gets an error (the script has no more deltas): the base is dropped,
      // 6: asks with none and gets a whole analysis.
      await expect(client.analysis({}, 10_000)).rejects.toThrow('no more deltas');
      const after = await client.analysis({}, 10_000);
      const more = fs.readFileSync(log, 'utf8').trim().split('\n').slice(requests.length).map((l) => JSON.parse(l) as { id: number; base: number | null });
      expect(more).toEqual([{ id: 5, base: 4 }, { id: 6, base: null }]);
      expect(JSON.stringify(after.snapshot)).toBe(JSON.stringify(a!.snapshot));
    } finally {
      client.close();
      delete process.env.WEDGETOP_TEST_DELTA_SCRIPT;
      delete process.env.WEDGETOP_TEST_DELTA_LOG;
    }
  });
});
