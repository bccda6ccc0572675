// One-key remediation: plan (what exactly will run, on whom, freeing how many), guard (PID
// reuse, PID 1, kernel threads, ourselves), run (each step reported and logged), follow up
// (did the blocked tasks come free?).
import * as fs from 'node:fs';
import { spawn } from 'node:child_process';
import type { Analysis, Remedy, RemedyAction, RootCause, Snapshot } from '../model.js';
import { parseStat, PF_KTHREAD } from '../procfs/parse.js';
import type { ActionLog } from './log.js';
import { analyze } from '../graph/analyze.js';

export interface ActionPlan {
  rootCause: RootCause;
  remedy: Remedy;
  /** "auditbeat (pid 247832, user root)" or "mount /var". */
  target: string;
  /** What will run, shown in full in the confirm dialog. */
  command: string;
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
}

export function planFor(a: Analysis, rootCauseId: string, ctx: PlanContext, action?: RemedyAction): ActionPlan | { refused: string } {
  if (ctx.readOnly) return { refused: 'read-only mode: no actions' };
  const rc = a.rootCauses.find((r) => r.id === rootCauseId);
  if (!rc) return { refused: `no root cause ${rootCauseId} now (ids: ${a.rootCauses.map((r) => r.id).join(', ') || 'none'})` };
  const remedy = action ? rc.remedies.find((r) => r.action === action) : rc.remedies[0];
  if (!remedy) return { refused: `${rc.label}: no ${action ?? ''} remedy wedgetop can apply`.replace('  ', ' ') };
  if (remedy.pid !== undefined) {
    if (remedy.pid === 1) return { refused: 'refusing to signal PID 1' };
    if (remedy.pid === ctx.selfPid) return { refused: 'refusing to signal wedgetop itself' };
    if (remedy.pid === ctx.collectorPid) return { refused: "refusing to signal wedgetop's collector" };
  }
  const t = a.tasks.find((x) => x.pid === remedy.pid && x.tid === remedy.pid) ?? a.tasks.find((x) => x.pid === remedy.pid);
  if (t?.isKernelThread) return { refused: `${t.comm} is a kernel thread: signals cannot end it` };
  const target =
    remedy.pid !== undefined
      ? `${t?.comm ?? '?'} (pid ${remedy.pid}, user ${t?.user ?? '?'})`
      : remedy.mount !== undefined
        ? `mount ${remedy.mount}`
        : `FUSE connection ${remedy.connection}`;
  return { rootCause: rc, remedy, target, command: remedy.command, blockedKeys: rc.blockedTasks, confirmTwice: remedy.action === 'fuse-abort' };
}

/** Re-read the target's stat: the PID must still be the process the plan was made for. */
export function verifyTarget(pid: number, startTicks: number | undefined, ctx: PlanContext): string | undefined {
  if (pid === 1) return 'refusing to signal PID 1';
  if (pid === ctx.selfPid) return 'refusing to signal wedgetop itself';
  if (pid === ctx.collectorPid) return "refusing to signal wedgetop's collector";
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return `pid ${pid} is gone`;
  }
  const st = parseStat(text);
  if (!st) return `cannot read /proc/${pid}/stat`;
  if (startTicks !== undefined && st.startTicks !== startTicks) {
    return `pid ${pid} now belongs to another process (${st.comm}, started at ${st.startTicks}, not ${startTicks}): refusing`;
  }
  if (st.flags & PF_KTHREAD) return `pid ${pid} is a kernel thread: refusing`;
  return undefined;
}

function procState(pid: number, startTicks: number | undefined): string | undefined {
  try {
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
async function waitGone(pid: number, startTicks: number | undefined, ms: number): Promise<string | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const s = procState(pid, startTicks);
    if (s === undefined || s === 'Z' || s === 'X') return undefined;
    if (Date.now() >= end) return s;
    await sleep(50);
  }
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; out: string; err?: string }> {
  return new Promise((resolve) => {
    let out = '';
    let child;
    try {
      child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    } catch (e) {
      resolve({ code: null, out: '', err: (e as Error).message });
      return;
    }
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) => resolve({ code: null, out, err: e.code === 'ENOENT' ? `${cmd} not found (install util-linux)` : e.message }));
    child.on('close', (code, signal) => resolve({ code, out, err: signal ? `${cmd} timed out after ${timeoutMs} ms` : undefined }));
  });
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
  const kill = o.kill ?? ((pid: number, sig: NodeJS.Signals) => process.kill(pid, sig));

  switch (r.action) {
    case 'kill':
    case 'cont': {
      const pid = r.pid!;
      const signals: NodeJS.Signals[] = r.action === 'cont' ? ['SIGCONT'] : ['SIGTERM', 'SIGKILL'];
      for (const sig of signals) {
        const refusal = verifyTarget(pid, r.startTicks, o.ctx);
        if (refusal) {
          if (sig === 'SIGKILL' && /is gone/.test(refusal)) return done(true, `pid ${pid} exited after SIGTERM`);
          return done(false, refusal);
        }
        step(`sending ${sig} to ${plan.target}`);
        try {
          kill(pid, sig);
        } catch (e) {
          return done(false, `${sig} to ${pid} failed: ${(e as Error).message}`);
        }
        if (sig === 'SIGCONT') return done(true, `SIGCONT sent to ${plan.target}`);
        const left = await waitGone(pid, r.startTicks, sig === 'SIGTERM' ? o.graceMs : 2000);
        if (left === undefined) return done(true, `pid ${pid} exited after ${sig}`);
        if (sig === 'SIGTERM') step(`still there after ${o.graceMs} ms (state ${left})`);
        else if (left === 'D') return done(false, `SIGKILL queued, still D: pid ${pid} cannot die until what it waits on is released`);
        else return done(false, `SIGKILL sent, pid ${pid} still there (state ${left})`);
      }
      return done(false, 'unreachable');
    }
    case 'thaw': {
      step(`running ${plan.command}`);
      const res = await run('fsfreeze', ['-u', r.mount!], 10_000);
      if (res.err) return done(false, res.err);
      if (res.code !== 0) return done(false, `fsfreeze -u ${r.mount} failed (exit ${res.code}): ${res.out.trim()}`);
      return done(true, `thawed ${r.mount}`);
    }
    case 'fuse-abort': {
      const p = `/sys/fs/fuse/connections/${r.connection}/abort`;
      step(`writing 1 to ${p}`);
      try {
        fs.writeFileSync(p, '1');
      } catch (e) {
        return done(false, `cannot write ${p}: ${(e as Error).message}`);
      }
      return done(true, `aborted FUSE connection ${r.connection}`);
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
export async function followUp(plan: ActionPlan, next: () => Promise<Snapshot>, timeoutMs: number, onTick?: (f: FollowResult) => void, actedAtMs = Date.now()): Promise<FollowResult> {
  const t0 = Date.now();
  const stuck = new Set(plan.blockedKeys);
  for (;;) {
    let snap: Snapshot | undefined;
    try {
      snap = await next();
    } catch {
      /* stalled collector: try again */
    }
    if (snap) {
      // Still waiting on something (D, or a FUSE waiter asleep in S), per the same analysis.
      const waiting = new Map(analyze(snap).tasks.filter((t) => t.waitsOn || t.state === 'D').map((t) => [t.key, t]));
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
