import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { wedgetop } from '../support/wedge.js';
import { FLAGS, helpText, parseArgs, UsageError } from '../../src/cli.js';
import { VERSION } from '../../src/version.js';
import type { JsonReport } from '../../src/report/json.js';

describe('command line', () => {
  it('--help lists every flag of the table, one line each', () => {
    const r = wedgetop(['--help']);
    expect(r.code).toBe(0);
    for (const f of FLAGS) expect(r.stdout).toMatch(new RegExp(`^  .*${f.flag}.* ${f.help.slice(0, 20).replace(/[()]/g, '.')}`, 'm'));
    expect(r.stdout).toBe(helpText());
  });

  it('--version matches package.json', () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    expect(wedgetop(['--version']).stdout).toBe(`wedgetop ${pkg.version}\n`);
  });

  it('an unknown flag is one clear line and exit 2', () => {
    const r = wedgetop(['--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('wedgetop: unknown option --frobnicate (see wedgetop --help)\n');
  });

  it('a bad --replay directory is one clear line and exit 2', () => {
    const r = wedgetop(['--replay', '/nonexistent/snap', '--once']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--replay \/nonexistent\/snap: no such directory/);
    const empty = wedgetop(['--replay', 'test', '--once']);
    expect(empty.stderr).toMatch(/not a wedgetop snapshot directory/);
  });

  it('refuses contradictory modes instead of letting one silently win', () => {
    expect(() => parseArgs(['--once', '--json'])).toThrow(/choose one/);
    expect(() => parseArgs(['--json', '--prometheus', '/run/x.prom'])).toThrow(/--prometheus writes its file/);
    expect(() => parseArgs(['--fix', 'task:1', '--json'])).toThrow(/--fix prints its own/);
    expect(() => parseArgs(['--once', '--log', '/run/x.log'])).toThrow(/--log is the live view/);
    const r = wedgetop(['--replay', 'test/fixtures/seed-000', '--once', '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('checks flag arguments', () => {
    expect(() => parseArgs(['--interval', 'soon'])).toThrow(UsageError);
    expect(() => parseArgs(['--record'])).toThrow(/needs DIR/);
    expect(parseArgs(['--interval=0.5']).intervalMs).toBe(500);
    expect(parseArgs([], { NO_COLOR: '1' }).noColor).toBe(true);
    expect(parseArgs([], { TERM: 'dumb' }).noColor).toBe(true);
  });

  it('refuses to record into a non-empty directory', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'wt-rec-'));
    fs.writeFileSync(path.join(d, 'x'), 'x');
    const r = wedgetop(['--record', d, '--once']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not empty/);
  });

  it('replays seed 000 as JSON and exits 1 (blocked tasks found)', () => {
    const r = wedgetop(['--replay', 'test/fixtures/seed-000', '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as JsonReport;
    expect(j.rootCauses[0]).toMatchObject({ id: 'task:247832', pid: 247832, inCycle: true });
    expect(j.tasks.find((t) => t.tid === 248085)).toMatchObject({ comm: 'auditbeat', state: 'S', isHolder: true, signature: 'netlink-full' });
  });

  it('without a terminal prints the --once report instead of the TUI', () => {
    const r = wedgetop(['--replay', 'test/fixtures/seed-004']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ROOT CAUSES/);
    expect(r.stdout).toContain('fsfreeze -u /var');
  });

  it('a live scan of this machine works and exits 0 or 1', () => {
    const r = wedgetop(['--json']);
    expect([0, 1]).toContain(r.code);
    const j = JSON.parse(r.stdout) as JsonReport;
    expect(j.taskCount).toBeGreaterThan(1);
  });
});

describe('a kernel thread in the reports', () => {
  it('has no syscall, whatever numbers its syscall file holds', async () => {
    const { analyzeDir } = await import('../support/replay.js');
    const { toJson } = await import('../../src/report/json.js');
    const { decodeSyscall } = await import('../../src/ui/syscall.js');
    const a = analyzeDir('test/fixtures/unregister-netdevice');
    const k = a.tasks.find((t) => t.isKernelThread)!;
    expect(k, 'the fixture has a kernel thread').toBeDefined();
    const withZero = { ...k, detail: { ...k.detail, syscall: { nr: 0, args: ['0x0', '0x0', '0x0'] } } };
    expect(decodeSyscall(withZero, a.snapshot, '->').text).toBe('none (kernel thread)');
    expect(toJson({ ...a, tasks: [withZero] }).tasks[0]!.syscall).toBe('none (kernel thread)');
  });
});
