// Parsers for the /proc (and ss) text formats wedgetop reads.
// Each returns undefined (or skips the line) on malformed input and reports why through `warn`,
// so one bad line never hides the other tasks.
import type { Frame, SyscallInfo, FdEntry, Mount, NetlinkSock, SsNetlinkEntry, KmsgRecord } from '../model.js';

export type Warn = (msg: string) => void;
const noWarn: Warn = () => {};

export interface StatFields {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  flags: number;
  startTicks: number;
}

/** PF_KTHREAD from include/linux/sched.h. */
export const PF_KTHREAD = 0x00200000;

/**
 * /proc/PID/stat. comm may contain spaces and ')' (it is up to 15 bytes of anything),
 * so the comm ends at the LAST ')' of the line.
 */
export function parseStat(text: string, warn: Warn = noWarn): StatFields | undefined {
  return statFast(text) ?? statGeneral(text, warn);
}

/**
 * The kernel's own stat line (do_task_stat: one space between fields), without splitting all 52
 * fields into strings: the live collector parses thousands per refresh, and the split costs ~4x
 * as much. Anything else: undefined, and statGeneral decides (and says what was wrong).
 */
function statFast(text: string): StatFields | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open || text.charCodeAt(close + 1) !== 0x20 || text.charCodeAt(close + 3) !== 0x20) return undefined;
  const pid = Number(text.slice(0, open));
  const c = text.charCodeAt(close + 2) | 0x20;
  if (!Number.isInteger(pid) || c < 0x61 || c > 0x7a) return undefined;
  // Fields 4.. after "state ": 4 ppid, 9 flags, 22 starttime (1-based, as in proc(5)).
  let field = 4;
  let at = close + 4;
  let ppid = NaN;
  let flags = NaN;
  let startTicks = NaN;
  while (field <= 22) {
    const sp = text.indexOf(' ', at);
    // An empty field would read as 0 (Number('') is 0): leave it to the general parser.
    if (sp <= at) return undefined;
    if (field === 4) ppid = Number(text.slice(at, sp));
    else if (field === 9) flags = Number(text.slice(at, sp));
    else if (field === 22) startTicks = Number(text.slice(at, sp));
    at = sp + 1;
    field++;
  }
  if (!Number.isFinite(ppid) || !Number.isFinite(flags) || !Number.isFinite(startTicks)) return undefined;
  return { pid, comm: text.slice(open + 1, close), state: text[close + 2]!, ppid, flags, startTicks };
}

/** State and CPU time (utime + stime, fields 14 and 15, in clock ticks) of a stat line. */
export function parseStatCpu(text: string, warn: Warn = noWarn): { state: string; ticks: number } | undefined {
  const close = text.lastIndexOf(')');
  const rest = close < 0 ? [] : text.slice(close + 1).trim().split(/\s+/);
  const ticks = Number(rest[11]) + Number(rest[12]);
  if (!/^[A-Za-z]$/.test(rest[0] ?? '') || !Number.isFinite(ticks)) {
    warn(`malformed or truncated stat line: ${JSON.stringify(text.slice(0, 80))}`);
    return undefined;
  }
  return { state: rest[0]!, ticks };
}

/** Any whitespace between fields (a hand-made or edited snapshot), with a warning when malformed. */
function statGeneral(text: string, warn: Warn): StatFields | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) {
    warn(`malformed stat line (no comm in parentheses): ${JSON.stringify(text.slice(0, 80))}`);
    return undefined;
  }
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 1).trim().split(/\s+/);
  // rest[0] is field 3 (state); field N is rest[N-3].
  if (!Number.isInteger(pid) || rest.length < 20 || !/^[A-Za-z]$/.test(rest[0] ?? '')) {
    warn(`malformed or truncated stat line: ${JSON.stringify(text.slice(0, 80))}`);
    return undefined;
  }
  const num = (field: number): number => Number(rest[field - 3]);
  const ppid = num(4);
  const flags = num(9);
  const startTicks = num(22);
  if (![ppid, flags, startTicks].every(Number.isFinite)) {
    warn(`malformed stat numbers for pid ${pid}`);
    return undefined;
  }
  return { pid, comm: text.slice(open + 1, close), state: rest[0]!, ppid, flags, startTicks };
}

const FRAME_RE = /^\[<[0-9a-fx]+>\]\s+([A-Za-z0-9_.$]+)\+0x([0-9a-f]+)\/0x([0-9a-f]+)(?:\s+\[([^\]]+)\])?\s*$/;

