// All reads of the live /proc happen in a child process. A read can hang on a wedged box
// (maps/mem wait for a stuck task's mmap_lock; Node's fs thread pool has 4 threads), so the UI
// only ever waits for a message with a timeout, and abandons a child that stops answering.
// An abandoned child may be in D, where SIGKILL waits until the kernel lets go: each would be
// another ~70 MB process re-reading the same file and hanging on it too. So at most MAX_ABANDONED
// may be alive at once (then no new child is started and the UI says why), and the path a child
// hung on (from its breadcrumb, or the fd of the read it sleeps in) is skipped by the next ones.
// A reply is the Analysis whole (numbered) or the change from the one numbered `base` (delta.ts):
// Node parses an IPC message on the receiving thread, the UI's, and at 5,000 blocked tasks a
// whole one is 9 MB. The UI says which reply it holds; a new, abandoned or failed child starts
// whole again, and a delta on any other base is refused and asked for again whole.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Analysis, Snapshot } from '../model.js';
import { collect, type CollectOptions } from './collect.js';
import { Analyst, packAnalysis, unpackAnalysis, type AnalystOptions, type PackedAnalysis } from './analyst.js';
import { applyDelta, diffAnalysis, type AnalysisDelta } from './delta.js';
import { IncrementalCollector } from './incremental.js';
import { LiveSource, RecordingSource } from '../procfs/source.js';
import { VERSION } from '../version.js';
import { SafeWriteError, VerifiedDir } from '../safefs/write.js';
import { SafeTree } from '../safefs/tree.js';
import { stuckReadPath } from '../procfs/stuck.js';
import { parseStatCpu } from '../procfs/parse.js';

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
  /** The reply the UI holds (its seq): the child may answer with the change from it. Absent: a full reply. */
  base?: number;
  /** Tests: send the full analysis along with a delta, to compare what the delta gave. */
  check?: boolean;
}
/** A full analysis (numbered seq), or the change from the one numbered delta.base. */
export type Reply =
  | { id: number; seq: number; analysis: PackedAnalysis }
  | { id: number; delta: AnalysisDelta; full?: PackedAnalysis }
  | { id: number; error: string };
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
  // The last analysis sent: the base of the next delta, if the UI says it holds it.
  let seq = 0;
  let sent: { seq: number; packed: PackedAnalysis } | undefined;
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
      const packed = packAnalysis(analyst.analyze(snapshot, msg.analysis));
      const n = ++seq;
      reply = msg.base !== undefined && sent?.seq === msg.base
        ? { id: msg.id, delta: diffAnalysis(sent.packed, packed, sent.seq, n), ...(msg.check ? { full: packed } : {}) }
        : { id: msg.id, seq: n, analysis: packed };
      sent = { seq: n, packed };
    } catch (e) {
      // After an error the next reply is a full one.
      sent = undefined;
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

/** How long a child that keeps using CPU may take for one answer: 12 timeouts, at least a minute. */
export function slowCapMs(timeoutMs: number): number {
  return Math.max(12 * timeoutMs, 60_000);
}

/** The child's main thread: its state and CPU ticks (utime + stime), from a read that cannot block. */
function mainThreadCpu(pid: number | undefined): { state: string; ticks: number } | undefined {
  if (pid === undefined) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseStatCpu(text);
}

export class CollectorStalled extends Error {}
/** MAX_ABANDONED children are still stuck: no new one is started until one of them exits. */
export class CollectorCapped extends Error {}

interface Abandoned {
  pid: number;
  /** What it was reading when it stopped answering, when that can be known. */
  path?: string;
}

export interface ClientOptions {
  /**
   * Ask for deltas (the default): each reply after the first is the change from the one before.
   * WEDGETOP_IPC_FULL=1 turns them off (the bench compares both).
   */
  deltas?: boolean;
  /** Tests: have the child send the full analysis along with each delta (lastCheck). */
  check?: boolean;
}

/** The last reply the UI applied, by child: the base a delta must name. */
interface Held {
  child: ChildProcess;
  seq: number;
  packed: PackedAnalysis;
  analysis: Analysis;
}

interface Pending {
  resolve: (a: Analysis) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  req: Request;
  /** The child asked: only its exit fails the request (not that of one abandoned before it). */
  child: ChildProcess;
  /** Past its timeout and waited for, because the child was still computing. */
  computing?: boolean;
}

export class CollectorClient {
  private child?: ChildProcess;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private held?: Held;
  private readonly deltas: boolean;
  private readonly check: boolean;
  /**
   * Replies taken whole, as deltas, and deltas refused (their base was not the one held: a full
   * one was asked for); timeouts waited out because the child was still computing.
   */
  readonly stats = { full: 0, delta: 0, refused: 0, slow: 0 };
  /** The last reply as it crossed the pipe (the bench measures it). */
  lastReply?: Reply;
  /** check: what the last delta gave, and the full analysis the child sent with it. */
  lastCheck?: { applied: PackedAnalysis; full: PackedAnalysis };
  /** Children abandoned because they stopped answering and not yet exited (stuck in D: unkillable). */
  private readonly stuck = new Map<number, Abandoned>();
  /** Paths a child hung on: every later request skips them. */
  readonly skip = new Set<string>();
  private readonly reading = new WeakMap<ChildProcess, string>();

  constructor(private readonly entry: string = process.argv[1]!, private readonly maxAbandoned = MAX_ABANDONED, o: ClientOptions = {}) {
    this.deltas = o.deltas ?? process.env.WEDGETOP_IPC_FULL !== '1';
    this.check = !!o.check;
  }

  get abandoned(): number {
    return this.stuck.size;
  }

  /** One line on the abandoned children still alive, or undefined. */
  stuckText(): string | undefined {
    if (!this.stuck.size) return undefined;
    const each = [...this.stuck.values()].map((a) => `pid ${a.pid} ${a.path ? `reading ${a.path}` : 'on an unknown read'}`);
    return `${this.stuck.size} abandoned collector${this.stuck.size === 1 ? ' is' : 's are'} still stuck (${each.join('; ')})`;
  }

  /** A request is past its timeout and waited for: the child is computing (slow, not stuck). */
  get computing(): boolean {
    for (const p of this.pending.values()) if (p.computing) return true;
    return false;
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
      this.lastReply = m;
      let a: Analysis | undefined;
      if ('error' in m) this.held = undefined;
      else if ('analysis' in m) a = this.take(child, m.seq, m.analysis);
      else {
        a = this.applyReply(child, m.delta, m.full);
        if (!a) {
          // Never a delta on a base we do not hold: ask again, for a whole one.
          this.held = undefined;
          this.stats.refused++;
          try {
            child.send({ ...p.req, base: undefined } satisfies Request);
            return;
          } catch {
            // Gone: the exit handler rejects what is pending.
            return;
          }
        }
      }
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if ('error' in m) p.reject(new Error(m.error));
      else p.resolve(a!);
    });
    child.on('exit', () => {
      if (this.child === child) this.child = undefined;
      if (this.held?.child === child) this.held = undefined;
      // An abandoned child that finally died (the kernel let it go) frees its place.
      if (child.pid !== undefined) this.stuck.delete(child.pid);
      for (const [id, p] of this.pending) {
        if (p.child !== child) continue;
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
    const base = this.deltas && this.held?.child === child ? this.held.seq : undefined;
    const req: Request = { id, opts, record, skip: [...this.skip], analysis, base, ...(this.check ? { check: true } : {}) };
    return new Promise<Analysis>((resolve, reject) => {
      const started = Date.now();
      let cpu = mainThreadCpu(child.pid);
      const expire = (): void => {
        // A child that is still computing is slow, not stuck: with 10,000 tasks in D the first
        // full scan outlives the timeout on a loaded box, and a fresh child would start that
        // same scan over, forever. A read that hangs leaves the thread in D (or asleep) with no
        // CPU used: only then is it given up on. A spinning child is still cut off at the cap.
        const now = mainThreadCpu(child.pid);
        // Ticks are charged whole to whoever is on the CPU when one fires: taking the request
        // alone may cost a parked child one. USER_HZ is 100 on every Linux ABI (times(2)).
        const minTicks = Math.max(2, Math.ceil((timeoutMs / 10) * 0.02));
        const busy = now !== undefined && cpu !== undefined && now.state !== 'D' && now.ticks - cpu.ticks >= minTicks;
        cpu = now;
        const elapsed = Date.now() - started;
        if (busy && elapsed < slowCapMs(timeoutMs)) {
          const p = this.pending.get(id);
          if (p) {
            p.timer = setTimeout(expire, timeoutMs);
            p.computing = true;
          }
          this.stats.slow++;
          return;
        }
        this.pending.delete(id);
        const a = this.abandon();
        const on = a?.path ? ` (stuck reading ${a.path}: skipped from now on)` : '';
        const longer = elapsed >= 2 * timeoutMs ? ` (it kept computing; given up after ${Math.round(elapsed / 1000)} s)` : '';
        reject(new CollectorStalled(`collector did not answer within ${timeoutMs} ms${longer}${on}`));
      };
      const timer = setTimeout(expire, timeoutMs);
      this.pending.set(id, {
        resolve: (a) => resolve(this.annotate(a)),
        reject,
        timer,
        req,
        child,
      });
      child.send(req);
    });
  }

  /** A full reply: the new base. */
  private take(child: ChildProcess, seq: number, packed: PackedAnalysis): Analysis {
    const analysis = unpackAnalysis(packed);
    this.held = { child, seq, packed, analysis };
    this.stats.full++;
    return analysis;
  }

  /** A delta on the base held, or undefined when it is not that base's (or does not fit it). */
  private applyReply(child: ChildProcess, delta: AnalysisDelta, full?: PackedAnalysis): Analysis | undefined {
    const h = this.held;
    if (!h || h.child !== child || h.seq !== delta.base) return undefined;
    let packed: PackedAnalysis;
    try {
      packed = applyDelta(h.packed, delta);
    } catch {
      // A delta that does not fit (DeltaMismatch, or malformed): the full one is the answer.
      return undefined;
    }
    const analysis = unpackAnalysis(packed, h.analysis);
    this.held = { child, seq: delta.seq, packed, analysis };
    this.stats.delta++;
    if (full) this.lastCheck = { applied: packed, full };
    return analysis;
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
    if (!extra.length) return a;
    // Copies: the analysis as received is the base of the next delta, and stays as the child sent it.
    return { ...a, snapshot: { ...a.snapshot, warnings: [...a.snapshot.warnings, ...extra] }, warnings: [...a.warnings, ...extra] };
  }

  /** Give up on the current child; the next request starts a fresh one. */
  abandon(): Abandoned | undefined {
    const c = this.child;
    this.child = undefined;
    this.held = undefined;
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
