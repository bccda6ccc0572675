// Real wedges on the real kernel, built by the scripts in test/wedges/ and always torn down:
// in the test's own cleanup, and again by global teardown for anything a crashed test left.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const isRoot = process.getuid?.() === 0;
/** All wedge state lives on tmpfs, never on a filesystem a test might freeze. */
export const WEDGE_ROOT = '/dev/shm/wedgetop-tests';

export interface FrozenWedge {
  /** The mount that is frozen (for stacked/overlay: the one below what the writers write to). */
  mount: string;
  loop: string;
  fstype?: string;
  layout?: 'plain' | 'stacked' | 'overlay';
  /** stacked: the ext4 on the loop image; overlay: the overlay mount ("" for plain). */
  top?: string;
  /** stacked: the loop device of the upper ext4. */
  topLoop?: string;
  writers: { pid: number; kind: string; comm: string; wchan?: string }[];
  down(): void;
}

function stateDir(name: string): string {
  fs.mkdirSync(WEDGE_ROOT, { recursive: true, mode: 0o700 });
  return path.join(WEDGE_ROOT, `${name}-${process.pid}-${Date.now()}`);
}

export interface FrozenOptions {
  fstype?: 'ext4' | 'xfs' | 'btrfs';
  layout?: 'plain' | 'stacked' | 'overlay';
}

export function frozenFsUp(opts: FrozenOptions = {}): FrozenWedge {
  const sd = stateDir('frozen');
  const extra = [...(opts.fstype ? ['--fstype', opts.fstype] : []), ...(opts.layout ? ['--layout', opts.layout] : [])];
  const down = (): void => {
    spawnSync('bash', ['test/wedges/frozen_fs.sh', 'down', sd], { stdio: 'inherit', timeout: 60_000 });
  };
  try {
    const out = execFileSync('bash', ['test/wedges/frozen_fs.sh', 'up', sd, ...extra], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'inherit'] });
    const info = JSON.parse(out.trim().split('\n').pop()!) as Omit<FrozenWedge, 'down'>;
    return { ...info, down };
  } catch (e) {
    down();
    throw e;
  }
}

/**
 * Install the Debian packages a wedge needs (mkfs.xfs, mkfs.btrfs) on a fresh machine, through
 * scripts/ensure-debian-packages.sh: only the missing ones, as root.
 */
export function ensureDebianPackages(...pkgs: string[]): void {
  if (pkgs.length === 0) return;
  execFileSync('sh', ['scripts/ensure-debian-packages.sh', ...pkgs], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
}

export interface FrozenNsWedge {
  /** The mount point as the writers' namespace sees it (an empty directory in the host's). */
  mount: string;
  loop: string;
  keeperPid: number;
  mntNs: string;
  writers: { pid: number; kind: string; comm: string }[];
  down(): void;
}

/** Writers blocked on a frozen ext4 mounted only in a private mount namespace (test/wedges/frozen_ns.sh). */
export function frozenNsUp(): FrozenNsWedge {
  const sd = stateDir('frozenns');
  const down = (): void => {
    spawnSync('bash', ['test/wedges/frozen_ns.sh', 'down', sd], { stdio: 'inherit', timeout: 60_000 });
  };
  try {
    const out = execFileSync('bash', ['test/wedges/frozen_ns.sh', 'up', sd], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'inherit'] });
    return { ...(JSON.parse(out.trim().split('\n').pop()!) as Omit<FrozenNsWedge, 'down'>), down };
  } catch (e) {
    down();
    throw e;
  }
}

function mountedAt(p: string): boolean {
  const esc = p.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === esc);
}

