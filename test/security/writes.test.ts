// Issue 12, items 1-3: an unprivileged local user turning root's writes against the box. Each
// test is the attack as it was done on this VM: nobody plants symlinks in a /tmp-like directory,
// root runs wedgetop, and nothing outside the path wedgetop was asked to write may change. The
// kernel's own protections (fs.protected_symlinks/regular/fifos) are off while these run (see
// support.ts): the refusals seen here are wedgetop's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRoot, wedgetop } from '../support/wedge.js';
import { ActionLog } from '../../src/actions/log.js';
import { openTmpfsLog } from '../../src/ui/log.js';
import { columnPrefs } from '../../src/ui/prefs.js';
import { analyzeDir } from '../support/replay.js';
import { Playground, NOBODY } from './support.js';

const FIXTURE = path.resolve(__dirname, '../fixtures/seed-000');
const BUNDLE = path.resolve(__dirname, '../../dist/wedgetop.mjs');

describe.skipIf(!isRoot)('root cannot be made to write through a planted path (issue 12)', () => {
  let pg: Playground;
  beforeAll(() => {
    pg = new Playground('security-writes');
  });
  afterAll(() => pg?.cleanup());

  describe('--prometheus FILE', () => {
    it('ignores symlinks sprayed at every predictable temp name in the textfile directory', () => {
      const victim = pg.victimFile('shadow-prom');
      const dir = path.join(pg.base, 'textfile');
      fs.mkdirSync(dir);
      fs.chmodSync(dir, 0o1777);
      // The old temp name was .FILE.<pid>.tmp: nobody sprays the next few thousand pids.
      const last = Number(fs.readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8'));
      pg.nodeAsNobody(`for (let i = ${last}; i < ${last + 5000}; i++) require('fs').symlinkSync(${JSON.stringify(victim.path)}, ${JSON.stringify(dir)} + '/.wedgetop.prom.' + i + '.tmp')`);
      const r = wedgetop(['--replay', FIXTURE, '--prometheus', path.join(dir, 'wedgetop.prom')]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1); // the seed has blocked tasks
      expect(victim.now).toBe(victim.before);
      const out = path.join(dir, 'wedgetop.prom');
      expect(fs.lstatSync(out).isFile()).toBe(true);
      expect(fs.readFileSync(out, 'utf8')).toMatch(/^wedgetop_blocked_tasks \d+$/m);
      // Nothing of root's left behind but the file itself.
      const roots = fs.readdirSync(dir).filter((n) => fs.lstatSync(path.join(dir, n)).uid === 0);
      expect(roots).toEqual(['wedgetop.prom']);
    });

    it('refuses to replace a target that a user made a symlink, and says so on one line', () => {
      const victim = pg.victimFile('shadow-prom2');
      const dir = path.join(pg.base, 'textfile2');
      fs.mkdirSync(dir);
      fs.chmodSync(dir, 0o1777);
      pg.asNobody(`ln -s ${victim.path} ${dir}/wedgetop.prom`);
      const r = wedgetop(['--replay', FIXTURE, '--prometheus', path.join(dir, 'wedgetop.prom')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^wedgetop: --prometheus .*wedgetop\.prom: .* is a symlink, not a regular file: refusing to replace it \(use - for stdout\)\n$/);
      expect(victim.now).toBe(victim.before);
      expect(fs.lstatSync(path.join(dir, 'wedgetop.prom')).isSymbolicLink()).toBe(true);
    });

    it('--prometheus /dev/stdout leaves the /dev/stdout symlink alone; - is stdout, not a file named -', () => {
      const before = fs.readlinkSync('/dev/stdout');
      try {
        const r = wedgetop(['--replay', FIXTURE, '--prometheus', '/dev/stdout']);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/use - for stdout/);
        expect(fs.lstatSync('/dev/stdout').isSymbolicLink()).toBe(true);
        expect(fs.readlinkSync('/dev/stdout')).toBe(before);
      } finally {
        // The old code replaced it with a regular file: put the box back whatever happened.
        if (!fs.lstatSync('/dev/stdout').isSymbolicLink()) {
          fs.rmSync('/dev/stdout');
          fs.symlinkSync(before, '/dev/stdout');
        }
      }
      const cwd = fs.mkdtempSync(path.join(pg.safe, 'cwd-'));
      const r = spawnSync(process.execPath, [BUNDLE, '--replay', FIXTURE, '--prometheus', '-'], { cwd, encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/^# HELP wedgetop_blocked_tasks /);
      expect(fs.readdirSync(cwd)).toEqual([]);
    });
  });

  describe('the action log', () => {
    it('refuses a log directory nobody pre-created with actions.log pointing at a victim', () => {
      const victim = pg.victimFile('passwd');
      const dir = path.join(pg.base, 'wedgetop-log');
      pg.asNobody(`mkdir -m 777 ${dir}; ln -s ${victim.path} ${dir}/actions.log`);
      const log = new ActionLog(dir);
      log.append({ action: 'kill', target: 'root::0:0::/root:/bin/sh', command: 'kill -KILL 1', result: 'ok' });
      expect(log.file).toBeUndefined();
      expect(log.problem).toBe(`${dir} is owned by uid ${NOBODY}, not root: refusing to write there: actions are kept in memory only`);
      expect(victim.now).toBe(victim.before);
      expect(fs.statSync(dir).mode & 0o777).toBe(0o777); // not chmod'ed either
      expect(log.entries).toHaveLength(1); // the action is still shown in the UI
    });

    it('refuses a log directory that is a symlink, and never chmods its target', () => {
      const victim = pg.victimDir('etc');
      const dir = path.join(pg.base, 'wedgetop-log2');
      pg.asNobody(`ln -s ${victim.path} ${dir}`);
      const log = new ActionLog(dir);
      log.append({ action: 'kill', target: 't', command: 'c', result: 'r' });
      expect(log.problem).toMatch(/is a symlink: refusing to write through it/);
      expect(victim.now).toBe(victim.before); // mode still 755, no actions.log in it
    });

    it('checks tmpfs by the opened directory, not by its name: a symlinked parent off the tmpfs is refused', () => {
      const disk = fs.mkdtempSync(path.join(path.resolve(__dirname), '.wt-disk-'));
      try {
        const link = path.join(pg.base, 'shm-looking');
        pg.asNobody(`ln -s ${disk} ${link}`);
        const log = new ActionLog(path.join(link, 'log'));
        log.append({ action: 'kill', target: 't', command: 'c', result: 'r' });
        expect(log.problem).toMatch(/is not on a tmpfs: refusing to log there/);
        expect(fs.readdirSync(disk)).toEqual([]);
      } finally {
        fs.rmSync(disk, { recursive: true, force: true });
      }
    });

    it('a newline in a target name cannot forge a log line', () => {
      const dir = path.join(pg.safe, 'log-ok');
      const log = new ActionLog(dir);
      const evil = 'fuse mount /mnt/x\n2026-01-01T00:00:00.000Z\tkill\tsshd\tkill -KILL 1\tok';
      log.append({ action: 'thaw', target: evil, command: 'fsfreeze -u /mnt/x\x1b]0;pwned\x07', result: 'ok' });
      const text = fs.readFileSync(path.join(dir, 'actions.log'), 'utf8');
      const lines = text.split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      expect(lines[0]!.split('\t')).toHaveLength(5);
      expect(lines[0]).toContain('fuse mount /mnt/x\\n2026-01-01T00:00:00.000Z\\tkill');
      expect(text).not.toContain('\x1b');
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
      expect(fs.statSync(path.join(dir, 'actions.log')).mode & 0o777).toBe(0o600);
    });
  });

  describe('--log FILE (the debug log, in a world-writable tmpfs directory)', () => {
    it('refuses a name nobody planted as a symlink, as a hard link, or as a file of their own', () => {
      const victim = pg.victimFile('debug-victim');
      const dir = path.join(pg.base, 'logs');
      fs.mkdirSync(dir);
      fs.chmodSync(dir, 0o1777);
      pg.asNobody(`ln -s ${victim.path} ${dir}/sym.log; ln ${victim.path} ${dir}/hard.log; echo mine > ${dir}/theirs.log`);
      expect(() => openTmpfsLog(path.join(dir, 'sym.log'))).toThrow(/sym\.log is a symlink: refusing to write through it/);
      expect(() => openTmpfsLog(path.join(dir, 'hard.log'))).toThrow(/hard\.log has 2 hard links: refusing/);
      expect(() => openTmpfsLog(path.join(dir, 'theirs.log'))).toThrow(/theirs\.log is owned by uid 65534, not by us: refusing/);
      expect(victim.now).toBe(victim.before);
      expect(fs.readFileSync(path.join(dir, 'theirs.log'), 'utf8')).toBe('mine\n');
      const log = openTmpfsLog(path.join(dir, 'ours.log'));
      log('hello');
      log.close();
      expect(fs.readFileSync(path.join(dir, 'ours.log'), 'utf8')).toMatch(/Z hello\n$/);
    });
  });

  describe('--record DIR', () => {
    it('refuses an empty DIR that another user owns, so DIR/proc cannot be swapped for a symlink mid-recording', () => {
      const elsewhere = pg.victimDir('elsewhere');
      const dir = path.join(pg.base, 'rec');
      pg.asNobody(`mkdir -m 755 ${dir}`);
      // The attack: as soon as root makes DIR/proc, move it away and put a symlink in its place.
      pg.nobodyInBackground(`while [ ! -d ${dir}/proc ]; do :; done; mv ${dir}/proc ${dir}/old; ln -s ${elsewhere.path} ${dir}/proc`);
      const r = wedgetop(['--record', dir, '--once']);
      pg.stopAttackers();
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`wedgetop: ${dir} is owned by uid ${NOBODY}, not root: refusing to write there\n`);
      expect(elsewhere.now).toBe(elsewhere.before);
      expect(fs.readdirSync(dir)).toEqual([]);
    });

    it('a new DIR in a world-writable directory is made 0700 by root: nobody cannot plant anything in it', () => {
      const elsewhere = pg.victimDir('elsewhere2');
      const dir = path.join(pg.base, 'rec2');
      pg.nobodyInBackground(`while :; do ln -s ${elsewhere.path} ${dir}/proc 2>/dev/null && exit 0; done`);
      const r = wedgetop(['--record', dir, '--json']);
      pg.stopAttackers();
      expect([0, 1]).toContain(r.code);
      expect(fs.lstatSync(dir).uid).toBe(0);
      expect(fs.lstatSync(dir).mode & 0o777).toBe(0o700);
      expect(fs.lstatSync(path.join(dir, 'proc')).isDirectory()).toBe(true);
      expect(fs.existsSync(path.join(dir, 'meta.json'))).toBe(true);
      expect(elsewhere.now).toBe(elsewhere.before);
    });

    it('--record /proc/x fails at once with one line (it used to spin at 100% CPU)', () => {
      const r = wedgetop(['--record', '/proc/x', '--once'], { timeoutMs: 15_000 });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('wedgetop: cannot create /proc/x: no such file or directory (ENOENT)\n');
    });
  });

  describe('--bundle FILE', () => {
    it('refuses a bundle directory nobody planted as a symlink to another directory', () => {
      const victim = pg.victimDir('bundles');
      const dir = path.join(pg.base, 'bundle-dir');
      pg.asNobody(`ln -s ${victim.path} ${dir}`);
      const r = wedgetop(['--replay', FIXTURE, '--bundle', path.join(dir, 'b.tar.gz')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/symlink/);
      expect(victim.now).toBe(victim.before);
    });

    it('creates no missing directories on the way: a symlink planted earlier in the path cannot lead root into a victim directory', () => {
      const victim = pg.victimDir('bundles-deep');
      const link = path.join(pg.base, 'deep');
      pg.asNobody(`ln -s ${victim.path} ${link}`);
      const r = wedgetop(['--replay', FIXTURE, '--bundle', path.join(link, 'new', 'sub', 'b.tar.gz')]);
      expect(r.code).toBe(2);
      expect(victim.now).toBe(victim.before);
      expect(fs.readdirSync(victim.path)).toEqual([]);
    });

    it('refuses a bundle name nobody planted as a symlink to a victim file', () => {
      const victim = pg.victimFile('bundle-victim');
      const file = path.join(pg.base, 'ticket.tar.gz');
      pg.asNobody(`ln -s ${victim.path} ${file}`);
      const r = wedgetop(['--replay', FIXTURE, '--bundle', file]);
      expect(r.code).toBe(2);
      expect(victim.now).toBe(victim.before);
    });
  });

  describe('the F2 column choice (XDG config)', () => {
    it('is not saved through a config directory nobody planted as a symlink', () => {
      const victim = pg.victimDir('cfg-victim');
      const xdg = path.join(pg.base, 'xdg');
      pg.asNobody(`ln -s ${victim.path} ${xdg}`);
      const prefs = columnPrefs({ XDG_CONFIG_HOME: xdg })!;
      const res = prefs.save(['user'], { ...analyzeDir(FIXTURE), resources: [], rootCauses: [] });
      expect(res.ok).toBe(false);
      expect(res.text).toMatch(/symlink/);
      expect(victim.now).toBe(victim.before);
    });

    it('is not saved into a config directory another user owns', () => {
      const xdg = path.join(pg.base, 'xdg2');
      pg.asNobody(`mkdir -m 755 ${xdg}`);
      const prefs = columnPrefs({ XDG_CONFIG_HOME: xdg })!;
      const res = prefs.save(['user'], { ...analyzeDir(FIXTURE), resources: [], rootCauses: [] });
      expect(res.ok).toBe(false);
      expect(fs.readdirSync(xdg)).toEqual([]);
    });
  });
});
