// The CLI tests run the real bundle, exactly what `npm start` runs: build it once first.
// Teardown sweeps any wedge a crashed test left behind (frozen mounts, loop devices, audit registration).
import { execFileSync } from 'node:child_process';
import { sweepWedges, isRoot } from './support/wedge.js';

export default function setup(): () => void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (!isRoot) {
    process.stderr.write('\nwedgetop tests: NOT ROOT — the real-kernel tests (frozen mounts, audit, FUSE) will be reported as skipped. CI runs them as root.\n\n');
  }
  // WEDGETOP_TEST_NO_SWEEP=1: several developers' test runs share one machine, each with wedges
  // built by hand; a sweep would tear down theirs. CI never sets it.
  const sweep = isRoot && !process.env.WEDGETOP_TEST_NO_SWEEP;
  if (sweep) sweepWedges();
  return () => {
    if (sweep) sweepWedges();
  };
}
