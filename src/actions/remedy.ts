// One-key remediation: plan (what exactly will run, on whom, freeing how many), guard (PID
// reuse, PID 1, kernel threads, ourselves), run (each step reported and logged), follow up
// (did the blocked tasks come free?).
import * as fs from 'node:fs';
import { shellCommand } from '../text/shell.js';
import { constants as osConstants } from 'node:os';
import { spawn } from 'node:child_process';
import type { AnalyzedTask, Analysis, Mount, Remedy, RemedyAction, RootCause, Snapshot } from '../model.js';
import { parseMountinfo, parseStat, PF_KTHREAD } from '../procfs/parse.js';
import type { ActionLog } from './log.js';
import { fuseConnectionOf, resolveTaskMount } from '../graph/mounts.js';
import { collectorMounts, frozenStoreOfTask } from '../graph/backing.js';

export interface ActionPlan {
  rootCause: RootCause;
  remedy: Remedy;
  /** "auditbeat (pid 247832, user root)" or "mount /var". */
  target: string;
  /** What will run, shown in full in the confirm dialog: argv quoted for a POSIX shell. */
  command: string;
  /** thaw, fuse-abort: the argv that runs, in a child with a timeout. */
  argv?: string[];
  /** thaw across mount namespaces: how the path was chosen. */
  how?: string;
  /** thaw through the same superblock mounted in wedgetop's namespace. */
  hostMount?: { mountId: number; majMin: string; mountPoint: string };
  /** What is checked right before (and after) it runs, and what that guarantees. */
  guard: string;
  /** Tasks blocked behind this root cause when the plan was made ("pid/tid"). */
  blockedKeys: string[];
  /** Ask twice: it fails every pending request. */
  confirmTwice: boolean;
}

export interface PlanContext {
  selfPid: number;
  /** The collector child's pid: never a target. */
  collectorPid?: number;
  readOnly: boolean;
  /** The live box (not a replay): wedgetop's own mount namespace is read from /proc/self. */
  live?: boolean;
  /** The python3 that runs the pidfd helper ('' : none, use the start-time fallback). */
  python?: string;
}

// One quoting for every printed command (control characters included): src/text/shell.ts.
export { shellQuote } from '../text/shell.js';
export const shellJoin = (argv: string[]): string => shellCommand(argv);

const PID_GUARD_PIDFD =
  'start time re-read before each signal, which goes through a pidfd (python3 >= 3.9): this process or none; ' +
  'without python3, kill(2) between two start-time reads';

/** The waiters of a resource, with details, and the one mount each resolves to. */
function waiterMounts(a: Analysis, resourceId: string, pick: (t: AnalyzedTask, mounts: Mount[]) => Mount | undefined): { t: AnalyzedTask; m: Mount; ns: string }[] {
  const out: { t: AnalyzedTask; m: Mount; ns: string }[] = [];
  for (const t of a.tasks) {
    if (t.waitsOn !== resourceId) continue;
    // A kernel thread (a loop worker) has no mount table of its own read: the paths it is
    // resolved through (a loop device's backing_file) are the collector's, in wedgetop's namespace.
    const ns = t.detail?.mntNs ?? (t.isKernelThread ? a.snapshot.selfMntNs : undefined);
    if (!ns) continue;
    const table = t.detail?.mntNs ? a.snapshot.mounts[ns] ?? [] : collectorMounts(a.snapshot);
    const m = pick(t, table);
    if (m) out.push({ t, m, ns });
  }
  return out;
}

function ownMntNs(a: Analysis, ctx: PlanContext): string | undefined {
  if (!ctx.live) return a.snapshot.selfMntNs;
  try {
    return fs.readlinkSync('/proc/self/ns/mnt');
  } catch {
    return a.snapshot.selfMntNs;
  }
}

/**
 * thaw: the exact mount (id, device) the waiters wait on, from their own namespace's table, and
 * how to reach it from wedgetop's namespace. The path in a waiter's mountinfo is relative to its
 * root, in its mount namespace; `fsfreeze -u PATH` resolves PATH in wedgetop's. Same namespace:
 * that path. Another namespace (a container) whose superblock (maj:min) is mounted in wedgetop's
 * namespace too: that path here (FITHAW acts on the superblock, whichever mount reaches it).
 * Otherwise: `nsenter -m -t PID fsfreeze -u PATH`, PID a waiter (a task in D on a frozen fs cannot
 * exit), which needs fsfreeze inside that namespace.
 */
