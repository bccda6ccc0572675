// What an abandoned collector child is stuck on, seen from the parent: the file behind the fd of
// the read it is sleeping in. Only /proc/CHILD/task/CHILD/syscall and an fd link are read, both
// answered without waiting for the stuck task (it is our own child, not a task of the box).
// A hang inside open() has no fd yet: then only the child's own breadcrumb (RISKY_READ) tells.
import * as fs from 'node:fs';
import { parseSyscall } from './parse.js';
import { syscallName } from '../kernel/syscalls.js';

const FD_READS = new Set(['read', 'pread64', 'readv', 'preadv', 'preadv2']);

export function stuckReadPath(pid: number): string | undefined {
  try {
    // Node's fs calls of the collector run synchronously on its main thread (tid = pid).
    const sc = parseSyscall(fs.readFileSync(`/proc/${pid}/task/${pid}/syscall`, 'utf8'));
    if (!sc || sc.running || !FD_READS.has(syscallName(sc.nr) ?? '')) return undefined;
    const fd = Number.parseInt(sc.args[0] ?? '', 16);
    if (!Number.isInteger(fd) || fd < 0) return undefined;
    const target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    return target.startsWith('/') ? target : undefined;
  } catch {
    return undefined;
  }
}
