// x86_64 syscall numbers (from asm/unistd_64.h). /proc/PID/syscall gives the number only.
const X86_64: string[] = [
  'read', 'write', 'open', 'close', 'stat', 'fstat', 'lstat', 'poll', 'lseek', 'mmap', 'mprotect', 'munmap',
  'brk', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'ioctl', 'pread64', 'pwrite64', 'readv', 'writev',
  'access', 'pipe', 'select', 'sched_yield', 'mremap', 'msync', 'mincore', 'madvise', 'shmget', 'shmat',
  'shmctl', 'dup', 'dup2', 'pause', 'nanosleep', 'getitimer', 'alarm', 'setitimer', 'getpid', 'sendfile',
  'socket', 'connect', 'accept', 'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'shutdown', 'bind', 'listen',
  'getsockname', 'getpeername', 'socketpair', 'setsockopt', 'getsockopt', 'clone', 'fork', 'vfork', 'execve',
  'exit', 'wait4', 'kill', 'uname', 'semget', 'semop', 'semctl', 'shmdt', 'msgget', 'msgsnd', 'msgrcv',
  'msgctl', 'fcntl', 'flock', 'fsync', 'fdatasync', 'truncate', 'ftruncate', 'getdents', 'getcwd', 'chdir',
  'fchdir', 'rename', 'mkdir', 'rmdir', 'creat', 'link', 'unlink', 'symlink', 'readlink', 'chmod', 'fchmod',
  'chown', 'fchown', 'lchown', 'umask', 'gettimeofday', 'getrlimit', 'getrusage', 'sysinfo', 'times',
  'ptrace', 'getuid', 'syslog', 'getgid', 'setuid', 'setgid', 'geteuid', 'getegid', 'setpgid', 'getppid',
  'getpgrp', 'setsid', 'setreuid', 'setregid', 'getgroups', 'setgroups', 'setresuid', 'getresuid',
  'setresgid', 'getresgid', 'getpgid', 'setfsuid', 'setfsgid', 'getsid', 'capget', 'capset', 'rt_sigpending',
  'rt_sigtimedwait', 'rt_sigqueueinfo', 'rt_sigsuspend', 'sigaltstack', 'utime', 'mknod', 'uselib',
  'personality', 'ustat', 'statfs', 'fstatfs', 'sysfs', 'getpriority', 'setpriority', 'sched_setparam',
  'sched_getparam', 'sched_setscheduler', 'sched_getscheduler', 'sched_get_priority_max',
  'sched_get_priority_min', 'sched_rr_get_interval', 'mlock', 'munlock', 'mlockall', 'munlockall', 'vhangup',
  'modify_ldt', 'pivot_root', '_sysctl', 'prctl', 'arch_prctl', 'adjtimex', 'setrlimit', 'chroot', 'sync',
  'acct', 'settimeofday', 'mount', 'umount2', 'swapon', 'swapoff', 'reboot', 'sethostname', 'setdomainname',
  'iopl', 'ioperm', 'create_module', 'init_module', 'delete_module', 'get_kernel_syms', 'query_module',
  'quotactl', 'nfsservctl', 'getpmsg', 'putpmsg', 'afs_syscall', 'tuxcall', 'security', 'gettid', 'readahead',
  'setxattr', 'lsetxattr', 'fsetxattr', 'getxattr', 'lgetxattr', 'fgetxattr', 'listxattr', 'llistxattr',
  'flistxattr', 'removexattr', 'lremovexattr', 'fremovexattr', 'tkill', 'time', 'futex', 'sched_setaffinity',
  'sched_getaffinity', 'set_thread_area', 'io_setup', 'io_destroy', 'io_getevents', 'io_submit', 'io_cancel',
  'get_thread_area', 'lookup_dcookie', 'epoll_create', 'epoll_ctl_old', 'epoll_wait_old', 'remap_file_pages',
  'getdents64', 'set_tid_address', 'restart_syscall', 'semtimedop', 'fadvise64', 'timer_create',
  'timer_settime', 'timer_gettime', 'timer_getoverrun', 'timer_delete', 'clock_settime', 'clock_gettime',
  'clock_getres', 'clock_nanosleep', 'exit_group', 'epoll_wait', 'epoll_ctl', 'tgkill', 'utimes', 'vserver',
  'mbind', 'set_mempolicy', 'get_mempolicy', 'mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedreceive',
  'mq_notify', 'mq_getsetattr', 'kexec_load', 'waitid', 'add_key', 'request_key', 'keyctl', 'ioprio_set',
  'ioprio_get', 'inotify_init', 'inotify_add_watch', 'inotify_rm_watch', 'migrate_pages', 'openat', 'mkdirat',
  'mknodat', 'fchownat', 'futimesat', 'newfstatat', 'unlinkat', 'renameat', 'linkat', 'symlinkat',
  'readlinkat', 'fchmodat', 'faccessat', 'pselect6', 'ppoll', 'unshare', 'set_robust_list', 'get_robust_list',
  'splice', 'tee', 'sync_file_range', 'vmsplice', 'move_pages', 'utimensat', 'epoll_pwait', 'signalfd',
  'timerfd_create', 'eventfd', 'fallocate', 'timerfd_settime', 'timerfd_gettime', 'accept4', 'signalfd4',
  'eventfd2', 'epoll_create1', 'dup3', 'pipe2', 'inotify_init1', 'preadv', 'pwritev', 'rt_tgsigqueueinfo',
  'perf_event_open', 'recvmmsg', 'fanotify_init', 'fanotify_mark', 'prlimit64', 'name_to_handle_at',
  'open_by_handle_at', 'clock_adjtime', 'syncfs', 'sendmmsg', 'setns', 'getcpu', 'process_vm_readv',
  'process_vm_writev', 'kcmp', 'finit_module', 'sched_setattr', 'sched_getattr', 'renameat2', 'seccomp',
  'getrandom', 'memfd_create', 'kexec_file_load', 'bpf', 'execveat', 'userfaultfd', 'membarrier', 'mlock2',
  'copy_file_range', 'preadv2', 'pwritev2', 'pkey_mprotect', 'pkey_alloc', 'pkey_free', 'statx',
  'io_pgetevents', 'rseq', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '',
  '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '',
  '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '',
  '', '', '', '', '', '', '', '', '', '', '', '', '', '', 'pidfd_send_signal', 'io_uring_setup',
  'io_uring_enter', 'io_uring_register', 'open_tree', 'move_mount', 'fsopen', 'fsconfig', 'fsmount', 'fspick',
  'pidfd_open', 'clone3', 'close_range', 'openat2', 'pidfd_getfd', 'faccessat2', 'process_madvise',
  'epoll_pwait2', 'mount_setattr', 'quotactl_fd', 'landlock_create_ruleset', 'landlock_add_rule',
  'landlock_restrict_self', 'memfd_secret', 'process_mrelease', 'futex_waitv', 'set_mempolicy_home_node',
  'cachestat', 'fchmodat2',
];