/** /proc/PID/stack: `[<0>] percpu_rwsem_wait+0x15f/0x1d0`. */
export function parseStack(text: string, warn: Warn = noWarn): Frame[] {
  const frames: Frame[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const m = FRAME_RE.exec(line);
    if (!m) {
      warn(`unparsed stack line: ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    const f: Frame = { func: m[1]!, offset: parseInt(m[2]!, 16), size: parseInt(m[3]!, 16) };
    if (m[4]) f.module = m[4];
    frames.push(f);
  }
  return frames;
}

// Printing a frame is kernel knowledge (the /proc/PID/stack format): kept in kernel/frame.ts.
export { formatFrame } from '../kernel/frame.js';

/** /proc/PID/syscall: "NR arg1..arg6 sp pc", "-1 sp pc" (not in a syscall), or "running". */
export function parseSyscall(text: string, warn: Warn = noWarn): SyscallInfo | undefined {
  const t = text.trim();
  if (t === 'running') return { nr: -1, args: [], running: true };
  const parts = t.split(/\s+/);
  const nr = Number(parts[0]);
  if (!Number.isInteger(nr)) {
    warn(`malformed syscall line: ${JSON.stringify(t.slice(0, 80))}`);
    return undefined;
  }
  if (nr === -1) return { nr, args: [], sp: parts[1], pc: parts[2] };
  if (parts.length < 9) {
    warn(`truncated syscall line: ${JSON.stringify(t.slice(0, 80))}`);
    return { nr, args: parts.slice(1) };
  }
  return { nr, args: parts.slice(1, 7), sp: parts[7], pc: parts[8] };
}

export interface StatusFields {
  uid?: number;
  tgid?: number;
  nspid?: number[];
  state?: string;
  /** Pid of the ptrace tracer, 0 when not traced. */
  tracerPid?: number;
}

export function parseStatus(text: string): StatusFields {
  const out: StatusFields = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const key = line.slice(0, i);
    const val = line.slice(i + 1).trim();
    if (key === 'Uid') {
      const n = Number(val.split(/\s+/)[0]);
      if (Number.isFinite(n)) out.uid = n;
    } else if (key === 'Tgid') {
      const n = Number(val);
      if (Number.isFinite(n)) out.tgid = n;
    } else if (key === 'NSpid') {
      out.nspid = val.split(/\s+/).map(Number).filter(Number.isFinite);
    } else if (key === 'State') {
      out.state = val.charAt(0);
    } else if (key === 'TracerPid') {
      const n = Number(val);
      if (Number.isFinite(n)) out.tracerPid = n;
    }
  }
  return out;
}

/** /proc/PID/sched: the `se.exec_start : 12345.678` line, in ms of sched_clock. */
export function parseSchedExecStart(text: string): number | undefined {
  const m = /^se\.exec_start\s*:\s*([0-9.]+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** /proc/PID/fdinfo/N: pos, flags (octal), mnt_id. */
export function parseFdinfo(text: string): { flags?: number; mntId?: number } {
  const out: { flags?: number; mntId?: number } = {};
  const f = /^flags:\s*([0-7]+)/m.exec(text);
  if (f) out.flags = parseInt(f[1]!, 8);
  const m = /^mnt_id:\s*(\d+)/m.exec(text);
  if (m) out.mntId = Number(m[1]);
  return out;
}

/** Undo the octal escapes mountinfo uses for space, tab, newline and backslash. */
export function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** /proc/PID/mountinfo. */
export function parseMountinfo(text: string, warn: Warn = noWarn): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const sep = line.indexOf(' - ');
    const a = (sep >= 0 ? line.slice(0, sep) : '').split(' ');
    const b = sep >= 0 ? line.slice(sep + 3).split(' ') : [];
    if (sep < 0 || a.length < 6 || b.length < 2) {
      warn(`malformed mountinfo line: ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    mounts.push({
      mountId: Number(a[0]),
      parentId: Number(a[1]),
      majMin: a[2]!,
      root: unescapeMount(a[3]!),
      mountPoint: unescapeMount(a[4]!),
      options: a[5]!,
      fsType: b[0]!,
      source: unescapeMount(b[1]!),
      ...(b.length > 2 ? { superOptions: b.slice(2).join(' ') } : {}),
    });
  }
  return mounts;
}

/**
 * /proc/net/netlink:
 * sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
 */
export function parseNetlink(text: string, warn: Warn = noWarn): NetlinkSock[] {
  const out: NetlinkSock[] = [];
  for (const line of text.split('\n').slice(1)) {
    if (!line.trim()) continue;
    const p = line.trim().split(/\s+/);
    if (p.length < 10) {
      warn(`malformed netlink line: ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    const n = (i: number): number => Number(p[i]);
    const sock: NetlinkSock = {
      protocol: n(1), portid: n(2), groups: p[3]!, rmem: n(4), wmem: n(5), drops: n(8), inode: n(9),
    };
    if (![sock.protocol, sock.portid, sock.rmem, sock.inode].every(Number.isFinite)) {
      warn(`malformed netlink numbers: ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    out.push(sock);
  }
  return out;
}

/** ss's names for netlink protocols (iproute2's nl_proto_n2a), for joining with /proc/net/netlink. */
export const NETLINK_PROTO_NAMES: Record<string, number> = {
  rtnl: 0, unused: 1, usersock: 2, fw: 3, tcpdiag: 4, nflog: 5, xfrm: 6, selinux: 7, iscsi: 8, audit: 9,
  fiblookup: 10, connector: 11, nft: 12, ip6fw: 13, dec: 14, uevent: 15, genl: 16, scsitrans: 18, ecryptfs: 19,
  rdma: 20, crypto: 21, smc: 22,
};

/**
 * `ss -f netlink -e -m -p` output, one socket a line; the local address is "proto:owner/portid",
 * "proto:kernel" (portid 0) or "proto:portid" (e.g. seed 000: `audit:auditbeat/247832`).
 * skmem (with -m) may follow on the same line or the next, indented:
 *   skmem:(r214272,rb212992,t0,tb212992,f0,w0,o0,bl0,d12)
 */
export function parseSsNetlink(text: string, warn: Warn = noWarn): SsNetlinkEntry[] {
  const out: SsNetlinkEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim() || /^\s*(State|Recv-Q)\b/.test(line) || /^\s+skmem:/.test(line)) continue;
    const local = /(?:^|\s)([\w-]+):(\S+)\s+\*(?:\s|$)/.exec(line);
    if (!local) {
      warn(`unparsed ss line: ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    const proto = local[1]!;
    const who = local[2]!;
    let portid: number;
    let ownerComm: string | undefined;
    if (who === 'kernel') portid = 0;
    // ss prints the portid signed; /proc/net/netlink unsigned (negative = autobind).
    else if (/^-?\d+$/.test(who)) portid = Number(who) >>> 0;
    else {
      const slash = who.lastIndexOf('/');
      const n = Number(who.slice(slash + 1));
      portid = Number.isInteger(n) ? n >>> 0 : NaN;
      ownerComm = who.slice(0, slash);
    }
    if (!Number.isFinite(portid)) {
      warn(`unparsed ss address: ${JSON.stringify(who)}`);
      continue;
    }
    const entry: SsNetlinkEntry = {
      protocolName: proto,
      portid,
      raw: line.trim(),
    };
    if (ownerComm) entry.ownerComm = ownerComm;
    const usersPid = /users:\(\("([^"]*)",pid=(\d+)/.exec(line);
    if (usersPid) {
      entry.ownerComm = usersPid[1];
      entry.ownerPid = Number(usersPid[2]);
    }
    let sk = /skmem:\(([^)]*)\)/.exec(line);
    const next = lines[i + 1];
    if (!sk && next && /^\s+skmem:/.test(next)) {
      sk = /skmem:\(([^)]*)\)/.exec(next);
      entry.raw += ' ' + next.trim();
    }
    if (sk) {
      for (const part of sk[1]!.split(',')) {
        const m = /^([a-z]+)(\d+)$/.exec(part);
        if (!m) continue;
        if (m[1] === 'r') entry.rmemAlloc = Number(m[2]);
        else if (m[1] === 'rb') entry.rcvbuf = Number(m[2]);
        else if (m[1] === 'd') entry.drops = Number(m[2]);
      }
    }
    out.push(entry);
  }
  return out;
}

/** Protocol number of an ss entry ("audit" or "9"). */
export function ssProtocol(e: SsNetlinkEntry): number | undefined {
  return /^\d+$/.test(e.protocolName) ? Number(e.protocolName) : NETLINK_PROTO_NAMES[e.protocolName];
}

/** /dev/kmsg records: "prio,seq,usec,flags;text" (continuation lines start with a space). */
export function parseKmsg(text: string, warn: Warn = noWarn): KmsgRecord[] {
  const out: KmsgRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith(' ')) continue;
    const semi = line.indexOf(';');
    const head = semi >= 0 ? line.slice(0, semi).split(',') : [];
    const seq = Number(head[1]);
    const usec = Number(head[2]);
    if (semi < 0 || !Number.isFinite(seq) || !Number.isFinite(usec)) {
      warn(`malformed kmsg record: ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    out.push({ seq, usec, text: line.slice(semi + 1) });
  }
  return out;
}

// Kernel log lines are kernel knowledge: their parsers live in src/kernel/kmsg.ts (re-exported
// here for the collector and older callers).
export { parseAuditBacklogLine, parseHungTaskLine, type AuditBacklogReport, type HungTaskReport } from '../kernel/kmsg.js';

/** The cgroup v2 path of a process: the `0::/path` line of /proc/PID/cgroup (undefined on v1-only hosts). */
export function cgroupV2Path(text: string | undefined): string | undefined {
  if (!text) return undefined;
  for (const line of text.split('\n')) if (line.startsWith('0::')) return line.slice(3).trim() || undefined;
  return undefined;
}

/** cgroup.events: `populated 1` / `frozen 1` lines. */
export function parseCgroupEvents(text: string): { populated?: boolean; frozen?: boolean } {
  const out: { populated?: boolean; frozen?: boolean } = {};
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k === 'populated' || k === 'frozen') out[k] = v === '1';
  }
  return out;
}

/** /proc/PID/task/TID/schedstat: "RUN_NS DELAY_NS RUNS" (time on CPU, time waiting for it, times run). */
export function parseSchedstat(text: string, warn: Warn = noWarn): { runNs: number; runs: number } | undefined {
  const f = text.trim().split(/\s+/);
  const runNs = Number(f[0]);
  const runs = Number(f[2]);
  if (f.length < 3 || !Number.isFinite(runNs) || !Number.isFinite(runs)) {
    warn(`malformed schedstat line: ${JSON.stringify(text.slice(0, 80))}`);
    return undefined;
  }
  return { runNs, runs };
}