function planThaw(a: Analysis, rc: RootCause, remedy: Remedy, ctx: PlanContext): Omit<ActionPlan, 'rootCause' | 'target' | 'blockedKeys' | 'confirmTwice'> | { refused: string } {
  const mount = remedy.mount!;
  const found = waiterMounts(a, rc.id, (t, ms) => {
    const m = frozenStoreOfTask(a.snapshot, t, ms);
    return m?.mountPoint === mount ? m : undefined;
  });
  const first = found[0];
  if (!first) return { refused: `cannot tell which mount ${mount} is (no waiter's mount table names it): refusing to thaw by name only` };
  const devices = [...new Set(found.map((f) => f.m.majMin))];
  if (devices.length > 1) return { refused: `waiters see different filesystems at ${mount} (devices ${devices.join(', ')}, in other mount namespaces): thaw each by hand, refusing` };
  const { t, m } = first;
  const filled: Remedy = { ...remedy, mountId: m.mountId, majMin: m.majMin, mntNs: first.ns, nsPid: t.pid, nsPidStartTicks: t.startTicks };
  const own = ownMntNs(a, ctx);
  const guard = `right before it runs: mount id ${m.mountId} is still mounted at ${mount} with device ${m.majMin}, read from that namespace's mountinfo (never a stat of the mount point)`;
  if (!own || own === filled.mntNs) {
    const argv = ['fsfreeze', '-u', mount];
    return { remedy: filled, argv, command: shellJoin(argv), guard };
  }
  const host = (a.snapshot.mounts[own] ?? []).filter((x) => x.majMin === m.majMin && x.fsType === m.fsType);
  const hm = host.find((x) => x.root === '/') ?? host[0];
  if (hm) {
    const argv = ['fsfreeze', '-u', hm.mountPoint];
    return {
      remedy: filled, argv, command: shellJoin(argv), hostMount: { mountId: hm.mountId, majMin: hm.majMin, mountPoint: hm.mountPoint },
      how: `${mount} is in the mount namespace of pid ${t.pid} (${filled.mntNs}); the same filesystem (device ${m.majMin}) is mounted at ${hm.mountPoint} in wedgetop's: thawed there`,
      guard: `${guard}; and mount id ${hm.mountId} is still at ${hm.mountPoint} with that device in wedgetop's namespace`,
    };
  }
  const argv = ['nsenter', '-m', '-t', String(t.pid), 'fsfreeze', '-u', mount];
  return {
    remedy: filled, argv, command: shellJoin(argv),
    how: `${mount} exists only in the mount namespace of pid ${t.pid} (${filled.mntNs}): fsfreeze runs there (nsenter), and must exist in that namespace`,
    guard: `${guard}; pid ${t.pid} still has start time ${t.startTicks} and that namespace`,
  };
}

/** fuse-abort: connection N is the minor of a FUSE mount's device; remember which mount. */
function planFuseAbort(a: Analysis, remedy: Remedy): Remedy | { refused: string } {
  const conn = remedy.connection!;
  const found = waiterMounts(a, `fuse:${conn}`, (_t, ms) => ms.find((m) => fuseConnectionOf(m) === conn));
  const first = found[0];
  if (!first) return { refused: `cannot tell which FUSE mount connection ${conn} belongs to (no waiter's mount table has device 0:${conn}): refusing` };
  return { ...remedy, mountId: first.m.mountId, majMin: first.m.majMin, mntNs: first.ns, nsPid: first.t.pid, nsPidStartTicks: first.t.startTicks, mount: remedy.mount ?? first.m.mountPoint };
}

