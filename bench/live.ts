// The live parts of the benchmark: 10,000 real sleeping threads, a real frozen filesystem with
// 50 writers in D, and the measurements taken on them. Everything started here is stopped in
// the caller's finally (and on SIGINT/SIGTERM), the frozen mount always thawed first.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SHM = '/dev/shm';
const HERE = path.dirname(new URL(import.meta.url).pathname);
const ROOT = path.resolve(HERE, '..');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

export function threadCount(): number {
  let n = 0;
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      n += fs.readdirSync(`/proc/${p}/task`).length;
    } catch {
      /* exited */
    }
  }
  return n;
}

/** utime + stime of a process in ms (from /proc/PID/stat, clock ticks of 10 ms). */
export function cpuMsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10; // fields 14, 15; USER_HZ is 100 on Linux
}

/** Run time of every thread of a process, in ms (schedstat: nanoseconds, exact). */
export function runMsOf(pid: number): number {
  let ns = 0;
  for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      /* thread gone */
    }
  }
  return ns / 1e6;
}

/** The box's CPU ticks so far (/proc/stat "cpu" line): busy (all but idle and iowait) and total. */
export function boxTicks(): { busy: number; total: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3]! - f[4]!, total };
}

/** Run time of a process's main thread (its task PID) in ms: the thread that runs JavaScript. */
export function mainThreadRunMsOf(pid: number): number {
  return Number(fs.readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}

/** Proportional set size: shared pages (the node binary both processes map) counted once overall. */
export function pssMbOf(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export function rssMbOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU ms this process's waited-for children used (cutime + cstime). */
export function childrenCpuMs(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) * 10;
}

/** This run's prefix for the sleepers' files in /dev/shm. */
const OWN = `wt-bench-sleepers-${process.pid}-`;

export interface Sleepers {
  threads: number;
  processes: number;
  how: string;
  stop(): void;
}

/**
 * N sleeping threads in P processes: a tiny C program when cc exists (64 KiB stacks), else
 * python3 with threading.stack_size(65536).
 */
export async function startSleepers(threads: number, processes: number, writeTo?: string): Promise<Sleepers> {
  // Its own binary when writing: the plain sleepers may be running from the other one. Names carry
  // our pid: another bench run on the box (another worktree) has its own sleepers and files.
  const bin = path.join(SHM, `${OWN}${writeTo ? 'w' : 'plain'}`);
  let child: ChildProcess;
  let how: string;
  const cc = spawnSync('cc', ['-O2', '-pthread', '-o', bin, path.join(HERE, 'sleepers.c')], { stdio: 'ignore' });
  if (cc.status === 0) {
    child = spawn(bin, [String(threads), String(processes), ...(writeTo ? [writeTo] : [])], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    how = 'C (pthreads, 64 KiB stacks)';
  } else {
    if (writeTo) throw new Error('blocked writer threads need cc (bench/sleepers.c)');
    const py = [
      'import os, sys, threading, time',
      'threading.stack_size(65536)',
      `n, procs = ${threads}, ${processes}`,
      'per = n // procs',
      'for p in range(procs):',
      '    if os.fork() == 0:',
      '        ev = threading.Event()',
      '        for i in range(per - 1): threading.Thread(target=ev.wait, daemon=True).start()',
      `        open('/dev/shm/${OWN}ready.%d' % p, 'w').close()`,
      '        while True: time.sleep(3600)',
      `while len([f for f in os.listdir("/dev/shm") if f.startswith("${OWN}ready.")]) < procs: time.sleep(0.1)`,
      "print('ready', flush=True)",
      'while True: time.sleep(3600)',
    ].join('\n');
    child = spawn('python3', ['-c', py], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    how = 'python3 (threading, 64 KiB stacks)';
  }
  const pgid = child.pid!;
  const stop = (): void => {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* gone */
    }
    // 10,000 threads take a moment to die: wait, so the next measurement does not see them.
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < 300; i++) {
      try {
        process.kill(-pgid, 0);
      } catch {
        break;
      }
      Atomics.wait(pause, 0, 0, 50);
    }
    for (const f of fs.readdirSync(SHM)) if (f.startsWith(OWN)) fs.rmSync(path.join(SHM, f), { force: true });
  };
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('sleepers did not start in 60 s')), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(t);
        resolve();
      }
    });
    child.on('exit', (c) => {
      clearTimeout(t);
      reject(new Error(`sleepers exited (${c})`));
    });
  }).catch((e: unknown) => {
    stop();
    throw e;
  });
  child.removeAllListeners('exit');
  return { threads, processes, how, stop };
}

export interface Wedge {
  mount: string;
  writers: number[];
  /** Writers added on top of the script's 5, to reach `blocked`. */
  extra: ChildProcess[];
  /** Processes waiting on a pipe, each turning into a writer (into D) when told to. */
  triggers: ChildProcess[];
  down(): void;
}

/**
 * A state directory of this run alone (NAME-PID-TIME, as test/support/wedge.ts names them): the
 * script's `up` first tears down whatever state it finds in its directory, so a shared name would
 * let two bench runs on one box thaw and remove each other's wedges.
 */
function wedgeDir(): string {
  return path.join(SHM, `wt-bench-frozen-${process.pid}-${Date.now()}`);
}

function stateOf(pid: number): string | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** Threads in D on the whole box (ours and anyone else's). */
export function blockedThreads(): number {
  let n = 0;
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      for (const t of fs.readdirSync(`/proc/${p}/task`)) if (stateOf(Number(t)) === 'D') n++;
    } catch {
      /* gone */
    }
  }
  return n;
}

/** A frozen ext4 loop mount with `blocked` writers in D (test/wedges/frozen_fs.sh gives 5). */
export async function frozenWedge(blocked: number, triggers: number): Promise<Wedge> {
  const script = path.join(ROOT, 'test/wedges/frozen_fs.sh');
  const dir = wedgeDir();
  const extra: ChildProcess[] = [];
  const trig: ChildProcess[] = [];
  let downed = false;
  const down = (): void => {
    if (downed) return;
    downed = true;
    // Thaw first (down does): a SIGKILL stays pending while a writer waits on the freeze.
    spawnSync('bash', [script, 'down', dir], { stdio: 'inherit', timeout: 120_000 });
    for (const c of [...extra, ...trig]) {
      try {
        c.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  try {
    const out = execFileSync('bash', [script, 'up', dir], { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'inherit'] });
    const info = JSON.parse(out.trim().split('\n').pop()!) as { mount: string; writers: { pid: number }[] };
    for (let i = info.writers.length; i < blocked; i++) {
      extra.push(spawn('sh', ['-c', `echo x >> ${info.mount}/data/f`], { stdio: 'ignore' }));
    }
    // Known sleeping tasks (S, reading a pipe) before the measurement starts; told to write later.
    for (let i = 0; i < triggers; i++) {
      trig.push(spawn('sh', ['-c', `read x; echo x >> ${info.mount}/data/trigger${i}`], { stdio: ['pipe', 'ignore', 'ignore'] }));
    }
    const deadline = Date.now() + 30_000;
    while (extra.some((c) => stateOf(c.pid!) !== 'D')) {
      if (Date.now() > deadline) throw new Error('extra writers not all in D after 30 s');
      await sleep(100);
    }
    return { mount: info.mount, writers: [...info.writers.map((w) => w.pid), ...extra.map((c) => c.pid!)], extra, triggers: trig, down };
  } catch (e) {
    down();
    throw e;
  }
}

export { stateOf, ROOT };
