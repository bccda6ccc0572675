// One scan of the kernel's state through a ProcSource. Reads only files that cannot block on a
// stuck filesystem (stat, status, stack, wchan, syscall, sched, fd links, fdinfo); maps and mem
// of a stuck task only for the one fact they give (which mount a writer was writing to), and
// only here, in the collector process the UI can abandon.
//
// Collection is demand-driven: every thread's stat, then details of the blocked tasks, then
// whatever the engine's plan() says it still needs to name holders (their details, socket owners,
// FUSE daemons, a stack scan), until it needs nothing more.
import { readMeters } from '../procfs/meters.js';
import { KNOWN_CAUSE_KMSG } from '../kernel/known-causes.js';
import type { CgroupState, FdEntry, Mount, Snapshot, Task, TaskDetail } from '../model.js';
import type { ProcSource } from '../procfs/source.js';
import { readFile } from '../procfs/files.js';
import {
  parseFdinfo, parseKmsg, parseMountinfo, parseNetlink, parseSchedExecStart, parseSsNetlink, parseStack, parseStat,
  parseStatus, parseSyscall, PF_KTHREAD, parseHungTaskLine, parseAuditBacklogLine, cgroupV2Path, parseCgroupEvents,
} from '../procfs/parse.js';
import { plan, type CollectionPlan } from '../graph/analyze.js';
import { pathArgIndex as pathArgOf, syscallName } from '../kernel/syscalls.js';
import { SIGNATURES } from '../kernel/signatures.js';
import { matches } from '../kernel/classify.js';
import { contendedMms } from '../procfs/mmguard.js';
import { MAPPING_FAULT_FRAMES } from '../kernel/mm.js';


/** Index of the syscall argument that is a path, for a D task whose path the analysis may want. */
function pathArgIndex(d: TaskDetail): number | undefined {
  const name = d.syscall && d.syscall.nr >= 0 ? syscallName(d.syscall.nr) : undefined;
  const i = pathArgOf(name);
  return i !== undefined && d.syscall?.args[i] ? i : undefined;
}

export interface CollectOptions {
  selfPid?: number;
  /** At most this many sleeping tasks get their stack read when looking for a lock holder. */
  stackScanLimit?: number;
  /** At most this many threads of one holder process are read. */
  threadsPerProcess?: number;
  /** Wall clock for takenAtMs (tests pass a fixed one). */
  now?: number;
  /**
   * Task keys whose details are read from the start, with the blocked tasks: the live collector
   * passes the tasks it showed last time, so a holder that took a stack scan to find is found
   * again among them instead of by the same scan every second.
   */
  carry?: string[];
}

const MAX_WARNINGS = 100;
const MAX_FDS = 4096;

/** Every thread the scan saw, by "pid/tid", by process, and how many per state letter. */
export interface TaskTable {
  all: Map<string, Task>;
  threadsOf: Map<number, Task[]>;
  stateCounts: Record<string, number>;
}

/**
 * Step 1 of a collection. The live collector passes its own (incremental.ts keeps the table
 * between refreshes instead of re-reading every thread's stat); everything after it is shared.
 */
export type TaskScan = (src: ProcSource, warn: (m: string) => void) => TaskTable;

/** Read every thread's stat. */
export function scanAllTasks(src: ProcSource, warn: (m: string) => void): TaskTable {
  const all = new Map<string, Task>();
  const threadsOf = new Map<number, Task[]>();
  const stateCounts: Record<string, number> = {};
  for (const ent of src.list('/proc')) {
    if (!/^\d+$/.test(ent)) continue;
    const pid = Number(ent);
    for (const tEnt of src.list(`/proc/${pid}/task`)) {
      if (!/^\d+$/.test(tEnt)) continue;
      const text = readFile(src, { kind: 'task-stat', pid, tid: Number(tEnt) });
      if (text === undefined) continue; // vanished mid-scan: normal
      const t = taskFromStat(pid, text, (m) => warn(`/proc/${pid}/task/${tEnt}/stat: ${m}`));
      if (!t) continue;
      all.set(`${pid}/${t.tid}`, t);
      const l = threadsOf.get(pid);
      if (l) l.push(t);
      else threadsOf.set(pid, [t]);
      stateCounts[t.state] = (stateCounts[t.state] ?? 0) + 1;
    }
  }
  return { all, threadsOf, stateCounts };
}

