// Issue 12, items 4 and 5: a replayed snapshot is untrusted input. Whoever could write into the
// directory (or packed the tarball) plants symlinks that lead out of it, FIFOs, device nodes,
// huge files and a bad meta.json; `wedgetop --replay DIR` must read nothing outside DIR, never
// hang, stay small, say what it refused, and show the rest of the snapshot.
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { isRoot, wedgetop } from '../support/wedge.js';
import { writeSnapshotDir } from '../support/snapdir.js';
import { seed000 } from '../support/seeds.js';
import { ReplaySource } from '../../src/procfs/source.js';
import { openReplay } from '../../src/cli.js';
import { collectReplay } from '../../src/collector/replay.js';
import { analyze } from '../../src/graph/analyze.js';
import { toJson, type JsonReport } from '../../src/report/json.js';
import { textReport } from '../../src/report/text.js';
import { renderApp } from '../ui/helpers.js';
import { frozenWriterScene } from './scene.js';

const made: string[] = [];
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh snapshot of seed 000 (senders in D behind auditbeat) in its own temp dir. */
function seedDir(): string {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'wt-sec-'));
  made.push(base);
  const dir = path.join(base, 'snap');
  writeSnapshotDir(dir, seed000());
  return dir;
}

/** What an attacker wants root to read: a directory outside the snapshot with a task in it. */
function outsideTask(base: string): string {
  const out = path.join(base, 'outside');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'stat'), '301001 (OUTSIDE_SECRET) D 1 1 1 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0\n');
  fs.writeFileSync(path.join(out, 'stack'), '[<0>] outside_secret_func+0x1/0x2\n');
  fs.writeFileSync(path.join(out, 'meta.json'), '{"time":"2001-09-09T01:46:40.000Z"}');
  return out;
}

function json(dir: string): { r: ReturnType<typeof wedgetop>; j: JsonReport } {
  const r = wedgetop(['--replay', dir, '--json'], { timeoutMs: 20_000 });
  expect(r.code, r.stderr).not.toBe(-1); // -1: killed by the timeout, i.e. it hung
  return { r, j: JSON.parse(r.stdout) as JsonReport };
}

