// Shared by the UI tests: recorded snapshots through the real collector and analysis, a store,
// the App under ink-testing-library, named keys, and polling for a frame.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { render } from 'ink-testing-library';
import type { Analysis, AnalyzedTask, Snapshot, Task } from '../../src/model.js';
import { collect } from '../../src/collector/collect.js';
import { ReplaySource } from '../../src/procfs/source.js';
import { analyze } from '../../src/graph/analyze.js';
import { createUiStore, type Remediator, type StoreOptions, type UiStore } from '../../src/store/store.js';
import { Refresher, type AnalysisProvider } from '../../src/store/refresher.js';
import { Analyst } from '../../src/collector/analyst.js';
import { StoreRemediator, type Executor } from '../../src/store/remediation.js';
import { ActionLog } from '../../src/actions/log.js';
import type { ActionPlan, PlanContext, RunOptions } from '../../src/actions/remedy.js';
import { App } from '../../src/ui/App.js';
import type { TermCaps } from '../../src/ui/term.js';

export const FIXTURES = path.resolve(__dirname, '../fixtures');
export const fixture = (name: string): string => path.join(FIXTURES, name);
export const hasFixture = (name: string): boolean => fs.existsSync(path.join(FIXTURES, name, 'proc'));

export function fixtureSnapshot(name: string): Snapshot {
  const dir = fixture(name);
  let now: number | undefined;
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { time?: string };
    now = meta.time ? Date.parse(meta.time) : undefined;
  } catch {
    now = undefined;
  }
  return collect(new ReplaySource(dir), { now });
}

export function fixtureAnalysis(name: string): Analysis {
  return analyze(fixtureSnapshot(name));
}

export const PLAIN: TermCaps = { color: false, attrs: true, unicode: true };

export function makeStore(o: Partial<StoreOptions> = {}): UiStore {
  return createUiStore({ intervalMs: 1000, timeoutMs: 5000, readOnly: false, dryRun: false, live: false, replayDir: 'test/fixtures/x', clock: () => 1_000_000, ...o });
}

export interface Rendered {
  store: UiStore;
  frame(): string;
  /** How many frames Ink has written so far. */
  frames(): number;
  press(...keys: string[]): Promise<void>;
  /** One raw sequence, no settling delay (timing tests). */
  write(raw: string): void;
  waitFor(pred: (frame: string) => boolean, what?: string, ms?: number): Promise<string>;
  quits: () => number;
  unmount(): void;
}

export const KEYS: Record<string, string> = {
  up: '\u001b[A', down: '\u001b[B', left: '\u001b[D', right: '\u001b[C', pageup: '\u001b[5~', pagedown: '\u001b[6~',
  home: '\u001b[H', end: '\u001b[F', enter: '\r', escape: '\u001b', space: ' ', backspace: '\u007f', tab: '\t',
  f1: '\u001bOP', f2: '\u001bOQ', f3: '\u001bOR', f4: '\u001bOS', f5: '\u001b[15~', f6: '\u001b[17~', f9: '\u001b[20~', f10: '\u001b[21~',
  'ctrl-l': '\u000c', 'ctrl-c': '\u0003',
};