/** A Task (without details) from the text of /proc/PID/task/TID/stat. */
export function taskFromStat(pid: number, text: string, warn: (m: string) => void): Task | undefined {
  const st = parseStat(text, warn);
  if (!st) return undefined;
  return {
    pid, tid: st.pid, comm: st.comm, state: st.state, ppid: st.ppid, startTicks: st.startTicks, flags: st.flags,
    isKernelThread: (st.flags & PF_KTHREAD) !== 0,
  };
}

/** Lines a signature row's holder rule reads ("nfs: server X not responding", "unregister_netdevice: waiting for lo"). */
const ROW_KMSG: RegExp[] = SIGNATURES.flatMap((s) => (s.holder.kind === 'none' && s.holder.kmsg ? [s.holder.kmsg] : []));

/** Kernel log records worth keeping: hung-task and audit backlog reports, and what the rows read. */
export function isKmsgRelevant(text: string): boolean {
  return !!(parseHungTaskLine(text) || parseAuditBacklogLine(text) || /blocked for more than/.test(text) || ROW_KMSG.some((re) => re.test(text)) || KNOWN_CAUSE_KMSG.some((re) => re.test(text)));
}

export function collect(src: ProcSource, opts: CollectOptions = {}, scan: TaskScan = scanAllTasks): Snapshot {
  const warnings: string[] = [];
  const warn = (m: string): void => {
    if (warnings.length < MAX_WARNINGS) warnings.push(m);
    else if (warnings.length === MAX_WARNINGS) warnings.push('(more warnings not shown)');
  };
  const uptimeSec = Number((src.read('/proc/uptime') ?? '').split(/\s+/)[0]) || 0;
  const la = (src.read('/proc/loadavg') ?? '').split(/\s+/).map(Number);
  const loadavg: [number, number, number] = [la[0] || 0, la[1] || 0, la[2] || 0];
  const num = (p: string): number | undefined => {
    const v = src.read(p);
    const n = v === undefined ? NaN : Number(v.trim());
    return Number.isFinite(n) ? n : undefined;
  };

  // 1. Every thread's stat: the auditbeat holder of seed 000 was one thread among many.
  const { all, threadsOf, stateCounts } = scan(src, warn);

  // se.exec_start is sched_clock, which is not /proc/uptime's clock (seconds apart in a VM):
  // the collector's own exec_start, read now while it runs, is "now" on the same clock.
  const clockNow = parseSchedExecStart(src.read('/proc/thread-self/sched') ?? '');
  const mounts: Record<string, Mount[]> = {};
  const fdCache = new Map<number, FdEntry[]>();
  // Stack reads the kernel refused, by task key: decided per read (the error count's rise
  // during that one read), never from the source's cumulative count of every failure.
  const stackDenied = new Set<string>();
  const included = new Set<string>();

  const readFds = (pid: number, wantInfo: Set<number>): FdEntry[] => {
    let fds = fdCache.get(pid);
    if (!fds) {
      fds = [];
      const ents = readFile(src, { kind: 'proc-fds', pid });
      const few = ents.length <= 64;
      for (const e of ents.slice(0, MAX_FDS)) {
        const target = readFile(src, { kind: 'proc-fd', pid, fd: e });
        if (target === undefined) continue;
        const fd = Number(e);
        const entry: FdEntry = { fd, target };
        if ((few || wantInfo.has(fd)) && target.startsWith('/')) {
          const info = readFile(src, { kind: 'proc-fdinfo', pid, fd: e });
          if (info) Object.assign(entry, parseFdinfo(info));
        }
        fds.push(entry);
      }
      fdCache.set(pid, fds);
    }
    return fds;
  };

  const readDetail = (t: Task): void => {
    if (t.detail) return;
    const { pid, tid } = t;
    const d: TaskDetail = {};
    const w = (m: string): void => warn(`/proc/${pid}/task/${tid}: ${m}`);
    const refusedBefore = refusals(src);
    const stack = readFile(src, { kind: 'task-stack', pid, tid });
    if (stack !== undefined) d.stack = parseStack(stack, w);
    else if (refusals(src) > refusedBefore) stackDenied.add(`${pid}/${tid}`);
    const wchan = readFile(src, { kind: 'task-wchan', pid, tid });
    if (wchan !== undefined) d.wchan = wchan.trim();
    const sc = readFile(src, { kind: 'task-syscall', pid, tid });
    if (sc !== undefined) d.syscall = parseSyscall(sc, w);
    const status = readFile(src, { kind: 'task-status', pid, tid });
    if (status !== undefined) {
      const s = parseStatus(status);
      d.uid = s.uid;
      d.nspid = s.nspid;
      if (s.tracerPid) d.tracerPid = s.tracerPid;
    }
    d.cgroup = readFile(src, { kind: 'proc-cgroup', pid })?.trim();
    const execStart = parseSchedExecStart(readFile(src, { kind: 'task-sched', pid, tid }) ?? '');
    if (execStart !== undefined && clockNow !== undefined && t.state !== 'R') d.offCpuMs = Math.max(0, Math.round(clockNow - execStart));
    if (!t.isKernelThread) {
      const ns = readFile(src, { kind: 'proc-mnt-ns', pid }) ?? '';
      d.mntNs = ns;
      if (!mounts[ns]) {
        const mi = readFile(src, { kind: 'proc-mountinfo', pid });
        if (mi !== undefined) mounts[ns] = parseMountinfo(mi, w);
      }
      d.cwd = readFile(src, { kind: 'proc-cwd', pid });
      const wantInfo = new Set<number>();
      if (d.syscall?.args[0] !== undefined) wantInfo.add(Number(d.syscall.args[0]) | 0);
      d.fds = readFds(pid, wantInfo);
      // maps and mem take the target's mmap_lock: read only once every blocked task is known (below).
      if (t.state === 'D') deferred.push(t);
    }
    t.detail = d;
  };

  // The reads of a D task's maps/mem, done once the blocked tasks' stacks are in: never for a process
  // whose mmap_lock a blocked task waits for or holds for write (the read would sleep behind it).
  const deferred: Task[] = [];
  const skipped = new Set<number>();
  const memReads = (): void => {
    if (deferred.length === 0) return;
    const blocked = [...included].map((k) => all.get(k)!).filter((x) => x.state === 'D');
    const contended = contendedMms(blocked.map((x) => ({ task: x, stack: x.detail?.stack })));
    for (const t of deferred.splice(0)) {
      const d = t.detail!;
      const wantsPath = pathArgIndex(d) !== undefined;
      const wantsMaps = d.syscall?.nr === -1 && !!d.stack?.some((f) => matches(f.func, MAPPING_FAULT_FRAMES));
      if (!wantsPath && !wantsMaps) continue;
      if (contended.has(t.pid)) {
        if (skipped.has(t.pid)) continue;
        skipped.add(t.pid);
        warn(`not reading /proc/${t.pid}/${wantsPath ? 'mem' : 'maps'}: its mmap_lock is contended (the read would wait behind it, like ps does)`);
        continue;
      }
      const pIdx = pathArgIndex(d);
      if (pIdx !== undefined) {
        try {
          const addr = BigInt(d.syscall!.args[pIdx]!);
          if (addr > 0n) d.pathArg = readFile(src, { kind: 'task-mem-string', pid: t.pid, tid: t.tid, addr });
        } catch {
          /* not a pointer */
        }
      }
      if (wantsMaps) d.faultDev = sharedWritableDevice(readFile(src, { kind: 'proc-maps', pid: t.pid }));
    }
  };

  const include = (t: Task): boolean => {
    const k = `${t.pid}/${t.tid}`;
    if (included.has(k)) return false;
    included.add(k);
    readDetail(t);
    return true;
  };

  // 2. Blocked tasks (and the ones carried over).
  // Stopped ones too: the header counts them, so the list must show them (issue 13: a stopped
  // FUSE daemon counted as `1 T` was nowhere in the list). Their files cannot block: a stopped
  // task holds no lock of its own mm while parked in the signal code.
  for (const t of all.values()) if (t.state === 'D' || isStopped(t.state)) include(t);
  for (const k of opts.carry ?? []) {
    const t = all.get(k);
    if (t) include(t);
  }
  memReads();

  // Sleeping tasks read at most, by the S-waiter search and by the holder search each.
  const scanLimit = opts.stackScanLimit ?? 4000;

  // 2b. Waiters that sleep in S (FUSE: until a signal arrives), looked for by wchan only while
  // their resource is busy: one small read per sleeping thread, at most stackScanLimit of them.
  const fuseConnections = readFuseConnections(src);
  const fuseWaiting = fuseConnections.some((c) => c.waiting > 0);
  const sleepSites = SIGNATURES.filter((s) => s.waitersInS === 'fuse-pending' && fuseWaiting).flatMap((s) => s.at);
  if (sleepSites.length) {
    let n = 0;
    for (const t of all.values()) {
      if (t.state !== 'S' || t.isKernelThread || included.has(`${t.pid}/${t.tid}`)) continue;
      if (n++ >= scanLimit) {
        warn(`FUSE requests are pending: read the wchan of ${scanLimit} sleeping tasks and stopped there`);
        break;
      }
      const wchan = readFile(src, { kind: 'task-wchan', pid: t.pid, tid: t.tid })?.trim();
      if (wchan && matches(wchan, sleepSites)) include(t);
    }
  }

  const snap: Snapshot = {
    takenAtMs: opts.now ?? Date.now(),
    hostname: src.read('/proc/sys/kernel/hostname')?.trim() ?? '?',
    kernel: src.read('/proc/sys/kernel/osrelease')?.trim() ?? '?',
    uptimeSec,
    loadavg,
    taskCount: all.size,
    stateCounts,
    tasks: [],
    mounts,
    netlink: [],
    socketOwners: {},
    fuseDaemons: [],
    fuseConnections: [],
    kmsg: [],
    hungTask: {
      timeoutSecs: num('/proc/sys/kernel/hung_task_timeout_secs'),
      detectCount: num('/proc/sys/kernel/hung_task_detect_count'),
      warnings: num('/proc/sys/kernel/hung_task_warnings'),
    },
    gathered: { netlink: false, fuse: false, stackScan: false },
    stacksReadable: true,
    selfPid: opts.selfPid,
    users: {},
    warnings,
  };

  const meters = readMeters(src, warn);
  if (meters) snap.meters = meters;

  const raw = src.kmsg();
  if (raw !== undefined) {
    // Keep only what the analysis and the header use: hung-task and audit backlog reports.
    snap.kmsg = parseKmsg(raw, (m) => warn(`kmsg: ${m}`))
      .filter((r) => isKmsgRelevant(r.text))
      .slice(-500);
  }

  let fdScanned = false;
  const scanAllFds = (): void => {
    if (fdScanned) return;
    fdScanned = true;
    const inodes = new Set(snap.netlink.map((s) => String(s.inode)));
    for (const [pid, ts] of threadsOf) {
      if (ts[0]?.isKernelThread) continue;
      for (const e of readFile(src, { kind: 'proc-fds', pid }).slice(0, MAX_FDS)) {
        const target = readFile(src, { kind: 'proc-fd', pid, fd: e });
        if (!target) continue;
        const m = /^socket:\[(\d+)\]$/.exec(target);
        if (m && inodes.has(m[1]!)) {
          const l = (snap.socketOwners[m[1]!] ??= []);
          if (!l.includes(pid)) l.push(pid);
        } else if (target === '/dev/fuse' && !snap.fuseDaemons.includes(pid)) {
          snap.fuseDaemons.push(pid);
        }
      }
    }
  };

  const perProcess = opts.threadsPerProcess ?? 256;
  let settled: CollectionPlan | undefined;
  for (let round = 0; round < 6; round++) {
    snap.tasks = [...included].map((k) => all.get(k)!);
    const a = plan(snap);
    let changed = false;
    for (const k of a.needs.details) {
      const t = all.get(k);
      if (t && include(t)) changed = true;
    }
    for (const pid of a.needs.processes) {
      const ts = threadsOf.get(pid) ?? [];
      if (ts.length > perProcess) warn(`process ${pid} has ${ts.length} threads: only ${perProcess} read`);
      for (const t of ts.slice(0, perProcess)) if (include(t)) changed = true;
    }
    if (a.needs.netlink && !snap.gathered.netlink) {
      snap.gathered.netlink = true;
      snap.netlink = parseNetlink(src.read('/proc/1/net/netlink') ?? '', (m) => warn(`netlink: ${m}`));
      const ss = src.ssNetlink();
      if (ss !== undefined) snap.ssNetlink = parseSsNetlink(ss, (m) => warn(`ss: ${m}`));
      else warn('ss -f netlink -e -m -p did not answer: whether a netlink socket is full is inferred from drops');
      fdScanned = false;
      scanAllFds();
      changed = true;
    }
    if (a.needs.fuse && !snap.gathered.fuse) {
      snap.gathered.fuse = true;
      scanAllFds();
      snap.fuseConnections.push(...fuseConnections);
      changed = true;
    }
    if (a.needs.blockDevices && !snap.gathered.blockDevices) {
      snap.gathered.blockDevices = true;
      snap.blockDevices = readBlockDevices(src, snap, warn);
      changed = true;
    }
    const kids = [...a.needs.children].filter((p) => !snap.gathered.children?.includes(p));
    if (kids.length) {
      (snap.gathered.children ??= []).push(...kids);
      const want = new Set(kids);
      for (const ts of threadsOf.values()) {
        const m = ts.find((x) => x.pid === x.tid);
        if (m && want.has(m.ppid) && include(m)) changed = true;
      }
      changed = true;
    }
    if (a.needs.stackScan && !snap.gathered.stackScan) {
      snap.gathered.stackScan = true;
      let n = 0;
      for (const t of all.values()) {
        if (t.state === 'R' || t.state === 'Z' || t.state === 'I' || included.has(`${t.pid}/${t.tid}`)) continue;
        if (n++ >= scanLimit) {
          warn(`holder search read ${scanLimit} sleeping tasks' stacks and stopped there`);
          break;
        }
        include(t);
      }
      changed = true;
    }
    memReads();
    if (!changed) {
      settled = a;
      break;
    }
  }

  // wedgetop's own mount table: a remedy that names a mount seen from another namespace (a
  // container's) can then run on the same superblock's path here (src/actions/remedy.ts).
  readSelfMounts(src, snap, warn);

  // Ship only what the analysis shows (waiters and holders), not every scanned candidate.
  // A round that asked for nothing more planned exactly this snapshot: no need to do it again.
  const keep = (settled ?? plan(snap)).shown;
  snap.tasks = [...included].filter((k) => keep.has(k) || all.get(k)!.state === 'D' || isStopped(all.get(k)!.state)).map((k) => all.get(k)!);
  snap.stacksReadable = decideStacksReadable(stackCapability(src), snap.tasks.map((t) => ({
    got: t.detail?.stack !== undefined, denied: stackDenied.has(`${t.pid}/${t.tid}`),
  })));
  const cgroups = readCgroups(src, snap);
  if (cgroups.length) snap.cgroups = cgroups;

  const uids = new Set(snap.tasks.map((t) => t.detail?.uid).filter((u): u is number => u !== undefined));
  if (uids.size) {
    for (const line of (readFile(src, { kind: 'passwd' }) ?? '').split('\n')) {
      const p = line.split(':');
      if (p.length > 2 && uids.has(Number(p[2]))) snap.users[p[2]!] = p[0]!;
    }
  }
  // What a replayed snapshot's reader refused (planted links, FIFOs, oversized files) comes first:
  // it says the replay is not the whole picture, and why.
  const refused = src.takeWarnings?.() ?? [];
  if (refused.length) warnings.unshift(...refused);
  return snap;
}

