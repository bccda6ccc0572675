// The knowledge of wedgetop: kernel wait sites, what they wait for, how to find who holds it,
// and what frees it. One row per wait site; classify.ts and graph/ only interpret this table.
//
// Facts behind the matching rules (see the README's "Signatures" section):
// - /proc/PID/stack and wchan hide lock internals (__mutex_lock, rwsem_down_*_slowpath,
//   schedule*), so a lock wait shows its CALLER on top: seed 000's `audit_receive+0x28`.
// - Offsets differ between kernel builds; the position inside the function (offset / size)
//   is what survives: the audit mutex is taken near the start of audit_receive, the backlog
//   penalty sleep comes after the loop (6.18: +0x33/0x1b0 vs +0x127/0x1b0; seed: +0x28/0xc0,
//   the holder's return address +0x57/0xc0).
import type { Release, ResourceKind } from '../model.js';
import { MMAP_LOCK_SITES, NOT_PAGE_READ_WAITS, PAGE_CACHE_READ_PATHS } from './mm.js';

import type { FramePattern } from './frame.js';
export type { FramePattern } from './frame.js';

export type HolderRule =
  /**
   * A task whose stack passes through one of these functions is inside the critical section.
   * `among` names where to look first (the rest of the box is scanned only if that fails):
   * a thread inside audit_receive_msg is sending on an audit netlink socket, so its process owns one.
   */
  | { kind: 'stack-through'; funcs: string[]; among?: 'audit-socket-owners' }
  /**
   * The owner of the destination netlink socket whose receive buffer is full. A waiter whose stack
   * passes through `auditVia` (or that is `auditComm`) sends to the registered audit daemon.
   */
  | { kind: 'netlink-dest'; auditVia: string[]; auditComm: string }
  /** The audit daemon registered with the kernel (owner of the audit netlink socket records go to). */
  | { kind: 'audit-daemon' }
  /** No task holds it: a mount frozen with FIFREEZE; resolved from what the waiter was writing to. */
  | { kind: 'frozen-mount' }
  /** The FUSE daemon serving the waiter's mount (holds /dev/fuse open). */
  | { kind: 'fuse-daemon' }
  /**
   * mmap_lock of one mm: the mm is the waiter's own, or the /proc/PID its read names (ps, cat
   * /proc/PID/cmdline); the holder is a task of that mm (or a remote reader of it) sleeping with
   * the lock held (src/kernel/mm.ts: MMAP_LOCK_HELD_BELOW) and not itself queued for it.
   */
  | { kind: 'same-mm' }
  /**
   * A file page being read in: the task reading that folio (same mm first), else the backing
   * store of the file (a FUSE connection), else the block device.
   */
  | { kind: 'page-reader' }
  /** Generic: kernel hung-task "likely owned by", then a task inside the same function at another offset. */
  | { kind: 'critical-section' }
  /** Not waiting for anything another task holds: the task itself is busy (a timed sleep inside its work). */
  | { kind: 'self' }
  /**
   * A lock /proc cannot name the owner of (rtnl_mutex, cgroup_mutex): one resource for every
   * waiter of `lock`, whatever its wait site. Holder: the kernel's hung-task "blocked on a mutex
   * likely owned by" report for any of its waiters, else a task whose stack passes through one of
   * `inside` (functions that run with the lock held) without waiting for it (a guess).
   */
  | { kind: 'lock-owner'; lock: string; inside: string[] }
  /**
   * The holder is outside this machine or not a task (NFS server, a device, a memory limit).
   * `mountTypes`: one resource per mount of these filesystem types, the waiter's own (from its fd,
   * path or cwd). `perCgroup`: one resource per cgroup of the waiter. `kmsg`: the newest kernel
   * log line matching it names the object (its named groups fill the advice).
   */
  | { kind: 'none'; why: string; mountTypes?: string[]; perCgroup?: boolean; kmsg?: RegExp }
  /**
   * I/O on a block device: the device of the waiter (its file's mount, a journal thread's name)
   * and, for a loop device, the loop worker writing to the backing file. Else, like 'none': `why`.
   */
  | { kind: 'device-io'; why: string }
  /** An ext4 journal wait: the device's journal thread (jbd2/<dev>-N); else critical-section. */
  | { kind: 'journal' }
  /**
   * A directory's i_rwsem: the holder works on a path in the same directory and waits further in
   * (from each task's path argument and dirfd/cwd); else critical-section.
   */
  | { kind: 'same-dir' }
  /** The vfork child of the waiter: its youngest child process (the parent cannot fork again meanwhile). */
  | { kind: 'vfork-child' }
  /** The ptrace tracer of a ptrace-stopped task (TracerPid in its status). */
  | { kind: 'tracer' }
  /** No task: the frozen cgroup v2 the task is in (cgroup.events `frozen 1`). */
  | { kind: 'cgroup-freezer' };

