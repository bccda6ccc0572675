// Where the collector reads from: the live kernel, or a recorded snapshot directory that mirrors
// the absolute paths read (DIR/proc/..., DIR/sys/..., DIR/etc/passwd) plus DIR/kmsg and
// DIR/ss-netlink.txt. Replay runs exactly the same collection code on a ReplaySource.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { SnapshotDir } from './snapshot-dir.js';
import type { SafeTree } from '../safefs/tree.js';
import { readKmsgNonBlocking } from './kmsg.js';
import type { FileValue, ProcFile } from './files.js';

export interface ProcSource {
  readonly live: boolean;
  /** Absolute path ("/proc/1/stat"). undefined when missing/unreadable; the reason is counted. */
  read(p: string): string | undefined;
  readlink(p: string): string | undefined;
  list(p: string): string[];
  /** NUL-terminated string at addr in the task's memory (/proc/PID/task/TID/mem). */
  readMemString(pid: number, tid: number, addr: bigint): string | undefined;
  /** `ss -f netlink -e -m -p` output, run with a timeout. */
  ssNetlink(): string | undefined;
  /** Kernel log records available now (non-blocking). */
  kmsg(): string | undefined;
  /** errno code -> count of failed reads (EACCES, ENOENT, ESRCH...). */
  readonly errors: Map<string, number>;
  /** What the source refused to read and why (a replayed snapshot's planted links, FIFOs, huge files). */
  takeWarnings?(): string[];
  /**
   * A declared file (src/procfs/files.ts), for a source that serves those itself: the live
   * collector's, which reuses what the declaration allows. Without it, readFile() reads the path.
   */
  file?<F extends ProcFile>(f: F): FileValue<F>;
}

function code(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? 'EIO';
}

// One buffer for all small /proc reads: a readFileSync per file costs an extra fstat and an
// allocation, which matters at tens of thousands of threads per refresh.
const BUF = Buffer.allocUnsafe(256 * 1024);