/** Failed reads the kernel refused (EACCES: no CAP_SYS_ADMIN; EPERM: ptrace_may_access said no). */
function refusals(src: ProcSource): number {
  return (src.errors.get('EACCES') ?? 0) + (src.errors.get('EPERM') ?? 0);
}

const CAP_SYS_ADMIN = 21n;

/**
 * May this process read kernel stacks? fs/proc/base.c proc_pid_stack() returns EACCES unless the
 * opener has CAP_SYS_ADMIN in the *initial* user namespace (file_ns_capable(file, &init_user_ns,
 * ...)), then lock_trace() wants ptrace_may_access(PTRACE_MODE_ATTACH_FSCREDS). /proc/self/status
 * CapEff is relative to our own user namespace, so it counts only when uid_map is the identity
 * map of the initial namespace. Read through the source: a --record saves both files, so a replay
 * decides as the recorded run did. undefined: not known (an older recording).
 */
export function stackCapability(src: ProcSource): boolean | undefined {
  const status = src.read('/proc/self/status');
  const m = status !== undefined ? /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(status) : null;
  if (!m) return undefined;
  const capable = ((BigInt(`0x${m[1]}`) >> CAP_SYS_ADMIN) & 1n) === 1n;
  if (!capable) return false;
  const uidMap = src.read('/proc/self/uid_map');
  if (uidMap === undefined) return undefined;
  return /^\s*0\s+0\s+4294967295\s*$/.test(uidMap.trim());
}

