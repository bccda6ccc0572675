// A stand-in collector child for test/security/collector-cap.test.ts. It speaks the collector's
// IPC protocol and, like the real child before a risky read, says which file it is about to touch;
// then it creates that file on a frozen filesystem: open(O_CREAT) sleeps in D there, where
// SIGKILL cannot reach it until the filesystem is thawed. It takes the first of
// WEDGETOP_TEST_STUCK_FILES (':'-separated) that the request does not ask it to skip.
import * as fs from 'node:fs';

const files = (process.env.WEDGETOP_TEST_STUCK_FILES ?? '').split(':').filter(Boolean);
process.on('message', (msg) => {
  const skip = msg.skip ?? [];
  const file = files.find((f) => !skip.includes(f));
  if (!file) {
    process.send({ id: msg.id, error: `skipped: ${skip.join(',')}` });
    return;
  }
  process.send({ risky: file });
  fs.writeFileSync(file, 'x');
  process.send({ risky: null });
  process.send({ id: msg.id, error: `wrote ${file}` });
});
process.on('disconnect', () => process.exit(0));
