// The refresh loop: SnapshotSource.next() -> analyze() -> store. At most one request is out at
// a time; a collector that stops answering is reported as stalled while the last data stays on
// screen, and nothing here ever waits synchronously, so keys keep working.
import type { Analysis, Snapshot } from '../model.js';
import { analyze } from '../graph/analyze.js';
import type { UiStore } from './store.js';

export interface SnapshotProvider {
  next(): Promise<Snapshot>;
}

export interface RefresherOptions {
  intervalMs: number;
  timeoutMs: number;
  killGraceMs?: number;
  clock?: () => number;
  log?: (msg: string) => void;
  /** Tells a stall (CollectorStalled) from other collector errors. */
  isStall?: (e: unknown) => boolean;
}

export class Refresher {
  /** Task key -> when it was first seen blocked: analyze()'s fallback for "blocked for". */
  readonly firstSeen = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private inFlight = false;
  private stopped = false;
  private readonly clock: () => number;

  constructor(private readonly store: UiStore, private readonly source: SnapshotProvider, private readonly o: RefresherOptions) {
    this.clock = o.clock ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    this.tick();
    // Noticing a stall must not depend on the request ever settling.
    this.watchdog = setInterval(() => this.checkStall(), Math.min(500, this.o.timeoutMs));
    this.watchdog.unref?.();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.watchdog);
  }

  get pending(): boolean {
    return this.inFlight;
  }

  /** One request, unless one is already out. Schedules the next when this one settles. */
  tick(): void {
    if (this.stopped || this.inFlight) return;
    this.inFlight = true;
    const started = this.clock();
    this.store.getState().setPending(true);
    let p: Promise<Snapshot>;
    try {
      p = this.source.next();
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(
      (snap) => {
        if (this.stopped) return;
        let a: Analysis;
        try {
          a = this.analyze(snap);
        } catch (e) {
          this.fail(e);
          return;
        }
        this.o.log?.(`refresh: ${a.tasks.length} tasks shown, ${a.rootCauses.length} root causes, ${this.clock() - started} ms`);
        this.store.getState().setAnalysis(a);
      },
      (e: unknown) => {
        if (!this.stopped) this.fail(e);
      },
    ).finally(() => {
      this.inFlight = false;
      this.schedule();
    });
  }

  analyze(snap: Snapshot): Analysis {
    const a = analyze(snap, { firstSeen: this.firstSeen, killGraceMs: this.o.killGraceMs });
    // Remember first sightings for the next refresh; forget tasks that are no longer shown.
    const shown = new Set<string>();
    for (const t of a.tasks) {
      shown.add(t.key);
      if (!this.firstSeen.has(t.key)) this.firstSeen.set(t.key, snap.takenAtMs);
    }
    for (const k of this.firstSeen.keys()) if (!shown.has(k)) this.firstSeen.delete(k);
    return a;
  }

  private fail(e: unknown): void {
    const stall = this.o.isStall?.(e) ?? false;
    const msg = e instanceof Error ? e.message : String(e);
    this.o.log?.(`collector ${stall ? 'stalled' : 'error'}: ${e instanceof Error ? e.stack ?? msg : msg}`);
    this.store.getState().setCollectorError(msg, stall);
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), this.o.intervalMs);
    this.timer.unref?.();
  }

  private checkStall(): void {
    const c = this.store.getState().collector;
    if (this.inFlight && c.pendingSince !== undefined && this.clock() - c.pendingSince > this.o.timeoutMs) this.store.getState().setStalled();
  }
}
