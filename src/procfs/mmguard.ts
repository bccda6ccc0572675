// Whose address space a task is touching, and which processes' mmap_lock is contended right now.
//
// The collector reads /proc/PID/maps (which mapping a writer faulted on) and /proc/PID/mem (a
// syscall's path argument) of blocked tasks. Both take PID's mmap_lock for read (maps only on
// contention since 6.17, mem always). While a writer is queued on that lock, or it is held for
// write, the read sleeps behind it: the collector would hang exactly like `ps` does. So those
// reads are skipped for every process whose mmap_lock a blocked task waits for or holds for write
// (a /proc reader of another process counts against its target).
import type { Frame, Task } from '../model.js';
import { matches, classifyStack, siteIndex } from '../kernel/classify.js';
import { MMAP_LOCK_SITES, MMAP_LOCK_WRITE_HELD_BELOW, REMOTE_MM_ACCESS } from '../kernel/mm.js';
import { syscallName } from '../kernel/syscalls.js';

/** Syscalls whose first argument is the fd being read or written (a /proc/PID/{mem,cmdline,...} reader). */
const FD_IO = new Set(['read', 'pread64', 'readv', 'preadv', 'preadv2', 'write', 'pwrite64', 'writev', 'pwritev', 'pwritev2']);
/** Syscalls whose first argument is the target pid (process_vm_readv) or second (ptrace). */
const PID_ARG: Record<string, number> = { process_vm_readv: 0, process_vm_writev: 0, ptrace: 1 };

const PROC_PID = /^\/proc\/(\d+|self|thread-self)(?:\/task\/\d+)?\/[a-z_]+$/;

export interface MmTarget {
  pid: number;
  /** How the target was found: "its own", or the fd/path/pid argument that names it. */
  how: string;
  remote: boolean;
}

/** The process whose mm a /proc reader (or ptrace/process_vm access) touches, from its syscall. */
export function remoteMmTarget(t: Pick<Task, 'pid' | 'detail'>): MmTarget | undefined {
  const d = t.detail;
  const sc = d?.syscall;
  const name = sc && sc.nr >= 0 ? syscallName(sc.nr) : undefined;
  if (!sc || !name) return undefined;
  if (FD_IO.has(name)) {
    const fdNum = Number(sc.args[0]);
    const fd = d?.fds?.find((f) => f.fd === fdNum);
    const m = fd ? PROC_PID.exec(fd.target) : null;
    if (m && /^\d+$/.test(m[1]!)) return { pid: Number(m[1]), how: `${name}(fd ${fdNum} -> ${fd!.target})`, remote: true };
  }
  if (d?.pathArg) {
    const m = PROC_PID.exec(d.pathArg);
    if (m) return { pid: /^\d+$/.test(m[1]!) ? Number(m[1]) : t.pid, how: `${name}("${d.pathArg}")`, remote: true };
  }
  const idx = PID_ARG[name];
  if (idx !== undefined) {
    const pid = Number(sc.args[idx]);
    if (Number.isInteger(pid) && pid > 0) return { pid, how: `${name}(pid ${pid})`, remote: true };
  }
  return undefined;
}

/** Whose mm the task's memory access is on: the /proc target of a remote access, else its own. */
export function mmTargetOf(t: Pick<Task, 'pid' | 'detail'>): MmTarget {
  const remote = t.detail?.stack?.some((f) => matches(f.func, REMOTE_MM_ACCESS)) ? remoteMmTarget(t) : undefined;
  return remote ?? { pid: t.pid, how: 'its own address space', remote: false };
}

/**
 * The pids whose mmap_lock is contended, from the stacks of the blocked tasks: a task queued for
 * it (its wait site is an mmap_lock acquisition) or one sleeping below a write-side holder frame.
 */
export function contendedMms(tasks: { task: Task; stack: Frame[] | undefined }[]): Set<number> {
  const out = new Set<number>();
  for (const { task, stack } of tasks) {
    if (!stack?.length) continue;
    const site = classifyStack(stack);
    const at = site ? site.frameIndex : siteIndex(stack);
    const t = { pid: task.pid, detail: { ...task.detail, stack } };
    if (matches(stack[at]!.func, MMAP_LOCK_SITES)) out.add(mmTargetOf(t).pid);
    else if (stack.slice(at + 1).some((f) => matches(f.func, MMAP_LOCK_WRITE_HELD_BELOW))) out.add(task.pid);
  }
  return out;
}
