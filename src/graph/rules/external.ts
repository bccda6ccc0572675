// Waits no task on this box holds (an NFS server, a device), and a task busy in its own work.
import type { HolderResolver } from './context.js';
import type { HolderRule } from '../../kernel/signatures.js';

export const external: HolderResolver<Extract<HolderRule, { kind: 'none' }>> = (ctx, _t, _site, sig, rule) =>
  ctx.resource(sig, { id: `external:${sig.id}`, label: `${sig.title}: ${rule.why}` }, () => undefined, rule.why);

/** The task waits for nobody: it is the one others wait on, if any. */
export const self: HolderResolver<Extract<HolderRule, { kind: 'self' }>> = () => undefined;