export function planFor(a: Analysis, rootCauseId: string, ctx: PlanContext, action?: RemedyAction): ActionPlan | { refused: string } {
  if (ctx.readOnly) return { refused: 'read-only mode: no actions' };
  // A root cause, or any other holder on a chain (a hop): the admin may act on either.
  const rc = a.rootCauses.find((r) => r.id === rootCauseId) ?? a.hops.find((r) => r.id === rootCauseId);
  if (!rc) return { refused: `no root cause or holder ${rootCauseId} now (root causes: ${a.rootCauses.map((r) => r.id).join(', ') || 'none'}${a.hops.length ? `; other holders: ${a.hops.map((r) => r.id).join(', ')}` : ''})` };
  const remedy = action ? rc.remedies.find((r) => r.action === action) : rc.remedies[0];
  if (!remedy) return { refused: `${rc.label}: no ${action ?? ''} remedy wedgetop can apply`.replace('  ', ' ') };
  if (remedy.pid !== undefined) {
    if (remedy.pid === 1) return { refused: 'refusing to signal PID 1' };
    if (remedy.pid === ctx.selfPid) return { refused: 'refusing to signal wedgetop itself' };
    if (remedy.pid === ctx.collectorPid) return { refused: "refusing to signal wedgetop's collector" };
  }
  const t = a.tasks.find((x) => x.pid === remedy.pid && x.tid === remedy.pid) ?? a.tasks.find((x) => x.pid === remedy.pid);
  if (t?.isKernelThread) return { refused: `${t.comm} is a kernel thread: signals cannot end it` };
  const common = { rootCause: rc, blockedKeys: rc.blockedTasks, confirmTwice: remedy.action === 'fuse-abort' };
  if (remedy.action === 'kill' || remedy.action === 'cont') {
    // Without the start time nothing can tell this process from a later one with its PID.
    if (remedy.startTicks === undefined) return { refused: `the start time of pid ${remedy.pid} is unknown: cannot rule out PID reuse, refusing` };
    return { ...common, remedy: processStartOf(remedy, ctx), target: `${t?.comm ?? '?'} (pid ${remedy.pid}, user ${t?.user ?? '?'})`, command: remedy.command, guard: PID_GUARD_PIDFD };
  }
  if (remedy.action === 'thaw') {
    if (remedy.mount === undefined) return { refused: `${rc.label}: the mount is not known` };
    const p = planThaw(a, rc, remedy, ctx);
    if ('refused' in p) return p;
    return { ...common, ...p, target: `mount ${remedy.mount}` };
  }
  if (remedy.action === 'cgroup-thaw') {
    const bad = cgroupDirRefusal(remedy.cgroup);
    if (bad) return { refused: bad };
    return { ...common, remedy, target: `cgroup ${remedy.cgroup}`, command: remedy.command, guard: 'the directory is re-checked to lie below a cgroup2 mount; cgroup.freeze is opened O_NOFOLLOW' };
  }
  if (remedy.connection === undefined) return { refused: `${rc.label}: the FUSE connection is not known` };
  const filled = planFuseAbort(a, remedy);
  if ('refused' in filled) return filled;
  return {
    ...common, remedy: filled, target: `FUSE connection ${remedy.connection}`, command: remedy.command,
    argv: ['sh', '-c', `echo 1 > /sys/fs/fuse/connections/${remedy.connection}/abort`],
    guard: `right before it runs: mount id ${filled.mountId} (${filled.mount}) still has device ${filled.majMin}, so connection ${remedy.connection} is still that mount's (connection numbers are reused)`,
  };
}

/**
 * A cgroup-thaw target must be a directory below a cgroup2 mount of this namespace, named
 * without `..`: the path came from a snapshot, which may be a replayed, untrusted one.
 */
export function cgroupDirRefusal(dir: string | undefined, mountinfo?: string): string | undefined {
  if (!dir || !dir.startsWith('/') || dir.split('/').includes('..')) return `not a cgroup directory: ${JSON.stringify(dir)}`;
  let mi = mountinfo;
  try {
    mi ??= fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return 'cannot read /proc/self/mountinfo';
  }
  const roots = mi.split('\n').filter((l) => / - cgroup2 /.test(l)).map((l) => l.split(' ')[4]!.replace(/\\040/g, ' '));
  if (!roots.some((r) => dir === r || dir.startsWith(r.endsWith('/') ? r : `${r}/`))) return `${dir} is not under a cgroup2 mount: refusing`;
  if (roots.includes(dir)) return 'refusing to thaw the root cgroup';
  return undefined;
}

/**
 * A remedy whose start time is a thread's (the analysis read the holder thread, not its process's
 * main thread): that thread, still there with that start time, proves the PID is the same process,
 * whose own start time the signal guards then check. If it cannot be proved, the remedy is left
 * as it is and the guards refuse it (the start times differ): never a signal to another process.
 */
