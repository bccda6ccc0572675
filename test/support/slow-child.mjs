// A stand-in collector child for test/collector/slow-child.test.ts: it answers each request after
// WEDGETOP_TEST_SLOW_MS, either computing all along (WEDGETOP_TEST_SLOW_HOW=spin, as a real child
// scanning 10,000 blocked tasks does) or asleep without using any CPU (=sleep, as a child parked
// in a read that does not return). Its answer is an error reply naming how it waited. The first
// request is answered at once: Node's own start-up CPU is then over before the one a test times.
const ms = Number(process.env.WEDGETOP_TEST_SLOW_MS);
const how = process.env.WEDGETOP_TEST_SLOW_HOW;
let first = true;
process.on('message', (msg) => {
  if (first) {
    first = false;
    process.send({ id: msg.id, error: 'ready' });
    return;
  }
  const answer = () => process.send({ id: msg.id, error: `answered after ${how === "spin" ? "spinning" : "sleeping"} ${ms} ms` });
  if (how === 'sleep') {
    setTimeout(answer, ms);
    return;
  }
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  answer();
});
process.on('disconnect', () => process.exit(0));