/**
 * The "kernel stacks need root" decision for one snapshot: no capability means no stack at all;
 * otherwise (capable, or not known) stacks are unreadable only when the kernel refused the stack
 * of some task shown and gave none (a user namespace or an LSM can refuse what CapEff allows).
 * A task that vanished mid-read is neither.
 */
export function decideStacksReadable(capable: boolean | undefined, shown: { got: boolean; denied: boolean }[]): boolean {
  if (capable === false) return false;
  return shown.some((t) => t.got) || !shown.some((t) => t.denied);
}

/** FUSE connections (fusectl) and how many requests each has waiting for its daemon. */
function readFuseConnections(src: ProcSource): Snapshot['fuseConnections'] {
  const out: Snapshot['fuseConnections'] = [];
  for (const c of src.list('/sys/fs/fuse/connections')) {
    if (!/^\d+$/.test(c)) continue;
    const waiting = Number(src.read(`/sys/fs/fuse/connections/${c}/waiting`)?.trim());
    out.push({ id: Number(c), waiting: Number.isFinite(waiting) ? waiting : 0 });
  }
  return out;
}

/**
 * The collector's own mount namespace and its table, stored once in snap.mounts. Without the
 * namespace link (a recording made before it was recorded) the table cannot be keyed: it is
 * returned for the caller to keep apart.
 */