function processStartOf(remedy: Remedy, ctx: PlanContext): Remedy {
  if (remedy.guardTid === undefined || remedy.pid === undefined) return remedy;
  if (verifyTarget(remedy.pid, remedy.startTicks, ctx, remedy.guardTid)) return remedy;
  const start = startTicksOf(remedy.pid);
  if (start === undefined) return remedy;
  const { guardTid: _thread, ...rest } = remedy;
  return { ...rest, startTicks: start };
}

/** Re-read the target's stat: the PID must still be the process the plan was made for. */
export function verifyTarget(pid: number, startTicks: number | undefined, ctx: PlanContext, guardTid?: number): string | undefined {
  if (pid === 1) return 'refusing to signal PID 1';
  if (pid === ctx.selfPid) return 'refusing to signal wedgetop itself';
  if (pid === ctx.collectorPid) return "refusing to signal wedgetop's collector";
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return `pid ${pid} is gone`;
  }
  if (guardTid !== undefined && guardTid !== pid) {
    // The plan knew a thread of the process, not its main thread: that thread, still there with
    // the same start time, proves the PID was not reused.
    let tt: string;
    try {
      tt = fs.readFileSync(`/proc/${pid}/task/${guardTid}/stat`, 'utf8');
    } catch {
      return `thread ${guardTid} of pid ${pid} is gone: refusing (the process may have exited or been replaced)`;
    }
    const ts = parseStat(tt);
    if (!ts || (startTicks !== undefined && ts.startTicks !== startTicks)) return `pid ${pid}/${guardTid} now belongs to another process: refusing`;
    const st = parseStat(text);
    if (st && st.flags & PF_KTHREAD) return `pid ${pid} is a kernel thread: refusing`;
    return undefined;
  }
  const st = parseStat(text);
  if (!st) return `cannot read /proc/${pid}/stat`;
  if (startTicks === undefined) return `the start time of pid ${pid} is unknown: cannot rule out PID reuse, refusing`;
  if (st.startTicks !== startTicks) {
    return `pid ${pid} now belongs to another process (${st.comm}, started at ${st.startTicks}, not ${startTicks}): refusing`;
  }
  if (st.flags & PF_KTHREAD) return `pid ${pid} is a kernel thread: refusing`;
  return undefined;
}

function procState(pid: number, startTicks: number | undefined, guardTid?: number): string | undefined {
  try {
    // With guardTid, startTicks is that thread's; the process's state is still its main thread's.
    if (guardTid !== undefined) {
      const ts = parseStat(fs.readFileSync(`/proc/${pid}/task/${guardTid}/stat`, 'utf8'));
      if (!ts || (startTicks !== undefined && ts.startTicks !== startTicks)) return undefined;
      return parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))?.state ?? ts.state;
    }
    const st = parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    if (!st || (startTicks !== undefined && st.startTicks !== startTicks)) return undefined;
    return st.state;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface RunOptions {
  ctx: PlanContext;
  dryRun: boolean;
  graceMs: number;
  log: ActionLog;
  onStep?: (msg: string) => void;
  /** The snapshot directory the plan was made from: a dry run of a replay says so in the log. */
  replayOf?: string;
  /** Test hook: replaces kill(2). */
  kill?: (pid: number, sig: NodeJS.Signals) => void;
}

export interface RunResult {
  ok: boolean;
  message: string;
}

/** Wait for a pid to exit (or become a zombie), up to ms. */
async function waitGone(pid: number, startTicks: number | undefined, ms: number, guardTid?: number): Promise<string | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const s = procState(pid, startTicks, guardTid);
    if (s === undefined || s === 'Z' || s === 'X') return undefined;
    if (Date.now() >= end) return s;
    await sleep(50);
  }
}

interface ChildResult {
  code: number | null;
  out: string;
  /** Could not run, or did not finish in time. */
  err?: string;
  /** The binary was not there (ENOENT). */
  missing?: boolean;
}

/**
 * argv in a child, never on the UI's thread. The timeout is ours, not spawn's: a child stuck in
 * D (`fsfreeze -u` behind a superblock's s_umount, kernel-notes) ignores SIGKILL and never
 * closes its pipes, so the answer cannot wait for it to exit: it is left behind, and said so.
 */
