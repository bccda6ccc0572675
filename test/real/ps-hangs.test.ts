// "ps hangs" on the real kernel (root): a thread of a process reads /proc/self/mem at an address of
// an mmap'd FUSE file whose daemon stopped answering. GUP faults the page in with the process's
// mmap_lock held; mmap, mprotect, munmap, a fault on a fresh anonymous page, another /proc/self/mem
// read, and `cat /proc/PID/cmdline` and `ps` of that process all queue behind it. wedgetop must show
// ONE chain (waiters -> mmap_lock of PID -> the faulting thread -> FUSE connection -> the daemon),
// never read that process's maps or mem itself, and its remedy must free every one of them.
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, psHangsUp, wedgetop, type PsHangsRole, type PsHangsWedge } from '../support/wedge.js';
import type { JsonReport } from '../../src/report/json.js';

const dump = (x: unknown): string => JSON.stringify(x, null, 1);
const key = (r: { pid: number; tid: number }): string => `${r.pid}/${r.tid}`;

function report(): JsonReport {
  const r = wedgetop(['--json'], { timeoutMs: 45_000 });
  // A collector stuck behind the victim's mmap_lock would time out (status -1) or report a stall (2).
  expect(r.code, r.stderr).toBe(1);
  return JSON.parse(r.stdout) as JsonReport;
}

