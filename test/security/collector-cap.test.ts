// Issue 12, item 9: a collector child stuck in D ignores SIGKILL. Each stall used to start
// another ~70 MB child that re-read the same file and hung on it too. Now at most MAX_ABANDONED
// stuck children are left, the UI is told why no new one starts, and the path a child hung on is
// skipped by the next ones. The stuck children here are real: a stand-in child (speaking the
// collector's protocol) sleeping in D on a frozen loop mount, freed by the thaw at the end.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { frozenFsUp, isRoot, type FrozenWedge } from '../support/wedge.js';
import { CollectorCapped, CollectorClient, CollectorStalled } from '../../src/collector/collector.js';
import { LiveSource } from '../../src/procfs/source.js';
import { stuckReadPath } from '../../src/procfs/stuck.js';

const STUB = path.resolve(__dirname, '../support/stuck-collector.mjs');
const stateOf = (pid: number): string => {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
};
const pidsIn = (msg: string): number[] => [...msg.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));

async function until(f: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!isRoot)('abandoned collectors are bounded (real D children on a frozen mount)', () => {
  let w: FrozenWedge | undefined;
  afterAll(() => w?.down());

  it('leaves at most 2 stuck children, says which file each hung on, skips those files, and starts again once they exit', async () => {
    w = frozenFsUp();
    const a = path.join(w.mount, 'collector-a');
    const b = path.join(w.mount, 'collector-b');
    process.env.WEDGETOP_TEST_STUCK_FILES = `${a}:${b}`;
    const client = new CollectorClient(STUB, 2);
    try {
      await expect(client.snapshot({}, 1000)).rejects.toThrow(new CollectorStalled(`collector did not answer within 1000 ms (stuck reading ${a}: skipped from now on)`));
      await expect(client.snapshot({}, 1000)).rejects.toThrow(`(stuck reading ${b}: skipped from now on)`);
      expect(client.abandoned).toBe(2);
      const capped = await client.snapshot({}, 1000).then(() => undefined, (e: unknown) => e);
      expect(capped).toBeInstanceOf(CollectorCapped);
      const msg = (capped as Error).message;
      expect(msg).toMatch(new RegExp(`^2 abandoned collectors are still stuck \\(pid \\d+ reading ${a}; pid \\d+ reading ${b}\\): not starting another until one exits$`));
      // Really stuck, SIGKILL already sent: uninterruptible sleep.
      const pids = pidsIn(msg);
      expect(pids.map(stateOf)).toEqual(['D', 'D']);
      expect([...client.skip]).toEqual([a, b]);

      w.down(); // thaw: the kernel lets them go and the pending SIGKILL ends them
      w = undefined;
      await until(() => client.abandoned === 0, 20_000);
      for (const p of pids) expect(fs.existsSync(`/proc/${p}`)).toBe(false);
      // A new child is started, and told to skip both files.
      await expect(client.snapshot({}, 5000)).rejects.toThrow(`skipped: ${a},${b}`);
    } finally {
      client.close();
      delete process.env.WEDGETOP_TEST_STUCK_FILES;
    }
  });
});

describe('what a hung collector was reading', () => {
  it('the live source says which risky read it is in, and never reads a skipped path', () => {
    const live = new LiveSource();
    const crumbs: (string | undefined)[] = [];
    live.onRisky = (p) => crumbs.push(p);
    live.read(`/proc/${process.pid}/stat`);
    live.read(`/proc/${process.pid}/maps`);
    expect(crumbs).toEqual([`/proc/${process.pid}/maps`, undefined]);
    live.skip = new Set([`/proc/${process.pid}/status`]);
    expect(live.read(`/proc/${process.pid}/status`)).toBeUndefined();
    expect(live.errors.get('ESKIPPED')).toBe(1);
  });

  it('stuckReadPath names the file behind the read() a child sleeps in', async () => {
    const dir = fs.mkdtempSync('/dev/shm/wedgetop-stuck-');
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // <> opens the FIFO read-write, so the open returns at once and cat's read() then sleeps on it.
    const child = spawn('bash', ['-c', `exec 3<>${fifo}; exec cat <&3`], { stdio: 'ignore' });
    try {
      await until(() => {
        try {
          return fs.readlinkSync(`/proc/${child.pid}/exe`).endsWith('/cat') && /^0 /.test(fs.readFileSync(`/proc/${child.pid}/syscall`, 'utf8'));
        } catch {
          return false;
        }
      }, 10_000);
      expect(stuckReadPath(child.pid!)).toBe(fifo);
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
