// The one module every root write goes through (src/safefs/write.ts, tree.ts), on its own: what
// each primitive refuses, and that a failure leaves no temp file behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRoot } from '../support/wedge.js';
import { replaceFileAt, SafeWriteError, VerifiedDir } from '../../src/safefs/write.js';
import { SafeTree } from '../../src/safefs/tree.js';
import { Playground, NOBODY } from './support.js';

describe.skipIf(!isRoot)('safe writes (src/safefs)', () => {
  let pg: Playground;
  let n = 0;
  const fresh = (mode = 0o700): string => {
    const d = path.join(pg.safe, `d${n++}`);
    fs.mkdirSync(d);
    fs.chmodSync(d, mode);
    return d;
  };
  const refusal = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(SafeWriteError);
      expect((e as Error).message).not.toContain('\n');
      return (e as Error).message;
    }
    throw new Error('expected a refusal');
  };
  beforeAll(() => {
    pg = new Playground('security-safefs');
  });
  afterAll(() => pg?.cleanup());

  it('createFile is O_EXCL|O_NOFOLLOW: an existing file, or a dangling symlink, is never written', () => {
    const d = fresh();
    fs.writeFileSync(path.join(d, 'f'), 'old');
    fs.symlinkSync(path.join(d, 'would-be-created'), path.join(d, 'dangling'));
    const v = VerifiedDir.open(d);
    try {
      expect(refusal(() => v.createFile('f', 'new'))).toMatch(/already exists/);
      expect(refusal(() => v.createFile('dangling', 'new'))).toMatch(/already exists/);
      v.createFile('g', 'new');
    } finally {
      v.close();
    }
    expect(fs.readFileSync(path.join(d, 'f'), 'utf8')).toBe('old');
    expect(fs.existsSync(path.join(d, 'would-be-created'))).toBe(false);
    expect(fs.statSync(path.join(d, 'g')).mode & 0o777).toBe(0o600);
  });

  it('replaceFile refuses a symlink, FIFO or directory target (without hanging on the FIFO) and leaves no temp', () => {
    const d = fresh();
    const victim = pg.victimFile(`victim${n++}`);
    fs.symlinkSync(victim.path, path.join(d, 'link'));
    spawnSync('mkfifo', [path.join(d, 'fifo')]);
    fs.mkdirSync(path.join(d, 'dir'));
    const v = VerifiedDir.open(d);
    try {
      expect(refusal(() => v.replaceFile('link', 'x'))).toMatch(/is a symlink, not a regular file/);
      expect(refusal(() => v.replaceFile('fifo', 'x'))).toMatch(/is a FIFO, not a regular file/);
      expect(refusal(() => v.replaceFile('dir', 'x'))).toMatch(/is a directory, not a regular file/);
      v.replaceFile('ok', 'one');
      v.replaceFile('ok', 'two');
    } finally {
      v.close();
    }
    expect(victim.now).toBe(victim.before);
    expect(fs.readdirSync(d).sort()).toEqual(['dir', 'fifo', 'link', 'ok']);
    expect(fs.readFileSync(path.join(d, 'ok'), 'utf8')).toBe('two');
  });

  it('replaceFile removes its temp file when the write fails (a full tmpfs), and the old file stays', () => {
    const d = fresh();
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16k,mode=0700', 'wedgetop-test', d]).status).toBe(0);
    try {
      fs.writeFileSync(path.join(d, 'metrics'), 'old\n');
      const v = VerifiedDir.open(d, { fsTypes: ['tmpfs'] });
      try {
        expect(refusal(() => v.replaceFile('metrics', 'x'.repeat(1 << 20)))).toMatch(/^cannot write .*metrics: no space left on device \(ENOSPC\)$/);
      } finally {
        v.close();
      }
      expect(fs.readdirSync(d)).toEqual(['metrics']);
      expect(fs.readFileSync(path.join(d, 'metrics'), 'utf8')).toBe('old\n');
    } finally {
      spawnSync('umount', [d]);
    }
  });

  it('openAppend refuses a symlink, a FIFO, a hard link and a file owned by someone else', () => {
    const d = fresh();
    const victim = pg.victimFile(`victim${n++}`);
    fs.symlinkSync(victim.path, path.join(d, 'link'));
    spawnSync('mkfifo', [path.join(d, 'fifo')]);
    fs.linkSync(victim.path, path.join(d, 'hard'));
    fs.writeFileSync(path.join(d, 'theirs'), '');
    fs.chownSync(path.join(d, 'theirs'), NOBODY, NOBODY);
    const v = VerifiedDir.open(d);
    try {
      expect(refusal(() => v.openAppend('link'))).toMatch(/is a symlink/);
      expect(refusal(() => v.openAppend('fifo'))).toMatch(/FIFO|ENXIO/);
      expect(refusal(() => v.openAppend('hard'))).toMatch(/has 2 hard links/);
      expect(refusal(() => v.openAppend('theirs'))).toMatch(/owned by uid 65534/);
      const fd = v.openAppend('new.log');
      fs.writeSync(fd, 'a\n');
      fs.closeSync(fd);
      const again = v.openAppend('new.log');
      fs.writeSync(again, 'b\n');
      fs.closeSync(again);
    } finally {
      v.close();
    }
    expect(victim.now).toBe(victim.before);
    expect(fs.readFileSync(path.join(d, 'new.log'), 'utf8')).toBe('a\nb\n');
  });

  it('a directory is checked by its fd: symlink, other owner, group/world-writable and wrong filesystem are refused', () => {
    const d = fresh();
    fs.symlinkSync(d, path.join(pg.base, `dlink${n}`));
    expect(refusal(() => VerifiedDir.open(path.join(pg.base, `dlink${n}`)))).toMatch(/is a symlink: refusing/);
    const theirs = fresh(0o755);
    fs.chownSync(theirs, NOBODY, NOBODY);
    expect(refusal(() => VerifiedDir.open(theirs))).toMatch(/owned by uid 65534, not root/);
    expect(refusal(() => VerifiedDir.open(fresh(0o770)))).toMatch(/writable by its group/);
    expect(refusal(() => VerifiedDir.open(fresh(0o1777)))).toMatch(/writable by everyone/);
    VerifiedDir.open(fresh(0o1777), { allowSticky: true }).close();
    expect(refusal(() => VerifiedDir.open(fresh(0o777), { allowSticky: true }))).toMatch(/writable by everyone/);
    expect(refusal(() => VerifiedDir.open(d, { fsTypes: ['ext4'] }))).toMatch(/is on tmpfs, not ext4/);
    VerifiedDir.open(d, { fsTypes: ['tmpfs'] }).close();
  });

  it('writes land in the directory that was verified even when its path is swapped for a symlink afterwards', () => {
    const d = fresh();
    const victim = pg.victimDir(`swap-victim${n++}`);
    const v = VerifiedDir.open(d);
    try {
      // The race a check by name loses: the directory is moved away and a symlink put at its name.
      fs.renameSync(d, `${d}.moved`);
      fs.symlinkSync(victim.path, d);
      v.createFile('new', 'x');
      v.replaceFile('metrics', 'y');
      v.subdir('sub').close();
    } finally {
      v.close();
    }
    expect(victim.now).toBe(victim.before);
    expect(fs.readdirSync(`${d}.moved`).sort()).toEqual(['metrics', 'new', 'sub']);
  });

  it('replaceFileAt: - is stdout, and no file named - appears', () => {
    let out = '';
    replaceFileAt('-', 'metrics\n', 0o644, { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream);
    expect(out).toBe('metrics\n');
  });

  it('SafeTree makes each directory itself and refuses one that became a symlink, or a .. component', () => {
    const d = fresh();
    const elsewhere = pg.victimDir(`elsewhere${n++}`);
    fs.symlinkSync(elsewhere.path, path.join(d, 'proc'));
    const tree = new SafeTree(VerifiedDir.open(d));
    try {
      tree.writeFile('/proc/1/stat', '1 (init) S');
      tree.writeFile('/sys/../../escape', 'x');
      tree.writeFile('/sys/kernel/x', 'ok');
      tree.writeFile('/sys/kernel/x', 'again'); // read twice in one scan: not a refusal
      expect(tree.refused).toBe(2);
      expect(tree.warning()).toMatch(/^record: 2 paths not saved \(\/proc\/1\/stat: .*proc is a symlink: refusing to write through it; \/sys\/\.\.\/\.\.\/escape: refusing the file name "\.\."\)$/);
    } finally {
      tree.close();
    }
    expect(elsewhere.now).toBe(elsewhere.before);
    expect(fs.readFileSync(path.join(d, 'sys/kernel/x'), 'utf8')).toBe('ok');
    expect(fs.existsSync(path.join(pg.safe, 'escape'))).toBe(false);
  });
});