/** The role's task is gone (its thread returned and exited) or no longer asleep in the kernel. */
function stillWaiting(r: PsHangsRole): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${r.pid}/task/${r.tid}/stat`, 'utf8');
    return 'DS'.includes(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

async function untilFreed(roles: PsHangsRole[], ms = 15_000): Promise<PsHangsRole[]> {
  const end = Date.now() + ms;
  for (;;) {
    const left = roles.filter(stillWaiting);
    if (left.length === 0 || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What each victim thread's call returned once it ran again (written by the victim itself). */
function results(w: PsHangsWedge): Record<string, { result: string }> {
  try {
    return JSON.parse(fs.readFileSync(w.doneFile, 'utf8')) as Record<string, { result: string }>;
  } catch {
    return {};
  }
}

function theChain(w: PsHangsWedge, j: JsonReport): void {
  const wedgeKeys = new Set(w.roles.map(key));
  // Every root cause that any task of the wedge ends at: there must be exactly one, the daemon.
  const ours = j.rootCauses.filter((rc) => rc.blockedTasks.some((k) => wedgeKeys.has(k)));
  expect(ours.map((rc) => rc.id), dump(j.rootCauses)).toEqual([`task:${w.daemonPid}`]);
  const rc = ours[0]!;
  expect(rc.kind).toBe('fuse');
  for (const r of w.roles) if (key(r) !== key(w.holder)) expect(rc.blockedTasks, `${r.comm} ${key(r)}`).toContain(key(r));
  expect(rc.blockedTasks).toContain(key(w.holder));
  expect(j.rootCauses.filter((x) => x.kind === 'unknown' && x.blockedTasks.some((k) => wedgeKeys.has(k)))).toEqual([]);
  // The chain names each hop.
  const holderRole = w.roles.find((r) => key(r) === key(w.holder))!;
  const holderId = w.holder.pid === w.holder.tid ? `${w.holder.pid}` : key(w.holder);
  expect(rc.chain.join(' -> ')).toMatch(new RegExp(`mmap_lock of .*${w.victimPid}.* -> held by ${holderRole.comm}:${holderId} .* -> FUSE mount .*connection ${w.connection}`));

  const lock = j.resources.find((r) => r.id === `mmap-lock:${w.victimPid}`);
  expect(lock, dump(j.resources)).toBeDefined();
  expect(lock!.holders).toEqual([key(w.holder)]);
  expect(lock!.confidence).toBe('likely');
  const task = (r: { pid: number; tid: number }): JsonReport['tasks'][number] | undefined => j.tasks.find((t) => t.pid === r.pid && t.tid === r.tid);
  // The writers, the fallback fault, the /proc/self/mem read, and cat / ps (other processes, resolved
  // by the /proc/PID file they read) all queue for that one lock.
  for (const r of w.roles.filter((x) => !['gup', 'peek', 'touch'].includes(x.role))) {
    expect(task(r), `${r.comm} ${key(r)}`).toMatchObject({ signature: 'mmap-lock', waitsOn: `mmap-lock:${w.victimPid}`, killable: true });
  }
  // The holder is classified by its own wait (the FUSE request) and is also the lock's holder.
  expect(task(w.holder)).toMatchObject({ signature: 'fuse-request', waitsOn: `fuse:${w.connection}`, isHolder: true });
  const toucher = w.roles.find((r) => r.role === 'touch');
  // Behind the sibling reading that page in; with the reader in another process, the page's FUSE connection.
  const pageWait = w.holder.pid === w.victimPid ? `page:${w.victimPid}` : `fuse:${w.connection}`;
  if (toucher) expect(task(toucher)).toMatchObject({ signature: 'page-cache', waitsOn: pageWait });
  expect(j.edges).toContainEqual(expect.objectContaining({ from: `res:mmap-lock:${w.victimPid}`, to: `task:${key(w.holder)}`, kind: 'held-by' }));
}

describe.skipIf(!isRoot)('ps hangs: the FUSE daemon is stopped (SIGSTOP), the faulting thread holds mmap_lock', () => {
  let w: PsHangsWedge;
  let j: JsonReport;
  beforeAll(() => {
    w = psHangsUp();
    j = report();
  }, 90_000);
  afterAll(() => w?.down());

  it('the wedge is what it says: every role waits in the kernel, the daemon is stopped', () => {
    expect(w.daemonState).toBe('T');
    for (const r of w.roles) expect(r.state, `${r.comm} ${key(r)} (${r.wchan})`).toBe('D');
    expect(w.roles.find((r) => r.role === 'gup')!.wchan).toBe('request_wait_answer');
    expect(w.roles.filter((r) => ['cat', 'ps', 'memread'].includes(r.role)).map((r) => r.wchan)).toEqual(['__access_remote_vm', '__access_remote_vm', '__access_remote_vm']);
  });

  it('one chain: readers and queued threads -> mmap_lock -> ph-gup -> FUSE connection -> the stopped daemon', () => theChain(w, j));

  it('offers SIGCONT of the daemon first', () => {
    const rc = j.rootCauses.find((r) => r.id === `task:${w.daemonPid}`)!;
    expect(rc.remedies[0]).toMatchObject({ action: 'cont', pid: w.daemonPid, command: `kill -CONT ${w.daemonPid}` });
    expect(rc.remedies.map((m) => m.action)).toContain('fuse-abort');
  });

  it('never read the maps or mem of the process whose mmap_lock is held (the read would hang like ps)', () => {
    expect(j.warnings).toContain(`not reading /proc/${w.victimPid}/maps: its mmap_lock is contended (the read would wait behind it, like ps does)`);
  });

  it('--fix <daemon> --action cont: every blocked task of the wedge runs again and completes', async () => {
    const r = wedgetop(['--fix', `task:${w.daemonPid}`, '--yes', '--action', 'cont']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/(\d+) of \1 blocked tasks came free/);
    expect((await untilFreed(w.roles)).map((x) => x.comm)).toEqual([]);
    const done = results(w);
    expect(done.gup?.result).toBe('read 8 bytes of the FUSE page');
    for (const role of ['touch', 'mmap', 'mprotect', 'munmap', 'fault', 'memread']) {
      expect(done[role]?.result, `${role}: ${dump(done)}`).toMatch(/^(read|mmap ->|mprotect -> 0|munmap -> 0|stored)/);
    }
  });
});

describe.skipIf(!isRoot)('ps hangs: the FUSE daemon reads requests and never answers, the holder still in S', () => {
  let w: PsHangsWedge;
  let j: JsonReport;
  beforeAll(() => {
    w = psHangsUp({ hungDaemon: true, interrupt: false });
    j = report();
  }, 90_000);
  afterAll(() => w?.down());

  it('the holder sleeps interruptibly (S) in the FUSE request; the others wait in D', () => {
    expect(w.daemonState).toBe('S');
    for (const r of w.roles) expect(r.state, `${r.comm} ${key(r)}`).toBe(r.role === 'gup' ? 'S' : 'D');
  });

  it('one chain to the daemon all the same', () => theChain(w, j));

  it('--fix <daemon> --action fuse-abort frees them: the holder\'s read fails, everything behind it runs', async () => {
    const rc = j.rootCauses.find((r) => r.id === `task:${w.daemonPid}`)!;
    expect(rc.remedies.map((m) => m.action)).toContain('fuse-abort');
    const r = wedgetop(['--fix', `task:${w.daemonPid}`, '--yes', '--action', 'fuse-abort']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`aborted FUSE connection ${w.connection}`);
    expect((await untilFreed(w.roles)).map((x) => x.comm)).toEqual([]);
    const done = results(w);
    expect(done.gup?.result).toMatch(/EIO/);
    for (const role of ['mmap', 'mprotect', 'munmap', 'fault', 'memread']) expect(done[role]?.result, role).not.toMatch(/\(E[A-Z]+\)/);
  });
});

describe.skipIf(!isRoot)('ps hangs: a debugger-like process reading the victim\'s memory holds its mmap_lock', () => {
  let w: PsHangsWedge;
  let j: JsonReport;
  beforeAll(() => {
    w = psHangsUp({ remoteHolder: true });
    j = report();
  }, 90_000);
  afterAll(() => w?.down());

  it('the holder is ph-peek, another process, found through the /proc/VICTIM/mem it reads', () => {
    expect(w.holder.pid).not.toBe(w.victimPid);
    expect(j.resources.find((r) => r.id === `mmap-lock:${w.victimPid}`)?.how).toContain(`/proc/${w.victimPid}/mem`);
  });

  it('one chain to the stopped daemon all the same', () => theChain(w, j));

  it('--fix <daemon> --action cont frees the victim\'s threads, the readers and the debugger', async () => {
    const r = wedgetop(['--fix', `task:${w.daemonPid}`, '--yes', '--action', 'cont']);
    expect(r.code, r.stderr).toBe(0);
    expect((await untilFreed(w.roles)).map((x) => x.comm)).toEqual([]);
    expect(Object.keys(results(w)).sort()).toEqual(['fault', 'memread', 'mmap', 'mprotect', 'munmap', 'touch']);
  });
});