/** Tear down whatever any wedge script left under WEDGE_ROOT (global teardown, CI safety net). */
export function sweepWedges(): void {
  if (!fs.existsSync(WEDGE_ROOT)) return;
  const names = fs.readdirSync(WEDGE_ROOT).sort((a, b) => Number(a.startsWith('vfork-')) - Number(b.startsWith('vfork-')) || a.localeCompare(b));
  for (const name of names) {
    const p = path.join(WEDGE_ROOT, name);
    // NAME-PID-TIME: a wedge of a test run that is still alive (another vitest) is not ours to sweep.
    // NAME-PID-anything, NAME may have dashes (security-writes-PID-TIME): a live run's state.
    const owner = Number(/^[a-z][a-z-]*?-(\d+)(?:-|$)/.exec(name)?.[1]);
    if (owner && owner !== process.pid && fs.existsSync(`/proc/${owner}`)) continue;
    if (name === 'action-log') {
      fs.rmSync(p, { recursive: true, force: true });
      continue;
    }
    if (name.startsWith('frozenns-')) {
      spawnSync('bash', ['test/wedges/frozen_ns.sh', 'down', p], { stdio: 'inherit', timeout: 60_000 });
    } else if (name.startsWith('frozen-') || name.startsWith('backlog-')) {
      const script = name.startsWith('frozen-') ? ['bash', 'test/wedges/frozen_fs.sh'] : ['python3', 'test/wedges/audit_backlog_frozen.py'];
      spawnSync(script[0]!, [...script.slice(1), 'down', ...(name.startsWith('frozen-') ? [p] : ['--state-file', p])], { stdio: 'inherit', timeout: 60_000 });
    } else if (name.startsWith('audit-')) {
      spawnSync('python3', ['test/wedges/audit_deadlock.py', 'down', '--state-file', p], { stdio: 'inherit', timeout: 60_000 });
    } else if (name.startsWith('pshangs-')) {
      // F, F.mnt, F.log, F.daemon, F.victim, F.done, F.go-ROLE: each means "down F" (idempotent).
      const sf = path.join(WEDGE_ROOT, name.replace(/\.(mnt|daemon|victim|done|log|go-[a-z]+)(\.tmp)?$/, ''));
      spawnSync('python3', ['test/wedges/ps_hangs.py', 'down', '--state-file', sf], { stdio: 'inherit', timeout: 60_000 });
    } else if (name.startsWith('vfork-')) {
      // F, F.child, F.log, ...: each means "down F" (idempotent). A child blocked on a frozen fs
      // exits only after that fs's own down thaws it: vfork states are swept last (see the sort).
      if (/\.[a-z]+$/.test(name)) continue;
      spawnSync('python3', ['test/wedges/vfork_stuck.py', 'down', '--state-file', p], { stdio: 'inherit', timeout: 60_000 });
    } else if (name.startsWith('fuse-')) {
      // F, F.mnt, F.log, F.daemon, F.c0...: every one of them means "down F" (idempotent).
      const sf = path.join(WEDGE_ROOT, name.replace(/\.(mnt|daemon|go|log|c\d+)(\.tmp)?$/, ''));
      spawnSync('python3', ['test/wedges/fuse_stuck.py', 'down', '--state-file', sf], { stdio: 'inherit', timeout: 60_000 });
    }
    // Never rm -r here: if a down failed, the directory may hold a still-frozen mount and the
    // rm would hang in D. A successful down removes its own state.
    // A mount point whose FUSE daemon is stopped hangs any stat of it (access(2) -> FUSE_ACCESS):
    // ask mountinfo first, and stat only a directory nothing is mounted on.
    if (mountedAt(p) || fs.existsSync(p)) process.stderr.write(`wedgetop tests: ${p} is still there after its down: check by hand\n`);
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export function wedgetop(args: string[], opts: { timeoutMs?: number; input?: string } = {}): CliResult {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['dist/wedgetop.mjs', ...args], {
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 30_000,
    input: opts.input,
    env: { ...process.env, NO_COLOR: '1', WEDGETOP_ACTION_LOG_DIR: path.join(WEDGE_ROOT, 'action-log') },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

/** Tasks in D right now (to check a remedy freed them, and that cleanup left nothing). */
export function tasksInD(): number[] {
  const out: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const s = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      if (s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3) === 'D') out.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return out;
}

export interface AuditDeadlockWedge {
  holderPid: number;
  holderTid: number;
  socketOwnerPid: number;
  senderPids: number[];
  socketPortid: number;
  down(): void;
}

export interface AuditBacklogWedge {
  daemonPid: number;
  daemonWriterTid: number;
  generatorPids: number[];
  senderPids: number[];
  mount: string;
  down(): void;
}

function pyWedge<T>(script: string, prefix: string, extra: string[] = []): T & { down(): void } {
  const sf = stateDir(prefix);
  const down = (): void => {
    spawnSync('python3', [script, 'down', '--state-file', sf], { stdio: 'inherit', timeout: 60_000 });
  };
  try {
    const out = execFileSync('python3', [script, 'up', '--state-file', sf, ...extra], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'inherit'] });
    return { ...(JSON.parse(out.trim().split('\n').pop()!) as T), down };
  } catch (e) {
    down();
    throw e;
  }
}

export const auditDeadlockUp = (): AuditDeadlockWedge => pyWedge('test/wedges/audit_deadlock.py', 'audit');
export const auditBacklogUp = (): AuditBacklogWedge => pyWedge('test/wedges/audit_backlog_frozen.py', 'backlog');
/** The audit mutex held by a client (auditctl-like) while a separate registered daemon stopped reading. */
export const auditSeparateOwnerUp = (): AuditDeadlockWedge => pyWedge('test/wedges/audit_deadlock.py', 'audit', ['--separate-owner']);

export interface VforkWedge {
  parentPid: number;
  childPid: number;
  child: 'stop' | 'ptrace' | 'cgroup' | 'write';
  childState: string;
  tracerPid?: number;
  cgroup?: string;
}

/** A vfork parent in D (wait_for_vfork_done) whose child cannot run; see test/wedges/README.md. */
export const vforkUp = (child: VforkWedge['child'], writeInto?: string): VforkWedge & { down(): void } =>
  pyWedge('test/wedges/vfork_stuck.py', 'vfork', ['--child', child, ...(writeInto ? ['--write-into', writeInto] : [])]);

/** Poll until none of pids is in D (a freed task may pass through a short D sleep on its way out). */
export async function untilNoneInD(pids: number[], ms = 10_000): Promise<number[]> {
  const end = Date.now() + ms;
  for (;;) {
    const d = tasksInD();
    const left = pids.filter((p) => d.includes(p));
    if (left.length === 0 || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface FuseStuckWedge {
  daemonPid: number;
  daemonComm: string;
  /** 'S' (hung: reads requests, never answers) or 'T' (--stop-daemon). */
  daemonState: string;
  mount: string;
  connection: number;
  /** /sys/fs/fuse/connections/N/waiting when up finished. */
  waiting: number;
  clientPids: number[];
  clients: { pid: number; kind: 'read' | 'stat' | 'exit'; comm: string; state: string; wchan: string }[];
  stopDaemon: boolean;
  interrupted: boolean;
  down(): void;
}

/**
 * Clients of a FUSE mount whose daemon stopped answering (test/wedges/fuse_stuck.py). By default
 * the daemon is hung and the readers/lookups got a caught SIGTERM (killable wait: D); stopDaemon
 * SIGSTOPs a healthy daemon instead; interrupt: false leaves the clients in S.
 */
export function fuseStuckUp(opts: { stopDaemon?: boolean; interrupt?: boolean; readers?: number; lookups?: number; exiters?: number } = {}): FuseStuckWedge {
  const extra = [
    ...(opts.stopDaemon ? ['--stop-daemon'] : []),
    ...(opts.interrupt === false ? ['--no-interrupt'] : []),
    ...(opts.readers !== undefined ? ['--readers', String(opts.readers)] : []),
    ...(opts.lookups !== undefined ? ['--lookups', String(opts.lookups)] : []),
    ...(opts.exiters !== undefined ? ['--exiters', String(opts.exiters)] : []),
  ];
  return pyWedge<Omit<FuseStuckWedge, 'down'>>('test/wedges/fuse_stuck.py', 'fuse', extra);
}

export interface PsHangsRole {
  /** peek: --remote-holder's separate process reading the victim's memory (it holds the lock then). */
  role: 'gup' | 'peek' | 'touch' | 'mmap' | 'mprotect' | 'munmap' | 'fault' | 'memread' | 'cat' | 'ps';
  pid: number;
  tid: number;
  comm: string;
  state: string;
  wchan: string;
}

export interface PsHangsWedge {
  victimPid: number;
  daemonPid: number;
  daemonComm: string;
  /** 'T' (stopped, the default) or 'S' (hungDaemon: reads requests, never answers). */
  daemonState: string;
  mount: string;
  connection: number;
  /** The task holding the victim's mmap_lock (GUP of a FUSE page through /proc/self/mem, or ph-peek's /proc/V/mem). */
  holder: { pid: number; tid: number };
  roles: PsHangsRole[];
  blockedPids: number[];
  hungDaemon: boolean;
  interrupted: boolean;
  /** JSON {role: {result, after}} each victim thread writes once its call returns. */
  doneFile: string;
  down(): void;
}

/**
 * "ps hangs" (test/wedges/ps_hangs.py): a thread holds its process's mmap_lock while GUP faults in
 * a page of a FUSE file whose daemon is stopped; writers, a fallback fault, a /proc/self/mem read
 * and `cat`/`ps` of that process queue behind it.
 */
export function psHangsUp(opts: { hungDaemon?: boolean; interrupt?: boolean; remoteHolder?: boolean } = {}): PsHangsWedge {
  const extra = [
    ...(opts.hungDaemon ? ['--hung-daemon'] : []), ...(opts.interrupt === false ? ['--no-interrupt'] : []),
    ...(opts.remoteHolder ? ['--remote-holder'] : []),
  ];
  return pyWedge<Omit<PsHangsWedge, 'down'>>('test/wedges/ps_hangs.py', 'pshangs', extra);
}
