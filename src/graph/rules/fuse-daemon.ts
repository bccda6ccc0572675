// Holder = the FUSE daemon serving the waiter's mount: a process holding /dev/fuse open.
import type { Mount, Snapshot, Task } from '../../model.js';
import type { HolderResolver } from './context.js';
import type { HolderRule } from '../../kernel/signatures.js';
import { fuseConnectionOf, isFuseMount, resolveTaskMount, type MountResolution } from '../mounts.js';

export const fuseDaemon: HolderResolver<Extract<HolderRule, { kind: 'fuse-daemon' }>> = (ctx, t, _site, sig) => {
  if (!ctx.snap.gathered.fuse) ctx.needs.fuse = true;
  const r = resolveFuse(t, ctx.mountsOf(t), ctx.snap);
  const conn = r.mount ? fuseConnectionOf(r.mount) : undefined;
  const daemons = ctx.snap.fuseDaemons;
  return ctx.resource(sig, {
    id: `fuse:${conn ?? '?'}`,
    label: r.mount ? `FUSE mount ${r.mount.mountPoint} (connection ${conn})` : 'a FUSE connection',
    mount: r.mount?.mountPoint,
    connection: conn,
  }, () => daemons.length ? {
    holders: daemons.map((p) => `${p}/${p}`),
    scope: 'process',
    how: daemons.length === 1 ? 'the only process holding /dev/fuse open' : `one of ${daemons.length} processes holding /dev/fuse open`,
    confidence: daemons.length === 1 ? 'likely' : 'guess',
  } : undefined, 'no process holds /dev/fuse open (daemon dead?)');
};

/**
 * The FUSE mount a waiter waits on: its fd or path (FUSE mounts only); else, when only one
 * connection has requests waiting (or only one FUSE mount exists), that one: a task exiting
 * with the file open has no fds left to tell.
 */
export function resolveFuse(t: Task, mounts: Mount[], snap: Snapshot): MountResolution {
  const r = resolveTaskMount(t, mounts, { anyFd: true, only: isFuseMount });
  if (r.mount) return r;
  const fuse = mounts.filter(isFuseMount);
  const busy = snap.fuseConnections.filter((c) => c.waiting > 0);
  if (busy.length === 1) {
    const m = fuse.find((x) => fuseConnectionOf(x) === busy[0]!.id);
    if (m) return { mount: m, how: `the only FUSE connection with requests waiting (${busy[0]!.waiting})`, confidence: 'likely' };
  }
  if (fuse.length === 1) return { mount: fuse[0], how: 'the only FUSE mount', confidence: 'guess' };
  return r;
}
