// Generic holder rule for a lock whose owner /proc does not name: the kernel's own hung-task
// report ("blocked on a mutex likely owned by"), else a task inside the same function at another
// offset than the waiters (inside the critical section).
import type { HolderResolver } from './context.js';
import type { HolderRule } from '../../kernel/signatures.js';
import { SIGNATURE_BY_ID } from '../../kernel/signatures.js';
import { holderFromKmsg, holdersByCriticalSection } from '../holders.js';

export const criticalSection: HolderResolver<Extract<HolderRule, { kind: 'critical-section' }>> = (ctx, t, site, sig) => {
  const frame = ctx.siteFrame(t);
  const fn = frame?.func ?? site.func;
  const known = SIGNATURE_BY_ID.has(site.signature);
  return ctx.resource(sig, { id: `site:${fn}`, label: known ? sig.title : `wait in ${fn}` }, () => {
    const fromKmsg = holderFromKmsg(ctx.snap, t.tid);
    if (fromKmsg) return fromKmsg;
    if (!frame) return undefined;
    // Only tasks with fn on their stack can be inside it (indexed once: this runs per site).
    const f = holdersByCriticalSection(ctx.tasksThrough(fn), frame, ctx.siteFrame, new Set(ctx.waitersOfSite(fn)));
    if (!f && !ctx.snap.gathered.stackScan) ctx.needs.stackScan = true;
    return f;
  }, 'holder unknown');
};
