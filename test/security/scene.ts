// A small scene for the attack tests: one writer blocked on a frozen mount, as --record would
// have saved it, with the comm and mount path an attacker chose.
import type { SnapshotSpec } from '../support/snapdir.js';

const WRITE_STACK = [
  '[<0>] percpu_rwsem_wait+0x15f/0x1d0', '[<0>] vfs_write+0x3f0/0x450', '[<0>] ksys_write+0x66/0xe0',
  '[<0>] do_syscall_64+0x71/0x280', '[<0>] entry_SYSCALL_64_after_hwframe+0x76/0x7e',
].join('\n');

/** mountinfo's own escaping of a path (the kernel's mangle(): space, tab, newline, backslash). */
export function mangle(p: string): string {
  return p.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

export function frozenWriterScene(o: { mount: string; comm: string; pid?: number }): SnapshotSpec {
  const pid = o.pid ?? 5000;
  return {
    hostname: 'vm', kernel: '6.18.44', uptimeSec: 3000, time: '2026-12-04T01:00:00.000Z',
    processes: [
      {
        pid, ppid: 1, uid: 0, cwd: '/', mntNs: 'mnt:[4026531841]',
        mountinfo: `27 1 253:1 / / rw,relatime - ext4 /dev/vda1 rw\n42 27 7:0 / ${mangle(o.mount)} rw,relatime - ext4 /dev/loop0 rw\n`,
        fds: [{ fd: 1, target: `${o.mount}/f`, mntId: 42 }],
        threads: [{ tid: pid, comm: o.comm, state: 'D', stack: WRITE_STACK, syscall: '1 0x1 0x558e624cc130 0x2 0x0 0x0 0x0 0x7ffe192e4fe8 0x7f948c4f4350', offCpuMs: 60_000 }],
      },
      { pid: 1, ppid: 0, uid: 0, threads: [{ tid: 1, comm: 'init', state: 'S', stack: '[<0>] do_epoll_wait+0x1/0x2' }] },
    ],
  };
}