function readSelfMounts(src: ProcSource, snap: Snapshot, warn: (m: string) => void): Mount[] | undefined {
  const selfNs = src.readlink('/proc/self/ns/mnt');
  if (selfNs) snap.selfMntNs = selfNs;
  if (selfNs && snap.mounts[selfNs]) return undefined;
  const mi = src.read('/proc/self/mountinfo');
  if (mi === undefined) return undefined;
  const table = parseMountinfo(mi, (m) => warn(`/proc/self/mountinfo: ${m}`));
  if (!selfNs) return table;
  snap.mounts[selfNs] = table;
  return undefined;
}

/**
 * Attached loop devices and what backs them. sysfs prints backing_file relative to the reader's
 * root, so the collector's own mount table is read with them: that is the table its path is
 * looked up in. sysfs attributes are generated in memory and cannot wait on a filesystem.
 */
export function readBlockDevices(src: ProcSource, snap: Snapshot, warn: (m: string) => void): NonNullable<Snapshot['blockDevices']> {
  const loops: NonNullable<Snapshot['blockDevices']>['loops'] = [];
  for (const name of src.list('/sys/block')) {
    if (!/^loop\d+$/.test(name)) continue;
    // Only an attached loop device has loop/backing_file.
    const backingFile = src.read(`/sys/block/${name}/loop/backing_file`)?.replace(/\n$/, '');
    if (!backingFile) continue;
    const majMin = src.read(`/sys/block/${name}/dev`)?.trim();
    if (!majMin || !/^\d+:\d+$/.test(majMin)) {
      warn(`/sys/block/${name}/dev: unreadable or malformed`);
      continue;
    }
    loops.push({ name, majMin, backingFile });
  }
  const mounts = readSelfMounts(src, snap, warn);
  return mounts ? { loops, mounts } : { loops };
}

