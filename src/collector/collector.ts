// All reads of the live /proc happen in a child process. A read can hang on a wedged box
// (maps/mem wait for a stuck task's mmap_lock; Node's fs thread pool has 4 threads), so the UI
// only ever waits for a message with a timeout, and abandons a child that stops answering.
// An abandoned child may be in D, where SIGKILL waits until the kernel lets go: each would be
// another ~70 MB process re-reading the same file and hanging on it too. So at most MAX_ABANDONED
// may be alive at once (then no new child is started and the UI says why), and the path a child
// hung on (from its breadcrumb, or the fd of the read it sleeps in) is skipped by the next ones.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { Analysis, Snapshot } from '../model.js';
import { collect, type CollectOptions } from './collect.js';
import { Analyst, packAnalysis, unpackAnalysis, type AnalystOptions, type PackedAnalysis } from './analyst.js';
import { IncrementalCollector } from './incremental.js';
import { LiveSource, RecordingSource } from '../procfs/source.js';
import { VERSION } from '../version.js';
import { SafeWriteError, VerifiedDir } from '../safefs/write.js';
import { SafeTree } from '../safefs/tree.js';
import { stuckReadPath } from '../procfs/stuck.js';

export const MAX_ABANDONED = 2;

export const COLLECTOR_FLAG = '--collector-child';

/** A --record DIR as prepareRecordDir verified it: the child re-opens it and checks it is the same one. */
export interface RecordTarget {
  dir: string;
  dev: number;
  ino: number;
}

interface Request {
  id: number;
  opts: CollectOptions;
  record?: RecordTarget;
  /** Paths an earlier child hung on. */
  skip?: string[];
  /** How the child analyses the snapshot (the kill remedy's grace period). */
  analysis?: AnalystOptions;
}
type Reply = { id: number; analysis: PackedAnalysis } | { id: number; error: string };
/** Sent before (path) and after (null) each risky read: what the child is in, if it hangs there. */
type Breadcrumb = { risky: string | null };
type ChildMessage = Reply | Breadcrumb;

/**
 * Entry point of the child: answer each request with one Analysis (its snapshot inside, for
 * --record and the detail views). The child analyses anyway to learn what to read next; doing
 * the last analysis here too means the UI's thread never runs one, so no key waits behind it.
 */
export function runCollectorChild(): void {
  const live = new LiveSource();
  // First sightings ("blocked for" without schedstats) live where the analysis runs.
  const analyst = new Analyst();
  // Kept between requests: a refresh re-reads what changed, not every thread (incremental.ts).
  const incremental = new IncrementalCollector(live);
  // process.send() on the IPC pipe writes at once when nothing is queued (libuv tries the write
  // before returning), so the breadcrumb is out before a read that never returns.
  live.onRisky = (p) => process.send?.({ risky: p ?? null } satisfies Breadcrumb);
  process.on('message', (msg: Request) => {
    let reply: Reply;
    try {
      live.errors.clear();
      live.skip = new Set(msg.skip ?? []);
      let snapshot: Snapshot;
      if (msg.record) {
        // A recording is a complete scan, every file it read saved: never a partly remembered one.
        const tree = new SafeTree(reopenRecordDir(msg.record));
        try {
          snapshot = collect(new RecordingSource(live, tree), msg.opts);
          tree.writeFile('/meta.json', metaJson(snapshot));
          const w = tree.warning();
          if (w) snapshot.warnings.push(w);
        } finally {
          tree.close();
        }
      } else {
        snapshot = incremental.collect(msg.opts);
      }
      reply = { id: msg.id, analysis: packAnalysis(analyst.analyze(snapshot, msg.analysis)) };
    } catch (e) {
      // A refusal is one line for the admin; anything else is a bug worth its stack.
      reply = { id: msg.id, error: e instanceof SafeWriteError ? e.message : e instanceof Error ? e.stack ?? e.message : String(e) };
    }
    process.send?.(reply);
  });
  // The parent going away (even by SIGKILL) closes the IPC channel: exit with it.
  process.on('disconnect', () => process.exit(0));
}

function metaJson(s: Snapshot): string {
  const meta = {
    time: new Date(s.takenAtMs).toISOString(),
    hostname: s.hostname,
    kernel: s.kernel,
    uptimeSec: s.uptimeSec,
    wedgetop: VERSION,
  };
  return JSON.stringify(meta, null, 2) + '\n';
}

export class CollectorStalled extends Error {}
/** MAX_ABANDONED children are still stuck: no new one is started until one of them exits. */
export class CollectorCapped extends Error {}

interface Abandoned {
  pid: number;
  /** What it was reading when it stopped answering, when that can be known. */
  path?: string;
}

