// The data that flows through wedgetop, stage by stage:
//   Snapshot (what was read from /proc)  ->  Classified (a wait site per task)
//   ->  Analysis (waits-on graph, root causes, remedies)  ->  store  ->  views.
// Every stage is a pure function of the one before it.

/** One frame of /proc/PID/stack: `[<0>] func+0xoff/0xsize [module]`. */
export interface Frame {
  func: string;
  offset: number;
  size: number;
  module?: string;
}

export interface SyscallInfo {
  /** -1 means the task is not in a syscall: a page fault or a kernel thread. */
  nr: number;
  /** Raw hex strings as the kernel prints them ("0x1"). */
  args: string[];
  sp?: string;
  pc?: string;
  /** "running" when the file says so (the task was on a CPU). */
  running?: boolean;
}

export interface FdEntry {
  fd: number;
  target: string;
  mntId?: number;
  flags?: number;
}

export interface Mount {
  mountId: number;
  parentId: number;
  majMin: string;
  root: string;
  mountPoint: string;
  fsType: string;
  source: string;
  options: string;
  /** The superblock options after the source (overlay: lowerdir=,upperdir=,workdir=), still escaped. */
  superOptions?: string;
}

/** An attached loop device (/sys/block/loopN): its device number and the file behind it. */
export interface LoopDevice {
  /** "loop1" */
  name: string;
  /** "7:1", as in mountinfo */
  majMin: string;
  /** /sys/block/loopN/loop/backing_file: a path in the collector's mount namespace. */
  backingFile: string;
}

/** One row of /proc/PID/net/netlink. */
export interface NetlinkSock {
  protocol: number;
  portid: number;
  groups: string;
  rmem: number;
  wmem: number;
  drops: number;
  inode: number;
}

/** One socket as `ss -f netlink -e -m -p` shows it. */
export interface SsNetlinkEntry {
  protocolName: string;
  portid: number;
  ownerComm?: string;
  ownerPid?: number;
  rmemAlloc?: number;
  rcvbuf?: number;
  drops?: number;
  raw: string;
}

export interface KmsgRecord {
  seq: number;
  usec: number;
  text: string;
}

export interface TaskDetail {
  /** Undefined when unreadable (EACCES for non-root, or vanished). */
  stack?: Frame[];
  wchan?: string;
  syscall?: SyscallInfo;
  uid?: number;
  nspid?: number[];
  cgroup?: string;
  /** How long the task has been off-CPU, from sched's se.exec_start vs uptime. */
  offCpuMs?: number;
  mntNs?: string;
  cwd?: string;
  /** Open fds of the thread group (fd links + fdinfo). */
  fds?: FdEntry[];
  /** Path argument of the current syscall, read from /proc/PID/mem (collector only). */
  pathArg?: string;
  /** Device (maj:min) of the mapping the task faulted on, from maps (collector only). */
  faultDev?: string;
  /** TracerPid from status: who ptrace-stopped it (a `t` task resumes only when that tracer lets go). */
  tracerPid?: number;
}

/** A cgroup v2 a shown task is in, read from cgroupfs (cgroup.events, cgroup.procs, cgroup.threads). */
export interface CgroupState {
  /** As in /proc/PID/cgroup ("/wedgetop-x"). */
  path: string;
  /** Where it is in the cgroup2 mount ("/sys/fs/cgroup/unified/wedgetop-x"). */
  dir: string;
  frozen: boolean;
  procs?: number;
  threads?: number;
}

export interface Task {
  pid: number;
  tid: number;
  comm: string;
  state: string;
  ppid: number;
  /** stat field 22: start time in clock ticks after boot; guards against PID reuse. */
  startTicks: number;
  flags: number;
  isKernelThread: boolean;
  detail?: TaskDetail;
}

export interface HungTaskSettings {
  timeoutSecs?: number;
  detectCount?: number;
  warnings?: number;
}

/** One line of /proc/pressure/X: the share of time tasks stalled on X, over 10 s, 60 s and 300 s. */
export interface PsiLine {
  avg10: number;
  avg60: number;
  avg300: number;
  /** Total stall time in microseconds. */
  total: number;
}

/** some: at least one task stalled; full: every non-idle task stalled at once. */
export interface Pressure {
  some?: PsiLine;
  full?: PsiLine;
}

/** What the header's meters show, as read with the snapshot (recorded and replayed like the rest). */
export interface Meters {
  /** Absent resources: the kernel has no PSI (CONFIG_PSI, psi=0). */
  psi: { cpu?: Pressure; io?: Pressure; memory?: Pressure };
  /** The aggregate "cpu" line of /proc/stat (ticks); CPU% is the difference of two snapshots'. */
  cpu?: number[];
  /** Bytes, from /proc/meminfo. */
  mem?: { total: number; available: number };
}

