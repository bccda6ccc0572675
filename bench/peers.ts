// The tools an admin runs instead of wedgetop, measured on the same box in the same run: each
// one's CPU (utime + stime of its processes, and of the children a loop waits for) over the
// same window, after the same warm-up. Installed from Debian by the bench itself when missing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, sleep } from './live.js';
import { processTree, startSession, waitFor, type Session } from './tui.js';

const ENSURE = path.join(ROOT, 'scripts/ensure-debian-packages.sh');

/** htop and procps (top, ps) are needed; atop only if it installs cleanly. */
export function ensurePeers(log: (m: string) => void): string[] {
  const notes: string[] = [];
  for (const pkgs of [['htop', 'procps'], ['atop']]) {
    const r = spawnSync('sh', [ENSURE, ...pkgs], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) {
      const why = (r.stderr ?? '').trim().split('\n').slice(-1)[0] ?? `exit ${r.status}`;
      notes.push(`could not install ${pkgs.join(', ')} from Debian: ${why}`);
      log(notes.at(-1)!);
    }
  }
  return notes;
}

export const has = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;

/** utime + stime (+ cutime + cstime: children it waited for) of a process, in ms. */
export function cpuMsWithChildren(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10;
  } catch {
    return 0;
  }
}

export interface PeerRun {
  name: string;
  cpuPct: number;
  seconds: number;
  /** Why it was not measured. */
  skipped?: string;
}

interface Running {
  /** The processes whose CPU counts (read at both ends of the window). */
  pids(): number[];
  stop(): void;
}

function tmuxPeer(cmd: string[], ready: (screen: string) => boolean): () => Promise<Running> {
  return async () => {
    const s: Session = startSession(cmd, 200, 50);
    await waitFor(s, ready, s.startedAt, 30_000);
    return {
      pids: () => {
        const t = processTree(s.pid);
        return [t.tui, ...t.children];
      },
      stop: () => {
        s.keys('q');
        s.close();
      },
    };
  };
}

function spawnPeer(cmd: string, args: string[]): () => Promise<Running> {
  return async () => {
    const c: ChildProcess = spawn(cmd, args, { stdio: 'ignore', detached: true });
    return {
      pids: () => [c.pid!],
      stop: () => {
        try {
          process.kill(-c.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      },
    };
  };
}

export interface PeerSpec {
  name: string;
  bin: string;
  start: () => Promise<Running>;
}

export function peerSpecs(wedgetop: string[]): PeerSpec[] {
  const psCmd = 'ps -eLo pid,tid,stat,wchan:32,comm';
  return [
    { name: 'wedgetop (collector + TUI), 1 s', bin: 'node', start: tmuxPeer(wedgetop, (x) => /Blocked: \d+/.test(x)) },
    { name: 'htop (default delay 1.5 s)', bin: 'htop', start: tmuxPeer(['htop'], (x) => /Tasks:/.test(x)) },
    { name: 'htop -d 10 (1 s)', bin: 'htop', start: tmuxPeer(['htop', '-d', '10'], (x) => /Tasks:/.test(x)) },
    { name: 'top -H -d 1 -b', bin: 'top', start: spawnPeer('top', ['-H', '-d', '1', '-b']) },
    { name: 'atop 1', bin: 'atop', start: tmuxPeer(['atop', '1'], (x) => /PRC|CPU/.test(x)) },
    { name: `${psCmd} every 1 s`, bin: 'ps', start: spawnPeer('sh', ['-c', `while :; do ${psCmd} >/dev/null; sleep 1; done`]) },
  ];
}

/** Each peer alone, one after the other: warmS of warm-up, then CPU over `seconds`. */
export async function measurePeers(specs: PeerSpec[], warmS: number, seconds: number, log: (m: string) => void): Promise<PeerRun[]> {
  const out: PeerRun[] = [];
  for (const p of specs) {
    if (!has(p.bin)) {
      out.push({ name: p.name, cpuPct: NaN, seconds, skipped: `${p.bin} not installed` });
      continue;
    }
    log(`peers: ${p.name}: ${warmS} s warm-up, ${seconds} s measured`);
    const r = await p.start();
    try {
      await sleep(warmS * 1000);
      const pids = r.pids();
      const c0 = new Map(pids.map((x) => [x, cpuMsWithChildren(x)]));
      const t0 = performance.now();
      await sleep(seconds * 1000);
      let cpu = 0;
      // A process that appeared meanwhile (a replaced collector) counts from zero.
      for (const x of new Set([...pids, ...r.pids()])) cpu += cpuMsWithChildren(x) - (c0.get(x) ?? 0);
      out.push({ name: p.name, cpuPct: (cpu / (performance.now() - t0)) * 100, seconds });
      log(`peers: ${p.name}: ${out.at(-1)!.cpuPct.toFixed(2)}% of one core`);
    } finally {
      r.stop();
      await sleep(500);
    }
  }
  return out;
}

/** `wedgetop --once` against what an admin does by hand: ps, then the stack of every D task. */
export function onceVsByHand(wedgetop: string[], runs: number): { onceMs: number[]; byHandMs: number[] } {
  // One ps listing (shown to the admin), then the stack of each D task in it.
  const byHand = `ps -eLo pid,tid,stat,wchan:32,comm | tee /dev/null | awk '$3 ~ /^D/ {print "/proc/" $1 "/task/" $2 "/stack"}' | xargs -r cat`;
  const onceMs: number[] = [];
  const byHandMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    spawnSync(wedgetop[0]!, [...wedgetop.slice(1), '--once'], { stdio: 'ignore', timeout: 60_000 });
    onceMs.push(performance.now() - t0);
    t0 = performance.now();
    spawnSync('sh', ['-c', byHand], { stdio: 'ignore', timeout: 60_000 });
    byHandMs.push(performance.now() - t0);
  }
  return { onceMs, byHandMs };
}
