// Holders that are parked rather than waiting for a kernel resource: a ptrace-stopped task waits
// for its tracer; a task in a frozen cgroup v2 waits for the thaw (no task holds that).
import type { HolderResolver } from './context.js';
import type { HolderRule } from '../../kernel/signatures.js';
import { cgroupV2Path } from '../../procfs/parse.js';

export const tracer: HolderResolver<Extract<HolderRule, { kind: 'tracer' }>> = (ctx, t, _site, sig) => {
  const tp = t.detail?.tracerPid;
  if (!tp) return undefined;
  const tt = ctx.byKey.get(`${tp}/${tp}`);
  return ctx.resource(sig, { id: `ptrace:${tp}`, label: `ptrace stop: tracer ${tt ? `${tt.comm}:${tp}` : `pid ${tp}`}` }, () => ({
    holders: [`${tp}/${tp}`],
    scope: 'process',
    how: `TracerPid ${tp} in /proc/${t.pid}/task/${t.tid}/status`,
    confidence: 'certain',
  }), '');
};

export const cgroupFreezer: HolderResolver<Extract<HolderRule, { kind: 'cgroup-freezer' }>> = (ctx, t, _site, sig) => {
  const path = cgroupV2Path(t.detail?.cgroup);
  const cg = path ? ctx.snap.cgroups?.find((c) => c.path === path) : undefined;
  if (!cg?.frozen) return undefined;
  const size = cg.procs !== undefined ? ` (${cg.procs} process${cg.procs === 1 ? '' : 'es'}, ${cg.threads ?? '?'} thread${cg.threads === 1 ? '' : 's'})` : '';
  const res = ctx.resource(sig, { id: `cgroup:${cg.path}`, label: `frozen cgroup ${cg.path}${size}` }, () => undefined,
    `${cg.dir}/cgroup.events says frozen 1`);
  res.cgroup = cg.dir;
  res.confidence = 'certain';
  return res;
};
