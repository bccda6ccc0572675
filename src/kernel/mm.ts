// Kernel facts about a process's address space lock (mmap_lock) and the page cache, as small
// tables the graph rules read (src/graph/rules/mmap-lock.ts, page-cache.ts) and the collector's
// guard uses (src/procfs/mmguard.ts). Seen on 6.18 (test/wedges/README.md, section 5).
//
// - mmap_lock is an rw-semaphore: once a writer queues (mmap, mprotect, munmap, brk), every new
//   reader queues behind it, including /proc/PID/{cmdline,environ,mem} readers (ps, pgrep, top)
//   and page faults that fall back from the per-VMA lock (lock_mm_and_find_vma).
// - A user page fault on a file page does NOT keep mmap_lock (or the VMA lock) while it waits for
//   the read: FAULT_FLAG_ALLOW_RETRY drops it first. GUP without an unlock pointer does: the
//   /proc/PID/mem path (__access_remote_vm -> get_user_pages_remote -> handle_mm_fault ->
//   filemap_fault -> fuse_read_folio) waits for the FUSE daemon with the target's mmap_lock held.
import type { FramePattern } from './frame.js';

/** Wait sites of a task queued for an mmap_lock (the signature row 'mmap-lock' matches these). */
export const MMAP_LOCK_SITES: FramePattern[] = [
  'lock_mm_and_find_vma', 'do_user_addr_fault', /^mmap_(read|write)_lock/, 'vm_mmap_pgoff', /^__vm_munmap/,
  'do_madvise', 'do_mprotect_pkey', '__access_remote_vm', 'access_remote_vm', '__do_sys_brk', /^__do_sys_mremap/,
  'do_mlock', '__mm_populate', 'do_mmap_lock',
];

/**
 * Frames that, BELOW a task's wait site, mean it sleeps with an mmap_lock held: the remote-access
 * GUP path (the mm is the target's, named by the fd or path of the read), the write-side syscall
 * paths, and populate/madvise work done under the lock.
 */
export const MMAP_LOCK_HELD_BELOW: FramePattern[] = [
  '__access_remote_vm', 'access_remote_vm', 'get_user_pages_remote', 'pin_user_pages_remote',
  'vm_mmap_pgoff', '__vm_munmap', 'do_mprotect_pkey', 'do_madvise', '__mm_populate', '__do_sys_brk', 'dup_mmap',
];

/** Of those, the ones that hold it for write: any reader of that mm (maps, cmdline) would wait. */
export const MMAP_LOCK_WRITE_HELD_BELOW: FramePattern[] = ['vm_mmap_pgoff', '__vm_munmap', 'do_mprotect_pkey', '__do_sys_brk', 'dup_mmap'];

/**
 * Frames of an access to an mm that may be another process's: /proc/PID/mem, cmdline, environ
 * readers. The target is the /proc/PID of the fd (or path) the syscall reads.
 */
export const REMOTE_MM_ACCESS: FramePattern[] = [
  '__access_remote_vm', 'access_remote_vm', 'get_user_pages_remote', 'mem_rw', 'proc_pid_cmdline_read',
  'get_mm_cmdline', 'environ_read', 'proc_pid_auxv', 'ptrace_access_vm',
];

/**
 * The entry points through which one process reads ANOTHER's memory: below them the reader holds
 * the target's mmap_lock while it faults the page in (REMOTE_MM_ACCESS also has the /proc readers
 * that call them).
 */
export const REMOTE_MM_ENTRY: string[] = ['__access_remote_vm', 'get_user_pages_remote', 'access_remote_vm'];

/**
 * A task on a page-fault or page_mkwrite path: which mount it faulted on is said by the mapping
 * (the collector reads its maps line for the device), not by a syscall argument.
 */
export const MAPPING_FAULT_FRAMES: FramePattern[] = [/page_mkwrite/, /page_fault/, /handle_mm_fault/];

/** A page fault or GUP fault path (the task is faulting a page in). */
export const FAULT_PATH: FramePattern[] = ['handle_mm_fault', '__handle_mm_fault', 'exc_page_fault', 'do_user_addr_fault', '__get_user_pages'];

/** A task reading a file page in (it keeps the folio locked until the read completes). */
export const PAGE_READ_IN: FramePattern[] = [/_read_folio$/, 'filemap_read_folio', /_readahead$/, 'read_pages', /^fuse_do_readfolio/];

/** A file page wait on the read path: the folio is locked while it is being read in. */
export const PAGE_CACHE_READ_PATHS: FramePattern[] = [
  'filemap_fault', 'filemap_read', 'filemap_get_pages', 'filemap_update_page', 'do_read_cache_folio',
  'filemap_splice_read', /^__filemap_get_folio/,
];

/** Folio waits that are writeback or stable-page waits, not a page being read. */
export const NOT_PAGE_READ_WAITS: FramePattern[] = [/^folio_wait_writeback/, /^folio_wait_stable/, /^__filemap_fdatawait/, /^filemap_fdatawait/];

/** Frames that say the page belongs to a FUSE file (the backing store is the FUSE daemon). */
export const FUSE_FRAMES: FramePattern[] = [/^fuse_/, /^__fuse_/, 'request_wait_answer'];