export function runChild(argv: string[], timeoutMs: number): Promise<ChildResult> {
  return new Promise((resolve) => {
    let out = '';
    let settled = false;
    const finish = (r: ChildResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ code: null, out: '', err: (e as Error).message });
      return;
    }
    const timer = setTimeout(() => {
      let state = '?';
      try {
        state = parseStat(fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8'))?.state ?? '?';
      } catch {
        /* gone */
      }
      child.kill('SIGKILL');
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.unref();
      finish({ code: null, out, err: `${argv[0]} did not finish within ${timeoutMs} ms (pid ${child.pid}, state ${state}${state === 'D' ? ': stuck in the kernel, left behind' : ''})` });
    }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) =>
      finish({ code: null, out, missing: e.code === 'ENOENT', err: e.code === 'ENOENT' ? `${argv[0]} not found` : e.message }));
    child.on('close', (code) => finish({ code, out }));
  });
}

/** A /proc file read in a child with a timeout: mountinfo takes the namespace's lock. */
async function readProcInChild(p: string): Promise<string | undefined> {
  const r = await runChild(['cat', p], 3000);
  return r.code === 0 ? r.out : undefined;
}

function startTicksOf(pid: number): number | undefined {
  try {
    return parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))?.startTicks;
  } catch {
    return undefined;
  }
}

/**
 * The mount a thaw or FUSE abort was planned for, as its namespace shows it now. Read from that
 * namespace's mountinfo (a waiter's, or wedgetop's own when the waiters share it): a new mount at
 * the same path has a new mount id and device; a FUSE connection number is reused by the next
 * FUSE mount, whose mount id differs.
 */
export async function recheckMount(r: Remedy, ownNs: string | undefined, hostMount?: ActionPlan['hostMount']): Promise<string | undefined> {
  if (r.mountId === undefined || r.majMin === undefined) return `the mount ${r.mount ?? ''} was not pinned down when planned: refusing`;
  const where = `${r.mount} (mount id ${r.mountId}, device ${r.majMin})`;
  let file = '/proc/self/mountinfo';
  if (r.mntNs && r.mntNs !== ownNs) {
    if (r.nsPid === undefined || r.nsPidStartTicks === undefined) return `no task of the namespace of ${where} is known: refusing`;
    if (startTicksOf(r.nsPid) !== r.nsPidStartTicks) return `pid ${r.nsPid}, whose mount namespace held ${where}, is gone: cannot re-check the mount, refusing`;
    let ns: string | undefined;
    try {
      ns = fs.readlinkSync(`/proc/${r.nsPid}/ns/mnt`);
    } catch {
      /* gone */
    }
    if (ns !== r.mntNs) return `pid ${r.nsPid} is no longer in the mount namespace of ${where}: refusing`;
    file = `/proc/${r.nsPid}/mountinfo`;
  }
  const text = await readProcInChild(file);
  if (text === undefined) return `cannot read ${file} to re-check ${where}: refusing`;
  const now = parseMountinfo(text);
  const m = now.find((x) => x.mountId === r.mountId);
  if (!m || m.majMin !== r.majMin || m.mountPoint !== r.mount) {
    const at = now.filter((x) => x.mountPoint === r.mount).at(-1);
    const instead = at ? `; ${r.mount} is now mount id ${at.mountId}, device ${at.majMin} (${at.fsType} on ${at.source})` : '';
    return `${where} is no longer mounted as planned${instead}: refusing (it changed while the dialog was open; ask again for a new plan)`;
  }
  if (hostMount) {
    const own = await readProcInChild('/proc/self/mountinfo');
    const h = own === undefined ? undefined : parseMountinfo(own).find((x) => x.mountId === hostMount.mountId);
    if (!h || h.majMin !== hostMount.majMin || h.mountPoint !== hostMount.mountPoint) {
      return `${hostMount.mountPoint} in wedgetop's namespace is no longer mount id ${hostMount.mountId} (device ${hostMount.majMin}): refusing`;
    }
  }
  return undefined;
}

