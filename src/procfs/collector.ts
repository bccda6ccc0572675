// All reads of the live /proc happen in a child process. A read can hang on a wedged box
// (maps/mem wait for a stuck task's mmap_lock; Node's fs thread pool has 4 threads), so the UI
// only ever waits for a message with a timeout, and abandons a child that stops answering.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import type { Snapshot } from '../model.js';
import { collect, type CollectOptions } from './collect.js';
import { IncrementalCollector } from './incremental.js';
import { LiveSource, RecordingSource } from './source.js';
import { VERSION } from '../version.js';

export const COLLECTOR_FLAG = '--collector-child';

interface Request {
  id: number;
  opts: CollectOptions;
  recordDir?: string;
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
      if (msg.recordDir) {
        // A recording is a complete scan, every file it read saved: never a partly remembered one.
        snapshot = collect(new RecordingSource(live, msg.recordDir), msg.opts);
        writeMeta(msg.recordDir, snapshot);
      } else {
        snapshot = incremental.collect(msg.opts);
      }
      reply = { id: msg.id, snapshot };
    } catch (e) {
      reply = { id: msg.id, error: e instanceof Error ? e.stack ?? e.message : String(e) };
    }
    process.send?.(reply);
  });
  // The parent going away (even by SIGKILL) closes the IPC channel: exit with it.
  process.on('disconnect', () => process.exit(0));
}

function writeMeta(dir: string, s: Snapshot): void {
  const meta = {
    time: new Date(s.takenAtMs).toISOString(),
    hostname: s.hostname,
    kernel: s.kernel,
    uptimeSec: s.uptimeSec,
    wedgetop: VERSION,
  };
  fs.writeFileSync(`${dir}/meta.json`, JSON.stringify(meta, null, 2) + '\n', { flag: 'wx', mode: 0o600 });
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
  snapshot(opts: CollectOptions, timeoutMs: number, recordDir?: string): Promise<Snapshot> {
    const child = this.start();
    const id = this.nextId++;
    return new Promise<Snapshot>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.abandon();
        reject(new CollectorStalled(`collector did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      child.send({ id, opts, recordDir } satisfies Request);
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

/** For --record: the directory must be new or empty. */
export function prepareRecordDir(dir: string): string | undefined {
  try {
    const st = fs.lstatSync(dir);
    if (!st.isDirectory()) return `${dir} exists and is not a directory`;
    if (fs.readdirSync(dir).length) return `${dir} is not empty: refusing to record into it`;
  } catch {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      return `cannot create ${dir}: ${(e as Error).message}`;
    }
  }
  return undefined;
}
