// The live collector on the real kernel, with writers blocked on a frozen ext4 loop mount: it
// reads their state through held schedstat/stat fds, and serves their stacks, syscalls and fds
// from earlier refreshes (the files declared reusable until the task runs: a task in D does not
// run). What it serves must be what a fresh read of the same files says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncrementalCollector } from '../../src/collector/incremental.js';
import { collect } from '../../src/collector/collect.js';
import { LiveSource } from '../../src/procfs/source.js';
import type { Snapshot, Task } from '../../src/model.js';
import { frozenFsUp, isRoot, type FrozenWedge } from '../support/wedge.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The live /proc, saying which kernel stacks it was asked to read. */
class StackCounting extends LiveSource {
  stacks = new Set<string>();
  override read(p: string): string | undefined {
    if (p.endsWith('/stack')) this.stacks.add(p);
    return super.read(p);
  }
}

describe.skipIf(!isRoot)('IncrementalCollector on a frozen ext4 loop mount (real kernel, root)', () => {
  let w: FrozenWedge;
  let inc: IncrementalCollector;
  const snaps: Snapshot[] = [];
  /** Per refresh, the stack files read of the writers' threads. */
  const stacksRead: string[][] = [];
  let held = 0;

  beforeAll(async () => {
    w = frozenFsUp();
    const live = new StackCounting();
    inc = new IncrementalCollector(live);
    // The first refresh reads stat only, the second opens the schedstat fds (the baseline); from
    // the third on a writer that has not run has its files served again.
    for (let i = 0; i < 4; i++) {
      live.stacks.clear();
      snaps.push(inc.collect({ selfPid: process.pid }));
      stacksRead.push([...live.stacks].filter((p) => w.writers.some((x) => p.startsWith(`/proc/${x.pid}/task/`))));
      held = inc.stats.heldFds;
      await sleep(300);
    }
  }, 120_000);
  afterAll(() => {
    inc?.close();
    w?.down();
  });

  const mine = (s: Snapshot): Task[] => s.tasks.filter((t) => w.writers.some((x) => x.pid === t.pid)).sort((a, b) => a.tid - b.tid);

  it('shows every writer in D at every refresh', () => {
    for (const s of snaps) expect(mine(s).filter((t) => t.state === 'D').map((t) => t.pid).sort()).toEqual(w.writers.map((x) => x.pid).sort());
  });

  it('reads their stacks at first, then serves them while they stay in D, through fds it holds', () => {
    expect(stacksRead[0]!.length).toBeGreaterThanOrEqual(w.writers.length);
    expect(stacksRead[3]).toEqual([]);
    expect(held).toBeGreaterThan(0);
  });

  it('serves what a fresh read of the same files says', () => {
    const fresh = collect(new LiveSource(), { selfPid: process.pid });
    const last = snaps[snaps.length - 1]!;
    const view = (ts: Task[]) => ts.map((t) => ({
      key: `${t.pid}/${t.tid}`, state: t.state, stack: t.detail?.stack, wchan: t.detail?.wchan, syscall: t.detail?.syscall,
      cwd: t.detail?.cwd, fds: t.detail?.fds, cgroup: t.detail?.cgroup, pathArg: t.detail?.pathArg,
    }));
    expect(mine(last).length).toBeGreaterThanOrEqual(w.writers.length);
    expect(view(mine(last).filter((t) => t.state === 'D'))).toEqual(view(mine(fresh).filter((t) => t.state === 'D')));
  });
});