export interface Snapshot {
  takenAtMs: number;
  /** A replayed snapshot whose meta.json gave no valid time: takenAtMs is only the replay's clock. */
  timeUnknown?: boolean;
  hostname: string;
  kernel: string;
  uptimeSec: number;
  loadavg: [number, number, number];
  /** PSI, CPU ticks and memory for the header (absent in older recordings). */
  meters?: Meters;
  /** Total number of tasks (threads) seen and how many per state letter. */
  taskCount: number;
  stateCounts: Record<string, number>;
  /** Only the tasks worth showing: blocked ones, stopped ones and every candidate holder. */
  tasks: Task[];
  /** Mount tables keyed by mount namespace (e.g. "mnt:[4026531841]"); "" when unknown. */
  mounts: Record<string, Mount[]>;
  netlink: NetlinkSock[];
  /** socket inode -> owners (pid) found through fd links socket:[inode]. */
  socketOwners: Record<string, number[]>;
  /** cgroup v2 state of the cgroups shown tasks are in (absent in older recordings). */
  cgroups?: CgroupState[];
  /** pids holding /dev/fuse open. */
  fuseDaemons: number[];
  fuseConnections: { id: number; waiting: number }[];
  ssNetlink?: SsNetlinkEntry[];
  kmsg: KmsgRecord[];
  hungTask: HungTaskSettings;
  /** Which on-demand collections ran (so the analysis knows what it may still ask for). */
  gathered: { netlink: boolean; fuse: boolean; stackScan: boolean; children?: number[]; blockDevices?: boolean };
  /**
   * Loop devices, read when a block or journal wait needs the store below a device. Their
   * backing_file paths are relative to the collector's own mount table: that is
   * mounts[selfMntNs]; `mounts` here holds it only when the collector's namespace is not known
   * (recordings made before proc/self/ns/mnt was recorded). See collectorMounts().
   */
  blockDevices?: { loops: LoopDevice[]; mounts?: Mount[] };
  /** False when stacks could not be read (not root). */
  stacksReadable: boolean;
  selfPid?: number;
  /** The collector's (= wedgetop's) own mount namespace; its table is in mounts too. */
  selfMntNs?: string;
  /** uid -> user name, for the uids of the tasks shown. */
  users: Record<string, string>;
  warnings: string[];
}

/* ---------- classification ---------- */

export type ResourceKind =
  | 'audit-mutex'
  | 'netlink-socket'
  | 'frozen-fs'
  | 'audit-backlog'
  | 'fuse-conn'
  | 'nfs-rpc'
  | 'block-io'
  | 'jbd2'
  | 'mmap-lock'
  | 'page-cache'
  | 'lock'
  | 'vfork'
  | 'ptrace'
  | 'cgroup-freeze'
  | 'memcg'
  | 'netdev-refs'
  | 'unknown';

export type Confidence = 'certain' | 'likely' | 'guess';

/**
 * What releases an edge of the waits-on graph (a waiter from its resource):
 * - holder-leaves: the holder leaves its critical section (finishes, or dies);
 * - signal-waiter: the waiter's own sleep is interruptible, a signal to the waiter ends it;
 * - owner-drains: the owner of a full queue or socket reads it, or dies;
 * - thaw: the frozen filesystem is thawed; - abort: the FUSE connection is aborted;
 * - daemon-answers: the FUSE daemon answers; - sigcont: a stopped holder is continued;
 * - cgroup-thaw: the holder's frozen cgroup is thawed; - io-completes: the device completes I/O;
 * - timeout: the kernel gives up by itself after a bounded time; - external: nothing on this box;
 * - tracer-lets-go: the ptrace tracer resumes or detaches the tracee (or dies, which detaches it).
 */
export type Release =
  | 'holder-leaves' | 'signal-waiter' | 'owner-drains' | 'thaw' | 'abort' | 'daemon-answers'
  | 'sigcont' | 'cgroup-thaw' | 'io-completes' | 'timeout' | 'external' | 'tracer-lets-go';

/** A node of the waits-on graph: a task ("task:PID/TID") or a resource ("res:ID"). */
export type NodeId = `task:${string}` | `res:${string}`;

export interface WaitEdge {
  from: NodeId;
  to: NodeId;
  /** waits-on: a task waits for a resource; held-by: a resource is held (or owned) by a task. */
  kind: 'waits-on' | 'held-by';
  /** What releases this edge (from the signature row of the wait). */
  frees: Release[];
  confidence: Confidence;
  how: string;
}

export interface WaitSite {
  /** Signature id from the table, or "unknown:<func>". */
  signature: string;
  /** The frame that identified it, as printed ("audit_receive+0x28/0x40"). */
  site: string;
  /** The same frame as data: function, offset and size (0 / 0 when only wchan was read). */
  func: string;
  offset: number;
  size: number;
  module?: string;
  frameIndex: number;
  resource: ResourceKind;
}

/* ---------- graph ---------- */

export type RemedyAction = 'kill' | 'thaw' | 'fuse-abort' | 'cont' | 'cgroup-thaw';

