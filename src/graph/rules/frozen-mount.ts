// No task holds a frozen filesystem: the resource is the mount, inferred from what the waiter was
// writing to (nothing in /proc marks a filesystem frozen, and probing one is unsafe). Through an
// overlay, the frozen superblock is the one under its upper directory; a loop device's worker
// writes to its backing file, so its mount is the one holding that file.
import type { Confidence, Mount, Resource, Task } from '../../model.js';
import type { HolderResolver, RuleContext } from './context.js';
import { rank } from './context.js';
import type { HolderRule, Signature } from '../../kernel/signatures.js';

/** The row whose waiters show a mount is frozen. */
const FROZEN_FS = 'frozen-fs';
import { loopOfWorker } from '../../kernel/devices.js';
import { resolveTaskMount } from '../mounts.js';
import { backingMountOf, collectorMounts, loopByName, overlayUpperDir, writableStoreOf } from '../backing.js';

interface Found {
  mount?: Mount;
  how: string;
  confidence: Confidence;
}

export function frozenMountOf(ctx: RuleContext, t: Task): Found {
  const mounts = ctx.mountsOf(t);
  const r = resolveTaskMount(t, mounts);
  if (r.mount) {
    // A container's mount table may not show the mount under its overlay's upper directory:
    // then look in the other namespaces' tables (the collector's own first).
    const tables = [mounts, collectorMounts(ctx.snap), ...Object.values(ctx.snap.mounts)];
    for (const table of tables) {
      const below = writableStoreOf(r.mount, table);
      if (below) return { mount: below.mount, how: `${r.how} -> ${below.how}`, confidence: r.confidence };
    }
    // fsfreeze on an overlay fails (EOPNOTSUPP): never offer it; say where the thaw must go.
    const upper = overlayUpperDir(r.mount);
    if (upper !== undefined || r.mount.fsType === 'overlay') {
      // The collector's own mount table (read with the block devices) may show the host mount.
      if (!ctx.snap.gathered.blockDevices) ctx.needs.blockDevices = true;
      return { how: `${r.how}: an overlay; the filesystem under its upperdir ${upper ?? '(not shown)'} is on no mount read here: thaw that one`, confidence: 'guess' };
    }
    return r;
  }
  const loop = loopOfWorker(t.comm);
  if (t.isKernelThread && loop) {
    if (!ctx.snap.gathered.blockDevices) ctx.needs.blockDevices = true;
    const dev = loopByName(ctx.snap, loop);
    const below = dev ? backingMountOf(ctx.snap, dev) : undefined;
    if (below) return { mount: below.mount, how: `${t.comm} writes ${loop}'s blocks to its backing file: ${below.how}`, confidence: 'likely' };
    return { how: `${t.comm} writes ${loop}'s blocks to its backing file (${dev ? 'on no known mount' : 'loop device not read'})`, confidence: 'guess' };
  }
  return r;
}

export const frozenMount: HolderResolver<Extract<HolderRule, { kind: 'frozen-mount' }>> = (ctx, t, _site, sig) =>
  frozenResource(ctx, sig, frozenMountOf(ctx, t));

/** The resource of a frozen mount, with the surest evidence any of its waiters gave. */
export function frozenResource(ctx: RuleContext, sig: Signature, r: Found): Resource {
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
}

/**
 * Mount points that writers are waiting to write to because they are frozen (built once per
 * analysis, on first use): the evidence that a mount is frozen when no loop worker shows it.
 */
export function frozenMountPoints(ctx: RuleContext): Map<string, Found> {
  let m = ctx.memo.get('frozen-mount-points') as Map<string, Found> | undefined;
  if (!m) {
    m = new Map();
    for (const k of ctx.waiting) {
      if (ctx.sites.get(k)?.signature !== FROZEN_FS) continue;
      const f = frozenMountOf(ctx, ctx.byKey.get(k)!);
      if (f.mount && !m.has(f.mount.mountPoint)) m.set(f.mount.mountPoint, f);
    }
    ctx.memo.set('frozen-mount-points', m);
  }
  return m;
}
