import { describe, expect, it } from 'vitest';
import { classifyStack } from '../../src/kernel/classify.js';
import { parseStack } from '../../src/procfs/parse.js';
import { SEED000_HOLDER_STACK, SEED000_SENDER_STACK, SEED004_LEGACY_STACK } from '../support/seeds.js';

const sig = (text: string): string | undefined => classifyStack(parseStack(text))?.signature;

describe('wait-site signatures', () => {
  it('seed 000: senders wait for the audit mutex, the holder sleeps on a full netlink socket', () => {
    expect(sig(SEED000_SENDER_STACK)).toBe('audit-mutex');
    expect(sig(SEED000_HOLDER_STACK)).toBe('netlink-full');
  });

  it('tells the audit mutex from the backlog penalty in audit_receive on 6.18 (same function, other offset)', () => {
    expect(sig('[<0>] audit_receive+0x33/0x1b0\n[<0>] netlink_unicast+0x1a0/0x270')).toBe('audit-mutex');
    expect(sig('[<0>] audit_receive+0x127/0x1b0\n[<0>] netlink_unicast+0x1a0/0x270')).toBe('audit-backlog-penalty');
  });

  it('skips a visible lock primitive to name the caller', () => {
    expect(sig('[<0>] __mutex_lock.constprop.0+0x133/0x8e0\n[<0>] audit_receive+0x33/0x1b0\n[<0>] netlink_unicast+0x1a0/0x270')).toBe('audit-mutex');
  });

  it('frozen filesystem through each writer path seen on 6.18, and the 2.6.32 one of seed 004', () => {
    expect(sig('[<0>] percpu_rwsem_wait+0x15f/0x1d0\n[<0>] vfs_write+0x3f0/0x450\n[<0>] ksys_write+0x66/0xe0')).toBe('frozen-fs');
    expect(sig('[<0>] percpu_rwsem_wait+0x15f/0x1d0\n[<0>] mnt_want_write+0x96/0xc0\n[<0>] path_openat+0x4cf/0x12d0')).toBe('frozen-fs');
    expect(sig('[<0>] percpu_rwsem_wait+0x15f/0x1d0\n[<0>] ext4_page_mkwrite+0x4ab/0x580\n[<0>] do_page_mkwrite+0x49/0xb0')).toBe('frozen-fs');
    expect(sig(SEED004_LEGACY_STACK)).toBe('frozen-fs');
  });

  it('is not fooled by CPU hotplug, which waits in the same percpu rwsem', () => {
    const s = classifyStack(parseStack('[<0>] percpu_rwsem_wait+0x15f/0x1d0\n[<0>] cpus_read_lock+0x40/0x50\n[<0>] static_key_slow_inc+0x12/0x30'));
    expect(s?.signature).toBe('unknown:percpu_rwsem_wait');
  });

  it('names the other known sites', () => {
    expect(sig('[<0>] audit_log_start+0x2e6/0x450\n[<0>] audit_log_exit+0x4b/0xd90')).toBe('audit-backlog');
    expect(sig('[<0>] request_wait_answer+0x13b/0x210 [fuse]\n[<0>] fuse_simple_request+0x16e/0x2c0 [fuse]')).toBe('fuse-request');
    expect(sig('[<0>] rpc_wait_bit_killable+0x1e/0xa0 [sunrpc]\n[<0>] __rpc_execute+0x11d/0x3f0 [sunrpc]')).toBe('nfs-rpc');
    expect(sig('[<0>] jbd2_log_wait_commit+0xac/0x120\n[<0>] ext4_sync_file+0x1a0/0x3a0')).toBe('jbd2');
    // A folio wait on the read path is a page being read in (its holder: the reader, or the backing store).
    expect(sig('[<0>] folio_wait_bit_common+0x13d/0x350\n[<0>] filemap_fault+0x5f1/0xa40')).toBe('page-cache');
    expect(sig('[<0>] folio_wait_bit_common+0x13d/0x350\n[<0>] folio_wait_writeback+0x2b/0x80\n[<0>] __filemap_fdatawait_range+0x8d/0xf0')).toBe('block-io');
    expect(sig('[<0>] vm_mmap_pgoff+0xe9/0x230\n[<0>] do_syscall_64+0x71/0x290')).toBe('mmap-lock');
    expect(sig('[<0>] do_mprotect_pkey+0x159/0x5f0\n[<0>] __x64_sys_mprotect+0x1b/0x30')).toBe('mmap-lock');
    expect(sig('[<0>] __access_remote_vm+0x4d/0x3b0\n[<0>] proc_pid_cmdline_read+0x19c/0x4b0')).toBe('mmap-lock');
  });

  it('keeps an unknown site grouped by its function', () => {
    expect(sig('[<0>] my_driver_wait+0x10/0x80 [mydrv]\n[<0>] my_driver_ioctl+0x99/0x200 [mydrv]')).toBe('unknown:my_driver_wait');
  });

  it('falls back to wchan without a stack (not root)', () => {
    expect(classifyStack(undefined, 'percpu_rwsem_wait')?.signature).toBe('unknown:percpu_rwsem_wait');
    expect(classifyStack(undefined, 'audit_log_start')?.signature).toBe('audit-backlog');
    expect(classifyStack(undefined, '0')).toBeUndefined();
  });
});