// Sends one signal through a pidfd: the pidfd is opened first, then the start time is checked;
// if it matches, the pidfd is the planned process (a PID reused before the open shows another
// start time), and pidfd_send_signal can reach no other. Exit 0 sent, 3 gone, 5 another
// process, 10 no pidfd here (python < 3.9, ENOSYS), 6 not permitted.
const PIDFD_HELPER = `
import errno, os, signal, sys
pid, start, sig = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
if not hasattr(os, "pidfd_open") or not hasattr(signal, "pidfd_send_signal"): sys.exit(10)
try: fd = os.pidfd_open(pid)
except ProcessLookupError: sys.exit(3)
except OSError as e: sys.exit(10 if e.errno == errno.ENOSYS else 4)
try:
    with open("/proc/%d/stat" % pid, "rb") as f: s = f.read()
    now = s[s.rindex(b")") + 2:].split()[19].decode()
except (OSError, IndexError, ValueError): sys.exit(3)
if now != start:
    print(now); sys.exit(5)
try: signal.pidfd_send_signal(fd, sig)
except ProcessLookupError: sys.exit(3)
except PermissionError: sys.exit(6)
`;

interface SendResult {
  ok: boolean;
  gone?: boolean;
  message: string;
}

/** One signal, to the planned process only (see PID_GUARD_PIDFD). */
export async function sendSignal(pid: number, startTicks: number, sig: NodeJS.Signals, o: RunOptions): Promise<SendResult> {
  const python = o.ctx.python ?? 'python3';
  if (!o.kill && python) {
    const signo = osConstants.signals[sig];
    const r = await runChild([python, '-c', PIDFD_HELPER, String(pid), String(startTicks), String(signo)], 5000);
    if (r.code === 0) return { ok: true, message: `${sig} sent through a pidfd` };
    if (r.code === 3) return { ok: false, gone: true, message: `pid ${pid} is gone` };
    if (r.code === 5) return { ok: false, message: `pid ${pid} now belongs to another process (started at ${r.out.trim()}, not ${startTicks}): refusing` };
    if (r.code === 6) return { ok: false, message: `${sig} to ${pid} not permitted` };
    if (r.code !== 10 && !r.missing) return { ok: false, message: `pidfd helper failed (${r.err ?? `exit ${r.code}`}): ${r.out.trim()}` };
  }
  // No pidfd: the start time just before kill(2) and just after. Between the two reads and the
  // syscall (one synchronous turn of this thread) a PID could still be reused; the second read
  // says so when it was.
  const before = verifyTarget(pid, startTicks, o.ctx);
  if (before) return { ok: false, gone: /is gone/.test(before), message: before };
  try {
    (o.kill ?? ((p: number, s: NodeJS.Signals) => process.kill(p, s)))(pid, sig);
  } catch (e) {
    return { ok: false, message: `${sig} to ${pid} failed: ${(e as Error).message}` };
  }
  const after = startTicksOf(pid);
  if (after !== undefined && after !== startTicks) {
    return { ok: false, message: `pid ${pid} belonged to another process (started at ${after}) right after ${sig}: the signal may have reached it` };
  }
  return { ok: true, message: `${sig} sent with kill(2), start time checked before and after` };
}

