// The source collect() reads through during one incremental refresh: the inner source, except
// that a declared file (src/procfs/files.ts) is served from an earlier refresh as long as its
// declaration allows (its `reuse`), and the kernel log is tailed. Undeclared reads (by path) go
// to the inner source every time.
import type { ProcSource } from '../../procfs/source.js';
import { declOf, readByPath, type FileValue, type ProcFile, type Reuse } from '../../procfs/files.js';
import type { KmsgTail } from '../../procfs/kmsg.js';

/** A task's (or a process's) generation now: equal to an earlier one means it has not run since. */
export interface Generations {
  task(pid: number, tid: number): string | undefined;
  proc(pid: number): string | undefined;
  /** "pid/tid:starttime" of a known task (a reused number is another task), else undefined. */
  identity(pid: number, tid: number): string | undefined;
  now(): number;
  /** How long a file that nothing can vouch for may be reused (the rotation's period). */
  ttlMs: number;
}

interface Cached {
  gen: string;
  v: string | undefined | string[];
  used: boolean;
  /** The failures the read counted (EACCES...), counted again on every reuse. */
  errs?: [string, number][];
}

/** The key of a read: its kind and every field of the request. */
function keyOf(f: ProcFile): string {
  switch (f.kind) {
    case 'passwd':
      return f.kind;
    case 'proc-fd':
    case 'proc-fdinfo':
      return `${f.kind}:${f.pid}:${f.fd}`;
    case 'task-mem-string':
      return `${f.kind}:${f.tid}:${f.addr}`;
    default:
      return 'tid' in f ? `${f.kind}:${f.pid}:${f.tid}` : `${f.kind}:${f.pid}`;
  }
}

export class RefreshSource implements ProcSource {
  readonly live: boolean;
  /** tid -> schedstat this refresh (null: none that proves anything), asked for once per refresh. */
  private readonly taskGen = new Map<number, string | null>();
  /** pid -> the joined generations of all its threads, when every one is known. */
  private readonly procGen = new Map<number, string | null>();
  hits = 0;
  private cache = new Map<string, Cached>();
  private aged = new Map<string, { id: string; at: number; v: string | undefined }>();

  constructor(private readonly inner: ProcSource, private readonly gens: Generations, private readonly kmsgTail?: KmsgTail) {
    this.live = inner.live;
  }
  get errors(): Map<string, number> {
    return this.inner.errors;
  }

  taskGenOf(pid: number, tid: number): string | undefined {
    let g = this.taskGen.get(tid);
    if (g === undefined) {
      g = this.gens.task(pid, tid) ?? null;
      this.taskGen.set(tid, g);
    }
    return g ?? undefined;
  }

  private procGenOf(pid: number): string | undefined {
    let g = this.procGen.get(pid);
    if (g === undefined) {
      g = this.gens.proc(pid) ?? null;
      this.procGen.set(pid, g);
    }
    return g ?? undefined;
  }

  /** What vouches for an earlier read of f now, by its declaration; undefined: nothing does. */
  private generation(f: ProcFile, reuse: Reuse): string | undefined {
    if (reuse === 'until-task-runs' && 'tid' in f) return this.taskGenOf(f.pid, f.tid);
    if (reuse === 'until-process-runs' && 'pid' in f) return this.procGenOf(f.pid);
    return undefined;
  }

  file<F extends ProcFile>(f: F): FileValue<F> {
    const reuse = declOf(f).reuse;
    if (reuse === 'once-per-rotation') return this.aging(f) as FileValue<F>;
    const v = this.cached(keyOf(f), this.generation(f, reuse), () => readByPath(this.inner, f));
    // Copied: the caller may keep (and slice) the array.
    return (Array.isArray(v) ? [...v] : v) as FileValue<F>;
  }

  /** A file re-read once per rotation, like any thread that did not run; only while its task is the same one. */
  private aging(f: ProcFile): string | undefined {
    const read = (): string | undefined => readByPath(this.inner, f) as string | undefined;
    const id = 'pid' in f ? this.gens.identity(f.pid, 'tid' in f ? f.tid : f.pid) : f.kind;
    if (id === undefined) return read();
    const key = keyOf(f);
    const now = this.gens.now();
    const c = this.aged.get(key);
    if (c && c.id === id && now - c.at < this.gens.ttlMs) {
      this.hits++;
      return c.v;
    }
    const v = read();
    this.aged.set(key, { id, at: now, v });
    return v;
  }

  private cached<T extends string | undefined | string[]>(key: string, gen: string | undefined, get: () => T): T {
    if (gen === undefined) return get();
    const c = this.cache.get(key);
    const errors = this.inner.errors;
    if (c && c.gen === gen) {
      c.used = true;
      this.hits++;
      // A reused failure is still a failure of this refresh: collect() tells a stack the kernel
      // refused (not root) from one that vanished by the error it counted, refresh after refresh.
      for (const [code, n] of c.errs ?? []) errors.set(code, (errors.get(code) ?? 0) + n);
      return c.v as T;
    }
    const before = new Map(errors);
    const v = get();
    this.cache.set(key, { gen, v, used: true, errs: v === undefined ? errorsSince(before, errors) : undefined });
    return v;
  }

  read(p: string): string | undefined {
    return this.inner.read(p);
  }
  readlink(p: string): string | undefined {
    return this.inner.readlink(p);
  }
  list(p: string): string[] {
    return this.inner.list(p);
  }
  readMemString(pid: number, tid: number, addr: bigint): string | undefined {
    return this.file({ kind: 'task-mem-string', pid, tid, addr });
  }
  ssNetlink(): string | undefined {
    return this.inner.ssNetlink();
  }
  kmsg(): string | undefined {
    return this.kmsgTail ? this.kmsgTail.read() : this.inner.kmsg();
  }

  beginRefresh(): void {
    this.taskGen.clear();
    this.procGen.clear();
    this.hits = 0;
    for (const c of this.cache.values()) c.used = false;
  }
  /** Forget what this refresh did not use: those tasks are no longer shown. */
  endRefresh(): void {
    for (const [k, c] of this.cache) if (!c.used) this.cache.delete(k);
    const now = this.gens.now();
    for (const [k, c] of this.aged) if (now - c.at >= this.gens.ttlMs) this.aged.delete(k);
  }
}

function errorsSince(before: Map<string, number>, now: Map<string, number>): [string, number][] | undefined {
  const out: [string, number][] = [];
  for (const [code, n] of now) if (n > (before.get(code) ?? 0)) out.push([code, n - (before.get(code) ?? 0)]);
  return out.length ? out : undefined;
}
