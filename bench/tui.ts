// The TUI in a real pty (tmux): time to first frame, RSS after a while, keypress to redraw.
// The screen is read with `tmux capture-pane`, polled as fast as tmux answers (a few ms), so
// every time measured here is an upper bound that includes one capture.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { cpuMsOf, mainThreadRunMsOf, median, percentile, pssMbOf, rssMbOf, sleep } from './live.js';

const SOCKET = `wt-bench-${process.pid}`;

function tmux(...args: string[]): string {
  // stderr piped: a failure's message then says what tmux said.
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function hasTmux(): boolean {
  return spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
}

export function killTmux(): void {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server'], { stdio: 'ignore' });
}

export interface Session {
  name: string;
  startedAt: number;
  pid: number;
  capture(escapes?: boolean): string;
  keys(...k: string[]): void;
  close(): void;
}

let n = 0;
export function startSession(cmd: string[], cols = 120, rows = 40, cwd = process.cwd()): Session {
  const name = `s${n++}`;
  const startedAt = performance.now();
  // The previous session's end stops the server (its last session closed), and a new-session
  // that reaches the server while it is still exiting fails: seen on a loaded box between two
  // rounds. A few tries, a moment apart.
  for (let attempt = 1; ; attempt++) {
    try {
      tmux('new-session', '-d', '-s', name, '-x', String(cols), '-y', String(rows), '-c', cwd, '--', 'env', 'TERM=tmux-256color', 'LANG=C.UTF-8', ...cmd);
      break;
    } catch (e) {
      if (attempt >= 3) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  const pid = Number(tmux('display-message', '-p', '-t', name, '#{pane_pid}').trim());
  return {
    name,
    startedAt,
    pid,
    capture: (escapes = false) => tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', name),
    keys: (...k: string[]) => void tmux('send-keys', '-t', name, ...k),
    close: () => spawnSync('tmux', ['-L', SOCKET, 'kill-session', '-t', name], { stdio: 'ignore' }),
  };
}

/** Poll until pred(screen) or timeout; the time (ms since `from`) of the first capture that matched. */
export async function waitFor(s: Session, pred: (screen: string) => boolean, from: number, timeoutMs: number, escapes = false): Promise<number | undefined> {
  const end = from + timeoutMs;
  while (performance.now() < end) {
    let screen = '';
    try {
      screen = s.capture(escapes);
    } catch {
      /* session not up yet */
    }
    if (pred(screen)) return performance.now() - from;
    await sleep(0);
  }
  return undefined;
}

/** The process the pane runs, and the collector child it started (if any). */
export function processTree(pid: number): { tui: number; children: number[] } {
  // `env` execs the command: the pane's pid is the TUI itself.
  const children: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const st = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return { tui: pid, children };
}

export interface FirstFrame {
  /** Start to the first drawn frame (anything on the screen). */
  firstFrameMs: number[];
  /** Start to the first frame with data (the "Blocked:" line of the header). */
  firstDataMs: number[];
}

export async function firstFrame(cmd: string[], runs: number): Promise<FirstFrame> {
  const out: FirstFrame = { firstFrameMs: [], firstDataMs: [] };
  for (let i = 0; i < runs; i++) {
    const s = startSession(cmd);
    try {
      const f = await waitFor(s, (x) => x.trim().length > 0, s.startedAt, 10_000);
      const d = await waitFor(s, (x) => /Blocked: \d+/.test(x), s.startedAt, 30_000);
      if (f !== undefined) out.firstFrameMs.push(f);
      if (d !== undefined) out.firstDataMs.push(d);
    } finally {
      s.keys('q');
      await sleep(300);
      s.close();
    }
  }
  return out;
}

export interface Resident {
  seconds: number;
  tuiMb: number;
  collectorMb?: number;
  tuiPssMb: number;
  collectorPssMb?: number;
  tuiCpuPct?: number;
}

/** Run the TUI for `seconds` and read its RSS (and its collector child's). */
export async function residentAfter(cmd: string[], seconds: number, cpuMsOf: (pid: number) => number): Promise<Resident> {
  const s = startSession(cmd);
  try {
    await waitFor(s, (x) => /Blocked: \d+/.test(x), s.startedAt, 30_000);
    const c0 = cpuMsOf(s.pid);
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const cpu = cpuMsOf(s.pid) - c0;
    const col = collectorChild(s.pid);
    return {
      seconds,
      tuiMb: rssMbOf(s.pid),
      collectorMb: col !== undefined ? rssMbOf(col) : undefined,
      tuiPssMb: pssMbOf(s.pid),
      collectorPssMb: col !== undefined ? pssMbOf(col) : undefined,
      tuiCpuPct: (cpu / (performance.now() - t0)) * 100,
    };
  } finally {
    s.keys('q');
    await sleep(300);
    s.close();
  }
}

export interface Keypress {
  key: string;
  ms: number;
}

/** CPU the TUI and its collector child used while the keys were pressed. */
export interface KeyWindowCpu {
  windowMs: number;
  /** utime + stime of the TUI process, every thread (10 ms ticks). */
  tuiCpuMs: number;
  /** Run time of the TUI's main thread alone (schedstat, exact): where renders and any analysis run. */
  tuiMainMs: number;
  /** utime + stime of its collector child, when it has one that lived through the window. */
  collectorCpuMs?: number;
}

/** The collector child the TUI `pid` started, if it has one now. */
export function collectorChild(pid: number): number | undefined {
  return processTree(pid).children.find((c) => {
    try {
      return fs.readFileSync(`/proc/${c}/cmdline`, 'utf8').includes('--collector-child');
    } catch {
      return false;
    }
  });
}

/**
 * Keypress to redraw: capture the task table, send a key, poll until the table differs. Only the
 * table is compared (from its column header down, with colours, so the moved highlight counts):
 * the header's clock and chart change on their own every second.
 */
export async function keypressLatency(cmd: string[], keys: string[]): Promise<{ presses: Keypress[]; misses: number; screen: string; captureMs: number; cpu: KeyWindowCpu }> {
  const s = startSession(cmd, 160, 50);
  const presses: Keypress[] = [];
  let misses = 0;
  try {
    const ready = await waitFor(s, (x) => /Blocked: \d+/.test(x) && /PID\s+TID/.test(x), s.startedAt, 120_000);
    if (ready === undefined) throw new Error(`TUI showed no task table; its screen:\n${s.capture()}`);
    await sleep(1500);
    const table = (screen: string): string => {
      const lines = screen.split('\n');
      const i = lines.findIndex((l) => /PID.*TID/.test(l));
      return lines.slice(i, -2).join('\n');
    };
    // What one look at the screen costs: the resolution of every latency below.
    const c0 = performance.now();
    for (let i = 0; i < 10; i++) s.capture(true);
    const captureMs = (performance.now() - c0) / 10;
    // The window the CPU figures cover: from the first key to the last redraw (refreshes included).
    const col = collectorChild(s.pid);
    const cpu0 = { tui: cpuMsOf(s.pid), main: mainThreadRunMsOf(s.pid), col: col !== undefined ? cpuMsOf(col) : 0 };
    const w0 = performance.now();
    for (const k of keys) {
      const before = table(s.capture(true));
      const t0 = performance.now();
      s.keys(k);
      const ms = await waitFor(s, (x) => table(x) !== before, t0, 5000, true);
      if (ms === undefined) misses++;
      else presses.push({ key: k, ms });
      await sleep(150);
    }
    const colNow = col !== undefined && collectorChild(s.pid) === col ? cpuMsOf(col) : undefined;
    const cpu: KeyWindowCpu = {
      windowMs: performance.now() - w0, tuiCpuMs: cpuMsOf(s.pid) - cpu0.tui, tuiMainMs: mainThreadRunMsOf(s.pid) - cpu0.main,
      collectorCpuMs: colNow !== undefined ? colNow - cpu0.col : undefined,
    };
    return { presses, misses, screen: s.capture(), captureMs, cpu };
  } finally {
    s.keys('q');
    await sleep(300);
    s.close();
  }
}

export function summarize(xs: number[]): { median: number; p90: number; max: number; n: number } {
  return { median: median(xs), p90: percentile(xs, 90), max: Math.max(...xs), n: xs.length };
}
