// Holder = a task whose stack passes through the critical section's functions (audit_receive_msg
// for the audit mutex). Looked for among the named candidates first, then by a bounded stack scan.
import type { HolderResolver } from './context.js';
import type { HolderRule } from '../../kernel/signatures.js';
import { auditSocketOwners, holdersByStack } from '../holders.js';

export const stackThrough: HolderResolver<Extract<HolderRule, { kind: 'stack-through' }>> = (ctx, _t, _site, sig, rule) => {
  const { funcs, among } = rule;
  return ctx.resource(sig, { id: sig.id, label: sig.title }, () => {
    // Tasks acquiring the same lock are not inside it, even though their stack may show the funcs.
    const acquiring = new Set([...ctx.waiting].filter((k) => ctx.sites.get(k)?.signature === sig.id));
    const f = holdersByStack(ctx.snap.tasks, funcs, acquiring);
    if (f) return f;
    if (among === 'audit-socket-owners' && !ctx.snap.gathered.netlink) ctx.needs.netlink = true;
    else {
      if (among === 'audit-socket-owners') for (const pid of auditSocketOwners(ctx.snap)) ctx.needs.processes.add(pid);
      // Read in the same round as the processes above, so the bounded scan cannot crowd them out.
      if (!ctx.snap.gathered.stackScan) ctx.needs.stackScan = true;
    }
    return undefined;
  }, `no task found inside ${funcs.join('/')}`);
};
