// A remedy is re-checked when it runs, not only when it was planned: a confirm dialog can stay
// open across an unmount and a new mount at the same path, and a mount path seen from a
// container's namespace means something else (or nothing) in wedgetop's.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { collect } from '../../src/collector/collect.js';
import { LiveSource } from '../../src/procfs/source.js';
import { analyze } from '../../src/graph/analyze.js';
import { execute, planFor } from '../../src/actions/remedy.js';
import { ActionLog } from '../../src/actions/log.js';
import type { JsonReport } from '../../src/report/json.js';
import { frozenFsUp, frozenNsUp, isRoot, untilNoneInD, wedgetop, WEDGE_ROOT } from '../support/wedge.js';

const ctx = { selfPid: process.pid, readOnly: false, live: true };
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      c();
    } catch (e) {
      process.stderr.write(`cleanup: ${(e as Error).message}\n`);
    }
  }
});
const sh = (cmd: string, args: string[]): ReturnType<typeof spawnSync> => spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
const stateOf = (pid: number): string | undefined => {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
};
async function untilGone(pids: number[]): Promise<number[]> {
  for (let i = 0; i < 100; i++) {
    const left = pids.filter((p) => !['Z', 'X', undefined].includes(stateOf(p)));
    if (!left.length) return [];
    await new Promise((r) => setTimeout(r, 100));
  }
  return pids.filter((p) => !['Z', 'X', undefined].includes(stateOf(p)));
}
const logDir = (): string => {
  const d = fs.mkdtempSync(path.join('/dev/shm', 'wt-recheck-log-'));
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
};

describe.skipIf(!isRoot)('remedies re-checked right before they run (real kernel, root)', () => {
  it('a thaw planned for a frozen mount that was replaced by another frozen filesystem at the same path is refused', async () => {
    const w = frozenFsUp();
    cleanups.push(() => w.down());
    const a = analyze(collect(new LiveSource(), { selfPid: process.pid }));
    const plan = planFor(a, `frozen-fs:${w.mount}`, ctx);
    if ('refused' in plan) throw new Error(plan.refused);
    expect(plan.command).toBe(`fsfreeze -u ${w.mount}`);
    const planned = { mountId: plan.remedy.mountId, majMin: plan.remedy.majMin };
    expect(planned.mountId).toBeGreaterThan(0);

    // While the dialog is open: the backup job thaws its filesystem, the writers finish, it is
    // unmounted, and another filesystem is mounted at the same path and frozen on purpose.
    execFileSync('fsfreeze', ['-u', w.mount], { timeout: 20_000 });
    expect(await untilNoneInD(w.writers.map((x) => x.pid))).toEqual([]);
    for (const x of w.writers) sh('kill', ['-KILL', String(x.pid)]);
    expect(await untilGone(w.writers.map((x) => x.pid))).toEqual([]);
    expect(sh('umount', [w.mount]).status).toBe(0);
    const img = `${path.dirname(w.mount)}-other.img`;
    cleanups.push(() => fs.rmSync(img, { force: true }));
    execFileSync('truncate', ['-s', '32M', img]);
    execFileSync('mkfs.ext4', ['-q', '-F', img], { stdio: 'ignore' });
    const loop = execFileSync('losetup', ['--find', '--show', img], { encoding: 'utf8', timeout: 10_000 }).trim();
    cleanups.push(() => void sh('losetup', ['-d', loop]));
    execFileSync('mount', ['-t', 'ext4', loop, w.mount], { timeout: 10_000 });
    cleanups.push(() => void sh('umount', [w.mount]));
    execFileSync('fsfreeze', ['-f', w.mount], { timeout: 20_000 });
    cleanups.push(() => void sh('fsfreeze', ['-u', w.mount]));

    const steps: string[] = [];
    const res = await execute(plan, { ctx, dryRun: false, graceMs: 100, log: new ActionLog(logDir()), onStep: (m) => steps.push(m) });
    expect(res.ok).toBe(false);
    expect(res.message).toMatch(new RegExp(`mount id ${planned.mountId}, device ${planned.majMin}\\) is no longer mounted as planned; ${w.mount} is now mount id \\d+, device \\d+:\\d+ \\(ext4 on ${loop}\\): refusing`));
    expect(steps.some((s) => s.startsWith('running'))).toBe(false);
    // Still frozen: the thaw below succeeds only on a frozen filesystem (EINVAL otherwise).
    expect(sh('fsfreeze', ['-u', w.mount]).status).toBe(0);
  });

  it('a frozen mount inside a private mount namespace: the plan enters that namespace, and running it frees every writer', async () => {
    const w = frozenNsUp();
    cleanups.push(() => w.down());
    const j = JSON.parse(wedgetop(['--json']).stdout) as JsonReport;
    const rc = j.rootCauses.find((r) => r.kind === 'frozen-fs' && r.mount === w.mount);
    expect(rc, JSON.stringify(j.rootCauses)).toBeDefined();
    expect(rc!.blocked).toBeGreaterThanOrEqual(w.writers.length);

    const r = wedgetop(['--fix', `frozen-fs:${w.mount}`, '--yes']);
    const cmd = /^command: +(.*)$/m.exec(r.stderr)?.[1];
    const nsPid = Number(/^nsenter -m -t (\d+) fsfreeze -u (\S+)$/.exec(cmd ?? '')?.[1]);
    expect(cmd, r.stderr).toBe(`nsenter -m -t ${nsPid} fsfreeze -u ${w.mount}`);
    expect(w.writers.map((x) => x.pid)).toContain(nsPid);
    expect(r.stderr).toMatch(/exists only in the mount namespace of pid \d+ \(mnt:\[\d+\]\)/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/(\d+) of \1 blocked tasks came free/);
    expect(await untilNoneInD(w.writers.map((x) => x.pid))).toEqual([]);
    // Every writer got to the end of its script (its write, openat, mkdir went through).
    const sd = path.dirname(w.mount);
    for (const x of w.writers) expect(fs.existsSync(path.join(sd, 'writers', `${x.kind}.done`)), `${x.kind} writer`).toBe(true);
    expect(WEDGE_ROOT).toBe(path.dirname(sd));
  });
});