export async function execute(plan: ActionPlan, o: RunOptions): Promise<RunResult> {
  const r = plan.remedy;
  const step = (m: string): void => o.onStep?.(m);
  const done = (ok: boolean, message: string): RunResult => {
    o.log.append({ action: r.action, target: o.replayOf ? `${plan.target} (in the replayed snapshot ${o.replayOf})` : plan.target, command: plan.command, result: message });
    step(message);
    return { ok, message };
  };
  if (o.ctx.readOnly) return done(false, 'read-only mode: nothing run');
  if (o.dryRun) return done(true, `dry run: would run: ${plan.command}`);

  switch (r.action) {
    case 'kill':
    case 'cont': {
      const pid = r.pid!;
      const start = r.startTicks;
      if (start === undefined) return done(false, `the start time of pid ${pid} is unknown: cannot rule out PID reuse, refusing`);
      const signals: NodeJS.Signals[] = r.action === 'cont' ? ['SIGCONT'] : ['SIGTERM', 'SIGKILL'];
      for (const sig of signals) {
        const refusal = verifyTarget(pid, start, o.ctx);
        if (refusal) {
          if (sig === 'SIGKILL' && /is gone/.test(refusal)) return done(true, `pid ${pid} exited after SIGTERM`);
          return done(false, refusal);
        }
        step(`sending ${sig} to ${plan.target}`);
        const sent = await sendSignal(pid, start, sig, o);
        if (!sent.ok) {
          if (sig === 'SIGKILL' && sent.gone) return done(true, `pid ${pid} exited after SIGTERM`);
          return done(false, sent.message);
        }
        step(sent.message);
        if (sig === 'SIGCONT') return done(true, `SIGCONT sent to ${plan.target}`);
        const left = await waitGone(pid, start, sig === 'SIGTERM' ? o.graceMs : 2000);
        if (left === undefined) return done(true, `pid ${pid} exited after ${sig}`);
        if (sig === 'SIGTERM') step(`still there after ${o.graceMs} ms (state ${left})`);
        else if (left === 'D') return done(false, `SIGKILL queued, still D: pid ${pid} cannot die until what it waits on is released`);
        else return done(false, `SIGKILL sent, pid ${pid} still there (state ${left})`);
      }
      return done(false, 'unreachable');
    }
    case 'thaw':
    case 'fuse-abort': {
      let ownNs: string | undefined;
      try {
        ownNs = fs.readlinkSync('/proc/self/ns/mnt');
      } catch {
        /* no /proc: the check below then reads /proc/self/mountinfo and fails */
      }
      step(`re-checking ${plan.target}`);
      const refusal = await recheckMount(r, ownNs, plan.hostMount);
      if (refusal) return done(false, refusal);
      const argv = plan.argv ?? (r.action === 'thaw' ? ['fsfreeze', '-u', r.mount!] : ['sh', '-c', `echo 1 > /sys/fs/fuse/connections/${r.connection}/abort`]);
      step(`running ${plan.command}`);
      const res = await runChild(argv, 10_000);
      if (res.err) return done(false, res.missing && argv[0] === 'fsfreeze' ? `${res.err} (install util-linux)` : res.err);
      if (res.code !== 0) return done(false, `${plan.command} failed (exit ${res.code}): ${res.out.trim()}`);
      return done(true, r.action === 'thaw' ? `thawed ${r.mount}` : `aborted FUSE connection ${r.connection}`);
    }
    case 'cgroup-thaw': {
      const p = `${r.cgroup}/cgroup.freeze`;
      const bad = cgroupDirRefusal(r.cgroup);
      if (bad) return done(false, bad);
      step(`writing 0 to ${p}`);
      try {
        // cgroupfs has no symlinks, but the path came from a snapshot: never follow one.
        const fd = fs.openSync(p, fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW);
        try {
          fs.writeSync(fd, '0');
        } finally {
          fs.closeSync(fd);
        }
      } catch (e) {
        return done(false, `cannot write ${p}: ${(e as Error).message}`);
      }
      return done(true, `thawed cgroup ${r.cgroup}`);
    }
  }
}

export interface FollowResult {
  freed: number;
  remaining: string[];
  ms: number;
}

/**
 * Watch the tasks that were blocked until each has come free, or timeoutMs passes. A task came
 * free when it is no longer in D, or when it has been on a CPU since the action (its off-CPU
 * time is shorter than the time since): a busy task can re-enter a short D sleep (an audit
 * generator under backlog pressure) without being stuck.
 */
export async function followUp(plan: ActionPlan, next: () => Promise<Analysis>, timeoutMs: number, onTick?: (f: FollowResult) => void, actedAtMs = Date.now()): Promise<FollowResult> {
  const t0 = Date.now();
  const stuck = new Set(plan.blockedKeys);
  for (;;) {
    let a: Analysis | undefined;
    try {
      a = await next();
    } catch {
      /* stalled collector: try again */
    }
    if (a) {
      const snap = a.snapshot;
      // Still waiting on something (D, or a FUSE waiter asleep in S), per the same analysis.
      const waiting = new Map(a.tasks.filter((t) => t.waitsOn || t.state === 'D').map((t) => [t.key, t]));
      for (const k of [...stuck]) {
        const t = waiting.get(k);
        const ranSince = t?.detail?.offCpuMs !== undefined && snap.takenAtMs - t.detail.offCpuMs > actedAtMs;
        if (!t || ranSince) stuck.delete(k);
      }
      const f = { freed: plan.blockedKeys.length - stuck.size, remaining: [...stuck], ms: Date.now() - t0 };
      onTick?.(f);
      if (stuck.size === 0) return f;
    }
    if (Date.now() - t0 >= timeoutMs) return { freed: plan.blockedKeys.length - stuck.size, remaining: [...stuck], ms: Date.now() - t0 };
    await sleep(200);
  }
}
