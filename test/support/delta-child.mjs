// A stand-in collector child for test/collector/delta-protocol.test.ts. It speaks the collector's
// IPC protocol from a script (WEDGETOP_TEST_DELTA_SCRIPT, JSON): a request that names no base gets
// the next of `fulls` (numbered as given), one that names a base gets the next of `deltas`, as
// they are, right or wrong. Every request's id and base go to WEDGETOP_TEST_DELTA_LOG, a line each.
import * as fs from 'node:fs';

const script = JSON.parse(fs.readFileSync(process.env.WEDGETOP_TEST_DELTA_SCRIPT, 'utf8'));
let full = 0;
let delta = 0;
process.on('message', (msg) => {
  fs.appendFileSync(process.env.WEDGETOP_TEST_DELTA_LOG, JSON.stringify({ id: msg.id, base: msg.base ?? null }) + '\n');
  if (msg.base === undefined) {
    const f = script.fulls[full++];
    if (!f) process.send({ id: msg.id, error: 'no more full replies' });
    else process.send({ id: msg.id, seq: f.seq, analysis: f.analysis });
    return;
  }
  const d = script.deltas[delta++];
  if (!d) process.send({ id: msg.id, error: 'no more deltas' });
  else process.send({ id: msg.id, delta: d });
});
process.on('disconnect', () => process.exit(0));
