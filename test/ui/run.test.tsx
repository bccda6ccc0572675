// runTui's lifetime on fake terminal streams: the alternate screen is entered and left on every
// way out, nothing but Ink reaches the terminal, and the debug log only goes to tmpfs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Options } from '../../src/cli.js';
import type { Analysis } from '../../src/model.js';
import { analyze } from '../../src/graph/analyze.js';
import { parseMountinfo } from '../../src/procfs/parse.js';
import { openTmpfsLog, tmpfsRefusal } from '../../src/ui/log.js';
import { RESTORE, runTui } from '../../src/ui/run.js';
import { fixtureSnapshot, PLAIN, tick } from './helpers.js';

class FakeOut extends EventEmitter {
  isTTY = true;
  columns = 100;
  rows = 30;
  data = '';
  write = (s: string, cb?: () => void): boolean => {
    this.data += s;
    cb?.();
    return true;
  };
}

/**
 * A terminal's stdin as Node gives it: a real Readable (Ink reads it through 'readable' + read(),
 * and each chunk read() returns is emitted as 'data', which is where the App listens), with the
 * tty methods Ink calls.
 */
class FakeIn extends Readable {
  isTTY = true;
  raw = false;
  setRawMode(v: boolean): this {
    this.raw = v;
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  override _read(): void {
    /* typed by the test */
  }
  type(s: string): void {
    this.push(s);
  }
}

const opts = (o: Partial<Options> = {}): Options => ({
  once: false, json: false, intervalMs: 1000, timeoutMs: 5000, readOnly: false, dryRun: false, yes: false, graceMs: 3000,
  noColor: true, replay: 'test/fixtures/frozen-ext4', ...o,
});

function start(o: Partial<Options> = {}, live = false) {
  const stdout = new FakeOut();
  const stderr = new FakeOut();
  const stdin = new FakeIn();
  const snap = fixtureSnapshot('frozen-ext4');
  let closed = 0;
  const analysis = analyze(snap);
  const source = { live, next: async (): Promise<Analysis> => analysis, close: () => void closed++ };
  const done = runTui(opts(o), source, {
    stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream, caps: PLAIN,
    mem: async () => ({ total: 4 * 2 ** 30, available: 3 * 2 ** 30 }),
  });
  const until = async (pred: () => boolean, what: string): Promise<void> => {
    const t = Date.now() + 3000;
    while (!pred()) {
      if (Date.now() > t) throw new Error(`timed out: ${what}\n${stdout.data.slice(-3000)}`);
      await tick(5);
    }
  };
  return { stdout, stderr, stdin, done, until, closed: () => closed };
}

const added = <T,>(before: T[], after: T[]): T[] => after.filter((x) => !before.includes(x));

afterEach(async () => {
  await tick(10);
});

describe('runTui', () => {
  it('enters the alternate screen, draws, and restores the terminal on q', async () => {
    const t = start();
    await t.until(() => t.stdout.data.includes('/tmp/mnt1'), 'first frame');
    expect(t.stdout.data.startsWith('\u001b[?1049h')).toBe(true);
    expect(t.stdin.raw).toBe(true);
    t.stdin.type('q');
    expect(await t.done).toBe(0);
    expect(t.stdout.data.endsWith(RESTORE)).toBe(true);
    expect(t.stdin.raw).toBe(false);
    expect(t.closed()).toBe(1);
    expect(t.stderr.data).toBe('');
  });

  it('restores on Ctrl-C like q', async () => {
    const t = start();
    await t.until(() => t.stdout.data.includes('/tmp/mnt1'), 'first frame');
    t.stdin.type('\u0003');
    expect(await t.done).toBe(0);
    expect(t.stdout.data.endsWith(RESTORE)).toBe(true);
  });

  it('restores on SIGTERM and exits 143', async () => {
    const before = process.listeners('SIGTERM');
    const t = start();
    await t.until(() => t.stdout.data.includes('/tmp/mnt1'), 'first frame');
    const mine = added(before, process.listeners('SIGTERM'));
    expect(mine).toHaveLength(1);
    (mine[0] as (s: NodeJS.Signals) => void)('SIGTERM');
    expect(await t.done).toBe(143);
    expect(t.stdout.data.endsWith(RESTORE)).toBe(true);
    // Its handlers are gone again.
    expect(process.listeners('SIGTERM')).toEqual(before);
  });

  it('restores first, then shows an uncaught error', async () => {
    const before = process.listeners('uncaughtException');
    const t = start();
    await t.until(() => t.stdout.data.includes('/tmp/mnt1'), 'first frame');
    const mine = added(before, process.listeners('uncaughtException'));
    expect(mine).toHaveLength(1);
    (mine[0] as (e: unknown) => void)(new Error('boom in a timer'));
    expect(await t.done).toBe(2);
    expect(t.stdout.data.endsWith(RESTORE)).toBe(true);
    expect(t.stderr.data).toContain('wedgetop: Error: boom in a timer');
  });

  it('keeps console output and process warnings off the terminal', async () => {
    const t = start();
    await t.until(() => t.stdout.data.includes('/tmp/mnt1'), 'first frame');
    const out = t.stdout.data.length;
    console.log('this must not reach the terminal');
    console.error('nor this');
    process.emitWarning('nor a warning');
    await tick(20);
    expect(t.stdout.data.slice(out)).not.toContain('must not');
    expect(t.stderr.data).toBe('');
    t.stdin.type('q');
    await t.done;
  });

  it('shows memory from its reader when live, never in a replay', async () => {
    const live = start({ replay: undefined }, true);
    await live.until(() => live.stdout.data.includes('Mem 1.0G/4.0G'), 'memory');
    live.stdin.type('q');
    await live.done;
    const replay = start();
    await replay.until(() => replay.stdout.data.includes('/tmp/mnt1'), 'first frame');
    await tick(30);
    expect(replay.stdout.data).not.toContain('Mem ');
    replay.stdin.type('q');
    await replay.done;
  });

  it('refuses a --log path that is not on tmpfs before touching the screen', async () => {
    const stdout = new FakeOut();
    await expect(runTui(opts({ log: '/var/tmp/wedgetop.log' }), { next: () => new Promise(() => {}) }, {
      stdout: stdout as unknown as NodeJS.WriteStream, stdin: new FakeIn() as unknown as NodeJS.ReadStream, caps: PLAIN,
    })).rejects.toThrow(/not tmpfs/);
    expect(stdout.data).toBe('');
  });
});

describe('--log', () => {
  const mountinfo = [
    '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
    '23 22 0:21 / /run rw,nosuid shared:5 - tmpfs tmpfs rw',
    '24 22 0:22 / /dev/shm rw,nosuid shared:6 - tmpfs tmpfs rw',
    '25 22 7:0 / /tmp/mnt1 rw,relatime shared:7 - ext4 /dev/loop0 rw',
    '26 23 0:23 / /run/user/0 rw shared:8 - tmpfs tmpfs rw',
  ].join('\n');
  const mounts = parseMountinfo(mountinfo);

  it('accepts tmpfs paths and refuses others, from mountinfo and the path text alone', () => {
    expect(tmpfsRefusal('/run/wedgetop.log', mounts)).toBeUndefined();
    expect(tmpfsRefusal('/dev/shm/x/y.log', mounts)).toBeUndefined();
    expect(tmpfsRefusal('/run/user/0/w.log', mounts)).toBeUndefined();
    expect(tmpfsRefusal('/var/log/wedgetop.log', mounts)).toMatch(/\/ is ext4, not tmpfs/);
    expect(tmpfsRefusal('/tmp/mnt1/w.log', mounts)).toMatch(/\/tmp\/mnt1 is ext4/);
    // "/run" is a prefix of "/running", not its mount.
    expect(tmpfsRefusal('/running/w.log', mounts)).toMatch(/\/ is ext4/);
  });

  it('writes lines to a file on tmpfs, and will not follow a symlink there', () => {
    const dir = fs.mkdtempSync('/dev/shm/wt-log-');
    try {
      const file = path.join(dir, 'w.log');
      const log = openTmpfsLog(file);
      log('hello');
      log.close();
      expect(fs.readFileSync(file, 'utf8')).toMatch(/Z hello\n$/);
      const link = path.join(dir, 'link.log');
      fs.symlinkSync(path.join(os.tmpdir(), 'elsewhere.log'), link);
      expect(() => openTmpfsLog(link)).toThrow(/link\.log is a symlink: refusing to write through it/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
