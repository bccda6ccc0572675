// A directory's lock (its inode's i_rwsem) names no owner in /proc. Its holder is the task
// working on a path in the same directory that got past the lock: a waiter for the lock has it
// as the top of its wait, a holder waits on something further in (an overlay takes the upper
// mount's write access inside the lock, so on a frozen upper the first creator holds the
// directory while it waits on the freeze, and every other creator there queues behind it).
import * as path from 'node:path';
import type { HolderResolver } from './context.js';
import type { HolderRule } from '../../kernel/signatures.js';
import { taskKey } from '../holders.js';
import { taskPath } from '../mounts.js';
import { criticalSection } from './critical-section.js';

export const sameDir: HolderResolver<Extract<HolderRule, { kind: 'same-dir' }>> = (ctx, t, site, sig) => {
  const mine = taskPath(t);
  if (!mine) return criticalSection(ctx, t, site, sig, { kind: 'critical-section' });
  const dir = path.posix.dirname(mine.full);
  return ctx.resource(sig, { id: `dir-lock:${dir}`, label: `directory lock of ${dir}` }, () => {
    const inside = [...ctx.waiting].filter((k) => {
      if (k === taskKey(t) || ctx.sites.get(k)?.signature === sig.id) return false;
      const other = ctx.byKey.get(k)!;
      const p = taskPath(other);
      return !!p && path.posix.dirname(p.full) === dir && (other.detail?.mntNs ?? '') === (t.detail?.mntNs ?? '');
    });
    if (inside.length === 0) return undefined;
    const h = ctx.byKey.get(inside[0]!)!;
    return {
      holders: inside,
      scope: 'task',
      how: `${mine.how}; ${h.comm}:${h.pid} works in the same directory (${taskPath(h)!.how}) and waits further in (${ctx.sites.get(inside[0]!)?.site ?? '?'})`,
      confidence: 'likely',
    };
  }, `${mine.how}; no other task works in ${dir}`);
};
