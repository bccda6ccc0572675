// Holder = a task sleeping with an mm's mmap_lock held. /proc names no rw-semaphore owner, but the
// lock belongs to one mm, so the holder is among few tasks: the threads of that process and the
// remote readers of it (/proc/PID/mem, ptrace), found by a holder frame below their own wait site.
// The mm a waiter queues for is its own, or the /proc/PID its read names (ps, cat /proc/PID/cmdline).
import type { Task } from '../../model.js';
import type { HolderResolver, RuleContext } from './context.js';
import type { HolderRule } from '../../kernel/signatures.js';
import { matches, siteAt } from '../../kernel/classify.js';
import { MMAP_LOCK_HELD_BELOW, REMOTE_MM_ACCESS, REMOTE_MM_ENTRY } from '../../kernel/mm.js';
import { mmTargetOf } from '../../procfs/mmguard.js';
import { taskKey, type HolderFinding } from '../holders.js';

export const mmapLock: HolderResolver<Extract<HolderRule, { kind: 'same-mm' }>> = (ctx, t, _site, sig) => {
  const target = mmTargetOf(t);
  const pid = target.pid;
  const comm = (ctx.threadsOf.get(pid) ?? []).find((x) => x.tid === pid)?.comm;
  return ctx.resource(sig, { id: `mmap-lock:${pid}`, label: comm ? `mmap_lock of ${comm}:${pid}` : `mmap_lock of process ${pid}` }, () => {
    const f = mmapLockHolders(ctx, pid);
    // The holder may sleep in S (a FUSE wait before any signal): read every thread of that process.
    if (!f) ctx.needs.processes.add(pid);
    return f;
  }, `no thread of ${pid} (nor a reader of it) found sleeping with its mmap_lock held`);
};

/** A task that sleeps (not queued for an mmap_lock itself) below a frame that holds `pid`'s mmap_lock. */
export function mmapLockHolders(ctx: RuleContext, pid: number): HolderFinding | undefined {
  const cands = new Map<string, Task>();
  for (const x of ctx.threadsOf.get(pid) ?? []) cands.set(taskKey(x), x);
  // Readers of another process's memory hold THAT process's lock while they fault a page in.
  for (const fn of REMOTE_MM_ENTRY) for (const x of ctx.tasksThrough(fn)) cands.set(taskKey(x), x);
  const found: { t: Task; how: string }[] = [];
  for (const [k, x] of cands) {
    const site = ctx.sites.get(k);
    if (!site || !ctx.waiting.has(k) || site.signature === 'mmap-lock') continue;
    const below = (x.detail?.stack ?? []).slice(site.frameIndex + 1);
    const f = below.find((fr) => matches(fr.func, MMAP_LOCK_HELD_BELOW));
    if (!f) continue;
    const target = matches(f.func, REMOTE_MM_ACCESS) ? mmTargetOf(x) : { pid: x.pid, how: 'its own address space', remote: false };
    if (target.pid !== pid) continue;
    const id = x.pid === x.tid ? `${x.pid}` : `${x.pid}/${x.tid}`;
    found.push({ t: x, how: `${x.comm}:${id} sleeps in ${siteAt(site)} below ${f.func}, which holds the mmap_lock${target.remote ? ` of ${pid} (${target.how})` : ''}` });
  }
  if (found.length === 0) return undefined;
  return {
    holders: found.map((x) => taskKey(x.t)),
    scope: 'task',
    how: found.map((x) => x.how).join('; '),
    confidence: found.length === 1 ? 'likely' : 'guess',
  };
}