export function readSmallFile(p: string): string {
  const fd = fs.openSync(p, 'r');
  try {
    let total = 0;
    for (;;) {
      const n = fs.readSync(fd, BUF, total, BUF.length - total, null);
      if (n === 0) break;
      total += n;
      if (total === BUF.length) {
        // Larger than the buffer (a huge mountinfo): fall back to the general path.
        return fs.readFileSync(p, 'utf8');
      }
    }
    return BUF.toString('utf8', 0, total);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads that can block behind another task's locks (maps and mem take its mmap_lock; cmdline and
 * environ read its memory). The collector child says which it is about to do, so that when it
 * never comes back the parent knows what it hung on and the next child skips it.
 */
export const RISKY_READ = /\/(maps|smaps|mem|cmdline|environ)$/;

export class LiveSource implements ProcSource {
  readonly live = true;
  readonly errors = new Map<string, number>();
  /** Paths a previous collector hung on: never read again (counted as ESKIPPED). */
  skip: ReadonlySet<string> = new Set();
  /** Called with a risky path before reading it, and with undefined once the read returned. */
  onRisky?: (p: string | undefined) => void;
  constructor(private readonly ssTimeoutMs = 2000) {}

  private guarded<T>(p: string, f: () => T): T | undefined {
    if (this.skip.has(p)) {
      this.errors.set('ESKIPPED', (this.errors.get('ESKIPPED') ?? 0) + 1);
      return undefined;
    }
    if (!this.onRisky || !RISKY_READ.test(p)) return f();
    this.onRisky(p);
    try {
      return f();
    } finally {
      this.onRisky(undefined);
    }
  }

  private fail(e: unknown): undefined {
    const c = code(e);
    this.errors.set(c, (this.errors.get(c) ?? 0) + 1);
    return undefined;
  }

  read(p: string): string | undefined {
    return this.guarded(p, () => {
      try {
        return readSmallFile(p);
      } catch (e) {
        return this.fail(e);
      }
    });
  }

  readlink(p: string): string | undefined {
    try {
      return fs.readlinkSync(p);
    } catch (e) {
      return this.fail(e);
    }
  }

  list(p: string): string[] {
    try {
      return fs.readdirSync(p);
    } catch (e) {
      this.fail(e);
      return [];
    }
  }

  readMemString(pid: number, tid: number, addr: bigint): string | undefined {
    const p = `/proc/${pid}/task/${tid}/mem`;
    return this.guarded(p, () => this.readMem(p, addr));
  }

  private readMem(p: string, addr: bigint): string | undefined {
    let fd: number | undefined;
    try {
      fd = fs.openSync(p, 'r');
      const buf = Buffer.alloc(4096);
      const n = fs.readSync(fd, buf, 0, buf.length, addr);
      const end = buf.indexOf(0);
      return buf.toString('utf8', 0, end >= 0 && end < n ? end : n);
    } catch (e) {
      return this.fail(e);
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  ssNetlink(): string | undefined {
    try {
      return execFileSync('ss', ['-f', 'netlink', '-e', '-m', '-p', '-a'], {
        timeout: this.ssTimeoutMs,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch (e) {
      return this.fail(e);
    }
  }

  kmsg(): string | undefined {
    return readKmsgNonBlocking();
  }
}

/**
 * What a recording holds besides /proc's own paths (the layout --record writes): the path
 * arguments read from task memory, ss's netlink table and the kernel log lines, as files.
 * Every replay (a directory, a bundle's tree) maps them the same way.
 */
export abstract class RecordedSource implements ProcSource {
  readonly live = false;
  abstract readonly errors: Map<string, number>;
  abstract read(p: string): string | undefined;
  abstract readlink(p: string): string | undefined;
  abstract list(p: string): string[];
  readMemString(_pid: number, tid: number, addr: bigint): string | undefined {
    return this.read(memRecordPath(tid, addr));
  }
  ssNetlink(): string | undefined {
    return this.read('/ss-netlink.txt');
  }
  kmsg(): string | undefined {
    return this.read('/kmsg');
  }
}

/**
 * A recorded snapshot directory. Untrusted: every read goes through SnapshotDir, which never
 * follows a symlink, reads only regular files under a size cap, and says what it refused.
 */
export class ReplaySource extends RecordedSource {
  readonly reader: SnapshotDir;
  constructor(readonly dir: string) {
    super();
    this.reader = new SnapshotDir(dir);
  }
  get errors(): Map<string, number> {
    return this.reader.errors;
  }
  read(p: string): string | undefined {
    return this.reader.read(p);
  }
  readlink(p: string): string | undefined {
    return this.reader.readlink(p);
  }
  list(p: string): string[] {
    return this.reader.list(p);
  }
  takeWarnings(): string[] {
    return this.reader.takeWarnings();
  }
}

export function memRecordPath(tid: number, addr: bigint): string {
  return `/mem/${tid}-0x${addr.toString(16)}`;
}

/**
 * Tee of a live source into a snapshot directory. Everything is written through a SafeTree
 * (src/safefs/tree.ts) rooted at the verified DIR fd: directories made by us one component at a
 * time, never through a symlink, files O_EXCL|O_NOFOLLOW, no path component "." or "..".
 */
export class RecordingSource implements ProcSource {
  readonly live = true;
  constructor(private readonly inner: ProcSource, readonly tree: SafeTree) {}
  get errors(): Map<string, number> {
    return this.inner.errors;
  }

  read(p: string): string | undefined {
    const v = this.inner.read(p);
    if (v !== undefined) this.tree.writeFile(p, v);
    return v;
  }
  readlink(p: string): string | undefined {
    const v = this.inner.readlink(p);
    if (v !== undefined) this.tree.symlink(p, v);
    return v;
  }
  list(p: string): string[] {
    const v = this.inner.list(p);
    this.tree.mkdirs(p);
    return v;
  }
  readMemString(pid: number, tid: number, addr: bigint): string | undefined {
    const v = this.inner.readMemString(pid, tid, addr);
    if (v !== undefined) this.tree.writeFile(memRecordPath(tid, addr), v);
    return v;
  }
  ssNetlink(): string | undefined {
    const v = this.inner.ssNetlink();
    if (v !== undefined) this.tree.writeFile('/ss-netlink.txt', v);
    return v;
  }
  kmsg(): string | undefined {
    const v = this.inner.kmsg();
    if (v !== undefined) this.tree.writeFile('/kmsg', v);
    return v;
  }
}
