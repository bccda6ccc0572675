// The guards every remedy passes before a signal is sent, on real processes of this machine.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execute, planFor, verifyTarget, type ActionPlan } from '../../src/actions/remedy.js';
import { ActionLog, defaultLogDir, isTmpfs } from '../../src/actions/log.js';
import { parseStat } from '../../src/procfs/parse.js';
import { analyzeDir } from '../support/replay.js';
import { wedgetop, WEDGE_ROOT } from '../support/wedge.js';

const ctx = { selfPid: process.pid, readOnly: false };
const startOf = (pid: number): number => parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))!.startTicks;
const tmpDirs: string[] = [];
const tmpIn = (base: string): string => {
  const d = fs.mkdtempSync(path.join(base, 'wt-log-'));
  tmpDirs.push(d);
  return d;
};
const memLog = (): ActionLog => new ActionLog(tmpIn('/dev/shm'));
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function killPlan(pid: number, startTicks: number): ActionPlan {
  return {
    rootCause: { id: `task:${pid}`, kind: 'task', label: 'x', pid, tid: pid, blocked: 0, blockedTasks: [], chain: [], remedies: [], inCycle: false, confidence: 'certain', how: 'test' },
    remedy: { action: 'kill', pid, startTicks, signal: 'SIGTERM', command: `kill -TERM ${pid}`, risk: '' },
    target: `sleep (pid ${pid})`,
    command: `kill -TERM ${pid}`,
    blockedKeys: [],
    confirmTwice: false,
  };
}

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

describe('remedy guards', () => {
  it('refuses PID 1, wedgetop itself, its collector, and kernel threads', () => {
    expect(verifyTarget(1, undefined, ctx)).toMatch(/PID 1/);
    expect(verifyTarget(process.pid, undefined, ctx)).toMatch(/wedgetop itself/);
    expect(verifyTarget(4242, undefined, { ...ctx, collectorPid: 4242 })).toMatch(/collector/);
    // kthreadd is pid 2 on every Linux.
    expect(verifyTarget(2, startOf(2), ctx)).toMatch(/kernel thread/);
  });

  it('refuses when the PID now belongs to another process (start time changed)', async () => {
    child = spawn('sleep', ['30']);
    const pid = child.pid!;
    await new Promise((r) => setTimeout(r, 50));
    const real = startOf(pid);
    expect(verifyTarget(pid, real, ctx)).toBeUndefined();
    expect(verifyTarget(pid, real - 1, ctx)).toMatch(/now belongs to another process/);
    const log = memLog();
    const res = await execute(killPlan(pid, real - 1), { ctx, dryRun: false, graceMs: 100, log });
    expect(res.ok).toBe(false);
    expect(fs.existsSync(`/proc/${pid}`)).toBe(true); // not signalled
    expect(log.entries[0]!.result).toMatch(/another process/);
  });

  it('kills with SIGTERM, then SIGKILL when the target ignores SIGTERM, each step shown', async () => {
    child = spawn('bash', ['-c', 'trap "" TERM; sleep 30 & wait; sleep 30'], { stdio: 'ignore' });
    const pid = child.pid!;
    await new Promise((r) => setTimeout(r, 100));
    const steps: string[] = [];
    const res = await execute(killPlan(pid, startOf(pid)), { ctx, dryRun: false, graceMs: 300, log: memLog(), onStep: (m) => steps.push(m) });
    expect(res).toEqual({ ok: true, message: `pid ${pid} exited after SIGKILL` });
    expect(steps.slice(0, 3)).toEqual([
      `sending SIGTERM to sleep (pid ${pid})`,
      expect.stringMatching(/still there after 300 ms/),
      `sending SIGKILL to sleep (pid ${pid})`,
    ]);
  });

  it('dry-run and read-only run nothing', async () => {
    child = spawn('sleep', ['30']);
    const pid = child.pid!;
    await new Promise((r) => setTimeout(r, 50));
    const log = memLog();
    expect(await execute(killPlan(pid, startOf(pid)), { ctx, dryRun: true, graceMs: 100, log })).toEqual({ ok: true, message: `dry run: would run: kill -TERM ${pid}` });
    expect(await execute(killPlan(pid, startOf(pid)), { ctx: { ...ctx, readOnly: true }, dryRun: false, graceMs: 100, log })).toMatchObject({ ok: false });
    expect(fs.existsSync(`/proc/${pid}/stat`) && parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))!.state).not.toBe('Z');
    expect(log.entries.map((e) => e.result)).toEqual([`dry run: would run: kill -TERM ${pid}`, 'read-only mode: nothing run']);
  });

  it('plans from the analysis: seed 000 kills auditbeat, never PID 1 or a kernel thread', () => {
    const a = analyzeDir('test/fixtures/seed-000');
    const plan = planFor(a, 'task:247832', ctx);
    expect(plan).toMatchObject({ target: 'auditbeat (pid 247832, user root)', command: 'kill -TERM 247832; sleep 3; kill -KILL 247832' });
    expect('refused' in plan ? [] : plan.blockedKeys.sort()).toEqual(['301001/301001', '301017/301017', '301042/301042', '301100/301100', '301161/301161']);
    expect(planFor(a, 'task:247832', { ...ctx, readOnly: true })).toEqual({ refused: 'read-only mode: no actions' });
    expect(planFor(a, 'task:247832', { ...ctx, selfPid: 247832 })).toEqual({ refused: 'refusing to signal wedgetop itself' });
  });

  it('--fix on a replayed snapshot only dry-runs, as README says, and its log entry names the snapshot', () => {
    const r = wedgetop(['--replay', 'test/fixtures/seed-000', '--fix', 'task:247832', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/dry run only/);
    expect(r.stderr).toMatch(/would run: kill -TERM 247832/);
    const logged = fs.readFileSync(path.join(WEDGE_ROOT, 'action-log', 'actions.log'), 'utf8').trim().split('\n').pop()!;
    expect(logged).toContain('in the replayed snapshot test/fixtures/seed-000');
    const d = wedgetop(['--replay', 'test/fixtures/seed-000', '--fix', 'task:247832', '--dry-run']);
    expect(d.code).toBe(0);
    expect(d.stderr).toMatch(/should free 5 blocked tasks/);
  });
});

describe('action log', () => {
  it('goes to a tmpfs only, mode 0600 in a 0700 directory', () => {
    const dir = defaultLogDir(undefined, {});
    expect(dir).toBeDefined();
    expect(isTmpfs(dir!)).toBe(true);
    const d = tmpIn('/dev/shm');
    const log = new ActionLog(path.join(d, 'sub'));
    log.append({ action: 'kill', target: 't', command: 'c', result: 'r' });
    expect(fs.statSync(path.join(d, 'sub')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(log.file!).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(log.file!, 'utf8')).toMatch(/\tkill\tt\tc\tr\n$/);
  });

  it('refuses a directory on a disk filesystem that could be frozen', () => {
    const log = new ActionLog(tmpIn(os.homedir()));
    expect(log.file).toBeUndefined();
    expect(log.problem).toMatch(/not on a tmpfs/);
  });
});
