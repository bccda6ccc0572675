// The /proc fds the live collector keeps open between refreshes, within what it may open. Each
// held fd of a task's file pins the task's struct pid and a seq_file (~4.7 KB of kernel memory
// measured per schedstat fd), and a collector out of fds cannot open the next /proc file at all.
import * as fs from 'node:fs';
import type { ProcSource } from '../../procfs/source.js';

export class HeldFds {
  held = 0;
  constructor(readonly max: number) {}

  /** Open a file to keep; -1 when it cannot be opened or no more may be held. */
  open(p: string): number {
    if (this.held >= this.max) return -1;
    try {
      const fd = fs.openSync(p, 'r');
      this.held++;
      return fd;
    } catch {
      return -1;
    }
  }

  close(fd: number): void {
    if (fd < 0) return;
    try {
      fs.closeSync(fd);
    } catch {
      /* already closed */
    }
    this.held--;
  }
}

/**
 * How many fds may be held: at most `wanted`, leaving 1024 of this process's soft open-file
 * limit for everything else the collector opens (every /proc read, ss, Node itself).
 */
export function heldFdLimit(src: ProcSource, wanted: number): number {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(src.read('/proc/self/limits') ?? '');
  const limit = !m ? 1024 : m[1] === 'unlimited' ? 1 << 20 : Number(m[1]);
  return Math.max(0, Math.min(wanted, limit - 1024));
}
