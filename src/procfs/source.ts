// Where the collector reads from: the live kernel, or a recorded snapshot directory that mirrors
// the absolute paths read (DIR/proc/..., DIR/sys/..., DIR/etc/passwd) plus DIR/kmsg and
// DIR/ss-netlink.txt. Replay runs exactly the same collection code on a ReplaySource.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { SnapshotDir } from './snapshot-dir.js';

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

export class LiveSource implements ProcSource {
  readonly live = true;
  readonly errors = new Map<string, number>();
  constructor(private readonly ssTimeoutMs = 2000) {}

  private fail(e: unknown): undefined {
    const c = code(e);
    this.errors.set(c, (this.errors.get(c) ?? 0) + 1);
    return undefined;
  }

  read(p: string): string | undefined {
    try {
      return readSmallFile(p);
    } catch (e) {
      return this.fail(e);
    }
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
    let fd: number | undefined;
    try {
      fd = fs.openSync(`/proc/${pid}/task/${tid}/mem`, 'r');
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

/** Read every record /dev/kmsg has now; O_NONBLOCK makes the read at the end return EAGAIN. */
export function readKmsgNonBlocking(maxRecords = 20000): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync('/dev/kmsg', fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  const out: string[] = [];
  const buf = Buffer.alloc(8192);
  try {
    for (let i = 0; i < maxRecords; i++) {
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        // EAGAIN: no more records. EPIPE: records were overwritten while reading; go on.
        if (code(e) === 'EPIPE') continue;
        break;
      }
      if (n <= 0) break;
      out.push(buf.toString('utf8', 0, n).replace(/\n$/, ''));
    }
  } finally {
    fs.closeSync(fd);
  }
  return out.join('\n');
}

/**
 * A recorded snapshot directory. Untrusted: every read goes through SnapshotDir, which never
 * follows a symlink, reads only regular files under a size cap, and says what it refused.
 */
export class ReplaySource implements ProcSource {
  readonly live = false;
  readonly reader: SnapshotDir;
  constructor(readonly dir: string) {
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
  readMemString(_pid: number, tid: number, addr: bigint): string | undefined {
    return this.read(memRecordPath(tid, addr));
  }
  ssNetlink(): string | undefined {
    return this.read('/ss-netlink.txt');
  }
  kmsg(): string | undefined {
    return this.read('/kmsg');
  }
  takeWarnings(): string[] {
    return this.reader.takeWarnings();
  }
}

export function memRecordPath(tid: number, addr: bigint): string {
  return `/mem/${tid}-0x${addr.toString(16)}`;
}

/**
 * Tee of a live source into a snapshot directory. Files are created with O_EXCL ('wx'), which
 * never follows a symlink, and every path is checked to stay inside DIR.
 */
export class RecordingSource implements ProcSource {
  readonly live = true;
  constructor(private readonly inner: ProcSource, readonly dir: string) {}
  get errors(): Map<string, number> {
    return this.inner.errors;
  }

  private target(p: string): string | undefined {
    const t = path.join(this.dir, p);
    if (!t.startsWith(this.dir + path.sep)) return undefined;
    return t;
  }
  private write(p: string, text: string): void {
    const t = this.target(p);
    if (!t) return;
    try {
      fs.mkdirSync(path.dirname(t), { recursive: true });
      fs.writeFileSync(t, text, { flag: 'wx', mode: 0o600 });
    } catch {
      // Already recorded (the same file read twice in one scan) or unwritable: keep collecting.
    }
  }
  read(p: string): string | undefined {
    const v = this.inner.read(p);
    if (v !== undefined) this.write(p, v);
    return v;
  }
  readlink(p: string): string | undefined {
    const v = this.inner.readlink(p);
    const t = this.target(p);
    if (v !== undefined && t) {
      try {
        fs.mkdirSync(path.dirname(t), { recursive: true });
        fs.symlinkSync(v, t);
      } catch {
        /* recorded already */
      }
    }
    return v;
  }
  list(p: string): string[] {
    const v = this.inner.list(p);
    const t = this.target(p);
    if (t) {
      try {
        fs.mkdirSync(t, { recursive: true });
      } catch {
        /* a symlink or file recorded there already */
      }
    }
    return v;
  }
  readMemString(pid: number, tid: number, addr: bigint): string | undefined {
    const v = this.inner.readMemString(pid, tid, addr);
    if (v !== undefined) this.write(memRecordPath(tid, addr), v);
    return v;
  }
  ssNetlink(): string | undefined {
    const v = this.inner.ssNetlink();
    if (v !== undefined) this.write('/ss-netlink.txt', v);
    return v;
  }
  kmsg(): string | undefined {
    const v = this.inner.kmsg();
    if (v !== undefined) this.write('/kmsg', v);
    return v;
  }
}
