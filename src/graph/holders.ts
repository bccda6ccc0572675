// How the holder of each kind of resource is found, one function per HolderRule kind of the
// signature table. Pure functions of the snapshot.
import type { Confidence, Frame, NetlinkSock, Snapshot, SsNetlinkEntry, Task } from '../model.js';
import { stackPassesThrough } from '../kernel/classify.js';
import { parseHungTaskLine, ssProtocol } from '../procfs/parse.js';
import { AUDIT_DAEMON_COMMS } from '../kernel/daemons.js';

export const NETLINK_AUDIT = 9;

export interface HolderFinding {
  holders: string[];
  scope: 'task' | 'process';
  how: string;
  confidence: Confidence;
  /** A netlink socket, when the resource is one. */
  socket?: { protocol: number; portid: number; inode: number; full?: boolean };
}

export const taskKey = (t: { pid: number; tid: number }): string => `${t.pid}/${t.tid}`;

/** Tasks whose stack passes through one of `funcs` (inside the critical section). */
export function holdersByStack(tasks: Task[], funcs: string[], exclude: Set<string>): HolderFinding | undefined {
  const found = tasks.filter((t) => !exclude.has(taskKey(t)) && stackPassesThrough(t.detail?.stack, funcs));
  if (found.length === 0) return undefined;
  const f = stackPassesThrough(found[0]!.detail!.stack, funcs)!;
  return {
    holders: found.map(taskKey),
    scope: 'task',
    how: `its stack passes through ${f.func} (inside the critical section)`,
    confidence: 'certain',
  };
}

/**
 * CONFIG_DETECT_HUNG_TASK_BLOCKER: "INFO: task X:PID is blocked on a mutex likely owned by task Y:OWNER".
 * The kernel's own word is the best evidence there is for a generic lock.
 */
export function holderFromKmsg(snap: Snapshot, waiterTid: number): HolderFinding | undefined {
  for (let i = snap.kmsg.length - 1; i >= 0; i--) {
    const r = parseHungTaskLine(snap.kmsg[i]!.text);
    if (r && r.pid === waiterTid && r.ownerPid !== undefined) {
      const owner = snap.tasks.find((t) => t.tid === r.ownerPid);
      return {
        holders: owner ? [taskKey(owner)] : [`${r.ownerPid}/${r.ownerPid}`],
        scope: 'task',
        how: `kernel hung-task report: blocked on a ${r.lockKind} likely owned by ${r.ownerComm}:${r.ownerPid}`,
        confidence: 'likely',
      };
    }
  }
  return undefined;
}

/** A task inside the same function as the waiter's site, at another offset, not waiting there itself. */
export function holdersByCriticalSection(
  tasks: Task[],
  site: Frame,
  waiterSiteOf: (t: Task) => Frame | undefined,
  exclude: Set<string>,
): HolderFinding | undefined {
  const found = tasks.filter((t) => {
    if (exclude.has(taskKey(t))) return false;
    const own = waiterSiteOf(t);
    if (own && own.func === site.func && own.offset === site.offset) return false;
    return (t.detail?.stack ?? []).some((f) => f.func === site.func && f.offset !== site.offset);
  });
  if (found.length === 0) return undefined;
  return {
    holders: found.map(taskKey),
    scope: 'task',
    how: `its stack passes through ${site.func} at another offset than the waiters (likely inside the critical section)`,
    confidence: 'guess',
  };
}

function ssFor(snap: Snapshot, s: NetlinkSock): SsNetlinkEntry | undefined {
  return snap.ssNetlink?.find((e) => e.portid === s.portid && ssProtocol(e) === s.protocol);
}

/**
 * A full socket refuses the next message before rmem reaches rcvbuf (seen on 6.18:
 * r2112 < rb2304 with drops rising), so "full" is: over half the buffer used and dropping,
 * or at the buffer size.
 */
function isFull(snap: Snapshot, s: NetlinkSock): boolean | undefined {
  const e = ssFor(snap, s);
  if (e?.rmemAlloc === undefined || e.rcvbuf === undefined) return undefined;
  const drops = Math.max(e.drops ?? 0, s.drops);
  return e.rmemAlloc >= e.rcvbuf || (drops > 0 && e.rmemAlloc * 2 >= e.rcvbuf);
}

