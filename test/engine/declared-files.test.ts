// What the live collector may reuse between refreshes is declared with each file
// (src/procfs/files.ts), and only that: RefreshSource serves a declared read from an earlier
// refresh exactly as the declaration says, and never reuses a read made by path.
import { describe, expect, it } from 'vitest';
import { PROC_FILES, pathOf, type FileKind, type ProcFile, type Reuse } from '../../src/procfs/files.js';
import { RefreshSource, type Generations } from '../../src/collector/incremental/refresh-source.js';
import { collect } from '../../src/collector/collect.js';
import type { ProcSource } from '../../src/procfs/source.js';

/** A source that answers every read with a counter, so a reuse shows as an unchanged answer. */
class Counting implements ProcSource {
  readonly live = false;
  readonly errors = new Map<string, number>();
  readonly reads: string[] = [];
  private n = 0;
  private answer(p: string): string {
    this.reads.push(p);
    return `${p}#${++this.n}`;
  }
  read(p: string): string | undefined {
    return this.answer(p);
  }
  readlink(p: string): string | undefined {
    return this.answer(p);
  }
  list(p: string): string[] {
    return [this.answer(p)];
  }
  readMemString(pid: number, tid: number, addr: bigint): string | undefined {
    return this.answer(`/proc/${pid}/task/${tid}/mem@${addr}`);
  }
  ssNetlink(): string | undefined {
    return undefined;
  }
  kmsg(): string | undefined {
    return undefined;
  }
}

/** One request of each declared kind, for task 100/101. */
function requestOf(kind: FileKind): ProcFile {
  switch (kind) {
    case 'passwd':
      return { kind };
    case 'proc-fd':
    case 'proc-fdinfo':
      return { kind, pid: 100, fd: '3' };
    case 'task-mem-string':
      return { kind, pid: 100, tid: 101, addr: 0x7f00n };
    case 'proc-cgroup':
    case 'proc-fds':
    case 'proc-cwd':
    case 'proc-mnt-ns':
    case 'proc-maps':
    case 'proc-mountinfo':
      return { kind, pid: 100 };
    default:
      return { kind, pid: 100, tid: 101 };
  }
}

/** The box as RefreshSource sees it: one task whose generation and clock the test moves. */
function world() {
  const w = { taskGen: 'run-1', procGen: 'proc-1', identity: 'start-1', now: 0 };
  const gens: Generations = {
    task: () => w.taskGen,
    proc: () => w.procGen,
    identity: () => w.identity,
    now: () => w.now,
    ttlMs: 2000,
  };
  return { w, gens };
}

/** Read f in two refreshes, with `between` changing the world in between: was the first answer reused? */
function reusedAcross(f: ProcFile, between: (w: ReturnType<typeof world>['w']) => void): boolean {
  const inner = new Counting();
  const { w, gens } = world();
  const src = new RefreshSource(inner, gens);
  src.beginRefresh();
  const a = src.file(f);
  src.endRefresh();
  w.now += 1000;
  between(w);
  src.beginRefresh();
  const b = src.file(f);
  src.endRefresh();
  return JSON.stringify(a) === JSON.stringify(b);
}

const kinds = Object.keys(PROC_FILES) as FileKind[];
const nothing = (): void => {};

describe('reuse comes from the declaration of each file', () => {
  it.each(kinds)('%s: reused exactly as declared', (kind) => {
    const f = requestOf(kind);
    const reuse: Reuse = PROC_FILES[kind].reuse;
    // Nothing ran, the clock moved less than a rotation.
    expect(reusedAcross(f, nothing)).toBe(reuse !== 'every-read');
    // The task ran (its schedstat moved), and with it its process.
    const ran = (w: { taskGen: string; procGen: string }): void => {
      w.taskGen = 'run-2';
      w.procGen = 'proc-2';
    };
    expect(reusedAcross(f, ran)).toBe(reuse === 'once-per-rotation');
    // A rotation went by with nothing run.
    expect(reusedAcross(f, (w) => void (w.now += 2000))).toBe(reuse === 'until-task-runs' || reuse === 'until-process-runs');
  });

  it('a task file is reused when only another thread of its process ran, a process file is not', () => {
    const onlyProcess = (w: { procGen: string }): void => void (w.procGen = 'proc-2');
    expect(reusedAcross({ kind: 'task-stack', pid: 100, tid: 101 }, onlyProcess)).toBe(true);
    expect(reusedAcross({ kind: 'proc-fds', pid: 100 }, onlyProcess)).toBe(false);
  });

  it('a file re-read once per rotation is read again for another task under the same number', () => {
    expect(reusedAcross({ kind: 'proc-cgroup', pid: 100 }, (w) => void (w.identity = 'start-2'))).toBe(false);
  });

  it('never reuses a read made by path, whatever the path looks like', () => {
    const inner = new Counting();
    const src = new RefreshSource(inner, world().gens);
    for (const kind of kinds) {
      const p = pathOf(requestOf(kind));
      src.beginRefresh();
      const a = [src.read(p), src.readlink(p), src.list(p)];
      src.endRefresh();
      src.beginRefresh();
      const b = [src.read(p), src.readlink(p), src.list(p)];
      src.endRefresh();
      expect(b, p).not.toEqual(a);
    }
  });

  it('collect() reads a blocked task through the declarations', () => {
    // A recording source that serves declared files and says which kinds were asked for.
    const asked = new Set<string>();
    const inner = new Counting();
    const stat = '101 (w) D 1 100 100 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0 0';
    const box: ProcSource = {
      live: false, errors: inner.errors,
      read: (p) => (p === '/proc/100/task/101/stat' ? stat : undefined),
      readlink: () => undefined,
      list: (p) => (p === '/proc' ? ['100'] : p === '/proc/100/task' ? ['101'] : []),
      readMemString: () => undefined, ssNetlink: () => undefined, kmsg: () => undefined,
      file: (f) => {
        asked.add(f.kind);
        return (f.kind === 'proc-fds' ? [] : f.kind === 'task-stat' ? stat : undefined) as never;
      },
    };
    const snap = collect(box, { now: 0 });
    expect(snap.tasks.map((t) => `${t.pid}/${t.tid} ${t.state}`)).toEqual(['100/101 D']);
    for (const k of ['task-stat', 'task-stack', 'task-wchan', 'task-syscall', 'task-status', 'task-sched', 'proc-cgroup', 'proc-mnt-ns', 'proc-cwd', 'proc-fds']) expect(asked, k).toContain(k);
  });
});
