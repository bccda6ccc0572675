// Known causes: a diagnosis that matches one of these rows is an incident someone has already
// met and reported upstream. Each row is a pattern over what the engine found for ONE root cause
// (wait-site signatures of its blocked tasks, the comm of the root task or of a task on the chain,
// stack functions, a deadlock cycle, kernel log lines, the kernel version) and what the report
// says: a short explanation, the upstream bug or fix, and the durable fix.
//
// A match is shown as "matches a known issue", never as a certainty: the pattern is evidence
// that the same mechanism is at work, not proof that it is the same bug.
//
// Rule for every row: nothing in `explain` or `fix` that its cited source does not say. The
// source of each statement is in the comment above the row.
import type { RootCause } from '../model.js';

export interface KnownCausePattern {
  /** The root cause's kind (task, frozen-fs, fuse, external, unknown). */
  rootKind?: RootCause['kind'][];
  /** At least one blocked task of the root cause waits in a site with one of these signature ids. */
  signatures?: string[];
  /** The root task itself (the holder at the end of the chain) has a comm matching this. */
  rootComm?: RegExp;
  /** The root task's state letter is one of these (e.g. T: stopped). */
  rootState?: string[];
  /** Some task on the chain (a blocked task or a holder) has a comm matching this. */
  chainComm?: RegExp;
  /** Some task on the chain has a stack frame whose function matches one of these. */
  frames?: RegExp[];
  /** The root cause is part of a waits-on cycle. */
  cycle?: boolean;
  /** Required: some kernel log line read in this snapshot matches. */
  kmsg?: RegExp;
  /** Not required; when a line matches it is quoted as evidence. */
  kmsgEvidence?: RegExp;
  /** Kernel release range, inclusive ("6.15" matches 6.15.x). */
  kernel?: { min?: string; max?: string };
}

export interface KnownCause {
  id: string;
  title: string;
  match: KnownCausePattern;
  /** What happened, in a few sentences. */
  explain: string;
  /** The upstream report or fix. */
  upstream: { project: string; ref: string; link: string };
  /** What stops it from happening again: a configuration or an upgrade. */
  fix: string;
}

/**
 * First match wins for what a report shows, so specific rows (a named daemon, a cycle) come
 * before generic ones (any frozen filesystem).
 */