/** What wedgetop offers for the root cause a row's waiters end at (see Release for what frees them). */
export type RemedyRule = 'kill-holder' | 'thaw-mount' | 'fuse-abort' | 'cgroup-thaw' | 'none';

export interface Signature {
  id: string;
  title: string;
  resource: ResourceKind;
  /** Function of the wait-site frame (the first frame not in WAIT_PRIMITIVES). */
  at: FramePattern[];
  /** At least one of the next few frames below the site must match (checks the path in). */
  callers?: FramePattern[];
  /** None of the next few frames may match (e.g. CPU hotplug's percpu rwsem is not a frozen fs). */
  notCallers?: FramePattern[];
  /** Somewhere below the site, the stack passes through one of these. */
  via?: FramePattern[];
  /** Position of the site offset inside the function, as a fraction of its size. */
  offsetFraction?: [number, number];
  /**
   * Its waiters sleep in S, not D, so the scan of D tasks misses them: while the named condition
   * holds, sleeping threads whose wchan is one of `at` are read too. 'fuse-pending': some
   * /sys/fs/fuse/connections/N/waiting is above 0.
   */
  waitersInS?: 'fuse-pending';
  holder: HolderRule;
  /**
   * What releases a waiter of this row, in the order an admin would try them. 'signal-waiter'
   * here means the waiter's own sleep is interruptible: a signal to it ends the wait, so when the
   * waiter is itself a holder, it (not the end of its chain) is the root cause to act on.
   */
  frees: Release[];
  /** Does SIGKILL to the waiter end this wait (TASK_KILLABLE / INTERRUPTIBLE), or stay pending? */
  killable: boolean | 'unknown';
  remedy: RemedyRule;
  /** The risk of the row's remedy, shown in the confirm dialog (kill risks are per process). */
  risk?: string;
  /** What it means, for the admin at 3 a.m. */
  explain: string;
  /**
   * Advice only, never run by wedgetop (no key, no --fix): what an expert would do when no remedy
   * here can apply (bring the NFS server back, raise memory.max). {mount}, {source}, {server},
   * {cgroup}, {cgroupDir} and the named groups of the rule's `kmsg` are filled in when known.
   */
  advice?: string;
  /**
   * A parked task (ptrace-stopped, in a frozen cgroup) is not waiting for a kernel resource:
   * its site counts as a wait only when it holds what others wait on, else every traced
   * process on the box would show as blocked.
   */
  asHolderOnly?: true;
}

/**
 * Frames that are a generic sleep or lock primitive, not the wait site itself. Most are hidden
 * from /proc/PID/stack; when one shows (other builds, other arches) it is skipped so the
 * caller still names the site.
 */
export const WAIT_PRIMITIVES: FramePattern[] = [
  /^(__)?schedule/, /^io_schedule/, /^schedule_(timeout|preempt_disabled|hrtimeout)/,
  /^(__)?mutex_lock/, /^__mutex_lock/, /^mutex_lock_(interruptible|killable)/,
  /^rwsem_down_(read|write)_slowpath/, /^(__)?down_(read|write)/, /^down(_interruptible|_killable|_timeout)?$/,
  /^__down/, /^rt_mutex/, /^(bit_)?wait_on_bit/, /^out_of_line_wait_on_bit/, /^__wait_on_bit/,
  /^(prepare_to_)?wait_(for_completion|event)/, /^__wait_for_common/, /^wait_for_common/,
  /^do_wait_for_common/, /^(__)?lock_sock/, /^sk_wait_data/, /^finish_wait/,
];

const WRITE_PATHS: FramePattern[] = [
  /^__?sb_start_(write|pagefault|intwrite)/, 'sb_start_write', 'sb_start_pagefault', 'sb_start_intwrite',
  /^mnt_want_write/, 'file_start_write', /^vfs_(write|writev|iter_write|fallocate|truncate)$/, 'do_truncate',
  /_page_mkwrite$/, /^xfs_trans_alloc/, 'xfs_file_write_checks', /^ext4_(file_write_iter|buffered_write_iter|dio_write_iter|setattr)/,
  'do_sys_ftruncate', 'vfs_copy_file_range', /^__kernel_write/, 'kernel_write', /^btrfs_start_transaction/,
  'start_transaction', 'do_renameat2', 'do_unlinkat', 'do_mkdirat', 'filename_create', 'do_rmdir',
  'generic_file_write_iter', '__generic_file_write_iter',
  // xfs and btrfs store to a shared mapping (6.18: __xfs_write_fault.constprop.0, btrfs_page_mkwrite).
  /^__?xfs_write_fault/, /^xfs_filemap_(page_mkwrite|fault)/, /^btrfs_page_mkwrite/, /^btrfs_(buffered_write|do_write_iter|file_write_iter)/,
  // overlayfs passes the write to the upper file (backing_file_write_iter -> vfs_iter_write).
  /^backing_file_write_iter/, /^ovl_(write_iter|create_object|do_create|copy_up)/,
  // A loop device's worker writing into its backing file (lo_rw_aio.isra.0).
  /^lo_rw_aio/, /^lo_write_/,
  // 2.6.32-era names (seed 004's vmcore).
  /^generic_file_aio_write/, /^ext4_file_write$/, 'do_sync_write',
];

