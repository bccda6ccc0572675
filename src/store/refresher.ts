// The refresh loop: SnapshotSource.next() (an Analysis) -> store. The analysis is made where the
// snapshot is read (the collector child in live mode), never here: this runs on the UI's thread,
// and a keypress must not wait behind a kernel analysis of 5,000 blocked tasks. At most one
// request is out at a time; a collector that stops answering is reported as stalled while the
// last data stays on screen, and nothing here ever waits synchronously, so keys keep working. A
// remedy's follow-up gets its analyses from here too (nextAnalysis), so it never sends a second
// request of its own.
import type { Analysis } from '../model.js';
import type { UiStore } from './store.js';

export interface AnalysisProvider {
  next(): Promise<Analysis>;
}

export interface RefresherOptions {
  intervalMs: number;
  timeoutMs: number;
  clock?: () => number;
  log?: (msg: string) => void;
  /** Tells a stall (CollectorStalled) from other collector errors. */
  isStall?: (e: unknown) => boolean;
  /** Past the timeout, whether the collector is still computing (slow, not stuck: it is waited for). */
  computing?: () => boolean;
  /**
   * A replayed snapshot never changes: after the first one, ask again only when someone waits
   * for a snapshot (a remedy's dry-run follow-up), so an idle replay costs nothing.
   */
  static?: boolean;
}

interface Waiter {
  /** Only a request started at or after this answers it: older ones predate the action. */
  after: number;
  resolve: (a: Analysis) => void;
  reject: (e: unknown) => void;
}

export class Refresher {
  private timer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private inFlight = false;
  private stopped = false;
  private waiters: Waiter[] = [];
  private gotOne = false;
  /** Analyses received so far: only the latest one is applied. */
  private applied = 0;
  private readonly clock: () => number;

  constructor(private readonly store: UiStore, private readonly source: AnalysisProvider, private readonly o: RefresherOptions) {
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
    for (const w of this.waiters.splice(0)) w.reject(new Error('refresher stopped'));
  }

  /**
   * The next analysis from a request started now or later: a request is sent at once unless one
   * is already out, in which case the next one follows it without waiting for the interval.
   */
  nextAnalysis(): Promise<Analysis> {
    if (this.stopped) return Promise.reject(new Error('refresher stopped'));
    return new Promise<Analysis>((resolve, reject) => {
      this.waiters.push({ after: this.clock(), resolve, reject });
      if (!this.inFlight) {
        clearTimeout(this.timer);
        this.tick(true);
      }
    });
  }

  get pending(): boolean {
    return this.inFlight;
  }

  /** One request, unless one is already out. Schedules the next when this one settles. */
  tick(force = false): void {
    if (this.stopped || this.inFlight) return;
    // The admin is reading a confirm dialog: the screen under it, and what it names, hold still.
    if (!force && this.store.getState().dialog !== undefined) {
      this.schedule();
      return;
    }
    this.inFlight = true;
    const started = this.clock();
    this.store.getState().setPending(true);
    let p: Promise<Analysis>;
    try {
      p = this.source.next();
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(
      (a) => {
        if (this.stopped) return;
        this.gotOne = true;
        this.settle(started, (w) => w.resolve(a));
        this.o.log?.(`refresh: ${a.tasks.length} tasks shown, ${a.rootCauses.length} root causes, ${this.clock() - started} ms`);
        this.applyAfterInput(a);
      },
      (e: unknown) => {
        if (this.stopped) return;
        this.settle(started, (w) => w.reject(e));
        this.fail(e);
      },
    ).finally(() => {
      this.inFlight = false;
      this.schedule();
    });
  }

  /**
   * Apply an Analysis once a key already waiting is handled and drawn. The reply is parsed in a
   * poll phase of the event loop; a key that arrived meanwhile is read in the next one. An
   * immediate set now runs before it (this turn's check phase); one set from there runs after it
   * (the next turn's). If the store changed in between (a key moved the cursor), React's render of
   * that change is queued before us: go round again, so the key is drawn without waiting behind a
   * new 5,000-row frame. Bounded, so a typist cannot hold the data back.
   */
  private applyAfterInput(a: Analysis, rounds = 3, seq = ++this.applied): void {
    const before = this.store.getState();
    setImmediate(() => setImmediate(() => {
      // Stopped, or a newer Analysis came meanwhile (a follow-up's forced request): not this one.
      if (this.stopped || seq !== this.applied) return;
      if (rounds > 1 && this.store.getState() !== before) this.applyAfterInput(a, rounds - 1, seq);
      else this.store.getState().setAnalysis(a);
    }));
  }

  private fail(e: unknown): void {
    const stall = this.o.isStall?.(e) ?? false;
    const msg = e instanceof Error ? e.message : String(e);
    this.o.log?.(`collector ${stall ? 'stalled' : 'error'}: ${e instanceof Error ? e.stack ?? msg : msg}`);
    this.store.getState().setCollectorError(msg, stall);
  }

  /** Answer the waiters this request (started at `started`) is recent enough for. */
  private settle(started: number, f: (w: Waiter) => void): void {
    const ready = this.waiters.filter((w) => w.after <= started);
    this.waiters = this.waiters.filter((w) => w.after > started);
    for (const w of ready) f(w);
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    // Someone is waiting for a fresher snapshot than the one that just came: ask again now.
    if (this.waiters.length) {
      this.timer = setTimeout(() => this.tick(true), 0);
      return;
    }
    if (this.o.static && this.gotOne) return;
    this.timer = setTimeout(() => this.tick(), this.o.intervalMs);
    this.timer.unref?.();
  }

  private checkStall(): void {
    const c = this.store.getState().collector;
    if (this.inFlight && c.pendingSince !== undefined && this.clock() - c.pendingSince > this.o.timeoutMs) this.store.getState().setStalled(this.o.computing?.() ?? false);
  }
}