export class CollectorClient {
  private child?: ChildProcess;
  private nextId = 1;
  private pending = new Map<number, { resolve: (a: Analysis) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  /** Children abandoned because they stopped answering and not yet exited (stuck in D: unkillable). */
  private readonly stuck = new Map<number, Abandoned>();
  /** Paths a child hung on: every later request skips them. */
  readonly skip = new Set<string>();
  private readonly reading = new WeakMap<ChildProcess, string>();

  constructor(private readonly entry: string = process.argv[1]!, private readonly maxAbandoned = MAX_ABANDONED) {}

  get abandoned(): number {
    return this.stuck.size;
  }

  /** One line on the abandoned children still alive, or undefined. */
  stuckText(): string | undefined {
    if (!this.stuck.size) return undefined;
    const each = [...this.stuck.values()].map((a) => `pid ${a.pid} ${a.path ? `reading ${a.path}` : 'on an unknown read'}`);
    return `${this.stuck.size} abandoned collector${this.stuck.size === 1 ? ' is' : 's are'} still stuck (${each.join('; ')})`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private start(): ChildProcess {
    if (this.child && this.child.connected) return this.child;
    // In the single executable the program is the binary itself: no script argument.
    const args = process.env.WEDGETOP_SEA ? [COLLECTOR_FLAG] : [...process.execArgv, this.entry, COLLECTOR_FLAG];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      // Its own process group: a terminal signal aimed at wedgetop does not double-kill it.
      detached: true,
    });
    child.unref();
    child.on('message', (m: ChildMessage) => {
      if ('risky' in m) {
        if (m.risky) this.reading.set(child, m.risky);
        else this.reading.delete(child);
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if ('error' in m) p.reject(new Error(m.error));
      else p.resolve(unpackAnalysis(m.analysis));
    });
    child.on('exit', () => {
      if (this.child === child) this.child = undefined;
      // An abandoned child that finally died (the kernel let it go) frees its place.
      if (child.pid !== undefined) this.stuck.delete(child.pid);
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error('collector exited'));
        this.pending.delete(id);
      }
    });
    // Don't let the IPC channel keep wedgetop alive.
    (child.channel as unknown as { unref?: () => void } | undefined)?.unref?.();
    this.child = child;
    return child;
  }

  /** One snapshot (of an analysis the child made), or CollectorStalled after timeoutMs. */
  async snapshot(opts: CollectOptions, timeoutMs: number, record?: RecordTarget): Promise<Snapshot> {
    return (await this.analysis(opts, timeoutMs, record)).snapshot;
  }

  /** One Analysis, or CollectorStalled after timeoutMs (the child is then abandoned). */
  analysis(opts: CollectOptions, timeoutMs: number, record?: RecordTarget, analysis?: AnalystOptions): Promise<Analysis> {
    if (!this.child?.connected && this.stuck.size >= this.maxAbandoned) {
      return Promise.reject(new CollectorCapped(`${this.stuckText()}: not starting another until one exits`));
    }
    const child = this.start();
    const id = this.nextId++;
    return new Promise<Analysis>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        const a = this.abandon();
        const on = a?.path ? ` (stuck reading ${a.path}: skipped from now on)` : '';
        reject(new CollectorStalled(`collector did not answer within ${timeoutMs} ms${on}`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (a) => resolve(this.annotate(a)),
        reject,
        timer,
      });
      child.send({ id, opts, record, skip: [...this.skip], analysis } satisfies Request);
    });
  }

  /**
   * What the UI shows says what is stuck and what is no longer read. The child's analysis
   * copied the snapshot's warnings before these were known: both get them, as analyze() would.
   */
  private annotate(a: Analysis): Analysis {
    const extra: string[] = [];
    const stuck = this.stuckText();
    if (stuck) extra.push(`${stuck}; at most ${this.maxAbandoned} are left running`);
    if (this.skip.size) extra.push(`not read (a collector hung on it): ${[...this.skip].join(', ')}`);
    a.snapshot.warnings.push(...extra);
    a.warnings.push(...extra);
    return a;
  }

  /** Give up on the current child; the next request starts a fresh one. */
  abandon(): Abandoned | undefined {
    const c = this.child;
    this.child = undefined;
    if (!c) return undefined;
    let a: Abandoned | undefined;
    if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
      a = { pid: c.pid, path: this.reading.get(c) ?? stuckReadPath(c.pid) };
      if (a.path) this.skip.add(a.path);
      this.stuck.set(c.pid, a);
    }
    this.kill(c);
    return a;
  }

  private kill(c: ChildProcess): void {
    try {
      c.kill('SIGKILL');
    } catch {
      /* already gone */
    }
    try {
      c.disconnect();
    } catch {
      /* already disconnected */
    }
  }

  close(): void {
    const c = this.child;
    this.child = undefined;
    if (c) this.kill(c);
  }
}

// --record DIR: nobody else may be able to write inside DIR, or they could plant a symlink
// (DIR/proc -> /elsewhere) while root records into it. So DIR is one we make now (mkdir 0700; a
// name that exists is not followed) or an existing empty directory owned by root (or us) and
// writable by nobody else. Its parent must exist: parents are not created, because creating
// them would mean following whatever path an attacker prepared (and mkdir -p of "/proc/x" loops
// forever in Node: procfs answers ENOENT for a parent that exists).
const RECORD_POLICY = {};

/** Verify (or create) DIR; throws SafeWriteError with one line for the admin. */
export function prepareRecordDir(dir: string): RecordTarget {
  const { dir: d } = VerifiedDir.create(dir, {
    mode: 0o700,
    policy: RECORD_POLICY,
    existing: (v) => (v.entries().length ? `${dir} is not empty: refusing to record into it` : undefined),
  });
  try {
    return { dir: path.resolve(dir), dev: d.st.dev, ino: d.st.ino };
  } finally {
    d.close();
  }
}

/** In the child: the same DIR the parent verified (by device and inode), verified again by fd. */
function reopenRecordDir(t: RecordTarget): VerifiedDir {
  const d = VerifiedDir.open(t.dir, RECORD_POLICY);
  if (d.st.dev !== t.dev || d.st.ino !== t.ino) {
    d.close();
    throw new SafeWriteError(`${t.dir} was replaced while wedgetop started recording: refusing to record into it`);
  }
  return d;
}
