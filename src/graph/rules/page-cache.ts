// A file page being read in: its folio stays locked until the read completes. Resolved to what
// completes it: the task reading that page in (same mm: a thread faulting the same mapping), else
// the backing store of the file: a FUSE connection (FUSE frames in the stack, a FUSE file among its
// fds, a connection with requests waiting), else the block device below.
import type { HolderResolver } from './context.js';
import type { HolderRule } from '../../kernel/signatures.js';
import { SIGNATURE_BY_ID } from '../../kernel/signatures.js';
import { matches } from '../../kernel/classify.js';
import { FUSE_FRAMES, PAGE_READ_IN } from '../../kernel/mm.js';
import { taskKey } from '../holders.js';
import { fuseDaemon, resolveFuse } from './fuse-daemon.js';
import { external } from './external.js';
import { deviceIo } from './device-io.js';

export const pageReader: HolderResolver<Extract<HolderRule, { kind: 'page-reader' }>> = (ctx, t, site, sig) => {
  const readers = (ctx.threadsOf.get(t.pid) ?? []).filter((x) => {
    const k = taskKey(x);
    const s = ctx.sites.get(k);
    if (x === t || !s || !ctx.waiting.has(k) || s.signature === sig.id) return false;
    return (x.detail?.stack ?? []).slice(s.frameIndex + 1).some((f) => matches(f.func, PAGE_READ_IN));
  });
  if (readers.length) {
    const comm = (ctx.threadsOf.get(t.pid) ?? []).find((x) => x.tid === t.pid)?.comm;
    return ctx.resource(sig, { id: `page:${t.pid}`, label: `a file page of ${comm ? `${comm}:${t.pid}` : `process ${t.pid}`} being read in` }, () => ({
      holders: readers.map(taskKey),
      scope: 'task',
      how: `${readers.map((x) => `${x.comm}:${x.pid}/${x.tid}`).join(', ')} of the same process ${readers.length === 1 ? 'is' : 'are'} reading a file page in (the folio stays locked until that read completes)`,
      confidence: readers.length === 1 ? 'likely' : 'guess',
    }), '');
  }
  // The reader may sleep in S (a FUSE wait before any signal): read every thread of the process.
  ctx.needs.processes.add(t.pid);
  const fuse = SIGNATURE_BY_ID.get('fuse-request')!;
  const ownFuse = (t.detail?.stack ?? []).some((f) => matches(f.func, FUSE_FRAMES));
  const r = ownFuse ? undefined : resolveFuse(t, ctx.mountsOf(t), ctx.snap);
  const busy = ctx.snap.fuseConnections.some((c) => c.waiting > 0);
  if (ownFuse || (r?.mount && (r.confidence !== 'guess' || busy))) {
    if (fuse.holder.kind === 'fuse-daemon') return fuseDaemon(ctx, t, site, fuse, fuse.holder);
  }
  if (!ctx.snap.gathered.fuse) ctx.needs.fuse = true;
  // The block device below, as the block-io row resolves it (a loop device: its worker and the
  // mount of its backing file).
  const blk = SIGNATURE_BY_ID.get('block-io')!;
  if (blk.holder.kind === 'device-io') return deviceIo(ctx, t, site, blk, blk.holder);
  return blk.holder.kind === 'none' ? external(ctx, t, site, blk, blk.holder) : undefined;
};
