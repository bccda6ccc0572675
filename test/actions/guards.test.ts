// The guards every remedy passes before a signal is sent, on real processes of this machine.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cgroupDirRefusal, execute, planFor, recheckMount, sendSignal, shellJoin, verifyTarget, type ActionPlan } from '../../src/actions/remedy.js';
import { parseMountinfo } from '../../src/procfs/parse.js';
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

function killPlan(pid: number, startTicks: number | undefined): ActionPlan {
  return {
    rootCause: { id: `task:${pid}`, kind: 'task', label: 'x', pid, tid: pid, blocked: 0, blockedTasks: [], chain: [], remedies: [], inCycle: false, confidence: 'certain', how: 'test' },
    remedy: { action: 'kill', pid, startTicks, signal: 'SIGTERM', command: `kill -TERM ${pid}`, risk: '' },
    target: `sleep (pid ${pid})`,
    command: `kill -TERM ${pid}`,
    blockedKeys: [],
    confirmTwice: false,
    guard: 'start time',
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

  it('a kill planned at a PID whose process exited and was replaced is refused, through the pidfd and without it', async () => {
    child = spawn('sleep', ['30']);
    const pid = child.pid!;
    await new Promise((r) => setTimeout(r, 50));
    // The plan recorded the start time of the process that had this PID before.
    const recorded = startOf(pid) - 7;
    for (const python of ['python3', '']) {
      const log = memLog();
      const res = await execute(killPlan(pid, recorded), { ctx: { ...ctx, python }, dryRun: false, graceMs: 100, log });
      expect(res.ok).toBe(false);
      expect(res.message).toMatch(new RegExp(`pid ${pid} now belongs to another process \\(sleep, started at \\d+, not ${recorded}\\): refusing`));
    }
    // The pidfd helper itself checks the start time after opening the pidfd.
    const direct = await sendSignal(pid, recorded, 'SIGKILL', { ctx, dryRun: false, graceMs: 100, log: memLog() });
    expect(direct).toMatchObject({ ok: false, message: expect.stringMatching(/now belongs to another process .*: refusing/) });
    expect(parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))!.state).toBe('S'); // never signalled
  });

  it('refuses to signal when the start time is unknown, instead of skipping the guard', async () => {
    child = spawn('sleep', ['30']);
    const pid = child.pid!;
    await new Promise((r) => setTimeout(r, 50));
    const plan = killPlan(pid, undefined);
    const res = await execute(plan, { ctx, dryRun: false, graceMs: 100, log: memLog() });
    expect(res).toEqual({ ok: false, message: `the start time of pid ${pid} is unknown: cannot rule out PID reuse, refusing` });
    expect(parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))!.state).toBe('S');
    const a = analyzeDir('test/fixtures/seed-000');
    const rc = a.rootCauses.find((r) => r.id === 'task:247832')!;
    rc.remedies = rc.remedies.map((r) => ({ ...r, startTicks: undefined }));
    expect(planFor(a, 'task:247832', ctx)).toEqual({ refused: 'the start time of pid 247832 is unknown: cannot rule out PID reuse, refusing' });
  });

  it('without python3 the signal goes by kill(2) between two start-time checks, and still reaches the target', async () => {
    child = spawn('sleep', ['30']);
    const pid = child.pid!;
    await new Promise((r) => setTimeout(r, 50));
    const steps: string[] = [];
    const res = await execute(killPlan(pid, startOf(pid)), { ctx: { ...ctx, python: '' }, dryRun: false, graceMs: 2000, log: memLog(), onStep: (m) => steps.push(m) });
    expect(res).toEqual({ ok: true, message: `pid ${pid} exited after SIGTERM` });
    expect(steps[1]).toBe('SIGTERM sent with kill(2), start time checked before and after');
  });

  it('a FUSE abort is refused when connection N is no longer the device of the planned mount', async () => {
    // Connection numbers are the minor of a FUSE mount's anonymous device, reused by the next
    // FUSE mount: the planned mount id must still carry device 0:N. Any mount of this namespace
    // shows the check (no FUSE daemon needed): planned as 0:42, it has another device now.
    const m = parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8')).find((x) => x.mountPoint === '/')!;
    const ownNs = fs.readlinkSync('/proc/self/ns/mnt');
    const planned = { action: 'fuse-abort' as const, connection: 42, command: '', risk: '', mount: m.mountPoint, mountId: m.mountId, mntNs: ownNs };
    expect(await recheckMount({ ...planned, majMin: m.majMin }, ownNs)).toBeUndefined();
    expect(await recheckMount({ ...planned, majMin: '0:42' }, ownNs)).toMatch(new RegExp(`^/ \\(mount id ${m.mountId}, device 0:42\\) is no longer mounted as planned; / is now mount id \\d+, device ${m.majMin} .*: refusing`));
    expect(await recheckMount({ ...planned, majMin: m.majMin, mountId: undefined }, ownNs)).toMatch(/was not pinned down when planned: refusing/);
  });

  it('plans a thaw of a mount seen from another namespace on the host path of the same filesystem, else through nsenter', () => {
    // frozen-ext4 as if its writers ran in a container: their namespace is not wedgetop's.
    const base = analyzeDir('test/fixtures/frozen-ext4');
    const rc = base.rootCauses.find((r) => r.kind === 'frozen-fs')!;
    const theirs = base.tasks.find((t) => t.waitsOn === rc.id)!.detail!.mntNs!;
    const m = base.snapshot.mounts[theirs]!.find((x) => x.mountPoint === rc.mount)!;
    const withHost = (hostMounts: typeof m[]) => ({ ...base, snapshot: { ...base.snapshot, selfMntNs: 'mnt:[1]', mounts: { ...base.snapshot.mounts, 'mnt:[1]': hostMounts } } });
    const host = { ...m, mountId: 4242, mountPoint: '/var/lib/container 7/rootfs/mnt1' };
    const p1 = planFor(withHost([host]), rc.id, ctx);
    if ('refused' in p1) throw new Error(p1.refused);
    expect(p1.command).toBe(`fsfreeze -u '/var/lib/container 7/rootfs/mnt1'`);
    expect(p1.hostMount).toEqual({ mountId: 4242, majMin: m.majMin, mountPoint: host.mountPoint });
    expect(p1.how).toMatch(new RegExp(`the same filesystem \\(device ${m.majMin}\\) is mounted at /var/lib/container 7/rootfs/mnt1 in wedgetop's`));
    const p2 = planFor(withHost([]), rc.id, ctx);
    if ('refused' in p2) throw new Error(p2.refused);
    expect(p2.command).toBe(`nsenter -m -t ${p2.remedy.nsPid} fsfreeze -u ${rc.mount}`);
    expect(p2.remedy).toMatchObject({ mountId: m.mountId, majMin: m.majMin, mntNs: theirs });
    // Same namespace (an older recording says nothing about wedgetop's): the path as it is.
    const p3 = planFor(base, rc.id, ctx);
    expect('refused' in p3 ? p3.refused : p3.command).toBe(`fsfreeze -u ${rc.mount}`);
  });

  it('prints commands quoted for a POSIX shell', () => {
    expect(shellJoin(['fsfreeze', '-u', '/mnt/a b;reboot'])).toBe("fsfreeze -u '/mnt/a b;reboot'");
    expect(shellJoin(['nsenter', '-m', '-t', '42', 'fsfreeze', '-u', "/it's"])).toBe("nsenter -m -t 42 fsfreeze -u '/it'\\''s'");
  });

  it('kills with SIGTERM, then SIGKILL when the target ignores SIGTERM, each step shown', async () => {
    child = spawn('bash', ['-c', 'trap "" TERM; sleep 30 & wait; sleep 30'], { stdio: 'ignore' });
    const pid = child.pid!;
    await new Promise((r) => setTimeout(r, 100));
    const steps: string[] = [];
    const res = await execute(killPlan(pid, startOf(pid)), { ctx, dryRun: false, graceMs: 300, log: memLog(), onStep: (m) => steps.push(m) });
    expect(res).toEqual({ ok: true, message: `pid ${pid} exited after SIGKILL` });
    expect(steps.slice(0, 5)).toEqual([
      `sending SIGTERM to sleep (pid ${pid})`,
      'SIGTERM sent through a pidfd',
      expect.stringMatching(/still there after 300 ms/),
      `sending SIGKILL to sleep (pid ${pid})`,
      'SIGKILL sent through a pidfd',
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

describe('cgroup-thaw target guard', () => {
  const mi = '30 25 0:26 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw\n31 25 0:27 / /tmp rw - tmpfs tmpfs rw\n';
  it('accepts a directory below a cgroup2 mount', () => {
    expect(cgroupDirRefusal('/sys/fs/cgroup/unified/wedgetop-x', mi)).toBeUndefined();
  });
  it('refuses the root cgroup, another filesystem, a relative path and ".." (a replayed snapshot is untrusted)', () => {
    expect(cgroupDirRefusal('/sys/fs/cgroup/unified', mi)).toMatch(/root cgroup/);
    expect(cgroupDirRefusal('/tmp/evil', mi)).toMatch(/not under a cgroup2 mount/);
    expect(cgroupDirRefusal('/sys/fs/cgroup/unifiedX/a', mi)).toMatch(/not under a cgroup2 mount/);
    expect(cgroupDirRefusal('/sys/fs/cgroup/unified/../../../tmp', mi)).toMatch(/not a cgroup directory/);
    expect(cgroupDirRefusal('wedgetop-x', mi)).toMatch(/not a cgroup directory/);
    expect(cgroupDirRefusal(undefined, mi)).toMatch(/not a cgroup directory/);
  });
});

describe('PID-reuse guard by a thread (the holder thread was read, not its main thread)', () => {
  it('passes while that thread lives with its start time, refuses when the start time differs', () => {
    const tids = fs.readdirSync(`/proc/${process.pid}/task`).map(Number);
    const tid = tids.find((t) => t !== process.pid) ?? process.pid;
    const st = parseStat(fs.readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8'))!.startTicks;
    const other = { selfPid: 0, readOnly: false };
    expect(verifyTarget(process.pid, st, other, tid)).toBeUndefined();
    if (tid !== process.pid) expect(verifyTarget(process.pid, st + 1, other, tid)).toMatch(/another process/);
    expect(verifyTarget(process.pid, st, other, 999_999_999)).toMatch(/is gone/);
  });
});
