// Wait families no test here can build on this kernel (no NFS server, no driver holding
// rtnl_mutex, a cgroup_mutex holder stuck in the kernel, a memory cgroup at its limit, a leaked
// netdev reference: unavailable or unsafe on a shared VM), rebuilt as snapshot directories from
// published stacks and kernel log lines. Each stack says where it comes from; frames in
// /proc/PID/stack form (the lock and scheduler frames the kernel hides there are left out, as
// /proc would). Offsets without a source are plausible, not measured. `npm run make-family-fixtures`
// writes them to test/fixtures/<family>/ with their ground truth; test/engine/families.test.ts
// checks the committed directories still match.
import type { GroundTruth } from './corpus.js';
import type { ProcessSpec, SnapshotSpec, ThreadSpec } from './snapdir.js';

export interface FamilyFixture {
  name: string;
  spec: () => SnapshotSpec;
  truth: GroundTruth;
}

const ROOT_MOUNTS = '22 1 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/vg-root rw\n23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw\n';
const CGROUP2 = '35 22 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n';

const stack = (...frames: string[]): string => frames.map((f) => `[<0>] ${f}`).join('\n');

function proc(pid: number, comm: string, state: string, stk: string, extra: Partial<ProcessSpec> = {}, t: Partial<ThreadSpec> = {}): ProcessSpec {
  return {
    pid, ppid: 1, cgroup: '0::/user.slice/user-1000.slice/session-3.scope', cwd: '/', mountinfo: ROOT_MOUNTS, fds: [],
    ...extra,
    threads: [{ tid: pid, comm, state, stack: stk, offCpuMs: 600_000, ...t }],
  };
}

function kthread(pid: number, comm: string, stk: string, offCpuMs = 900_000): ProcessSpec {
  return { pid, ppid: 2, kernelThread: true, threads: [{ tid: pid, comm, state: 'D', stack: stk, offCpuMs }] };
}

/* ---------- NFS server gone ---------- */

// Kernel log: "nfs: server batalix not responding, still trying" (openzfs/zfs#3850) and
// "nfs: server ease not responding, still trying" (raspberrypi/linux#2482).
const NFS_MOUNTS = ROOT_MOUNTS + '41 22 0:52 / /mnt/home rw,relatime shared:30 - nfs4 fs01:/export/home rw,vers=4.2,rsize=1048576,wsize=1048576,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.0.0.7\n';
// A GETATTR over RPC: rpc_wait_bit_killable <- __rpc_execute (the frames of net/sunrpc/sched.c and
// fs/nfs/nfs4proc.c in 6.x; the hung-task traces of the two issues above show the same sleep).
const NFS_GETATTR = stack(
  'rpc_wait_bit_killable+0x11/0x70 [sunrpc]', '__rpc_execute+0x12d/0x450 [sunrpc]', 'rpc_execute+0x8c/0xb0 [sunrpc]',
  'rpc_run_task+0x13b/0x180 [sunrpc]', 'nfs4_do_call_sync+0x6b/0xa0 [nfsv4]', '_nfs4_proc_getattr+0x11d/0x140 [nfsv4]',
  'nfs4_proc_getattr+0x6b/0x100 [nfsv4]', '__nfs_revalidate_inode+0xdc/0x300 [nfs]', 'nfs_getattr+0x15a/0x3d0 [nfs]',
  'vfs_statx+0x9a/0x170', 'vfs_fstatat+0x54/0x70', '__do_sys_newfstatat+0x26/0x60', 'do_syscall_64+0x81/0x170',
  'entry_SYSCALL_64_after_hwframe+0x78/0x80',
);
const NFS_STATFS = stack(
  'rpc_wait_bit_killable+0x11/0x70 [sunrpc]', '__rpc_execute+0x12d/0x450 [sunrpc]', 'rpc_execute+0x8c/0xb0 [sunrpc]',
  'rpc_run_task+0x13b/0x180 [sunrpc]', 'nfs4_do_call_sync+0x6b/0xa0 [nfsv4]', '_nfs4_proc_statfs+0xa1/0xd0 [nfsv4]',
  'nfs4_proc_statfs+0x6b/0xf0 [nfsv4]', 'nfs_statfs+0x79/0x1a0 [nfs]', 'statfs_by_dentry+0x67/0x90', 'vfs_statfs+0x16/0xc0',
  'user_statfs+0x57/0xc0', '__do_sys_statfs+0x1f/0x50', 'do_syscall_64+0x81/0x170', 'entry_SYSCALL_64_after_hwframe+0x78/0x80',
);
// fsync of a dirty NFS file: wait_on_page_bit <- __filemap_fdatawait_range <- filemap_write_and_wait_range
// <- nfs_file_fsync (raspberrypi/linux#2482, objcopy:24916), with 6.x's folio names.
const NFS_FSYNC = stack(
  'folio_wait_bit_common+0x13d/0x350', 'folio_wait_writeback+0x2c/0x90', '__filemap_fdatawait_range+0x90/0x100',
  'filemap_write_and_wait_range+0x94/0xc0', 'nfs_file_fsync+0xa5/0x1e0 [nfs]', '__x64_sys_fsync+0x3b/0x70',
  'do_syscall_64+0x81/0x170', 'entry_SYSCALL_64_after_hwframe+0x78/0x80',
);

