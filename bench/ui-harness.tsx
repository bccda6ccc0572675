// The UI thread's own work, in one process, without tmux or a kernel wedge: the real App under
// the real (patched) Ink, writing to a stand-in terminal, fed a synthetic 5,000-D Analysis once a
// second (each a fresh JSON.parse of the packed message, as from the collector child, with every
// "blocked for" a second older) while keys are pressed. Prints, per refresh and per key, how long
// the UI thread is busy (store update -> frame composed -> React commit -> Ink's write).
//
//   NODE_ENV=production node --import tsx bench/ui-harness.tsx [--refreshes N] [--keys N] [--blocked N]
//     [--prof FILE.cpuprofile] [--cache FILE] [--incremental]
//   --prof profiles the measured part only; --cache keeps the packed message between runs;
//   --incremental: Ink's incrementalRendering (only changed lines written; the TUI does not use it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EventEmitter } from 'node:events';
import { Session } from 'node:inspector/promises';
import { render } from 'ink';
import { collect } from '../src/collector/collect.js';
import { ReplaySource } from '../src/procfs/source.js';
import { Analyst, packAnalysis, unpackAnalysis, type PackedAnalysis } from '../src/collector/analyst.js';
import { createUiStore } from '../src/store/store.js';
import { App } from '../src/ui/App.js';
import type { Analysis } from '../src/model.js';
import { writeSynthetic } from './synth.js';
import { median, percentile, SHM } from './live.js';

const argv = process.argv.slice(2);
const num = (flag: string, d: number): number => {
  const i = argv.indexOf(flag);
  return i >= 0 ? Number(argv[i + 1]) : d;
};
const REFRESHES = num('--refreshes', 12);
const KEYS_PER_REFRESH = num('--keys', 4);
const BLOCKED = num('--blocked', 5000);
/** Profile the measured part only (not the synthetic snapshot's writing and reading): the file to write. */
const PROF = argv.includes('--prof') ? argv[argv.indexOf('--prof') + 1] : undefined;
/** Keep the packed message here between runs (its making is most of a run's time). */
const CACHE = argv.includes('--cache') ? argv[argv.indexOf('--cache') + 1] : undefined;

class Term extends EventEmitter {
  isTTY = true;
  columns = 160;
  rows = 50;
  writes = 0;
  bytes = 0;
  lastWriteAt = 0;
  private waiting?: () => void;
  write = (s: string): boolean => {
    this.writes++;
    this.bytes += Buffer.byteLength(s);
    this.lastWriteAt = performance.now();
    this.waiting?.();
    return true;
  };
  /** The time of the next write after now, or NaN when none comes within `ms`. */
  nextWrite(ms: number): Promise<number> {
    const w0 = this.writes;
    return new Promise((resolve) => {
      const t = setTimeout(() => done(), ms);
      const done = (): void => {
        clearTimeout(t);
        this.waiting = undefined;
        resolve(this.writes > w0 ? this.lastWriteAt : NaN);
      };
      this.waiting = done;
    });
  }
}

class Keys extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  press(s: string): void {
    this.data = s;
    this.emit('readable');
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const dir = path.join(SHM, `wt-ui-harness-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  try {
    let packed: string;
    if (CACHE && fs.existsSync(CACHE)) packed = fs.readFileSync(CACHE, 'utf8');
    else {
      writeSynthetic(dir, { tasks: 20_000, threadsPerProcess: 20, blocked: BLOCKED, chainLength: 8 });
      const snap = collect(new ReplaySource(dir), { now: Date.parse('2025-11-22T00:00:00Z') });
      packed = JSON.stringify(packAnalysis(new Analyst().analyze(snap)));
      if (CACHE) fs.writeFileSync(CACHE, packed);
    }
    const next = (k: number): Analysis => {
      const p = JSON.parse(packed) as PackedAnalysis;
      for (const t of p.packedTasks) if (t.blockedForMs !== undefined) t.blockedForMs += k * 1000;
      p.snapshot.takenAtMs += k * 1000;
      return unpackAnalysis(p);
    };
    const store = createUiStore({ intervalMs: 1000, timeoutMs: 5000, readOnly: true, dryRun: true, live: true });
    const stdout = new Term();
    const stdin = new Keys();
    const ink = render(<App store={store} caps={{ color: true, attrs: true, unicode: true }} onQuit={() => undefined} />, {
      stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, stderr: stdout as unknown as NodeJS.WriteStream,
      exitOnCtrlC: false, patchConsole: false, incrementalRendering: argv.includes('--incremental'),
    });
    store.getState().setAnalysis(next(0));
    await sleep(500);

    /** From `t0` until Ink's next write (NaN: none within 2 s). */
    const settle = async (t0: number): Promise<number> => (await written) - t0;
    let written: Promise<number> = Promise.resolve(NaN);
    const expectWrite = (): void => void (written = stdout.nextWrite(2000));
    const seq = ['j', 'j', '\u001b[6~', 'k', '\u001b[F', '\u001b[H', 'j', '\u001b[B'];
    const refresh: number[] = [];
    const applyMs: number[] = [];
    const keys: number[] = [];
    const keyBusy: number[] = [];
    const keyBytes: number[] = [];
    // CPU time (this process, all its threads) from the change to Ink's write: what a shared box's
    // other load does not inflate, unlike the wall-clock times.
    const refreshCpu: number[] = [];
    const keyCpu: number[] = [];
    const cpuMs = (c0: NodeJS.CpuUsage): number => {
      const c = process.cpuUsage(c0);
      return (c.user + c.system) / 1000;
    };
    const refreshBytes: number[] = [];
    let k = 0;
    const session = PROF ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
      await session.post('Profiler.start');
    }
    for (let r = 1; r <= REFRESHES; r++) {
      const a = next(r);
      expectWrite();
      const b0 = stdout.bytes;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      store.getState().setAnalysis(a);
      applyMs.push(performance.now() - t0);
      refresh.push(await settle(t0));
      refreshCpu.push(cpuMs(c0));
      refreshBytes.push(stdout.bytes - b0);
      await sleep(60);
      for (let i = 0; i < KEYS_PER_REFRESH; i++) {
        expectWrite();
        const b0 = stdout.bytes;
        const c1 = process.cpuUsage();
        const t1 = performance.now();
        stdin.press(seq[k++ % seq.length]!);
        keyBusy.push(performance.now() - t1);
        keys.push(await settle(t1));
        keyCpu.push(cpuMs(c1));
        keyBytes.push(stdout.bytes - b0);
        await sleep(60);
      }
    }
    if (session && PROF) {
      const { profile } = await session.post('Profiler.stop');
      fs.writeFileSync(PROF, JSON.stringify(profile));
      session.disconnect();
    }
    ink.unmount();
    const f = (all: number[]): string => {
      const xs = all.filter((x) => !Number.isNaN(x));
      return `${all.length - xs.length} without a write; median ${median(xs).toFixed(1)} p90 ${percentile(xs, 90).toFixed(1)} max ${Math.max(...xs).toFixed(1)} ms (n ${xs.length})`;
    };
    const out = {
      blocked: BLOCKED,
      refresh: { toWrite: f(refresh), cpuToWrite: f(refreshCpu), storeUpdateSync: f(applyMs), bytesToTerminalMedian: median(refreshBytes) },
      key: { toWrite: f(keys), cpuToWrite: f(keyCpu), dispatchSync: f(keyBusy), bytesToTerminalMedian: median(keyBytes) },
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
