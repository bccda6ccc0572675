// Block I/O and journal waits follow the device down: a wait on a loop device is a wait on the
// loop worker that writes its blocks into the backing file (and so on the mount holding that
// file); an ext4 journal wait is a wait on that device's journal thread, which may itself be
// waiting for I/O on the device. A device with nothing on this box below it (a disk) stays
// external, as before: nothing here holds it.
import type { Task } from '../../model.js';
import type { HolderResolver, RuleContext } from './context.js';
import type { HolderRule } from '../../kernel/signatures.js';
import { journalThreadMatches, loopOfWorker } from '../../kernel/devices.js';
import { taskKey } from '../holders.js';
import { backingMountOf, deviceOfTask, loopByName, type DeviceOfTask } from '../backing.js';
import { criticalSection } from './critical-section.js';
import { external } from './external.js';
import { syscallName } from '../../kernel/syscalls.js';
import { SIGNATURE_BY_ID } from '../../kernel/signatures.js';
import { frozenMountPoints, frozenResource } from './frozen-mount.js';

const FROZEN_FS_ROW = 'frozen-fs';

/** Loop workers in D, by loop device (built once per analysis). */
function stuckLoopWorkers(ctx: RuleContext): Map<string, Task[]> {
  let m = ctx.memo.get('stuck-loop-workers') as Map<string, Task[]> | undefined;
  if (!m) {
    m = new Map();
    for (const t of ctx.snap.tasks) {
      const loop = t.isKernelThread && t.state === 'D' ? loopOfWorker(t.comm) : undefined;
      if (!loop) continue;
      const l = m.get(loop);
      if (l) l.push(t);
      else m.set(loop, [t]);
    }
    ctx.memo.set('stuck-loop-workers', m);
  }
  return m;
}

/**
 * The waiter's device. sync(2) writes back every filesystem, so its stack names none: then the
 * one loop device whose worker is stuck, as a guess. Any other waiter without a device (a FUSE
 * page, an unreadable fd) is not pinned on a loop device it may have nothing to do with.
 */
function deviceOf(ctx: RuleContext, t: Task): DeviceOfTask {
  if (!ctx.snap.gathered.blockDevices) ctx.needs.blockDevices = true;
  const d = deviceOfTask(ctx.snap, t, ctx.mountsOf(t));
  const sc = t.detail?.syscall;
  if (d.device || !sc || sc.nr < 0 || syscallName(sc.nr) !== 'sync') return d;
  const stuck = [...stuckLoopWorkers(ctx).keys()];
  if (stuck.length === 1) return { device: stuck[0], how: `sync(2) writes back every filesystem; ${stuck[0]} is the only loop device whose worker is blocked`, confidence: 'guess' };
  return d;
}

export const deviceIo: HolderResolver<Extract<HolderRule, { kind: 'device-io' }>> = (ctx, t, site, sig, rule) => {
  const d = deviceOf(ctx, t);
  const loop = d.device ? loopByName(ctx.snap, d.device) : undefined;
  // Not a loop device (a disk, or no device found): nothing on this box holds it, as before.
  if (!loop) return external(ctx, t, site, sig, { kind: 'none', why: rule.why });
  const below = backingMountOf(ctx.snap, loop);
  const workers = stuckLoopWorkers(ctx).get(loop.name) ?? [];
  if (!workers.length && below) {
    // No loop worker shows it, but writers of the backing mount wait on its freeze: that is
    // what this I/O waits for too (the loop worker will block there as soon as it runs).
    const frozen = frozenMountPoints(ctx).get(below.mount.mountPoint);
    const frozenSig = SIGNATURE_BY_ID.get(FROZEN_FS_ROW);
    if (frozen && frozenSig) {
      return frozenResource(ctx, frozenSig, {
        mount: frozen.mount,
        how: `${d.how} -> ${below.how}, where writers wait on the freeze (${frozen.how})`,
        confidence: 'guess',
      });
    }
  }
  return ctx.resource(sig, {
    id: `blockdev:${loop.name}`,
    label: `I/O on /dev/${loop.name} (backing file ${loop.backingFile}${below ? ` on ${below.mount.mountPoint}` : ''})`,
  }, () => workers.length ? {
    holders: workers.map(taskKey),
    scope: 'task',
    how: `${d.how}; ${workers.map((w) => w.comm).join(', ')} runs ${loop.name}'s I/O and is blocked (${below?.how ?? 'backing file on no known mount'})`,
    confidence: d.confidence === 'guess' ? 'guess' : 'likely',
  } : undefined, `${d.how}; no ${loop.name} worker is blocked (${below?.how ?? 'backing file on no known mount'})`);
};

export const journal: HolderResolver<Extract<HolderRule, { kind: 'journal' }>> = (ctx, t, site, sig) => {
  const d = deviceOf(ctx, t);
  if (!d.device) return criticalSection(ctx, t, site, sig, { kind: 'critical-section' });
  const device = d.device;
  const threads = ctx.snap.tasks.filter((x) => x.isKernelThread && journalThreadMatches(x.comm, device));
  return ctx.resource(sig, { id: `journal:${device}`, label: `ext4 journal of ${device}` }, () => threads.length ? {
    holders: threads.map(taskKey),
    scope: 'task',
    how: `${d.how}; ${threads[0]!.comm} commits ${device}'s journal`,
    confidence: d.confidence === 'guess' ? 'guess' : 'likely',
  } : undefined, `${d.how}; the journal thread of ${device} is not blocked (committing?)`);
};