function nfsServerGone(): SnapshotSpec {
  const onHome = { mountinfo: NFS_MOUNTS, cgroup: '0::/user.slice/user-1000.slice/session-3.scope' };
  return {
    hostname: 'build-07', kernel: '6.8.0-45-generic', uptimeSec: 1_210_000, time: '2025-03-11T09:14:02.000Z',
    loadavg: '6.02 5.87 4.10 1/612 5200',
    hungTask: { timeoutSecs: 120, detectCount: 2, warnings: 8 },
    kmsg: [
      'nfs: server fs01 not responding, still trying',
      'nfs: server fs01 not responding, still trying',
      'INFO: task ls:5120 blocked for more than 122 seconds.',
      'INFO: task vim:5133 blocked for more than 122 seconds.',
    ],
    passwd: 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/mnt/home/alice:/bin/bash\n',
    processes: [
      // ls -l /mnt/home/alice: newfstatat(AT_FDCWD, "/mnt/home/alice", ...).
      proc(5120, 'ls', 'D', NFS_GETATTR, { ...onHome, uid: 1000, cwd: '/root' },
        { syscall: '262 0xffffff9c 0x55d0c1a2b3c0 0x7ffd5a0e1f10 0x100 0x0 0x0 0x7ffd5a0e1e88 0x7f1c2b0f4e9e', mem: { addr: '0x55d0c1a2b3c0', text: '/mnt/home/alice' } }),
      // vim :w on an NFS file: fsync(3).
      proc(5133, 'vim', 'D', NFS_FSYNC, { ...onHome, uid: 1000, cwd: '/mnt/home/alice', fds: [{ fd: 3, target: '/mnt/home/alice/notes.txt', mntId: 41, flags: '0100002' }] },
        { syscall: '74 0x3 0x0 0x0 0x0 0x0 0x0 0x7ffc8d1e2a18 0x7f9a6c71b1b7' }),
      // df: statfs("/mnt/home") — the classic "df hangs".
      proc(5160, 'df', 'D', NFS_STATFS, { ...onHome, cwd: '/root' },
        { syscall: '137 0x5612a8c3e2a0 0x7ffe3b1c2d40 0x0 0x0 0x0 0x0 0x7ffe3b1c2c98 0x7f44e1b2d1cb', mem: { addr: '0x5612a8c3e2a0', text: '/mnt/home' } }),
      // A backup job walking the home directories from inside the mount.
      proc(5188, 'rsync', 'D', NFS_GETATTR, { ...onHome, cwd: '/mnt/home/bob' },
        { syscall: '262 0xffffff9c 0x7ffd11e0a010 0x7ffd11e09f80 0x100 0x0 0x0 0x7ffd11e09e98 0x7f30c90b4e9e', mem: { addr: '0x7ffd11e0a010', text: 'projects' } }),
    ],
  };
}

/* ---------- rtnl_mutex ---------- */

