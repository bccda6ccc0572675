// What an admin copies to a wedged box: one file, fleet-friendly outputs, a schema that holds.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Ajv } from 'ajv';
import { wedgetop } from '../support/wedge.js';
import { corpusFixtures } from '../support/corpus.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wt-ship-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the single-file bundle', () => {
  it('runs alone in an empty directory, with no node_modules anywhere above it', () => {
    const dir = path.join(tmp, 'alone');
    fs.mkdirSync(dir);
    fs.copyFileSync('dist/wedgetop.mjs', path.join(dir, 'wedgetop.mjs'));
    const run = (args: string[]) => spawnSync(process.execPath, ['wedgetop.mjs', ...args], { cwd: dir, encoding: 'utf8', timeout: 30_000, maxBuffer: 512 * 1024 * 1024 });
    const live = run(['--json']);
    expect([0, 1], live.stderr).toContain(live.status);
    expect(JSON.parse(live.stdout)).toHaveProperty('rootCauses');
    const seed = run(['--replay', path.resolve('test/fixtures/seed-004'), '--once']);
    expect(seed.status).toBe(1);
    expect(seed.stdout).toContain('fsfreeze -u /var');
  });
});

describe('the single-file bundle in a real terminal', () => {
  it('draws the TUI from an empty directory and gives the terminal back on q', async () => {
    const dir = path.join(tmp, 'alone-tui');
    fs.mkdirSync(dir);
    fs.copyFileSync('dist/wedgetop.mjs', path.join(dir, 'wedgetop.mjs'));
    const sock = `wt-ship-${process.pid}`;
    const tmux = (...a: string[]): string => spawnSync('tmux', ['-L', sock, ...a], { encoding: 'utf8' }).stdout;
    try {
      tmux('-f', '/dev/null', 'new-session', '-d', '-x', '100', '-y', '30', '-c', dir,
        `env LANG=C.UTF-8 PS1='wt$ ' sh`);
      tmux('send-keys', `${process.execPath} wedgetop.mjs --replay ${path.resolve('test/fixtures/frozen-ext4')}`, 'Enter');
      let screen = '';
      for (let i = 0; i < 150 && !/\[u\] thaw/.test(screen); i++) {
        await new Promise((r) => setTimeout(r, 100));
        screen = tmux('capture-pane', '-p');
      }
      expect(screen).toMatch(/\[u\] thaw/);
      expect(screen).toContain('/tmp/mnt1');
      expect(tmux('display', '-p', '#{alternate_on}').trim()).toBe('1');
      tmux('send-keys', 'q');
      for (let i = 0; i < 50 && tmux('display', '-p', '#{alternate_on}').trim() !== '0'; i++) await new Promise((r) => setTimeout(r, 100));
      expect(tmux('display', '-p', '#{alternate_on}').trim()).toBe('0');
    } finally {
      spawnSync('tmux', ['-L', sock, 'kill-server']);
    }
  });
});

describe('the single executable (Node SEA)', () => {
  it('builds, and runs with no Node installed and an empty environment', () => {
    const b = spawnSync(process.execPath, ['scripts/build-sea.mjs'], { encoding: 'utf8', timeout: 120_000 });
    expect(b.status, b.stderr).toBe(0);
    const dir = path.join(tmp, 'sea');
    fs.mkdirSync(dir);
    fs.copyFileSync('dist/wedgetop', path.join(dir, 'wedgetop'));
    fs.chmodSync(path.join(dir, 'wedgetop'), 0o755);
    fs.rmSync('dist/wedgetop');
    // env -i: no PATH, so no node could be found even if one were installed.
    const run = (args: string[]) => spawnSync('/usr/bin/env', ['-i', './wedgetop', ...args], { cwd: dir, encoding: 'utf8', timeout: 30_000, maxBuffer: 512 * 1024 * 1024 });
    expect(run(['--version']).stdout).toMatch(/^wedgetop \d+\.\d+\.\d+\n$/);
    const live = run(['--json']);
    expect([0, 1], live.stderr).toContain(live.status);
    expect(JSON.parse(live.stdout)).toHaveProperty('rootCauses');
    const seed = run(['--replay', path.resolve('test/fixtures/seed-000'), '--once']);
    expect(seed.status).toBe(1);
    expect(seed.stdout).toMatch(/DEADLOCK CYCLE/);
  });
});

describe('JSON schema', () => {
  const schema = JSON.parse(fs.readFileSync('schema/wedgetop.schema.json', 'utf8')) as object;
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);

  // Every fixture of the diagnosis corpus, so a new family's resources and advice fit the schema too.
  it.each([['live'], ...corpusFixtures().map((f) => [f.name])])('real --json output validates: %s', (which) => {
    const r = wedgetop(which === 'live' ? ['--json'] : ['--replay', `test/fixtures/${which}`, '--json']);
    const j = JSON.parse(r.stdout) as unknown;
    expect(validate(j), JSON.stringify(validate.errors, null, 1)).toBe(true);
  });

  it('catches a report that breaks it', () => {
    const j = JSON.parse(wedgetop(['--replay', 'test/fixtures/seed-000', '--json']).stdout) as { rootCauses: { kind: string }[] };
    j.rootCauses[0]!.kind = 'mystery';
    expect(validate(j)).toBe(false);
  });
});

describe('--prometheus', () => {
  it('writes textfile-collector metrics atomically and leaves no temp file', () => {
    const dir = path.join(tmp, 'textfile');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'wedgetop.prom');
    const r = wedgetop(['--replay', 'test/fixtures/seed-000', '--prometheus', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(fs.readdirSync(dir)).toEqual(['wedgetop.prom']);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toMatch(/^wedgetop_blocked_tasks 5$/m);
    expect(text).toMatch(/^wedgetop_blocked_tasks_by_signature\{signature="audit-mutex"\} 5$/m);
    expect(text).toMatch(/^wedgetop_root_cause_blocked_tasks\{id="task:247832",kind="task",label="[^"]*"\} 5$/m);
    expect(text).toMatch(/^wedgetop_deadlock_cycles 1$/m);
    // Every sample line is "name{labels} value" or "name value".
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) expect(line).toMatch(/^[a-z_]+(\{.*\})? -?[\d.e+]+$/);
  });
});