/** The device of the writable shared file mappings in maps, when there is exactly one. */
export function sharedWritableDevice(maps: string | undefined): string | undefined {
  if (!maps) return undefined;
  const devs = new Set<string>();
  for (const line of maps.split('\n')) {
    const p = line.split(/\s+/);
    // perms "rw-s": a writable shared mapping, the only kind whose store waits on a frozen fs.
    if (p.length < 6 || p[1]![1] !== 'w' || p[1]![3] !== 's') continue;
    if (p[3] === '00:00' || p[3] === '00:01') continue;
    // maps prints the device in hex (fd:01); mountinfo in decimal (253:1).
    const [maj, min] = p[3]!.split(':').map((x) => parseInt(x, 16));
    devs.add(`${maj}:${min}`);
  }
  return devs.size >= 1 ? [...devs][0] : undefined;
}

/**
 * The cgroup v2 state of the cgroups the shown tasks (other than the root) are in. A task in a
 * frozen cgroup sleeps in S (get_signal), not T, and SIGCONT does not wake it (measured on 6.18):
 * only cgroup.freeze tells. cgroupfs reads take no lock a stuck task can hold (cgroup.events
 * reads flags; procs/threads iterate under css_set_lock, a spinlock), and are only counted for a
 * frozen cgroup: the thaw resumes every task in it.
 */
