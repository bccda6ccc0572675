// FUSE clients waiting on a daemon that stopped answering, on the real kernel (root): wedgetop must
// put them behind the connection, name the daemon (it holds /dev/fuse open) and offer the ways out
// (abort the connection; SIGCONT a stopped daemon), and --fix must free the clients.
//
// Tests written as `it.fails` pin down engine gaps found with this wedge (see test/wedges/README.md,
// section 4): they pass while the engine is wrong. When one starts failing, the engine got fixed:
// turn it into a plain `it`.
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuseStuckUp, isRoot, wedgetop, type FuseStuckWedge } from '../support/wedge.js';
import type { JsonReport } from '../../src/report/json.js';

/** Still waiting on FUSE: alive (not a zombie) and its kernel stack in request_wait_answer. */
function waitingOnFuse(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    if ('ZX'.includes(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3))) return false;
    return fs.readFileSync(`/proc/${pid}/stack`, 'utf8').includes('request_wait_answer');
  } catch {
    return false; // gone
  }
}

async function untilFreed(pids: number[], ms = 10_000): Promise<number[]> {
  const end = Date.now() + ms;
  for (;;) {
    const left = pids.filter(waitingOnFuse);
    if (left.length === 0 || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function report(): JsonReport {
  const r = wedgetop(['--json']);
  expect(r.code, r.stderr).not.toBe(2);
  return JSON.parse(r.stdout) as JsonReport;
}

const taskOf = (j: JsonReport, pid: number): JsonReport['tasks'][number] | undefined => j.tasks.find((t) => t.pid === pid && t.tid === pid);
const dump = (x: unknown): string => JSON.stringify(x, null, 1);

describe.skipIf(!isRoot)('FUSE: hung daemon, clients interrupted into the killable wait (D)', () => {
  let w: FuseStuckWedge;
  let j: JsonReport;
  beforeAll(() => {
    w = fuseStuckUp();
    j = report();
  });
  afterAll(() => w?.down());

  it('the wedge is what it says: clients in D in request_wait_answer, daemon in S, requests pending', () => {
    expect(w.clients.map((c) => c.state)).toEqual(w.clients.map(() => 'D'));
    expect(w.daemonState).toBe('S');
    expect(w.waiting).toBeGreaterThanOrEqual(w.clientPids.length);
  });

  it('every client shows up with signature fuse-request, in request_wait_answer', () => {
    for (const pid of w.clientPids) {
      const t = taskOf(j, pid);
      expect(t, `client ${pid}: ${dump(j.tasks.map((x) => [x.pid, x.comm, x.state]))}`).toBeDefined();
      expect(t!.state).toBe('D');
      expect(t!.signature).toBe('fuse-request');
      expect(t!.stack[0]).toMatch(/^request_wait_answer\+/);
    }
  });

  it('the connection resource is held by the daemon (the process holding /dev/fuse)', () => {
    const res = j.resources.find((r) => r.id === `fuse:${w.connection}`);
    expect(res, dump(j.resources)).toBeDefined();
    expect(res!).toMatchObject({ kind: 'fuse-conn', connection: w.connection, mount: w.mount, holderScope: 'process' });
    expect(res!.holders).toContain(`${w.daemonPid}/${w.daemonPid}`);
  });

  it('a root cause offers fuse-abort with the exact command', () => {
    const rc = j.rootCauses.find((r) => r.remedies.some((m) => m.action === 'fuse-abort' && m.connection === w.connection));
    expect(rc, dump(j.rootCauses)).toBeDefined();
    expect(rc!).toMatchObject({ id: `task:${w.daemonPid}`, kind: 'fuse', pid: w.daemonPid });
    expect(rc!.remedies.find((m) => m.action === 'fuse-abort')!.command).toBe(`echo 1 > /sys/fs/fuse/connections/${w.connection}/abort`);
    for (const pid of w.clientPids) expect(rc!.blockedTasks).toContain(`${pid}/${pid}`);
  });

  // Engine gap: only the lookup resolves its mount (newfstatat path argument). The readers block in
  // pread64 on an fd of the mount, but resolveTaskMount only follows fds of write-type syscalls and its
  // "only non-root mount among open files" fallback is defeated by stdout on /dev/shm; the exiter
  // flushes at exit with no fds left. They all land on `fuse:?`.
  it('every client waits on fuse:<connection> (not fuse:?)', () => {
    for (const pid of w.clientPids) expect(taskOf(j, pid)?.waitsOn, `client ${pid} (${taskOf(j, pid)?.comm})`).toBe(`fuse:${w.connection}`);
    expect(j.resources.map((r) => r.id)).not.toContain('fuse:?');
  });

  it('--fix <root cause> --action fuse-abort frees the clients', async () => {
    const r = wedgetop(['--fix', `task:${w.daemonPid}`, '--action', 'fuse-abort', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`aborted FUSE connection ${w.connection}`);
    expect(r.stderr).toMatch(/(\d+) of \1 blocked tasks came free/);
    expect(await untilFreed(w.clientPids)).toEqual([]);
  });
});

describe.skipIf(!isRoot)('FUSE: daemon stopped (state T), clients in D', () => {
  let w: FuseStuckWedge;
  let j: JsonReport;
  beforeAll(() => {
    w = fuseStuckUp({ stopDaemon: true });
    j = report();
  });
  afterAll(() => w?.down());

  it('the stopped daemon is the root cause, with a cont remedy (SIGCONT) before kill, and fuse-abort', () => {
    expect(w.daemonState).toBe('T');
    const rc = j.rootCauses.find((r) => r.id === `task:${w.daemonPid}`);
    expect(rc, dump(j.rootCauses)).toBeDefined();
    expect(rc!.kind).toBe('fuse');
    expect(rc!.remedies.map((m) => m.action)).toEqual(['cont', 'kill', 'fuse-abort']);
    expect(rc!.remedies[0]).toMatchObject({ action: 'cont', pid: w.daemonPid, signal: 'SIGCONT', command: `kill -CONT ${w.daemonPid}` });
    expect(taskOf(j, w.daemonPid)).toMatchObject({ state: 'T', isHolder: true });
    for (const pid of w.clientPids) expect(taskOf(j, pid)?.signature, `client ${pid}`).toBe('fuse-request');
  });

  it('--fix --action cont lets the daemon answer: the clients come free', async () => {
    const r = wedgetop(['--fix', `task:${w.daemonPid}`, '--action', 'cont', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/(\d+) of \1 blocked tasks came free/);
    expect(await untilFreed(w.clientPids)).toEqual([]);
  });
});

describe.skipIf(!isRoot)('FUSE: clients left in the interruptible wait (state S)', () => {
  let w: FuseStuckWedge;
  let j: JsonReport;
  beforeAll(() => {
    w = fuseStuckUp({ interrupt: false });
    j = report();
  });
  afterAll(() => w?.down());

  it('readers and lookups sleep in S in request_wait_answer; the exiter (close-time flush) is in D', () => {
    for (const c of w.clients) {
      expect(c.wchan, `${c.comm} ${c.pid}`).toBe('request_wait_answer');
      expect(c.state, `${c.comm} ${c.pid}`).toBe(c.kind === 'exit' ? 'D' : 'S');
    }
    const exiter = w.clients.find((c) => c.kind === 'exit')!;
    expect(taskOf(j, exiter.pid)?.signature).toBe('fuse-request');
  });

  // On this kernel every FUSE waiter starts in S and stays there until it gets a signal: the
  // collector finds them by wchan while the connection has requests waiting.
  it('clients in S are shown waiting on the connection, and the daemon is their root cause', () => {
    for (const c of w.clients.filter((x) => x.kind !== 'exit')) {
      const t = taskOf(j, c.pid);
      expect(t, `${c.comm} ${c.pid} missing from --json`).toBeDefined();
      expect(t!.signature).toBe('fuse-request');
      expect(t!.waitsOn).toBe(`fuse:${w.connection}`);
    }
    const rc = j.rootCauses.find((r) => r.id === `task:${w.daemonPid}`);
    expect(rc, dump(j.rootCauses)).toBeDefined();
    expect(rc!.blocked).toBeGreaterThanOrEqual(w.clients.length);
    expect(rc!.remedies.map((m) => m.action)).toContain('fuse-abort');
  });

  it('--fix --action fuse-abort frees the clients in S too', async () => {
    const r = wedgetop(['--fix', `task:${w.daemonPid}`, '--action', 'fuse-abort', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(await untilFreed(w.clientPids)).toEqual([]);
  });
});