// The dump waiters' stack and the owner line are zbowling/mt7925#3 (Linux 6.x with
// CONFIG_DETECT_HUNG_TASK_BLOCKER): "INFO: task .kdeconnectd-wr:2500 is blocked on a mutex likely
// owned by task NetworkManager:1374." Here the owner is an ethtool whose ioctl holds rtnl
// (dev_ioctl takes rtnl_lock around dev_ethtool) while the driver polls for its reset bit in
// usleep_range (ixgbe_set_ringparam's loop on __IXGBE_RESETTING): a slow netdev operation.
const RTNL_DUMP = stack(
  '__netlink_dump_start+0x1eb/0x310', 'rtnetlink_rcv_msg+0x2ac/0x3f0', 'netlink_rcv_skb+0x52/0x100', 'netlink_unicast+0x25f/0x3b0',
  'netlink_sendmsg+0x228/0x480', '__sys_sendto+0x1f2/0x200', '__x64_sys_sendto+0x24/0x30', 'do_syscall_64+0xb9/0x800',
  'entry_SYSCALL_64_after_hwframe+0x77/0x7f',
);
// rtnetlink_rcv_msg taking rtnl for a doit request (clnhub/rtl8192eu-linux#54, `ip link set`; 5.18).
const RTNL_DOIT = stack(
  'rtnetlink_rcv_msg+0xf7/0x380', 'netlink_rcv_skb+0x51/0xf0', 'netlink_unicast+0x23a/0x360', 'netlink_sendmsg+0x24f/0x4b0',
  'sock_sendmsg+0x5e/0x60', '__sys_sendto+0xf0/0x160', '__x64_sys_sendto+0x20/0x30', 'do_syscall_64+0x3b/0xc0',
  'entry_SYSCALL_64_after_hwframe+0x44/0xae',
);
// wpa_supplicant in rtnl_lock <- wext_handle_ioctl (lwfinger/rtw89#34, verbatim).
const RTNL_WEXT = stack(
  'rtnl_lock+0x15/0x20', 'wext_handle_ioctl+0x80/0x170', 'sock_ioctl+0x20d/0x330', '__x64_sys_ioctl+0x91/0xc0',
  'do_syscall_64+0x38/0x90', 'entry_SYSCALL_64_after_hwframe+0x44/0xa9',
);
// An IPv6 address-lifetime worker in rtnl_lock (qca/open-ath9k-htc-firmware#137).
const RTNL_ADDRCONF = stack('rtnl_lock+0x15/0x20', 'addrconf_verify_work+0x12/0x20', 'process_one_work+0x1e2/0x3b0', 'worker_thread+0x50/0x3a0', 'kthread+0xdd/0x100', 'ret_from_fork+0x29/0x50');
const RTNL_HOLDER = stack(
  'usleep_range_state+0x5f/0x90', 'ixgbe_set_ringparam+0x6c/0x4b0 [ixgbe]', 'ethtool_set_ringparam+0xd3/0x140', '__dev_ethtool+0x6e1/0x1a40',
  'dev_ethtool+0xa5/0x150', 'dev_ioctl+0x1e6/0x510', 'sock_do_ioctl+0xa9/0x100', 'sock_ioctl+0xf0/0x2e0', '__x64_sys_ioctl+0x95/0xd0',
  'do_syscall_64+0xb9/0x800', 'entry_SYSCALL_64_after_hwframe+0x77/0x7f',
);

function rtnlMutex(): SnapshotSpec {
  const sys = (unit: string): string => `0::/system.slice/${unit}`;
  return {
    hostname: 'edge-gw-2', kernel: '6.12.9-amd64', uptimeSec: 86_400, time: '2025-06-02T03:12:40.000Z',
    loadavg: '7.00 6.90 5.10 1/402 4500',
    hungTask: { timeoutSecs: 120, detectCount: 3, warnings: 7 },
    kmsg: [
      'INFO: task NetworkManager:1374 blocked for more than 122 seconds.',
      'INFO: task NetworkManager:1374 is blocked on a mutex likely owned by task ethtool:4410.',
      'INFO: task wpa_supplicant:973 blocked for more than 122 seconds.',
      'INFO: task wpa_supplicant:973 is blocked on a mutex likely owned by task ethtool:4410.',
    ],
    processes: [
      proc(973, 'wpa_supplicant', 'D', RTNL_WEXT, { cgroup: sys('wpa_supplicant.service') }, { syscall: '16 0xe 0x8b01 0x7ffcf9cae670 0x0 0x0 0x0 0x7ffcf9cae658 0x7f2ed8abaecb' }),
      proc(1374, 'NetworkManager', 'D', RTNL_DUMP, { cgroup: sys('NetworkManager.service') }, { syscall: '44 0xd 0x7ffeb6adca00 0x14 0x0 0x0 0x0 0x7ffeb6adc970 0x7fb9647255ba' }),
      proc(2500, '.kdeconnectd-wr', 'D', RTNL_DUMP, {}, { syscall: '44 0x2c 0x7ffeb6adca00 0x14 0x0 0x0 0x0 0x7ffeb6adc970 0x7fb9647255ba' }),
      proc(4420, 'ip', 'D', RTNL_DOIT, {}, { syscall: '44 0x3 0x7ffd71649e10 0x20 0x0 0x0 0x0 0x7ffd71649d98 0x7fa1293c55c6' }),
      kthread(88, 'kworker/u16:3', RTNL_ADDRCONF),
      // ethtool -G eth2 rx 4096: the ioctl holds rtnl while the driver waits for its reset bit.
      proc(4410, 'ethtool', 'D', RTNL_HOLDER, {}, { syscall: '16 0x3 0x8946 0x7ffd2e1c0b70 0x0 0x0 0x0 0x7ffd2e1c0b48 0x7f3c1a91c8ef', offCpuMs: 0 }),
    ],
  };
}