describe('--replay reads only inside the snapshot', () => {
  it('a task directory planted as a symlink out of the snapshot is not followed (proc/PID/task/TID -> /anywhere)', () => {
    const dir = seedDir();
    const out = outsideTask(path.dirname(dir));
    const tdir = path.join(dir, 'proc/301001/task/301001');
    fs.rmSync(tdir, { recursive: true });
    fs.symlinkSync(out, tdir);
    const { r, j } = json(dir);
    expect(r.stdout).not.toMatch(/OUTSIDE_SECRET|outside_secret_func/);
    expect(j.warnings).toContainEqual(expect.stringMatching(/^snapshot: \/proc\/301001\/task\/301001 is a symlink where a directory was expected/));
    expect(j.warnings.filter((w) => w.includes('/proc/301001/task/301001 '))).toHaveLength(1);
    // The rest of the replay goes on: the holder and the other senders.
    expect(j.rootCauses[0]).toMatchObject({ id: 'task:247832' });
    expect(j.tasks.filter((t) => t.state === 'D').map((t) => t.tid)).toEqual(expect.arrayContaining([301017, 301042]));
  });

  it('a process planted as a link to the live /proc (proc/X -> /proc/1) is not read', () => {
    const dir = seedDir();
    fs.symlinkSync('/proc/1', path.join(dir, 'proc/999999'));
    fs.symlinkSync('/proc/self', path.join(dir, 'proc/999998'));
    const { j } = json(dir);
    expect(j.tasks.some((t) => t.pid === 999999 || t.pid === 1 || t.pid === 999998)).toBe(false);
    expect(j.taskCount).toBe(json(seedDir()).j.taskCount);
    expect(j.warnings).toContainEqual(expect.stringMatching(/\/proc\/999999 is a symlink/));
  });

  it('meta.json planted as a link (meta.json -> /etc/shadow) is not followed', () => {
    const dir = seedDir();
    const out = outsideTask(path.dirname(dir));
    fs.rmSync(path.join(dir, 'meta.json'));
    fs.symlinkSync(path.join(out, 'meta.json'), path.join(dir, 'meta.json'));
    const { j } = json(dir);
    expect(j.takenAt).toBeNull(); // the outside file says 2001: it was not read
    expect(j.warnings).toContainEqual('snapshot: /meta.json is a symlink: not read');
    fs.rmSync(path.join(dir, 'meta.json'));
    fs.symlinkSync('/etc/shadow', path.join(dir, 'meta.json'));
    expect(json(dir).j.warnings).toContainEqual('snapshot: /meta.json is a symlink: not read');
  });

  it('a link that stays inside the snapshot is refused too, where the recorder writes files', () => {
    const dir = seedDir();
    const stack = path.join(dir, 'proc/301017/task/301017/stack');
    fs.rmSync(stack);
    fs.symlinkSync('../../../301042/task/301042/stack', stack);
    const { j } = json(dir);
    expect(j.warnings).toContainEqual('snapshot: /proc/301017/task/301017/stack is a symlink: not read');
    expect(j.tasks.find((t) => t.tid === 301017)?.stack).toEqual([]);
  });

  it('the links the recorder writes (fd, cwd, ns/mnt) are still read as links', () => {
    const src = new ReplaySource(seedDir());
    expect(src.readlink('/proc/247832/ns/mnt')).toMatch(/^mnt:\[/);
    expect(src.read('/proc/247832/ns/mnt')).toBeUndefined();
    expect(src.takeWarnings()).toEqual(['snapshot: /proc/247832/ns/mnt is a symlink: not read']);
  });

  it('a directory where a file is expected, and a file where a directory is, are each one warning', () => {
    const dir = seedDir();
    const stack = path.join(dir, 'proc/301017/task/301017/stack');
    fs.rmSync(stack);
    fs.mkdirSync(stack);
    fs.rmSync(path.join(dir, 'proc/301042/task'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'proc/301042/task'), 'not a directory');
    const { j } = json(dir);
    expect(j.warnings).toContainEqual('snapshot: /proc/301017/task/301017/stack is a directory: not read');
    expect(j.warnings).toContainEqual('snapshot: /proc/301042/task is a regular file where a directory was expected: not read');
  });
});

describe('--replay never hangs or grows on bad input', () => {
  it('meta.json as a FIFO: no hang, one warning, the replay goes on', () => {
    const dir = seedDir();
    fs.rmSync(path.join(dir, 'meta.json'));
    execFileSync('mkfifo', [path.join(dir, 'meta.json')]);
    const { r, j } = json(dir);
    expect(r.code).toBe(1);
    expect(j.warnings).toContainEqual('snapshot: /meta.json is a FIFO: not read');
    expect(j.takenAt).toBeNull();
    expect(j.rootCauses[0]).toMatchObject({ id: 'task:247832' });
    // --once and the TUI's first step read the same way.
    const once = wedgetop(['--replay', dir, '--once'], { timeoutMs: 20_000 });
    expect(once.code).toBe(1);
    expect(once.stdout).toMatch(/warning: snapshot: \/meta.json is a FIFO/);
  });

  it('a FIFO as a task file is refused without opening it', () => {
    const dir = seedDir();
    const stack = path.join(dir, 'proc/301017/task/301017/stack');
    fs.rmSync(stack);
    execFileSync('mkfifo', [stack]);
    const { j } = json(dir);
    expect(j.warnings).toContainEqual('snapshot: /proc/301017/task/301017/stack is a FIFO: not read');
  });

  it('meta.json -> /dev/zero is refused (a link), and so is a device node', () => {
    const dir = seedDir();
    fs.rmSync(path.join(dir, 'meta.json'));
    fs.symlinkSync('/dev/zero', path.join(dir, 'meta.json'));
    expect(json(dir).j.warnings).toContainEqual('snapshot: /meta.json is a symlink: not read');
  });

  it.skipIf(!isRoot)('meta.json as a character device (mknod c 1 5, /dev/zero) is refused unopened', () => {
    const dir = seedDir();
    fs.rmSync(path.join(dir, 'meta.json'));
    execFileSync('mknod', [path.join(dir, 'meta.json'), 'c', '1', '5']);
    const src = openReplay(dir);
    const snap = collectReplay(src);
    expect(snap.warnings).toContainEqual('snapshot: /meta.json is a character device: not read');
    expect(src.reader.stats.bytesRead).toBeLessThan(1_000_000);
  });

  it('a 100 MB stack file is refused by its size, with almost nothing read', () => {
    const dir = seedDir();
    const stack = path.join(dir, 'proc/301017/task/301017/stack');
    const fd = fs.openSync(stack, 'w');
    fs.writeSync(fd, '[<0>] audit_receive+0x28/0xc0\n'.repeat(1000));
    fs.ftruncateSync(fd, 100 * 1024 * 1024);
    fs.closeSync(fd);
    const src = openReplay(dir);
    const a = analyze(collectReplay(src));
    expect(a.warnings).toContainEqual(expect.stringMatching(/^snapshot: \/proc\/301017\/task\/301017\/stack is 104857600 bytes, over the 16384-byte limit/));
    // Every other file of the snapshot together is a few hundred KB; the big one was not read.
    expect(src.reader.stats.bytesRead).toBeLessThan(1_000_000);
    expect(a.rootCauses[0]).toMatchObject({ id: 'task:247832' });
  });

  it.each([
    ['not a date', '"yesterday"'],
    ['out of the range a Date holds', '"+275760-09-13T00:00:00.001Z"'],
    ['a number', '12345'],
    ['missing', 'null'],
  ])('a bad meta.json time (%s): --json and --once work, the time is unknown, the TUI header says so', async (_what, time) => {
    const dir = seedDir();
    fs.writeFileSync(path.join(dir, 'meta.json'), `{"time": ${time}, "hostname": "vm"}`);
    const { r, j } = json(dir);
    expect(r.code).toBe(1);
    expect(j.takenAt).toBeNull();
    expect(j.warnings).toContainEqual(expect.stringMatching(/^snapshot: meta.json time .* is not a valid time: the time it was recorded is unknown/));
    expect(wedgetop(['--replay', dir, '--once']).code).toBe(1);
    const snap = collectReplay(openReplay(dir));
    expect(snap.timeUnknown).toBe(true);
    const a = analyze(snap);
    expect(() => toJson(a)).not.toThrow();
    expect(() => textReport(a)).not.toThrow();
    const ui = renderApp({ analysis: a });
    try {
      await ui.waitFor((f) => /recorded at an unknown time/.test(f), 'the replay header');
    } finally {
      ui.unmount();
    }
  });
});

describe('a replay of a snapshot with an ordinary attacker-written file', () => {
  it('a scene that is fine reads without a single warning', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'wt-sec-'));
    made.push(base);
    writeSnapshotDir(base, frozenWriterScene({ mount: '/tmp/mnt1', comm: 'writer' }));
    const snap = collectReplay(openReplay(base));
    expect(snap.warnings).toEqual([]);
  });
});
