// Holder = the vfork child of the waiter. /proc has no cheap mm identity to prove which child
// shares the parent's address space, but a task in vfork cannot fork again until its child execs
// or exits, so the child is its youngest child process (another thread of the parent could have
// forked since: hence "likely"). Measured on 6.18: the child has PPid = the parent's pid.
import type { HolderResolver } from './context.js';
import type { HolderRule } from '../../kernel/signatures.js';
import type { Task } from '../../model.js';
import { taskKey } from '../holders.js';

export const vforkChild: HolderResolver<Extract<HolderRule, { kind: 'vfork-child' }>> = (ctx, t, _site, sig) => {
  const key = `vfork-children:${t.pid}`;
  if (!ctx.memo.has(key)) {
    const kids = ctx.snap.tasks.filter((c) => c.ppid === t.pid && c.pid === c.tid && c.pid !== t.pid);
    if (!kids.length && !ctx.snap.gathered.children?.includes(t.pid)) ctx.needs.children.add(t.pid);
    ctx.memo.set(key, kids);
  }
  const kids = ctx.memo.get(key) as Task[];
  const child = kids.reduce<Task | undefined>((b, c) => (!b || c.startTicks > b.startTicks ? c : b), undefined);
  return ctx.resource(sig, { id: `vfork:${t.pid}`, label: `vfork child of ${t.comm}:${t.pid}` }, () => child ? {
    holders: [taskKey(child)],
    scope: 'task',
    how: kids.length === 1
      ? `its only child process (PPid ${t.pid}): a parent in vfork cannot fork again until that child execs or exits`
      : `its youngest of ${kids.length} child processes (PPid ${t.pid}, started last)`,
    confidence: 'likely',
  } : undefined, `no child process of ${t.pid} found`);
};
