// A lock /proc cannot name the owner of (rtnl_mutex, cgroup_mutex): every waiter of the lock,
// whatever its wait site, waits on one resource. The kernel's own hung-task report
// (CONFIG_DETECT_HUNG_TASK_BLOCKER: "is blocked on a mutex likely owned by task X:PID") names the
// owner for the waiters it reported on, so every waiter's report is looked at, not only the
// first waiter's; without one, a task inside a function that runs under the lock is a guess.
import type { HolderResolver } from './context.js';
import type { HolderRule } from '../../kernel/signatures.js';
import { signatureOf } from '../../kernel/classify.js';
import { holderFromKmsg, holdersByStack, taskKey } from '../holders.js';

export const lockOwner: HolderResolver<Extract<HolderRule, { kind: 'lock-owner' }>> = (ctx, _t, _site, sig, rule) => {
  const res = ctx.resource(sig, { id: `lock:${rule.lock}`, label: sig.title }, () => {
    const waiters = [...ctx.waiting].filter((k) => {
      const s = ctx.sites.get(k);
      const h = s && signatureOf(s).holder;
      return h?.kind === 'lock-owner' && h.lock === rule.lock;
    });
    for (const k of waiters) {
      const f = holderFromKmsg(ctx.snap, ctx.byKey.get(k)!.tid);
      // A report naming one of the lock's own waiters is stale (that task has since queued again).
      if (f && !waiters.includes(f.holders[0]!)) return f;
    }
    const inside = holdersByStack(ctx.snap.tasks, rule.inside, new Set(waiters));
    if (inside) {
      const t = ctx.byKey.get(inside.holders[0]!);
      return {
        ...inside,
        holders: inside.holders.slice(0, 1),
        how: `no hung-task report names the owner; ${t ? `${t.comm}:${taskKey(t)}` : inside.holders[0]} is inside a function that runs with ${rule.lock} held (${inside.how})`,
        confidence: 'guess',
      };
    }
    if (!ctx.snap.gathered.stackScan) ctx.needs.stackScan = true;
    return undefined;
  }, `no hung-task report names the owner of ${rule.lock}, and no task was found inside it`);
  res.advice ??= sig.advice;
  return res;
};