/* ---------- cgroup_mutex ---------- */

// Waiters: css_killed_work_fn+0x1f/0xe0 under "Workqueue: cgroup_destroy" (openzfs/zfs#7659) and
// css_release_work_fn (dotmesh-io/dotmesh#540), both in mutex_lock(&cgroup_mutex) first thing;
// cgroup_kn_lock_live for mkdir and cgroup.procs writes, proc_cgroup_show for /proc/PID/cgroup.
// The owner keeps the mutex while running in the kernel (a soft lockup under
// cgroup_subtree_control_write -> cgroup_apply_control_enable, systemd/systemd-centos-ci#536):
// a running task's /proc/PID/stack is empty, so only the kernel's "likely owned by" line names it.
const CG_MKDIR = stack('cgroup_kn_lock_live+0x4a/0x110', 'cgroup_mkdir+0x2e/0x3e0', 'kernfs_iop_mkdir+0x5a/0x80', 'vfs_mkdir+0x18f/0x230', 'do_mkdirat+0x11b/0x170', '__x64_sys_mkdir+0x4d/0x70', 'do_syscall_64+0x82/0x160', 'entry_SYSCALL_64_after_hwframe+0x76/0x7e');
const CG_PROCS = stack('cgroup_kn_lock_live+0x4a/0x110', '__cgroup_procs_write+0x2d/0x1a0', 'cgroup_procs_write+0x17/0x30', 'kernfs_fop_write_iter+0x13b/0x1e0', 'vfs_write+0x29a/0x460', 'ksys_write+0x6f/0xf0', 'do_syscall_64+0x82/0x160', 'entry_SYSCALL_64_after_hwframe+0x76/0x7e');
const CG_KILLED = stack('css_killed_work_fn+0x1f/0xe0', 'process_one_work+0x179/0x390', 'worker_thread+0x2a5/0x3c0', 'kthread+0xd2/0x100', 'ret_from_fork+0x34/0x50', 'ret_from_fork_asm+0x1a/0x30');
const CG_RELEASE = stack('css_release_work_fn+0x2c/0x2a0', 'process_one_work+0x179/0x390', 'worker_thread+0x2a5/0x3c0', 'kthread+0xd2/0x100', 'ret_from_fork+0x34/0x50', 'ret_from_fork_asm+0x1a/0x30');
const CG_PROCREAD = stack('proc_cgroup_show+0x4f/0x2b0', 'proc_single_show+0x53/0xd0', 'seq_read_iter+0x11f/0x4a0', 'seq_read+0x122/0x170', 'vfs_read+0xb3/0x360', 'ksys_read+0x6f/0xf0', 'do_syscall_64+0x82/0x160', 'entry_SYSCALL_64_after_hwframe+0x76/0x7e');

