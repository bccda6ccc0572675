// All reads of the live /proc happen in a child process. A read can hang on a wedged box
// (maps/mem wait for a stuck task's mmap_lock; Node's fs thread pool has 4 threads), so the UI
// only ever waits for a message with a timeout, and abandons a child that stops answering.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { Snapshot } from '../model.js';
import { collect, type CollectOptions } from './collect.js';
import { IncrementalCollector } from './incremental.js';
import { LiveSource, RecordingSource } from './source.js';
import { VERSION } from '../version.js';
import { SafeWriteError, VerifiedDir } from '../safefs/write.js';
import { SafeTree } from '../safefs/tree.js';

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
}
type Reply = { id: number; snapshot: Snapshot } | { id: number; error: string };

/** Entry point of the child: answer each request with one snapshot. */
export function runCollectorChild(): void {
  const live = new LiveSource();
  // Kept between requests: a refresh re-reads what changed, not every thread (incremental.ts).
  const incremental = new IncrementalCollector(live);
  process.on('message', (msg: Request) => {
    let reply: Reply;
    try {
      live.errors.clear();
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
      reply = { id: msg.id, snapshot };
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

export class CollectorClient {
  private child?: ChildProcess;
  private nextId = 1;
  private pending = new Map<number, { resolve: (s: Snapshot) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  /** Children abandoned because they stopped answering (possibly stuck in D: unkillable). */
  abandoned = 0;

  constructor(private readonly entry: string = process.argv[1]!) {}

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
    child.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if ('error' in m) p.reject(new Error(m.error));
      else p.resolve(m.snapshot);
    });
    child.on('exit', () => {
      if (this.child === child) this.child = undefined;
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

  /** One snapshot, or CollectorStalled after timeoutMs (the child is then abandoned). */
  snapshot(opts: CollectOptions, timeoutMs: number, record?: RecordTarget): Promise<Snapshot> {
    const child = this.start();
    const id = this.nextId++;
    return new Promise<Snapshot>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.abandon();
        reject(new CollectorStalled(`collector did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      child.send({ id, opts, record } satisfies Request);
    });
  }

  /** Give up on the current child; the next request starts a fresh one. */
  abandon(): void {
    const c = this.child;
    this.child = undefined;
    if (!c) return;
    this.abandoned++;
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
    this.abandon();
    this.abandoned = Math.max(0, this.abandoned - 1);
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
