// "kernel stacks need root" is decided once per snapshot, from what the kernel allows this
// process (CAP_SYS_ADMIN in the initial user namespace: fs/proc/base.c proc_pid_stack) and from
// the stack reads of the tasks shown; never from an EACCES counted somewhere else, and not lost
// when the incremental collector reuses a refused read.
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { collect } from '../../src/collector/collect.js';
import { IncrementalCollector } from '../../src/collector/incremental.js';
import { ReplaySource, type ProcSource } from '../../src/procfs/source.js';
import { analyze } from '../../src/graph/analyze.js';
import { writeSnapshotDir, type SnapshotSpec } from '../support/snapdir.js';
import { isRoot } from '../support/wedge.js';

const FROZEN_STACK = '[<0>] percpu_rwsem_wait+0x15f/0x1d0\n[<0>] vfs_write+0x3f0/0x450\n[<0>] ksys_write+0x66/0xe0\n[<0>] do_syscall_64+0x71/0x280';
const IDLE_STACK = '[<0>] futex_wait_queue+0x63/0x90\n[<0>] futex_wait+0x16c/0x260\n[<0>] do_syscall_64+0x71/0x280';
const MOUNTS = '22 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/vg-root rw\n40 22 253:10 / /srv rw,relatime shared:20 - ext4 /dev/mapper/vg-srv rw\n';
const ROOT_CAPS = 'CapEff:\t000001ffffffffff\n';
const NO_CAPS = 'CapEff:\t0000000000000000\n';
const INIT_UID_MAP = '         0          0 4294967295\n';
const NEED_ROOT = /kernel stacks need root/;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Two writers in D on a frozen /srv (pids 2000, 2100) and an idle daemon (3000). */
function box(caps: string | undefined): string {
  const spec: SnapshotSpec = {
    hostname: 'h', kernel: '6.18.0', uptimeSec: 1000, time: '2026-12-04T00:00:00.000Z', loadavg: '1.00 1.00 1.00 1/3 3000',
    processes: [2000, 2100].map((pid) => ({
      pid, cwd: '/srv', mountinfo: MOUNTS, fds: [{ fd: 3, target: '/srv/f', mntId: 40, flags: '0102001' }],
      threads: [{ tid: pid, comm: `writer${pid}`, state: 'D', stack: FROZEN_STACK, syscall: '1 0x3 0x7f0000001000 0x10' }],
    })).concat([{ pid: 3000, cwd: '/', mountinfo: MOUNTS, fds: [], threads: [{ tid: 3000, comm: 'daemon', state: 'S', stack: IDLE_STACK, syscall: '202 0x0' }] }]),
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wedgetop-rootwarn-'));
  dirs.push(dir);
  writeSnapshotDir(dir, spec);
  if (caps !== undefined) {
    fs.mkdirSync(path.join(dir, 'proc/self'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'proc/self/status'), `Name:\tnode\n${caps}`);
    fs.writeFileSync(path.join(dir, 'proc/self/uid_map'), INIT_UID_MAP);
  }
  // schedstat that proves a thread has not run: the incremental collector then reuses its files.
  for (const pid of [2000, 2100, 3000]) fs.writeFileSync(path.join(dir, `proc/${pid}/task/${pid}/schedstat`), '1000 0 5\n');
  return dir;
}

/** The box as the kernel shows it to a reader some of whose reads it refuses with errno. */
class Refusing implements ProcSource {
  readonly live = false;
  readonly errors = new Map<string, number>();
  private readonly inner: ReplaySource;
  constructor(dir: string, private readonly refuse: (p: string) => string | undefined) {
    this.inner = new ReplaySource(dir);
  }
  private denied(p: string): boolean {
    const code = this.refuse(p);
    if (code) this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
    return !!code;
  }
  private count(): void {
    for (const [k, n] of this.inner.errors) this.errors.set(k, (this.errors.get(k) ?? 0) + n);
    this.inner.errors.clear();
  }
  read(p: string): string | undefined {
    if (this.denied(p)) return undefined;
    const v = this.inner.read(p);
    this.count();
    return v;
  }
  readlink(p: string): string | undefined {
    if (this.denied(p)) return undefined;
    const v = this.inner.readlink(p);
    this.count();
    return v;
  }
  list(p: string): string[] {
    if (this.denied(p)) return [];
    const v = this.inner.list(p);
    this.count();
    return v;
  }
  readMemString(pid: number, tid: number, addr: bigint): string | undefined {
    return this.inner.readMemString(pid, tid, addr);
  }
  ssNetlink(): string | undefined {
    return undefined;
  }
  kmsg(): string | undefined {
    return undefined;
  }
}

const stacks = (p: string): string | undefined => (/\/stack$/.test(p) ? 'EACCES' : undefined);

describe('the root warning, from the capability and the stacks of the tasks shown', () => {
  it('as root, an EACCES on another file (a planted cwd link) and a stack that vanished do not raise it', () => {
    const dir = box(ROOT_CAPS);
    // The writer 2100 exits between its stat and its stack: ENOENT, not a refusal.
    fs.rmSync(path.join(dir, 'proc/2100/task/2100/stack'));
    const src = new Refusing(dir, (p) => (p === '/proc/2000/cwd' ? 'EACCES' : undefined));
    const snap = collect(src, { now: 0 });
    expect(src.errors.get('EACCES')).toBeGreaterThan(0);
    expect(snap.stacksReadable).toBe(true);
    expect(analyze(snap).warnings.join('\n')).not.toMatch(NEED_ROOT);
  });

  it('without CAP_SYS_ADMIN it is raised, even when nothing is blocked to read', () => {
    const dir = box(NO_CAPS);
    expect(collect(new Refusing(dir, stacks), { now: 0 }).stacksReadable).toBe(false);
    for (const pid of [2000, 2100]) {
      const stat = path.join(dir, `proc/${pid}/task/${pid}/stat`);
      fs.writeFileSync(stat, fs.readFileSync(stat, 'utf8').replace(') D ', ') S '));
    }
    const idle = collect(new Refusing(dir, stacks), { now: 0 });
    expect(idle.tasks.filter((t) => t.state === 'D')).toEqual([]);
    expect(idle.stacksReadable).toBe(false);
    expect(analyze(idle).warnings.join('\n')).toMatch(NEED_ROOT);
  });

  it('CapEff in a user namespace is not enough: a uid_map other than the initial one', () => {
    const dir = box(ROOT_CAPS);
    fs.writeFileSync(path.join(dir, 'proc/self/uid_map'), '         0     100000      65536\n');
    expect(collect(new Refusing(dir, stacks), { now: 0 }).stacksReadable).toBe(false);
  });

  it('replays as recorded: a recording made without the capability says so again', () => {
    const dir = box(NO_CAPS);
    for (const pid of [2000, 2100, 3000]) fs.rmSync(path.join(dir, `proc/${pid}/task/${pid}/stack`));
    expect(collect(new ReplaySource(dir), { now: 0 }).stacksReadable).toBe(false);
    // An older recording (no proc/self) with every stack present: readable.
    expect(collect(new ReplaySource(box(undefined)), { now: 0 }).stacksReadable).toBe(true);
  });

  it('the incremental collector keeps it across refreshes while the refused stacks are reused', () => {
    // Capable by CapEff, but the kernel refuses every stack (an LSM, a container's user namespace
    // that the uid_map does not show): only the refused reads of the tasks shown can tell.
    const src = new Refusing(box(ROOT_CAPS), stacks);
    const inc = new IncrementalCollector(src, { rotationMs: 60_000, clock: () => 1000 });
    const seen: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      src.errors.clear(); // as the collector child does before each request
      const snap = inc.collect({ now: 0 });
      expect(snap.tasks.filter((t) => t.state === 'D').map((t) => t.pid).sort()).toEqual([2000, 2100]);
      seen.push(snap.stacksReadable);
    }
    expect(inc.stats.detailHits, 'the stack reads must have been reused for this test to mean anything').toBeGreaterThan(0);
    expect(seen).toEqual([false, false, false]);
  });

  it('the incremental collector on a box without the capability: raised at every refresh', () => {
    const src = new Refusing(box(NO_CAPS), stacks);
    const inc = new IncrementalCollector(src, { rotationMs: 60_000, clock: () => 1000 });
    const seen = [0, 1, 2].map(() => {
      src.errors.clear();
      return inc.collect({ now: 0 }).stacksReadable;
    });
    expect(seen).toEqual([false, false, false]);
  });
});

describe.skipIf(!isRoot)('the root warning on this machine (root)', () => {
  const run = (pre: string[]): string => {
    const r = spawnSync(pre[0]!, [...pre.slice(1), process.execPath, 'dist/wedgetop.mjs', '--once'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status, r.stderr).not.toBe(2);
    return r.stdout;
  };

  it('as nobody (setpriv), --once says stacks need root', () => {
    expect(run(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'])).toMatch(/^warning: kernel stacks need root/m);
  });

  it('as root, --once does not', () => {
    expect(run(['env'])).not.toMatch(NEED_ROOT);
  });
});