function cgroupMutex(): SnapshotSpec {
  return {
    hostname: 'ci-runner-12', kernel: '6.9.12-200.fc40.x86_64', uptimeSec: 352_000, time: '2024-08-14T22:41:09.000Z',
    loadavg: '12.30 11.80 8.02 3/980 3500',
    hungTask: { timeoutSecs: 120, detectCount: 4, warnings: 6 },
    kmsg: [
      'INFO: task systemd:1 blocked for more than 122 seconds.',
      'INFO: task systemd:1 is blocked on a mutex likely owned by task systemd-nspawn:3012.',
      'INFO: task kworker/2:1:140 blocked for more than 122 seconds.',
      'INFO: task kworker/2:1:140 is blocked on a mutex likely owned by task systemd-nspawn:3012.',
    ],
    processes: [
      { ...proc(1, 'systemd', 'D', CG_MKDIR, { ppid: 0, cgroup: '0::/init.scope' }, { syscall: '83 0x55a1c2d3e4f0 0x1ed 0x0 0x0 0x0 0x0 0x7ffd6a3b2c48 0x7f0e3c51a05b' }) },
      kthread(140, 'kworker/2:1', CG_KILLED),
      kthread(211, 'kworker/6:4', CG_RELEASE),
      proc(3300, 'runc', 'D', CG_PROCS, { ppid: 3290, cgroup: '0::/system.slice/containerd.service' }, { syscall: '1 0x7 0xc0001a2000 0x5 0x0 0x0 0x0 0xc00005f8a8 0x40468e' }),
      // ps reading /proc/3012/cgroup.
      proc(3400, 'ps', 'D', CG_PROCREAD, {}, { syscall: '0 0x6 0x55e4f1a2b000 0x400 0x0 0x0 0x0 0x7ffc1b2a3c68 0x7f8a1c2b3d4e' }),
      // The owner: running (R) in the kernel, so its stack reads empty.
      proc(3012, 'systemd-nspawn', 'R', '', { ppid: 2990, cgroup: '0::/machine.slice/machine-test13.scope' }, { syscall: 'running', offCpuMs: 0 }),
    ],
  };
}

/* ---------- memory cgroup at its limit ---------- */

// mem_cgroup_handle_over_high: the return-to-user throttling of mm/memcontrol.c (6.x), and
// mem_cgroup_out_of_memory (oom_lock, mutex_lock_killable) under try_charge_memcg; the OOM
// report of a cgroup at its limit looks like linux-test-project/ltp#1080 ("memory: usage 4kB,
// limit 4kB, failcnt 8"; "Task in /13 killed as a result of limit of /13").
const MEMCG_HIGH = stack('mem_cgroup_handle_over_high+0x1b5/0x2b0', 'exit_to_user_mode_loop+0x10b/0x160', 'exit_to_user_mode_prepare+0xa0/0xb0', 'irqentry_exit_to_user_mode+0x9/0x20', 'asm_exc_page_fault+0x26/0x30');
const MEMCG_OOM = stack(
  'mem_cgroup_out_of_memory+0x64/0x120', 'try_charge_memcg+0x6b3/0x7c0', '__mem_cgroup_charge+0x44/0xb0', 'do_anonymous_page+0x1b2/0x590',
  '__handle_mm_fault+0x8b3/0xd60', 'handle_mm_fault+0x15c/0x3a0', 'do_user_addr_fault+0x1c5/0x640', 'exc_page_fault+0x7c/0x180', 'asm_exc_page_fault+0x26/0x30',
);

function memcgOom(): SnapshotSpec {
  const app = '0::/system.slice/java-app.service';
  const mounts = ROOT_MOUNTS + CGROUP2;
  const thread = (tid: number, comm: string, stk: string): ThreadSpec => ({ tid, comm, state: 'D', stack: stk, syscall: '-1 0x7f6a2c0fe8a0 0x7f6a3b1d2e44', offCpuMs: 45_000 });
  return {
    hostname: 'app-03', kernel: '6.1.0-26-amd64', uptimeSec: 2_400_000, time: '2025-01-20T14:05:33.000Z',
    loadavg: '9.40 8.80 6.20 2/720 7300',
    processes: [
      {
        pid: 7001, ppid: 1, cgroup: app, cwd: '/opt/app', mountinfo: mounts, fds: [],
        threads: [
          { tid: 7001, comm: 'java', state: 'S', stack: stack('futex_wait_queue+0x60/0x90', 'futex_wait+0x185/0x270', 'do_futex+0x106/0x1b0', '__x64_sys_futex+0x8e/0x1d0', 'do_syscall_64+0x58/0xc0', 'entry_SYSCALL_64_after_hwframe+0x64/0xce'), syscall: '202 0x7f6a3c0b7e60 0x80 0x0 0x0 0x0 0x0 0x7ffd1c9b0e70 0x7f6a3d4c9f4d' },
          thread(7012, 'C2 CompilerThre', MEMCG_HIGH), thread(7013, 'GC Thread#0', MEMCG_HIGH), thread(7014, 'http-nio-8080-e', MEMCG_HIGH),
          thread(7015, 'http-nio-8080-e', MEMCG_OOM), thread(7016, 'http-nio-8080-e', MEMCG_OOM),
        ],
      },
      { pid: 7100, ppid: 1, cgroup: app, cwd: '/', mountinfo: mounts, fds: [], threads: [thread(7100, 'log-shipper', MEMCG_HIGH)] },
    ],
  };
}