const NFS_TYPES = ['nfs', 'nfs4'];
/** "nfs: server fs01 not responding, still trying" (fs/nfs; openzfs/zfs#3850, raspberrypi/linux#2482). */
const NFS_NOT_RESPONDING = /nfs: server (?<server>\S+) not responding/;
const NFS_ADVICE =
  'Nothing on this box holds it: the NFS server {server} is not answering for {mount}. ' +
  'Bring the server (or the network path to it) back and every waiter continues where it stopped. ' +
  'To give up on the mount instead: umount -f -l {mount} (pending I/O fails with EIO; unwritten data of a hard mount is lost). ' +
  'kill -9 of a waiter in an RPC wait ends that wait (it is killable); one waiting for page writeback stays.';
/** Functions that run with rtnl_mutex held: a task in one of them, not waiting for the lock, may hold it. */
const RTNL_INSIDE = ['rtnetlink_rcv_msg', 'devinet_ioctl', 'dev_ioctl', 'dev_ethtool', 'rtnl_newlink', 'rtnl_dellink', 'rtnl_setlink', 'do_setlink', 'dev_change_flags', '__dev_open', '__dev_close_many', 'register_netdev', 'unregister_netdev'];
const RTNL_ADVICE =
  'rtnl_mutex serialises all network configuration: ip, NetworkManager, DHCP clients and netlink dumps stall behind its holder. ' +
  'Ending the holder frees them; a holder in D inside a driver operation (a reset, a firmware load) only queues SIGKILL: ' +
  'then look for the driver in dmesg, reload its module if the device can go, or reboot.';
const CGROUP_INSIDE = ['cgroup_mkdir', 'cgroup_rmdir', '__cgroup_procs_write', 'cgroup_subtree_control_write', 'cgroup_apply_control_enable', 'cgroup_attach_task', 'cgroup_migrate', 'rebind_subsystems', 'cgroup_destroy_locked'];
const MEMCG_ADVICE =
  'The cgroup {cgroup} is at its memory limit: nothing holds it, the limit does. ' +
  'Raise the limit (echo NEW > {cgroupDir}/memory.max, or memory.high for throttling), or free memory in it by killing its biggest task ' +
  '(echo 1 > {cgroupDir}/memory.oom.group makes the OOM killer take the whole group). kill -9 of a waiter ends its own wait (killable).';