function ownersOf(snap: Snapshot, s: NetlinkSock): number[] {
  const owners = snap.socketOwners[String(s.inode)] ?? [];
  if (owners.length) return owners;
  const e = ssFor(snap, s);
  return e?.ownerPid !== undefined ? [e.ownerPid] : [];
}

function describe(snap: Snapshot, s: NetlinkSock): string {
  const e = ssFor(snap, s);
  const mem = e?.rmemAlloc !== undefined ? `r${e.rmemAlloc}/rb${e.rcvbuf}` : `Rmem ${s.rmem}`;
  return `netlink proto ${s.protocol} portid ${s.portid} (${mem}, drops ${e?.drops ?? s.drops})`;
}

/**
 * The audit daemon registered with the kernel. It cannot be asked (any audit request blocks
 * while the audit mutex is held), so it is inferred: an audit netlink socket (portid != 0;
 * the kernel's own has portid 0) whose owner is not merely a sender waiting in audit_receive,
 * preferring a socket that ss shows full, then one with queued data or drops, then a daemon name.
 */
export function auditDaemon(snap: Snapshot, isSenderOnly: (pid: number) => boolean, sending: Set<number> = new Set()): HolderFinding | undefined {
  let best: { s: NetlinkSock; owners: number[]; score: number } | undefined;
  for (const s of snap.netlink) {
    if (s.protocol !== NETLINK_AUDIT || s.portid === 0) continue;
    const owners = ownersOf(snap, s).filter((p) => !isSenderOnly(p));
    if (owners.length === 0) continue;
    const comm = snap.tasks.find((t) => t.pid === owners[0])?.comm ?? ssFor(snap, s)?.ownerComm ?? '';
    let score = 0;
    if (isFull(snap, s)) score += 4;
    if (s.drops > 0 || (ssFor(snap, s)?.drops ?? 0) > 0) score += 2;
    if (s.rmem > 0) score += 2;
    if (AUDIT_DAEMON_COMMS.test(comm)) score += 1;
    // The socket an AUDIT_SET client sends on fills with the kernel's error replies (one per
    // refused probe, measured on 6.18: full and dropping like the daemon's): among sockets with
    // evidence, it is the daemon's only when no other is (seed 000: the daemon sent on its own
    // registered socket). A socket with no evidence at all never wins over one with some.
    if (score >= 2) score += sending.has(s.inode) ? 100 : 200;
    if (!best || score > best.score) best = { s, owners, score };
  }
  if (!best) return undefined;
  return {
    holders: best.owners.map((p) => `${p}/${p}`),
    scope: 'process',
    how: `registered audit daemon, inferred from its audit socket: ${describe(snap, best.s)}`,
    confidence: best.score >= 2 ? 'likely' : 'guess',
    socket: { protocol: best.s.protocol, portid: best.s.portid, inode: best.s.inode, full: isFull(snap, best.s) },
  };
}

/** Processes owning an audit netlink socket (not the kernel's own). */
export function auditSocketOwners(snap: Snapshot): number[] {
  const out = new Set<number>();
  for (const s of snap.netlink) if (s.protocol === NETLINK_AUDIT && s.portid !== 0) for (const p of ownersOf(snap, s)) out.add(p);
  return [...out];
}

/** A netlink socket that is full: ss says rmem >= rcvbuf, or (weaker) it has drops. */
export function fullNetlinkSocket(snap: Snapshot): HolderFinding | undefined {
  const cands = snap.netlink
    .filter((s) => s.portid !== 0)
    .map((s) => ({ s, full: isFull(snap, s), owners: ownersOf(snap, s) }))
    .filter((c) => c.owners.length > 0 && (c.full || c.s.drops > 0));
  cands.sort((a, b) => Number(!!b.full) - Number(!!a.full) || b.s.drops - a.s.drops);
  const c = cands[0];
  if (!c) return undefined;
  return {
    holders: c.owners.map((p) => `${p}/${p}`),
    scope: 'process',
    how: `owner of ${describe(snap, c.s)}${c.full ? ', full' : ', dropping'}`,
    confidence: c.full ? 'likely' : 'guess',
    socket: { protocol: c.s.protocol, portid: c.s.portid, inode: c.s.inode, full: c.full },
  };
}