/* ---------- unregister_netdevice: waiting for lo ---------- */

// moby/moby#5618 (sysrq-w, "Show Blocked State"): kworker/u4:6 under "Workqueue: netns cleanup_net"
// in msleep <- netdev_run_todo <- rtnl_unlock <- default_device_exit_batch <- ops_exit_list <-
// cleanup_net (verbatim), runc:[1:CHILD] in D; the kernel log line is net/core/dev.c's
// netdev_wait_allrefs pr_emerg. copy_net_ns waits for net_mutex (pernet_ops_rwsem since 4.18),
// which cleanup_net holds for the whole teardown.
const NETNS_WORKER = stack('msleep+0x1e/0x22', 'netdev_run_todo+0x173/0x2c4', 'rtnl_unlock+0xe/0x10', 'default_device_exit_batch+0x13c/0x15f', 'ops_exit_list+0x29/0x53', 'cleanup_net+0x1a8/0x261', 'process_one_work+0x276/0x4fb', 'worker_thread+0x1eb/0x2ca', 'kthread+0x106/0x10e', 'ret_from_fork+0x2a/0x40');
const NETNS_CREATE = stack('copy_net_ns+0xa3/0x220', 'create_new_namespaces+0x11b/0x1bc', 'unshare_nsproxy_namespaces+0x8e/0xaf', 'SyS_unshare+0x17b/0x302', 'do_syscall_64+0x6b/0x7d', 'entry_SYSCALL_64_after_hwframe+0x3d/0xa2');

function unregisterNetdevice(): SnapshotSpec {
  const waitLine = 'unregister_netdevice: waiting for lo to become free. Usage count = 1';
  const unshare = { syscall: '272 0x40000000 0x0 0x0 0x0 0x0 0x0 0x7ffc2a1b3c58 0x7f1a2b3c4d5e' };
  return {
    hostname: 'k8s-node-04', kernel: '4.14.35-1902.el7uek.x86_64', uptimeSec: 1_820_000, time: '2019-05-07T11:48:20.000Z',
    loadavg: '4.10 4.02 3.80 1/1402 2800',
    kmsg: [waitLine, waitLine, waitLine, 'INFO: task runc:[1:CHILD]:2609 blocked for more than 120 seconds.'],
    processes: [
      kthread(293, 'kworker/u4:6', NETNS_WORKER, 1_200_000),
      proc(2609, 'runc:[1:CHILD]', 'D', NETNS_CREATE, { ppid: 2606, cgroup: '0::/system.slice/docker.service' }, unshare),
      proc(2650, 'runc:[1:CHILD]', 'D', NETNS_CREATE, { ppid: 2647, cgroup: '0::/system.slice/docker.service' }, unshare),
      proc(2700, 'ip', 'D', NETNS_CREATE, {}, unshare),
    ],
  };
}