export const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function renderApp(opts: { store?: UiStore; analysis?: Analysis; columns?: number; rows?: number; caps?: TermCaps; remediator?: (store: UiStore) => Remediator } = {}): Rendered {
  const store = opts.store ?? makeStore();
  if (opts.remediator) store.getState().setRemediator(opts.remediator(store));
  if (opts.analysis) store.getState().setAnalysis(opts.analysis);
  let quits = 0;
  const r = render(
    <App store={store} caps={opts.caps ?? PLAIN} size={{ columns: opts.columns ?? 100, rows: opts.rows ?? 30 }} onQuit={() => quits++} />,
  );
  const frame = (): string => r.lastFrame() ?? '';
  const waitFor = async (pred: (f: string) => boolean, what = 'frame', ms = 2000): Promise<string> => {
    const until = Date.now() + ms;
    for (;;) {
      const f = frame();
      if (pred(f)) return f;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last frame:\n${f}`);
      await tick(5);
    }
  };
  const press = async (...keys: string[]): Promise<void> => {
    for (const k of keys) {
      r.stdin.write(KEYS[k] ?? k);
      // Ink delivers a lone ESC after a pause (it may start a sequence); give it that pause.
      await tick(k === 'escape' ? 30 : 2);
    }
    await tick(40);
  };
  return { store, frame, frames: () => r.frames.length, press, write: (raw) => r.stdin.write(raw), waitFor, quits: () => quits, unmount: () => r.unmount() };
}

/** A synthetic analysis: `n` writers blocked on one frozen mount, for scale tests. */
export function bigAnalysis(n: number, base: Analysis): Analysis {
  const proto = base.tasks.find((t) => t.state === 'D')!;
  const tasks: AnalyzedTask[] = [];
  for (let i = 0; i < n; i++) {
    const pid = 100000 + i;
    tasks.push({ ...proto, pid, tid: pid, key: `${pid}/${pid}`, comm: `writer${i % 37}`, blockedForMs: (i * 7919) % 600000 });
  }
  const rootCauses = base.rootCauses.map((rc, i) => (i === 0 ? { ...rc, blocked: n } : rc));
  const snapTasks: Task[] = tasks;
  return { ...base, tasks, rootCauses, snapshot: { ...base.snapshot, tasks: snapTasks } };
}

/**
 * A collector stand-in for refresher tests: it reads (impl) and analyses what it read, as the
 * collector child does, so the refresher gets an Analysis with first sightings kept across calls.
 */
export class FakeSource implements AnalysisProvider {
  calls = 0;
  readonly analyst = new Analyst();
  constructor(private readonly impl: () => Promise<Snapshot>) {}
  async next(): Promise<Analysis> {
    this.calls++;
    return this.analyst.analyze(await this.impl());
  }
}

export function startRefresher(store: UiStore, src: AnalysisProvider, o: { intervalMs?: number; timeoutMs?: number; isStall?: (e: unknown) => boolean; computing?: () => boolean; static?: boolean } = {}): Refresher {
  const r = new Refresher(store, src, { intervalMs: o.intervalMs ?? 50, timeoutMs: o.timeoutMs ?? 150, isStall: o.isStall, computing: o.computing, static: o.static });
  r.start();
  return r;
}

/** The UI tests' action log: their own directory on tmpfs (swept by the global teardown). */
export const TEST_LOG_DIR = `/dev/shm/wedgetop-tests/action-log/ui-${process.pid}`;

/** The action log creates its own directory only, never missing parents (src/actions/log.ts). */
export function testActionLog(): ActionLog {
  fs.mkdirSync(path.dirname(TEST_LOG_DIR), { recursive: true });
  return new ActionLog(TEST_LOG_DIR);
}

/**
 * A stand-in for execute(): records what it was asked to run and reports like the real one, but
 * never sends a signal — a replay's PIDs are fictional (or someone else's, on this machine).
 */
export function fakeExecutor(calls: { plan: ActionPlan; dryRun: boolean }[], opts: { message?: string; ok?: boolean; gate?: Promise<void> } = {}): Executor {
  return async (plan: ActionPlan, o: RunOptions) => {
    calls.push({ plan, dryRun: o.dryRun });
    o.onStep?.(`sending ${plan.remedy.action === 'kill' ? 'SIGTERM' : plan.remedy.action} to ${plan.target}`);
    if (opts.gate) await opts.gate;
    const message = opts.message ?? (o.dryRun ? `dry run: would run: ${plan.command}` : `done: ${plan.command}`);
    o.log.append({ action: plan.remedy.action, target: plan.target, command: plan.command, result: message });
    o.onStep?.(message);
    return { ok: opts.ok ?? true, message };
  };
}

export interface TestRemediation {
  dryRun?: boolean;
  replay?: boolean;
  execute?: Executor;
  next?: () => Promise<Analysis>;
  ctx?: Partial<PlanContext>;
  followMs?: number;
  log?: ActionLog;
}

/** A StoreRemediator factory for renderApp({ remediator }). */
export function remediation(o: TestRemediation = {}): (store: UiStore) => StoreRemediator {
  return (store) => new StoreRemediator(store, {
    ctx: () => ({ selfPid: process.pid, readOnly: false, ...o.ctx }),
    dryRun: o.dryRun ?? false,
    replay: o.replay ?? false,
    graceMs: 100,
    log: o.log ?? testActionLog(),
    followMs: o.followMs ?? 300,
    next: o.next ?? (() => Promise.reject(new Error('no snapshots in this test'))),
    execute: o.execute,
  });
}
