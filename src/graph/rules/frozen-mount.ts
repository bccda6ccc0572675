// No task holds a frozen filesystem: the resource is the mount, inferred from what the waiter was
// writing to (nothing in /proc marks a filesystem frozen, and probing one is unsafe).
import type { HolderResolver } from './context.js';
import { rank } from './context.js';
import type { HolderRule } from '../../kernel/signatures.js';
import { resolveTaskMount } from '../mounts.js';

export const frozenMount: HolderResolver<Extract<HolderRule, { kind: 'frozen-mount' }>> = (ctx, t, _site, sig) => {
  const r = resolveTaskMount(t, ctx.mountsOf(t));
  const mp = r.mount?.mountPoint;
  const res = ctx.resource(sig, {
    id: `frozen-fs:${mp ?? '?'}`,
    label: mp ? `frozen filesystem ${mp} (${r.mount!.fsType} on ${r.mount!.source})` : 'a frozen filesystem (mount not resolved)',
    mount: mp,
  }, () => undefined, '');
  // The per-task evidence is the best explanation of which mount; keep the surest.
  if (!res.how || rank(r.confidence) > rank(res.confidence)) {
    res.how = r.how;
    res.confidence = r.confidence;
  }
  return res;
};
