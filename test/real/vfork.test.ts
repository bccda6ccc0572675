// A parent in vfork() waits (D, killable) until its child execs or exits. When the child cannot
// run, the parent is stuck behind it: wedgetop must follow the parent to its child and name what
// keeps the child from running, with the remedy that frees both (measured: test/wedges/README.md §5).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frozenFsUp, isRoot, untilNoneInD, vforkUp, wedgetop, type FrozenWedge, type VforkWedge } from '../support/wedge.js';
import type { JsonReport } from '../../src/report/json.js';

type Up = VforkWedge & { down(): void };
const json = (): JsonReport => JSON.parse(wedgetop(['--json']).stdout) as JsonReport;
/** The root cause the vfork parent's chain ends at (other wedges may be up on this box). */
const rootOfParent = (j: JsonReport, w: VforkWedge): JsonReport['rootCauses'][number] | undefined =>
  j.rootCauses.find((r) => r.blockedTasks.includes(`${w.parentPid}/${w.parentPid}`));
const gone = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};
async function untilGone(pid: number, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!gone(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  return gone(pid);
}

describe.skipIf(!isRoot)('vfork parent whose child was stopped (SIGSTOP)', () => {
  let w: Up;
  let j: JsonReport;
  beforeAll(() => {
    w = vforkUp('stop');
    j = json();
  });
  afterAll(() => w?.down());

  it('sees the parent in D waiting for its vfork child, killable', () => {
    const p = j.tasks.find((t) => t.pid === w.parentPid)!;
    expect(p).toMatchObject({ state: 'D', signature: 'vfork-done', waitsOn: `vfork:${w.parentPid}`, killable: true });
    expect(j.resources.find((r) => r.id === `vfork:${w.parentPid}`)?.holders).toEqual([`${w.childPid}/${w.childPid}`]);
  });

  it('ranks the stopped child as the root cause, SIGCONT first', () => {
    const rc = rootOfParent(j, w);
    expect(rc, JSON.stringify(j.rootCauses, null, 1)).toMatchObject({ kind: 'task', pid: w.childPid });
    expect(rc!.remedies[0]).toMatchObject({ action: 'cont', pid: w.childPid, command: `kill -CONT ${w.childPid}` });
  });

  it('--fix continues the child and the parent runs again', async () => {
    const r = wedgetop(['--fix', `task:${w.childPid}`, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(await untilNoneInD([w.parentPid])).toEqual([]);
    expect(await untilGone(w.childPid)).toBe(true);
  });
});

describe.skipIf(!isRoot)('vfork parent whose child is ptrace-stopped by a tracer', () => {
  let w: Up;
  let j: JsonReport;
  beforeAll(() => {
    w = vforkUp('ptrace');
    j = json();
  });
  afterAll(() => w?.down());

  it('follows parent -> child (t, TracerPid) -> the tracer, and offers no SIGCONT', () => {
    const child = j.tasks.find((t) => t.pid === w.childPid)!;
    expect(child).toMatchObject({ state: 't', signature: 'ptrace-stop', waitsOn: `ptrace:${w.tracerPid}` });
    const rc = rootOfParent(j, w);
    expect(rc, JSON.stringify(j.rootCauses, null, 1)).toMatchObject({ kind: 'task', pid: w.tracerPid });
    expect(rc!.chain.join(' -> ')).toMatch(new RegExp(`vfork child of \\S+:${w.parentPid} -> held by \\S+:${w.childPid} \\(t, ptrace_stop.* -> ptrace stop: tracer \\S+:${w.tracerPid}`));
    expect(rc!.remedies.map((m) => m.action)).toEqual(['kill']);
    expect(rc!.remedies[0]).toMatchObject({ pid: w.tracerPid });
    expect(rc!.notes?.join(' ')).toMatch(/SIGCONT does not resume it/);
  });

  it('--fix kills the tracer, which detaches the child, and the parent runs again', async () => {
    const r = wedgetop(['--fix', `task:${w.tracerPid}`, '--yes', '--grace', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(await untilNoneInD([w.parentPid])).toEqual([]);
    expect(await untilGone(w.childPid)).toBe(true);
  });
});

describe.skipIf(!isRoot)('vfork parent whose child is in a frozen cgroup v2', () => {
  let w: Up;
  let j: JsonReport;
  beforeAll(() => {
    w = vforkUp('cgroup');
    j = json();
  });
  afterAll(() => w?.down());

  it('names the frozen cgroup (not the child, which SIGCONT cannot wake) as the root cause', () => {
    const child = j.tasks.find((t) => t.pid === w.childPid)!;
    expect(child.state).toBe('S');
    const path = w.cgroup!.replace(/^.*\/(wedgetop-[^/]+)$/, '/$1');
    expect(child.waitsOn).toBe(`cgroup:${path}`);
    const rc = rootOfParent(j, w);
    expect(rc, JSON.stringify(j.rootCauses, null, 1)).toMatchObject({ kind: 'cgroup', id: `cgroup:${path}` });
    expect(rc!.label).toMatch(/frozen cgroup \S+ \(1 process, 1 thread\)/);
    expect(rc!.remedies).toEqual([expect.objectContaining({ action: 'cgroup-thaw', cgroup: w.cgroup, command: `echo 0 > ${w.cgroup}/cgroup.freeze` })]);
    expect(rc!.remedies[0]!.risk).toMatch(/every task in the cgroup/);
  });

  it('--fix thaws the cgroup and the parent runs again', async () => {
    const path = w.cgroup!.replace(/^.*\/(wedgetop-[^/]+)$/, '/$1');
    const r = wedgetop(['--fix', `cgroup:${path}`, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(await untilNoneInD([w.parentPid])).toEqual([]);
    expect(await untilGone(w.childPid)).toBe(true);
  });
});

describe.skipIf(!isRoot)('vfork parent whose child is itself blocked on a frozen filesystem', () => {
  let fz: FrozenWedge;
  let w: Up;
  let j: JsonReport;
  beforeAll(() => {
    fz = frozenFsUp();
    w = vforkUp('write', fz.mount);
    j = json();
  });
  afterAll(() => {
    // Thaw first (frozen down), then the child can exit and the vfork down reap it.
    fz?.down();
    w?.down();
  });

  it('follows the parent through its child to the frozen mount', () => {
    expect(j.tasks.find((t) => t.pid === w.childPid)).toMatchObject({ state: 'D', waitsOn: `frozen-fs:${fz.mount}`, killable: false });
    const rc = rootOfParent(j, w);
    expect(rc, JSON.stringify(j.rootCauses, null, 1)).toMatchObject({ kind: 'frozen-fs', mount: fz.mount });
    expect(rc!.chain.join(' -> ')).toMatch(new RegExp(`vfork child of \\S+:${w.parentPid} -> held by \\S+:${w.childPid} \\(D, percpu_rwsem_wait.* -> frozen filesystem ${fz.mount}`));
  });

  it('--fix thaws the mount and both the child and the parent run again', async () => {
    const r = wedgetop(['--fix', `frozen-fs:${fz.mount}`, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(await untilNoneInD([w.parentPid, w.childPid])).toEqual([]);
  });
});
