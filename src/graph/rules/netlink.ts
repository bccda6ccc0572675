// Holder = the owner of the full destination netlink socket; for audit senders, the registered
// audit daemon (the kernel cannot be asked which it is: every audit request blocks meanwhile).
import type { HolderResolver } from './context.js';
import type { HolderRule } from '../../kernel/signatures.js';
import { auditDaemon, fullNetlinkSocket, type HolderFinding } from '../holders.js';
import type { Task } from '../../model.js';
import { stackPassesThrough } from '../../kernel/classify.js';
import { syscallName } from '../../kernel/syscalls.js';

export const netlinkDest: HolderResolver<Extract<HolderRule, { kind: 'netlink-dest' }>> = (ctx, t, _site, sig, rule) => {
  const audit = (t.detail?.stack ?? []).some((f) => rule.auditVia.includes(f.func)) || t.comm === rule.auditComm;
  if (!ctx.snap.gathered.netlink) ctx.needs.netlink = true;
  // The same answer for every waiter of a kind: look it up once, not once per waiter.
  const key = `netlink-dest:${audit}`;
  if (!ctx.memo.has(key)) ctx.memo.set(key, audit ? auditDaemon(ctx.snap, ctx.isSenderOnly, sendingSockets(ctx.snap.tasks, rule.auditVia)) : fullNetlinkSocket(ctx.snap));
  const f = ctx.memo.get(key) as HolderFinding | undefined;
  const id = f?.socket ? `netlink:${f.socket.protocol}:${f.socket.portid}` : audit ? 'netlink:audit-daemon' : 'netlink:?';
  const label = f?.socket
    ? `${audit ? 'audit daemon ' : ''}netlink socket portid ${f.socket.portid}${f.socket.full ? ' (receive buffer full)' : ''}`
    : audit ? 'audit daemon netlink socket' : 'a full netlink socket';
  return ctx.resource(sig, { id, label }, () => f, 'socket owner not found (needs /proc/net/netlink and fd links)');
};

/** Holder = the registered audit daemon (the one that must drain the audit queue). */
export const auditDaemonRule: HolderResolver<Extract<HolderRule, { kind: 'audit-daemon' }>> = (ctx, _t, _site, sig) => {
  if (!ctx.snap.gathered.netlink) ctx.needs.netlink = true;
  return ctx.resource(sig, { id: 'audit-backlog', label: 'audit backlog queue' },
    () => auditDaemon(ctx.snap, ctx.isSenderOnly), 'no registered audit daemon found');
};

/** Socket inodes that tasks inside the audit path are sending on (the fd argument of their sendto/sendmsg). */
function sendingSockets(tasks: Task[], via: string[]): Set<number> {
  const out = new Set<number>();
  for (const t of tasks) {
    const sc = t.detail?.syscall;
    if (!sc || !/^send(to|msg)$/.test(syscallName(sc.nr) ?? '') || !stackPassesThrough(t.detail?.stack, via)) continue;
    const fd = Number(sc.args[0]);
    const m = /^socket:\[(\d+)\]$/.exec(t.detail?.fds?.find((f) => f.fd === fd)?.target ?? '');
    if (m) out.add(Number(m[1]));
  }
  return out;
}