export const FAMILY_FIXTURES: FamilyFixture[] = [
  {
    name: 'nfs-server-gone',
    spec: nfsServerGone,
    truth: {
      family: 'nfs-server-gone',
      source: 'fixture from published reports: openzfs/zfs#3850 and raspberrypi/linux#2482 (GitHub issues: "nfs: server X not responding, still trying", hung-task traces through nfs_file_fsync and the RPC wait); frames of net/sunrpc/sched.c and fs/nfs (torvalds/linux)',
      proved: 'fixture-only',
      expect: { rootCauseId: 'external:nfs-rpc:/mnt/home', remedyAction: null, blockedAtLeast: 4, adviceIncludes: 'umount -f -l /mnt/home' },
      notes: 'ls, df, rsync (RPC waits) and vim (fsync page writeback) all wait on the NFS server fs01 of /mnt/home: nothing on this box holds it. Advice: bring the server back, or umount -f -l /mnt/home.',
    },
  },
  {
    name: 'rtnl-mutex',
    spec: rtnlMutex,
    truth: {
      family: 'rtnl-mutex',
      source: 'fixture from published reports: zbowling/mt7925#3 (dump waiters and "is blocked on a mutex likely owned by task" line, 6.x), lwfinger/rtw89#34 (rtnl_lock <- wext_handle_ioctl), clnhub/rtl8192eu-linux#54 (rtnetlink_rcv_msg), qca/open-ath9k-htc-firmware#137 (addrconf_verify_work); the holder\'s driver loop is ixgbe_set_ringparam\'s reset-bit wait (torvalds/linux drivers/net/ethernet/intel/ixgbe)',
      proved: 'fixture-only',
      expect: { rootCauseId: 'task:4410', remedyAction: 'kill', remedyCommand: 'kill -TERM 4410; sleep 3; kill -KILL 4410', blockedAtLeast: 5, adviceIncludes: 'driver' },
      notes: 'Everything that configures the network waits for rtnl_mutex; the kernel names ethtool:4410 as the owner, which holds it in a driver ioctl polling for a reset. SIGKILL only queues there (usleep_range is uninterruptible): the advice says to look at the driver.',
    },
  },
  {
    name: 'cgroup-mutex',
    spec: cgroupMutex,
    truth: {
      family: 'cgroup-mutex',
      source: 'fixture from published reports: openzfs/zfs#7659 (kworker cgroup_destroy css_killed_work_fn in mutex_lock), dotmesh-io/dotmesh#540 (css_release_work_fn), systemd/systemd-centos-ci#536 (owner looping in cgroup_subtree_control_write -> cgroup_apply_control_enable); frames of kernel/cgroup/cgroup.c (torvalds/linux)',
      proved: 'fixture-only',
      expect: { rootCauseId: 'task:3012', remedyAction: 'kill', remedyCommand: 'kill -TERM 3012; sleep 3; kill -KILL 3012', blockedAtLeast: 5, adviceIncludes: 'cgroup_mutex' },
      notes: 'systemd, runc, ps and the cgroup workers wait for cgroup_mutex; only the kernel\'s hung-task report names its owner, systemd-nspawn:3012, running in the kernel (its stack reads empty).',
    },
  },
  {
    name: 'memcg-oom',
    spec: memcgOom,
    truth: {
      family: 'memcg-oom',
      source: 'fixture from published reports: linux-test-project/ltp#1080 (memcg OOM at its limit), cloudfoundry-attic/warden#54 (tasks parked by a memcg OOM); mem_cgroup_handle_over_high / mem_cgroup_out_of_memory of mm/memcontrol.c (torvalds/linux)',
      proved: 'fixture-only',
      expect: { rootCauseId: 'external:memcg:/system.slice/java-app.service', remedyAction: null, blockedAtLeast: 6, adviceIncludes: '/sys/fs/cgroup/system.slice/java-app.service/memory.max' },
      notes: 'Threads of java and its log shipper are throttled over memory.high or wait for the cgroup\'s OOM killer: the cgroup\'s limit, not a task, holds them. Advice: raise memory.max/high or kill in the cgroup.',
    },
  },
  {
    name: 'unregister-netdevice',
    spec: unregisterNetdevice,
    truth: {
      family: 'unregister-netdevice',
      source: 'fixture from published reports: moby/moby#5618 (sysrq-w: kworker netns cleanup_net in msleep <- netdev_run_todo, runc:[1:CHILD] in D; "unregister_netdevice: waiting for lo to become free. Usage count = N"); net/core/dev.c netdev_wait_allrefs (torvalds/linux)',
      proved: 'fixture-only',
      expect: { rootCauseId: 'external:netdev-refs', remedyAction: null, blockedAtLeast: 4, adviceIncludes: 'network device lo' },
      notes: 'Container starts (runc) and ip netns add wait in copy_net_ns behind the netns cleanup worker, which waits for the last reference to lo: nothing on this box that wedgetop can signal holds it.',
    },
  },
];