export function syscallName(nr: number): string | undefined {
  if (nr < 0) return undefined;
  return X86_64[nr] || undefined;
}

/**
 * What the first arguments of a syscall name: the one table both the engine (which mount a blocked
 * writer was writing to: src/graph/mounts.ts) and the detail view's syscall line read.
 * `fd`: argument `fdArg` (0) is a file descriptor; `dirfd`: (dirfd, path, ...) with AT_FDCWD for
 * the cwd; `path`: arg 0 is a path relative to the cwd. `writes`: the fd names the file being
 * written (a frozen filesystem blocks exactly these). `fdArg`/`pathArg`: which argument is the
 * (dir)fd / the path, when not the shape's usual one. mmap is not here: its fd is argument 4, and a fault on the mapping is read from
 * the mapping itself (faultDev).
 */
export interface SyscallArgs {
  first: 'fd' | 'dirfd' | 'path';
  writes?: boolean;
  fdArg?: number;
  pathArg?: number;
}

const fd = (writes = false): SyscallArgs => (writes ? { first: 'fd', writes } : { first: 'fd' });
const each = (names: string, a: SyscallArgs): [string, SyscallArgs][] => names.trim().split(/\s+/).map((n) => [n, a]);

export const SYSCALL_ARGS: Readonly<Record<string, SyscallArgs>> = Object.fromEntries([
  ...each('write pwrite64 writev pwritev pwritev2 fsync fdatasync ftruncate fallocate sync_file_range fchmod fchown fsetxattr fremovexattr ioctl syncfs copy_file_range', fd(true)),
  ...each('read pread64 readv preadv preadv2 getdents64 getdents fstat lseek fstatfs fgetxattr flistxattr flock fcntl close fadvise64 readahead sendfile splice', fd()),
  ...each('sendmsg recvmsg sendto recvfrom sendmmsg recvmmsg connect accept accept4 bind listen shutdown fchdir epoll_wait epoll_pwait epoll_ctl io_uring_enter', fd()),
  ...each('openat openat2 mkdirat unlinkat mknodat fchownat futimesat newfstatat renameat renameat2 fchmodat fchmodat2 utimensat faccessat faccessat2 statx readlinkat name_to_handle_at execveat', { first: 'dirfd' }),
  ['linkat', { first: 'dirfd' }],
  // symlinkat(target, newdirfd, linkpath)
  ['symlinkat', { first: 'dirfd', fdArg: 1, pathArg: 2 }],
  ...each('open creat mkdir rmdir unlink chmod chown lchown truncate utime utimes mknod setxattr lsetxattr removexattr lremovexattr stat lstat access getxattr lgetxattr readlink chdir statfs', { first: 'path' }),
  // The second path is the one created (the first must already exist).
  ...each('rename link', { first: 'path', pathArg: 1 }),
  ['symlink', { first: 'path', pathArg: 1 }],
]);

export const argsOf = (name: string | undefined): SyscallArgs | undefined => (name === undefined ? undefined : SYSCALL_ARGS[name]);

/** Which syscall argument is the path being written or looked up (read from /proc/PID/mem by the collector). */
export function pathArgIndex(name: string | undefined): number | undefined {
  const a = argsOf(name);
  if (!a || a.first === 'fd') return undefined;
  return a.pathArg ?? (a.first === 'dirfd' ? 1 : 0);
}

/** AT_FDCWD (-100) as the kernel prints it in /proc/PID/syscall (an unsigned 32-bit int). */
export const AT_FDCWD = 0xffffff9c;