export interface Remedy {
  action: RemedyAction;
  pid?: number;
  startTicks?: number;
  signal?: string;
  mount?: string;
  connection?: number;
  /**
   * thaw / fuse-abort: the mount as its waiters' namespace showed it when the plan was made,
   * re-checked right before anything runs (src/actions/remedy.ts fills these in).
   */
  mountId?: number;
  majMin?: string;
  /** The waiters' mount namespace ("mnt:[4026532…]") and a waiter in it, to read its mountinfo. */
  mntNs?: string;
  nsPid?: number;
  nsPidStartTicks?: number;
  /**
   * When set, startTicks is this thread's (the process's main thread was not read): the PID-reuse
   * guard checks /proc/PID/task/TID/stat, which exists only while that same process does.
   */
  guardTid?: number;
  /** cgroup-thaw: the cgroup directory whose cgroup.freeze gets "0". */
  cgroup?: string;
  /** Exactly what would run, quoted for a POSIX shell (src/text/shell.ts: runs as printed). */
  command: string;
  /** The program and its arguments, unquoted, when the remedy runs one program (thaw). */
  argv?: string[];
  risk: string;
}

export interface Resource {
  id: string;
  kind: ResourceKind;
  label: string;
  /** Task keys ("pid/tid") that hold the resource. */
  holders: string[];
  /** 'process': the holder is a whole process (socket owner, daemon): follow any of its waiting threads. */
  holderScope: 'task' | 'process';
  /** How the holder (or mount) was found and how sure that is. */
  how: string;
  confidence: Confidence;
  mount?: string;
  connection?: number;
  /** From the signature row of its waiters: what releases them, and what wedgetop may offer. */
  frees: Release[];
  remedy: 'kill-holder' | 'thaw-mount' | 'fuse-abort' | 'cgroup-thaw' | 'none';
  /** A frozen cgroup: its directory in the cgroup2 mount (the cgroup-thaw target). */
  cgroup?: string;
  /** The row's remedy risk text, when it has one. */
  risk?: string;
  /** What an expert would do that wedgetop does not run (see RootCause.advice). */
  advice?: string;
}

export interface AnalyzedTask extends Task {
  key: string;
  site?: WaitSite;
  /** Resource id this task waits on. */
  waitsOn?: string;
  blockedForMs?: number;
  /** blockedForMs is only "since wedgetop first saw it blocked" (no off-CPU time): a lower bound. */
  blockedForMin?: boolean;
  container?: string;
  user?: string;
  isHolder: boolean;
  /** Would SIGKILL to this task end its wait (from its signature row)? */
  killable?: boolean | 'unknown';
}

export interface RootCause {
  id: string;
  kind: 'task' | 'frozen-fs' | 'fuse' | 'cgroup' | 'external' | 'unknown';
  label: string;
  pid?: number;
  tid?: number;
  mount?: string;
  blocked: number;
  /** The blocked tasks ("pid/tid") whose chain ends here. */
  blockedTasks: string[];
  /** Human chain, waiters first: "12 tasks in audit_receive -> audit mutex -> auditbeat:248085 ..." */
  chain: string[];
  remedies: Remedy[];
  /** What the admin must know before acting (a trap: the obvious kill that frees nothing). */
  notes?: string[];
  inCycle: boolean;
  /** How sure the engine is of the weakest hop from the waiters to this root, and that hop's evidence. */
  confidence: Confidence;
  how: string;
  /**
   * Advice only: what an expert would do here that wedgetop never runs (no key, no --fix): bring
   * an NFS server back, `umount -f -l`, raise memory.max. Printed next to the remedies.
   */
  advice?: string;
}

export interface Analysis {
  snapshot: Snapshot;
  tasks: AnalyzedTask[];
  resources: Resource[];
  rootCauses: RootCause[];
  cycles: string[][];
  /**
   * Holders that are not root causes (a daemon in the middle of a chain): the remedy keys and
   * --fix may act on them too, with what the engine expects that to free.
   */
  hops: RootCause[];
  /** Every edge of the waits-on graph, with what releases it and how sure it is. */
  edges: WaitEdge[];
  /** Task key -> id of the root cause its chain leads to first (src/graph/walk.ts). */
  rootOf: Record<string, string>;
  warnings: string[];
  /** The kernel log's audit backlog complaints, parsed once by the engine (the header shows them). */
  auditBacklog?: AuditBacklogFacts;
}

/** What the kernel log said about the audit backlog (src/kernel/kmsg.ts parses the lines). */
export interface AuditBacklogFacts {
  /** How many kernel reports there were. */
  reports: number;
  /** Seconds since the newest, by the snapshot's uptime (kmsg stamps count the same clock). */
  ageS: number;
  /** The last audit_lost count reported. */
  lost?: number;
  /** The newest report that says the limit was exceeded, with its numbers when it gave them. */
  exceeded?: { backlog?: number; limit?: number };
  /** Some task waits on the audit backlog now. */
  waiting: boolean;
}