export const KNOWN_CAUSES: KnownCause[] = [
  // Sources: elastic/beats#26031 ("Auditbeat: kauditd deadlocks when netlink channel is congested
  // during startup": the goroutine closing the audit client blocks in a send — Close -> set ->
  // NetlinkClient.Send); PR #26032 ("auditd: Fix kernel deadlock after ENOBUFS", merged, closes
  // #26031: prevents the deadlock by consuming events from the netlink channel during close, and
  // handles ENOBUFS during initialization; labels backport-v7.12.0, v7.13.0, v7.14.0); seed 000
  // (setPID before closing makes the kernel send to auditbeat, whose rcvbuf is full, so it sleeps
  // holding the lock; sudo and cron then go D; killing auditbeat recovered the box).
  // Mitigation: Auditbeat's auditd module docs (auditbeat/module/auditd/_meta/docs.asciidoc):
  // `backpressure_strategy` — `kernel` sets the kernel's backlog_wait_time to 0 (needs 3.14+),
  // `userspace` drops events under pipeline back-pressure, `auto` (default) picks kernel if
  // supported, `none` disables mitigation.
  {
    id: 'auditbeat-netlink-deadlock',
    title: 'Auditbeat holds the audit mutex while its own netlink socket is full (elastic/beats#26031)',
    match: { rootKind: ['task'], rootComm: /^auditbeat$/, signatures: ['audit-mutex'] },
    explain:
      'Auditbeat, while closing its audit client, asks the kernel to change the audit pid; the kernel answers on Auditbeat\'s own ' +
      'netlink socket, whose receive buffer is full, and sleeps holding the audit control mutex. Every other audit sender (PAM in ' +
      'sudo, cron, sshd) then waits in D. Reported as elastic/beats#26031; killing Auditbeat releases the mutex.',
    upstream: { project: 'elastic/beats', ref: 'issue #26031, fixed by PR #26032', link: 'https://github.com/elastic/beats/pull/26032' },
    fix:
      'Upgrade Auditbeat to a release with PR #26032 (it drains the netlink socket while closing; labelled for backport to 7.12, ' +
      '7.13 and 7.14). Keep the auditd module\'s backpressure_strategy at auto/kernel/both (not none) so back-pressure does not reach the kernel.',
  },
  // Sources: seed 004 (Red Hat solution "audit: backlog limit exceeded ... possibly hung system due
  // to a frozen filesystem": resolution 1) fsfreeze -u the mount so the audit daemon can write out
  // the backlog, 2) address what left the filesystem frozen, 3) adjust the audit settings);
  // auditd.conf(5) (linux-audit/audit-userspace docs/auditd.conf.5): space_left / space_left_action
  // act when the system "is starting to get low on disk space", disk_full_action when "the
  // partition to which log files are written has become full", disk_error_action on "an error
  // detected when writing audit events to disk"; NOTES: put /var/log/audit on its own partition.
  // kernel-notes (this repo): audit_log_start sleeps while the queue is over audit_backlog_limit,
  // up to audit_backlog_wait_time per record; writers to a frozen fs sleep (no error is returned).
  // audit_backlog_wait_time became settable in Linux 3.14 (elastic/beats#7157, go-libaudit#34,
  // kernel commit 51cc83f024ee "audit: add audit_backlog_wait_time configuration option").
  {
    id: 'auditd-log-on-frozen-fs',
    title: 'The audit daemon cannot write its log: the filesystem under it is frozen',
    match: { rootKind: ['frozen-fs'], chainComm: /^auditd$/, kmsgEvidence: /audit: (backlog limit exceeded|audit_backlog=\d+ > audit_backlog_limit)/ },
    explain:
      'auditd writes /var/log/audit on a filesystem that is frozen, so its write sleeps and it stops reading the kernel\'s audit queue. ' +
      'Once the queue is over audit_backlog_limit every audited task (sudo, sshd, crond) sleeps in audit_log_start, up to ' +
      'audit_backlog_wait_time per record: freezing /var for a snapshot takes sudo down. A frozen filesystem is not full and returns ' +
      'no error, so auditd.conf\'s space_left_action, disk_full_action and disk_error_action (which act on low space, a full partition ' +
      'or a write error) do not fire.',
    upstream: {
      project: 'Red Hat (seed 004) + auditd.conf(5)',
      ref: 'Red Hat solution: "audit: backlog limit exceeded" and hung system due to a frozen filesystem',
      link: 'https://github.com/linux-audit/audit-userspace/blob/master/docs/auditd.conf.5',
    },
    fix:
      'Thaw the filesystem (fsfreeze -u), then fix what left it frozen. Keep /var/log/audit on its own filesystem that snapshot jobs do ' +
      'not freeze (auditd.conf(5) NOTES: its own partition). Adjust the audit settings: on Linux >= 3.14 a shorter ' +
      'audit_backlog_wait_time (auditctl --backlog_wait_time) bounds how long each audited task waits.',
  },
  // Sources: fsfreeze(8) (util-linux): -f halts new write system calls and other calls that modify
  // the filesystem; "Any process attempting to write to the frozen filesystem will block waiting
  // for the filesystem to be unfrozen"; -u unfreezes. Seed 004's resolution step 2: address the
  // underlying problem which caused the filesystem to stay frozen.
  {
    id: 'frozen-fs-never-thawed',
    title: 'A filesystem was frozen (fsfreeze or a snapshot tool) and never thawed',
    match: { rootKind: ['frozen-fs'] },
    explain:
      'fsfreeze -f (and snapshot tools that freeze before a snapshot) halts every new write and modification on the filesystem; any ' +
      'process writing to it blocks until it is unfrozen. Nothing holds it that could be killed: whoever froze it did not thaw it.',
    upstream: { project: 'util-linux', ref: 'fsfreeze(8)', link: 'https://man7.org/linux/man-pages/man8/fsfreeze.8.html' },
    fix:
      'fsfreeze -u MOUNT frees the writers now. Then find the job that froze it (a backup or snapshot job) and make it thaw on ' +
      'every path, including failure and timeout.',
  },
  // Sources: Documentation/admin-guide/sysctl/fs.rst (fuse section): max_request_timeout is the
  // maximum time (seconds) for a fuse server to reply to a kernel-issued request; above 0 it opts
  // every server into a timeout of at most that; on expiry "the connection to the fuse server will
  // be aborted"; 0 = no maximum; max 65535. Added by kernel commit 9b17cb59a7db ("fuse: add
  // default_request_timeout and max_request_timeout sysctls", Joanne Koong), merged for Linux 6.15
  // (it is in the 6.15 merge-window history; /proc/sys/fs/fuse/max_request_timeout exists on this
  // 6.18 box). Documentation/filesystems/fuse.rst: writing to connections/N/abort aborts the
  // connection; killing the daemon also works for a broken daemon.
  {
    id: 'fuse-daemon-stopped',
    title: 'The FUSE daemon of this mount is stopped (SIGSTOP / job control / a debugger)',
    match: { rootKind: ['fuse', 'task'], signatures: ['fuse-request'], rootState: ['T', 't'] },
    explain:
      'Every request to the mount waits for the daemon to read and answer it, and the daemon is stopped, so nobody answers. SIGCONT ' +
      'lets it answer what queued up; writing 1 to /sys/fs/fuse/connections/N/abort fails all pending requests.',
    upstream: {
      project: 'linux',
      ref: 'commit 9b17cb59a7db "fuse: add default_request_timeout and max_request_timeout sysctls" (Linux 6.15)',
      link: 'https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id=9b17cb59a7db983a967c3658fe9a2f250f588bbd',
    },
    fix:
      'On Linux >= 6.15: sysctl fs.fuse.max_request_timeout=SECONDS (or default_request_timeout for servers that set none): the kernel ' +
      'aborts the connection when the daemon does not reply in time, instead of leaving clients waiting forever. Older kernels have no ' +
      'such limit: upgrade, or monitor /sys/fs/fuse/connections/*/waiting.',
  },
  // Same source as above, for a daemon that is running but not answering (hung, busy, deadlocked).
  {
    id: 'fuse-daemon-not-answering',
    title: 'The FUSE daemon of this mount does not answer its requests',
    match: { rootKind: ['fuse', 'task'], signatures: ['fuse-request'] },
    explain:
      'Every request to the mount waits for the daemon to answer it, and it does not (hung, busy, or dead without closing /dev/fuse). ' +
      'Writing 1 to /sys/fs/fuse/connections/N/abort fails all pending requests.',
    upstream: {
      project: 'linux',
      ref: 'commit 9b17cb59a7db "fuse: add default_request_timeout and max_request_timeout sysctls" (Linux 6.15)',
      link: 'https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id=9b17cb59a7db983a967c3658fe9a2f250f588bbd',
    },
    fix:
      'On Linux >= 6.15: sysctl fs.fuse.max_request_timeout=SECONDS makes the kernel abort a connection whose daemon does not reply in ' +
      'time. Older kernels: upgrade, or fix the daemon.',
  },
  // Sources: moby/moby#5618 ("kernel crash after unregister_netdevice: waiting for lo to become
  // free"): the message repeats every ~10 s in the reports, over many kernel versions and setups;
  // a comment (mzhaom, 4.4.0-78) says that when it happens "any application that tries to create a
  // new network namespace through clone syscall will get stuck"; moby/moby#18156 (docker ps hangs,
  // then the server). The thread names no configuration that avoids it.
  {
    id: 'netdev-refcount-leak',
    title: 'unregister_netdevice: a network device of a dying namespace is never freed (moby/moby#5618)',
    match: {
      kmsg: /unregister_netdevice: waiting for \S+ to become free/,
      frames: [/^copy_net_ns$/, /^cleanup_net$/, /^rtnl_lock/, /^netdev_run_todo$/, /^unregister_netdevice/, /^setup_net$/, /^register_pernet/],
    },
    explain:
      'The kernel keeps waiting for the last reference to a device (usually the loopback of a network namespace being torn down) and ' +
      'logs "unregister_netdevice: waiting for … to become free" every few seconds. While it waits, creating a network namespace ' +
      '(starting a container, clone with CLONE_NEWNET) gets stuck. A kernel bug: a leaked device reference.',
    upstream: { project: 'moby/moby', ref: 'issue #5618', link: 'https://github.com/moby/moby/issues/5618' },
    fix: 'No configuration is known to avoid it; it is a kernel reference leak with many reported causes. Upgrade the kernel.',
  },
  // Sources: nfs(5): with `hard` (the default) NFS requests are retried indefinitely; with `soft`
  // the client fails a request after `retrans` retransmissions and returns an error to the
  // application; "A so-called soft timeout can cause silent data corruption in certain cases ...
  // use the soft option only when client responsiveness is more important than data integrity".
  {
    id: 'nfs-server-not-responding',
    title: 'NFS server not responding, on a hard mount',
    match: { signatures: ['nfs-rpc'], kmsgEvidence: /nfs: server \S+ not responding/ },
    explain:
      'The NFS client is waiting for the server. On a hard mount (the default) requests are retried indefinitely, so the tasks stay ' +
      'blocked until the server or the network path to it comes back; nothing on this box holds them.',
    upstream: { project: 'nfs-utils', ref: 'nfs(5): soft / hard', link: 'https://man7.org/linux/man-pages/man5/nfs.5.html' },
    fix:
      'Restore the server or the network path. A soft mount (with timeo/retrans) makes requests fail with an error after retrans ' +
      'retransmissions instead of blocking, but nfs(5) warns it can cause silent data corruption: use it only where responsiveness ' +
      'matters more than data integrity.',
  },
];

/** Kernel log lines the table looks for: the collector keeps these (it drops most of the log). */
export const KNOWN_CAUSE_KMSG: RegExp[] = KNOWN_CAUSES.flatMap((c) => [c.match.kmsg, c.match.kmsgEvidence]).filter((r): r is RegExp => !!r);