function readCgroups(src: ProcSource, snap: Snapshot): CgroupState[] {
  // Only for tasks parked where the v2 freezer parks them (a few reads, not one per service).
  const parkedAt = SIGNATURES.filter((s) => s.holder.kind === 'cgroup-freezer').flatMap((s) => s.at);
  const paths = new Set<string>();
  for (const t of snap.tasks) {
    const top = t.detail?.stack?.[0]?.func ?? t.detail?.wchan;
    if (!top || !matches(top, parkedAt)) continue;
    const p = cgroupV2Path(t.detail?.cgroup);
    if (p && p !== '/' && !p.includes('..')) paths.add(p);
  }
  if (!paths.size) return [];
  const root = Object.values(snap.mounts).flat().find((m) => m.fsType === 'cgroup2')?.mountPoint;
  if (!root) return [];
  const out: CgroupState[] = [];
  for (const p of [...paths].slice(0, 64)) {
    const dir = `${root}${p}`;
    const ev = src.read(`${dir}/cgroup.events`);
    if (ev === undefined) continue;
    const e = parseCgroupEvents(ev);
    const c: CgroupState = { path: p, dir, frozen: !!e.frozen };
    if (c.frozen) {
      const count = (f: string): number | undefined => {
        const v = src.read(`${dir}/${f}`);
        return v === undefined ? undefined : v.split('\n').filter((l) => l.trim()).length;
      };
      c.procs = count('cgroup.procs');
      c.threads = count('cgroup.threads');
    }
    out.push(c);
  }
  return out;
}

/** T (SIGSTOP, job control) or t (ptrace-stopped). */
export function isStopped(state: string): boolean {
  return state === 'T' || state === 't';
}