export const SIGNATURES: Signature[] = [
  {
    id: 'audit-mutex',
    title: 'audit control mutex',
    resource: 'audit-mutex',
    at: ['audit_receive'],
    offsetFraction: [0, 0.3],
    holder: { kind: 'stack-through', funcs: ['audit_receive_msg'], among: 'audit-socket-owners' },
    frees: ['holder-leaves'],
    // mutex_lock: TASK_UNINTERRUPTIBLE; a SIGKILL stays pending until the mutex is released
    // (measured on 6.18: a SIGKILLed sudo-sim stayed D until the holder let go).
    killable: false,
    remedy: 'kill-holder',
    explain:
      'Waiting to take the audit control mutex in audit_receive (every audit netlink sender: PAM in sudo/cron/sshd, auditctl). ' +
      'The holder is the task inside audit_receive_msg; killing it releases the mutex.',
  },
  {
    id: 'audit-backlog-penalty',
    title: 'audit backlog penalty',
    resource: 'audit-backlog',
    at: ['audit_receive'],
    offsetFraction: [0.3, 1],
    holder: { kind: 'audit-daemon' },
    frees: ['owner-drains', 'timeout'],
    // schedule_timeout in TASK_UNINTERRUPTIBLE, up to audit_backlog_wait_time.
    killable: false,
    remedy: 'kill-holder',
    explain:
      'An audit netlink sender sleeping after its request because the audit queue is over audit_backlog_limit; ' +
      'it ends when the audit daemon drains the queue or after audit_backlog_wait_time.',
  },
  {
    id: 'netlink-full',
    title: 'netlink receive buffer full',
    resource: 'netlink-socket',
    at: ['netlink_attachskb'],
    callers: [/^netlink_(unicast|sendskb)/, 'kauditd_send_queue', 'auditd_send_unicast_skb'],
    holder: { kind: 'netlink-dest', auditVia: ['audit_receive_msg', 'kauditd_send_queue', 'auditd_send_unicast_skb', 'audit_send_reply_thread'], auditComm: 'kauditd' },
    frees: ['signal-waiter', 'owner-drains'],
    // netlink_attachskb sleeps TASK_INTERRUPTIBLE and returns on any pending signal. Measured on
    // 6.18 (test/wedges/README.md §4): SIGSTOP or SIGTERM to the audit holder freed the senders in
    // 0.6 s; SIGWINCH and SIGCONT (ignored by default: dropped when sent) did nothing.
    killable: true,
    remedy: 'kill-holder',
    explain:
      'Sending to a netlink socket whose receive buffer is full (its owner stopped reading). ' +
      'The socket owner must read or die. For audit, the destination is the registered audit daemon.',
  },
  {
    id: 'frozen-fs',
    title: 'frozen filesystem',
    resource: 'frozen-fs',
    at: ['percpu_rwsem_wait', /^__percpu_down_read/, /^percpu_down_read/, /^__sb_start_write/, 'sb_wait_write'],
    callers: WRITE_PATHS,
    notCallers: ['cpus_read_lock', /^cgroup_/, /^freeze_super/],
    holder: { kind: 'frozen-mount' },
    frees: ['thaw'],
    // percpu_rwsem_wait is uninterruptible: SIGKILL stays pending until the thaw (kernel-notes;
    // measured again on 6.18: a SIGKILLed vfork child in mnt_want_write stayed D until fsfreeze -u).
    killable: false,
    remedy: 'thaw-mount',
    risk: 'none for the data: writers simply continue; whoever froze it (a backup or snapshot job) loses its consistent point',
    explain:
      'Writing to a filesystem frozen with fsfreeze -f (or by a snapshot tool that never thawed it). ' +
      'No task holds it; nothing in /proc says a filesystem is frozen, so the mount is inferred from what the writers were writing to. ' +
      'fsfreeze -u MOUNT thaws it and every writer continues.',
  },
  {
    // inode_lock(dir) (down_write, hidden) in open_last_lookups, inlined into path_openat on
    // 6.18 (path_openat+0x4e3 under do_filp_open), and in filename_create for mkdir/mknod/symlink/link.
    id: 'dir-lock',
    title: 'directory lock (i_rwsem)',
    resource: 'lock',
    at: ['path_openat', 'open_last_lookups', 'filename_create'],
    callers: ['do_filp_open', /^do_(mkdirat|mknodat|symlinkat|linkat)$/, 'do_file_open_root'],
    holder: { kind: 'same-dir' },
    frees: ['holder-leaves'],
    // inode_lock is down_write: TASK_UNINTERRUPTIBLE.
    killable: false,
    remedy: 'kill-holder',
    explain: 'Waiting for the lock of a directory (its inode\'s i_rwsem) to create or open a name in it; the task holding it works in the same directory and is itself waiting further in.',
  },
  {
    id: 'audit-backlog',
    title: 'audit backlog full',
    resource: 'audit-backlog',
    at: ['audit_log_start'],
    holder: { kind: 'audit-daemon' },
    frees: ['owner-drains', 'timeout'],
    // audit_log_start sleeps TASK_UNINTERRUPTIBLE up to audit_backlog_wait_time per record.
    killable: false,
    remedy: 'kill-holder',
    explain:
      'Logging an audit record while the audit queue is over audit_backlog_limit: the task sleeps up to audit_backlog_wait_time per record. ' +
      'The audit daemon is not draining its socket; it may itself be stuck (seed 004: on a frozen filesystem).',
  },
  {
    id: 'fuse-request',
    title: 'FUSE request',
    resource: 'fuse-conn',
    at: ['request_wait_answer', /^fuse_(simple_request|wait_on_page_writeback|sync_writes|flush|fsync)/, '__fuse_simple_request', 'fuse_get_req'],
    holder: { kind: 'fuse-daemon' },
    frees: ['daemon-answers', 'abort'],
    // request_wait_answer: interruptible, then wait_event_killable.
    killable: true,
    remedy: 'fuse-abort',
    risk: 'fails every pending request on that FUSE mount with ENOTCONN; the mount stays dead until remounted',
    // request_wait_answer sleeps interruptibly until a signal arrives, then killably (D).
    waitersInS: 'fuse-pending',
    explain:
      'Waiting for the FUSE daemon to answer a request. The daemon may be stopped (state T), busy or dead; ' +
      'aborting the connection fails every pending request on that mount.',
  },
  {
    id: 'nfs-rpc',
    title: 'NFS / RPC',
    resource: 'nfs-rpc',
    at: [/^rpc_wait_bit_killable/, /^nfs_wait_bit_killable/, /^__rpc_execute/, /^nfs4?_wait_/, 'rpc_wait_for_completion_task'],
    holder: { kind: 'none', why: 'the NFS server (or the network to it)', mountTypes: NFS_TYPES, kmsg: NFS_NOT_RESPONDING },
    frees: ['external'],
    // rpc_wait_bit_killable / nfs_wait_bit_killable.
    killable: true,
    remedy: 'none',
    explain: 'Waiting for an NFS/RPC reply: the server or the network path is not answering. Nothing on this box holds it.',
    advice: NFS_ADVICE,
  },
  {
    // Page-cache waits of an NFS file (fsync, close, a truncate): the pages wait for a WRITE RPC,
    // so the server, not a block device, frees them (raspberrypi/linux#2482: wait_on_page_bit <-
    // __filemap_fdatawait_range <- filemap_write_and_wait_range <- nfs_file_fsync).
    id: 'nfs-page',
    title: 'NFS page writeback',
    resource: 'nfs-rpc',
    at: [/^folio_wait_bit/, /^folio_wait_writeback/, /^wait_on_page_bit/, /^wait_on_page_writeback/, /^__filemap_fdatawait/, /^filemap_fdatawait/, /^__folio_lock/, /^__lock_page/],
    via: [/^nfs_/, /^nfs4_/],
    holder: { kind: 'none', why: 'the NFS server (or the network to it)', mountTypes: NFS_TYPES, kmsg: NFS_NOT_RESPONDING },
    frees: ['external'],
    // folio_wait_bit_common sleeps TASK_UNINTERRUPTIBLE here (io_schedule): SIGKILL stays pending.
    killable: false,
    remedy: 'none',
    explain: 'Waiting for pages of an NFS file to be written back (fsync, close, truncate): they wait for the NFS server to answer a WRITE.',
    advice: NFS_ADVICE,
  },
  {
    id: 'jbd2',
    title: 'ext4 journal (jbd2)',
    resource: 'jbd2',
    at: [/^jbd2_log_wait_commit/, /^wait_transaction_locked/, /^jbd2_journal_(stop|start|lock_updates)/, /^add_transaction_credits/, /^start_this_handle/,
      // A buffer of the committing transaction is being written out (6.18: mkdir in __ext4_new_inode).
      /^do_get_write_access/],
    holder: { kind: 'journal' },
    frees: ['io-completes'],
    // journal waits are TASK_UNINTERRUPTIBLE.
    killable: false,
    remedy: 'none',
    explain: 'Waiting for the ext4 journal to commit; usually behind slow or failing block I/O on the device below. ' +
      "The journal thread (jbd2/<device>-8) is followed when it is itself stuck, e.g. on a loop device whose backing file is on a frozen filesystem.",
  },
  {
    id: 'jbd2-commit',
    title: 'ext4 journal commit waiting for its I/O',
    resource: 'block-io',
    // The journal thread waits for its commit blocks (the io_schedule below is hidden).
    at: [/^jbd2_journal_commit_transaction/],
    via: ['kjournald2'],
    holder: { kind: 'device-io', why: 'the block device (slow, failing or throttled I/O)' },
    frees: ['io-completes'],
    // A kernel thread: no signal reaches it.
    killable: false,
    remedy: 'none',
    explain: 'The ext4 journal thread of a device is waiting for the I/O of its commit; every task that needs the journal waits behind it.',
  },
  {
    id: 'mmap-lock',
    title: 'mmap_lock',
    resource: 'mmap-lock',
    at: MMAP_LOCK_SITES,
    holder: { kind: 'same-mm' },
    frees: ['holder-leaves'],
    // mmap_write_lock_killable / mmap_read_lock_killable on the syscall and fault paths since 5.x;
    // /proc readers use the killable variant too (ps in D, yet kill -9 ends it).
    killable: true,
    remedy: 'kill-holder',
    risk: 'killing a thread that holds mmap_lock ends its whole process',
    explain:
      "Waiting for a process's address-space lock (mmap_lock). A writer (mmap, mprotect, munmap) queued behind the holder " +
      'makes every later reader wait too: page faults that need the lock, and ps / top / cat /proc/PID/cmdline of that process. ' +
      'The holder is a thread sleeping with the lock held (a /proc/PID/mem read or GUP faulting in a page of a FUSE or NFS file); free what it waits on.',
  },
  {
    id: 'page-cache',
    title: 'file page being read in',
    resource: 'page-cache',
    at: [/^folio_wait_bit/, /^__folio_lock/, /^folio_wait_locked/, /^__lock_page/, /^wait_on_page_bit/, /^folio_put_wait_locked/],
    via: PAGE_CACHE_READ_PATHS,
    notCallers: NOT_PAGE_READ_WAITS,
    holder: { kind: 'page-reader' },
    frees: ['holder-leaves', 'io-completes'],
    // __folio_lock_killable on user faults; plain __folio_lock (uninterruptible) under GUP.
    killable: 'unknown',
    remedy: 'none',
    explain:
      'Waiting for a file page that is being read in (the folio stays locked until the read completes): ' +
      'behind the task reading it, or the backing store of the file (a FUSE daemon, a loop device, a disk).',
  },
  {
    id: 'block-io',
    title: 'block I/O',
    resource: 'block-io',
    at: [/^blk_mq_get_tag/, /^folio_wait_bit/, /^folio_wait_writeback/, /^wait_on_page_bit/, /^__folio_lock/, /^__lock_page/, /^bit_wait_io/, /^blk_execute_rq/, /^submit_bio_wait/, /^__filemap_fdatawait/, /^filemap_fdatawait/,
      // O_DIRECT write waiting for its bio (6.18: __iomap_dio_rw <- ext4_file_write_iter).
      /^__iomap_dio_rw/, /^__blockdev_direct_IO/],
    holder: { kind: 'device-io', why: 'the block device (slow, failing or throttled I/O)' },
    frees: ['io-completes'],
    // folio/page bit waits are TASK_UNINTERRUPTIBLE (io_schedule).
    killable: false,
    remedy: 'none',
    explain: 'Waiting for block I/O to complete: the device below is slow, failing, or throttled. ' +
      'On a loop device, the I/O waits for the loop worker writing the backing file: if that file is on a frozen filesystem, thawing it frees everything above.',
  },
  {
    id: 'vfork-done',
    title: 'vfork parent waiting for its child',
    resource: 'vfork',
    // wait_for_vfork_done is inlined into kernel_clone on 6.18: `kernel_clone+0x1d3/0x400 <- __do_sys_clone`.
    at: ['wait_for_vfork_done', 'kernel_clone'],
    callers: [/^__do_sys_(vfork|clone|clone3)$/, /^__x64_sys_(vfork|clone|clone3)$/, 'kernel_clone', /^__se_sys_/],
    holder: { kind: 'vfork-child' },
    frees: ['holder-leaves', 'sigcont', 'cgroup-thaw'],
    // wait_for_completion_state(TASK_KILLABLE|TASK_FREEZABLE): measured, kill -9 of the parent -> Z in 5 ms.
    killable: true,
    remedy: 'kill-holder',
    explain:
      'A parent in vfork() (or posix_spawn, clone(CLONE_VFORK)) waits until its child calls exec or exits. ' +
      'The child cannot run: stopped, ptrace-stopped, in a frozen cgroup, or itself blocked. What frees the child frees the parent.',
  },
  {
    id: 'ptrace-stop',
    title: 'ptrace-stopped (under a tracer)',
    resource: 'ptrace',
    at: ['ptrace_stop'],
    holder: { kind: 'tracer' },
    frees: ['tracer-lets-go'],
    // SIGKILL wakes a traced task (signal_wake_up with TASK_WAKEKILL): measured on 6.18, kill -9 of
    // a ptrace-stopped vfork child -> Z in 11 ms. SIGCONT does not resume it (measured).
    killable: true,
    remedy: 'kill-holder',
    risk: 'ends the tracer (a debugger session, strace); the kernel detaches its tracees and they resume (measured on 6.18)',
    asHolderOnly: true,
    explain:
      'A task stopped by its ptrace tracer (state t): SIGCONT does not resume a ptrace-stop; only the tracer can ' +
      '(PTRACE_CONT / PTRACE_DETACH), or its death, which detaches every tracee.',
  },
  {
    id: 'cgroup-frozen',
    title: 'in a frozen cgroup',
    resource: 'cgroup-freeze',
    // The v2 freezer parks a task in do_freezer_trap, inlined into get_signal: state S, not T.
    at: ['get_signal'],
    callers: ['arch_do_signal_or_restart', 'do_signal', 'exit_to_user_mode_loop'],
    holder: { kind: 'cgroup-freezer' },
    frees: ['cgroup-thaw'],
    // cgroup v2 lets fatal signals through the freezer: measured on 6.18, kill -9 of a frozen
    // vfork child -> gone in 8 ms (and its parent ran).
    killable: true,
    remedy: 'cgroup-thaw',
    asHolderOnly: true,
    explain:
      'A task in a cgroup v2 frozen through cgroup.freeze: it sleeps in S (get_signal), SIGCONT does not wake it (measured), ' +
      'and echo 0 > CGROUP/cgroup.freeze thaws every task in the cgroup.',
  },
  {
    // net/core/dev.c netdev_wait_allrefs_any(): msleep(250) until the device's refcount drops, and
    // every 10 s "unregister_netdevice: waiting for lo to become free. Usage count = 1"
    // (moby/moby#5618: kworker "netns cleanup_net" in msleep <- netdev_run_todo <- cleanup_net).
    id: 'netdev-refs',
    title: 'network device still referenced',
    resource: 'netdev-refs',
    at: ['msleep', /^netdev_wait_allrefs/],
    callers: [/^netdev_wait_allrefs/, 'netdev_run_todo'],
    holder: {
      kind: 'none',
      why: 'a leaked reference to the device (nothing on this box that wedgetop can signal holds it)',
      kmsg: /unregister_netdevice: waiting for (?<device>\S+) to become free\. Usage count = (?<count>-?\d+)/,
    },
    frees: ['external'],
    // msleep: TASK_UNINTERRUPTIBLE, and the waiter is a kworker.
    killable: false,
    remedy: 'none',
    explain:
      'The netns cleanup worker waits for the last reference to a network device of a dying namespace to be dropped; ' +
      'until then every other namespace teardown, and (through pernet_ops_rwsem / net_mutex) namespace creation, queue behind it.',
    advice:
      'A reference to network device {device} (usage count {count}) is never dropped, so netns cleanup cannot finish and container starts or `ip netns add` wait behind it. ' +
      'Nothing wedgetop can signal holds it: look for what still lives in the dying namespace (a process or socket in it: `ip netns pids`, `ss -K`; a conntrack entry, a tunnel or veth peer, an IPVS/route entry). ' +
      'A kernel refcount leak is cleared only by a reboot.',
  },
  {
    // copy_net_ns(): mutex_lock(&net_mutex) before 4.18, down_read_killable(&pernet_ops_rwsem) since;
    // cleanup_net() holds either for the whole teardown (moby/moby#5618: runc:[1:CHILD] in D).
    id: 'netns-create',
    title: 'network namespace creation',
    resource: 'lock',
    at: ['copy_net_ns'],
    holder: { kind: 'stack-through', funcs: ['cleanup_net'] },
    frees: ['holder-leaves'],
    killable: true,
    remedy: 'kill-holder',
    explain: 'Creating a network namespace (unshare/clone CLONE_NEWNET: a container start, ip netns add) while the netns cleanup worker holds the pernet lock.',
  },
  {
    // rtnl_lock() is mutex_lock(&rtnl_mutex): the mutex frames are hidden, so the caller shows:
    // rtnl_lock <- wext_handle_ioctl (lwfinger/rtw89#34), rtnl_lock <- addrconf_verify_work
    // (qca/open-ath9k-htc-firmware#137), rtnetlink_rcv_msg itself (openwrt/openwrt#10215).
    id: 'rtnl-mutex',
    title: 'rtnl_mutex (network configuration lock)',
    resource: 'lock',
    at: [/^rtnl_lock(_killable|_interruptible)?$/, '__rtnl_lock', 'rtnetlink_rcv_msg'],
    holder: { kind: 'lock-owner', lock: 'rtnl_mutex', inside: RTNL_INSIDE },
    frees: ['holder-leaves'],
    // mutex_lock: TASK_UNINTERRUPTIBLE.
    killable: false,
    remedy: 'kill-holder',
    explain: 'Waiting for rtnl_mutex, which serialises every network configuration change (ip, NetworkManager, ethtool, netlink dumps, addrconf workers).',
    advice: RTNL_ADVICE,
  },
  {
    // A NETLINK_ROUTE dump takes the socket's cb_mutex, which is rtnl_mutex (zbowling/mt7925#3:
    // __netlink_dump_start <- rtnetlink_rcv_msg, "is blocked on a mutex likely owned by task NetworkManager:1374").
    id: 'rtnl-mutex-dump',
    title: 'rtnl_mutex (network configuration lock)',
    resource: 'lock',
    at: ['__netlink_dump_start', 'netlink_dump'],
    // Only a dump started from rtnetlink: other families' dump mutexes are their own.
    callers: ['rtnetlink_rcv_msg'],
    holder: { kind: 'lock-owner', lock: 'rtnl_mutex', inside: RTNL_INSIDE },
    frees: ['holder-leaves'],
    killable: false,
    remedy: 'kill-holder',
    explain: 'A netlink route dump (ip link, ip addr) waiting for rtnl_mutex, the dump lock of NETLINK_ROUTE sockets.',
    advice: RTNL_ADVICE,
  },
  {
    // cgroup_kn_lock_live() takes cgroup_mutex for mkdir/rmdir/cgroup.procs/subtree_control writes;
    // css_killed_work_fn / css_release_work_fn take it first thing (openzfs/zfs#7659, dotmesh-io/dotmesh#540:
    // kworker "cgroup_destroy css_killed_work_fn" in mutex_lock); proc_cgroup_show for /proc/PID/cgroup.
    id: 'cgroup-mutex',
    title: 'cgroup_mutex',
    resource: 'lock',
    at: ['cgroup_kn_lock_live', 'cgroup_lock_and_drain_offline', 'css_killed_work_fn', 'css_release_work_fn', 'proc_cgroup_show'],
    holder: { kind: 'lock-owner', lock: 'cgroup_mutex', inside: CGROUP_INSIDE },
    frees: ['holder-leaves'],
    killable: false,
    remedy: 'kill-holder',
    explain: 'Waiting for cgroup_mutex, which serialises cgroup creation, removal and migration (systemd, container runtimes) and reads of /proc/PID/cgroup.',
    advice:
      'cgroup_mutex serialises every cgroup mkdir, rmdir and migration: systemd and the container runtime stall behind its holder, and so do readers of /proc/PID/cgroup (ps, top). ' +
      'Ending the holder frees them; a holder looping or in D inside the kernel only queues SIGKILL, and then only a reboot helps (a kernel bug: keep the hung-task report).',
  },
  {
    // memory.high: the task is throttled on return to user space, schedule_timeout_killable up to
    // 2 s at a time and again while the cgroup stays over (mm/memcontrol.c).
    id: 'memcg-high',
    title: 'memory cgroup at its limit',
    resource: 'memcg',
    at: [/^_*mem_cgroup_handle_over_high/],
    holder: { kind: 'none', why: 'the cgroup\'s memory limit (nothing holds it)', perCgroup: true },
    frees: ['timeout', 'external'],
    killable: true,
    remedy: 'none',
    explain: 'Throttled for being over its cgroup\'s memory.high: it sleeps on every return to user space until the cgroup is back under the limit.',
    advice: MEMCG_ADVICE,
  },
  {
    // mem_cgroup_out_of_memory() takes oom_lock (mutex_lock_killable); mem_cgroup_oom_synchronize
    // is where a v1 cgroup with the OOM killer disabled parks its tasks (linux-test-project/ltp#1080,
    // cloudfoundry-attic/warden#54).
    id: 'memcg-oom',
    title: 'memory cgroup at its limit',
    resource: 'memcg',
    at: ['mem_cgroup_out_of_memory', 'mem_cgroup_oom_synchronize', /^mem_cgroup_oom$/],
    holder: { kind: 'none', why: 'the cgroup\'s memory limit (nothing holds it)', perCgroup: true },
    frees: ['external'],
    killable: true,
    remedy: 'none',
    explain: 'Charging memory to a cgroup at memory.max: the task waits for the OOM killer of that cgroup (or, OOM killer disabled, for memory to be freed).',
    advice: MEMCG_ADVICE,
  },
  {
    id: 'timed-sleep',
    title: 'timed sleep (busy in its own work)',
    resource: 'unknown',
    at: ['msleep', 'ssleep', /^usleep_range/, 'fsleep', 'msleep_interruptible'],
    holder: { kind: 'self' },
    frees: ['timeout'],
    // msleep: TASK_UNINTERRUPTIBLE.
    killable: false,
    remedy: 'kill-holder',
    explain:
      'Sleeping for a fixed time inside its own work (a driver or daemon polling): it waits for nobody. ' +
      'If others wait on it, this task is the one holding them up.',
  },
];

export const SIGNATURE_BY_ID = new Map(SIGNATURES.map((s) => [s.id, s]));

/** Row for waits that match no signature; still grouped by site and given a best-guess holder. */
export const UNKNOWN_SIGNATURE: Signature = {
  id: 'unknown',
  title: 'unknown wait site',
  resource: 'unknown',
  at: [],
  holder: { kind: 'critical-section' },
  frees: ['holder-leaves'],
  killable: 'unknown',
  remedy: 'kill-holder',
  explain:
    'A wait site wedgetop has no signature for. The best guess at the holder: the kernel hung-task report naming an owner, ' +
    'else a task inside the same function at another offset (inside the critical section).',
};
