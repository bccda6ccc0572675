// One resolver per holder-rule kind of the signature table; the compiler checks every kind has one.
// A new kind of wait adds its rule kind in src/kernel/signatures.ts and its resolver here.
import type { HolderRule } from '../../kernel/signatures.js';
import type { HolderResolver, RuleContext } from './context.js';
import type { Resource, Task, WaitSite } from '../../model.js';
import type { Signature } from '../../kernel/signatures.js';
import { stackThrough } from './stack-through.js';
import { auditDaemonRule, netlinkDest } from './netlink.js';
import { frozenMount } from './frozen-mount.js';
import { fuseDaemon } from './fuse-daemon.js';
import { criticalSection } from './critical-section.js';
import { external, self } from './external.js';
import { deviceIo, journal } from './device-io.js';
import { vforkChild } from './vfork.js';
import { cgroupFreezer, tracer } from './parked.js';
import { mmapLock } from './mmap-lock.js';
import { pageReader } from './page-cache.js';
import { lockOwner } from './lock-owner.js';
import { sameDir } from './same-dir.js';

type Resolvers = { [K in HolderRule['kind']]: HolderResolver<Extract<HolderRule, { kind: K }>> };

export const HOLDER_RESOLVERS: Resolvers = {
  'stack-through': stackThrough,
  'netlink-dest': netlinkDest,
  'audit-daemon': auditDaemonRule,
  'frozen-mount': frozenMount,
  'fuse-daemon': fuseDaemon,
  'critical-section': criticalSection,
  'same-mm': mmapLock,
  'page-reader': pageReader,
  'lock-owner': lockOwner,
  self,
  none: external,
  'device-io': deviceIo,
  journal,
  'same-dir': sameDir,
  'vfork-child': vforkChild,
  tracer,
  'cgroup-freezer': cgroupFreezer,
};

export function resolveHolder(ctx: RuleContext, t: Task, site: WaitSite, sig: Signature): Resource | undefined {
  const rule = sig.holder;
  const r = HOLDER_RESOLVERS[rule.kind] as HolderResolver;
  return r(ctx, t, site, sig, rule);
}

export type { DataNeeds, RuleContext, HolderResolver } from './context.js';
