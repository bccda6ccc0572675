// The one reader of a recorded snapshot directory (`--replay DIR`). A snapshot is untrusted
// input: whoever could write into DIR (or handed over the tarball) may have planted symlinks,
// FIFOs, device nodes or huge files in it, to make root read (and print) files from elsewhere,
// hang on a FIFO, or run out of memory. So every path is resolved component by component from
// the root: no component may be a symlink (the recorder writes symlinks only as the leaves it
// got from readlink: fd/N, cwd, ns/mnt, and those are only ever readlink'ed, never followed),
// only regular files are read, each at most a per-kind size cap, and a file's content is taken
// only from an fd that /proc/self/fd says lies inside the root (a directory swapped for a symlink
// between the check and the open is caught there). Each refusal is one warning naming the path.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Size caps by the kind of file, in bytes: a little above what the kernel can produce. */
export function sizeCap(rel: string): number {
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  // /proc/PID/stack: the kernel prints at most 64 frames (stack_trace_save_tsk, MAX_STACK_TRACE_DEPTH)
  // of ~100 bytes each.
  if (base === 'stack') return 16 * 1024;
  if (base === 'stat' || base === 'wchan' || base === 'syscall' || base === 'schedstat' || base === 'comm') return 4 * 1024;
  if (base === 'status' || base === 'sched' || base === 'cgroup' || base === 'meta.json' || base === 'limits') return 64 * 1024;
  if (/^\d+$/.test(base) && rel.includes('/fdinfo/')) return 64 * 1024;
  if (rel.startsWith('/mem/')) return 8 * 1024; // the recorder keeps at most one 4 KB page read
  if (base === 'mountinfo' || base === 'maps' || base === 'netlink' || base === 'passwd' || base === 'ss-netlink.txt') return 8 * 1024 * 1024;
  if (rel === '/kmsg') return 32 * 1024 * 1024; // up to 20,000 records of at most 1 KB
  return 64 * 1024;
}

/** Entries listed from one directory at most (a /proc of 1M threads is far beyond any real box). */
export const MAX_DIR_ENTRIES = 1_000_000;
const MAX_LINK = 4096;
const MAX_WARNINGS = 50;
/** Most files of a snapshot fit (the text is copied out of it before the next read). */
const SHARED = Buffer.allocUnsafe(64 * 1024 + 1);

const O_NONBLOCK = fs.constants.O_NONBLOCK;
const O_NOFOLLOW = fs.constants.O_NOFOLLOW;
const O_DIRECTORY = fs.constants.O_DIRECTORY;
const O_NOCTTY = fs.constants.O_NOCTTY;

function code(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? 'EIO';
}

function kindOf(st: fs.Stats): string {
  if (st.isSymbolicLink()) return 'a symlink';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  if (st.isFile()) return 'a regular file';
  return 'of an unknown kind';
}

/** Counters of what the reader did (the fuzz test bounds the work by them, not by a clock). */
export interface ReaderStats {
  opens: number;
  bytesRead: number;
  refused: number;
}

export class SnapshotDir {
  /** The real path of the root (the directory the user named may itself be reached through links). */
  readonly root: string;
  readonly errors = new Map<string, number>();
  readonly stats: ReaderStats = { opens: 0, bytesRead: 0, refused: 0 };
  private readonly warned = new Set<string>();
  private readonly pending: string[] = [];
  private dropped = 0;
  /** Directory (relative, "" is the root) -> verified to be a real directory, or refused. */
  private readonly dirs = new Map<string, boolean>([['', true]]);
  private readonly fdCheck: boolean;

  constructor(dir: string) {
    this.root = fs.realpathSync(dir);
    // Where an opened fd really is, from the kernel; without /proc the component walk alone guards.
    this.fdCheck = fs.existsSync('/proc/self/fd');
  }

  /** Warnings not yet handed out (each refused path once). */
  takeWarnings(): string[] {
    const out = this.pending.splice(0);
    if (this.dropped) {
      out.push(`snapshot: ${this.dropped} more refused paths not listed`);
      this.dropped = 0;
    }
    return out;
  }

  private count(c: string): undefined {
    this.errors.set(c, (this.errors.get(c) ?? 0) + 1);
    return undefined;
  }

  private refuse(rel: string, why: string): undefined {
    this.stats.refused++;
    this.count('EREFUSED');
    if (this.warned.has(rel)) return undefined;
    this.warned.add(rel);
    if (this.warned.size <= MAX_WARNINGS) this.pending.push(`snapshot: ${rel} ${why}: not read`);
    else this.dropped++;
    return undefined;
  }

  /** "/proc/1/stat" -> ["proc", "1", "stat"]; undefined (refused) for "..", "." or NUL. */
  private parts(rel: string): string[] | undefined {
    const parts = rel.split('/').filter((p) => p !== '');
    if (parts.some((p) => p === '..' || p === '.' || p.includes('\0'))) {
      this.refuse(rel, 'is not a plain path inside the snapshot');
      return undefined;
    }
    return parts;
  }

  /** Every directory from the root down to (not including) parts[upTo] is a real directory. */
  private dirsOk(rel: string, parts: string[], upTo: number): boolean {
    // One lookup for a directory seen before (a task's directory serves six reads).
    if (upTo === 0 || this.dirs.get(parts.slice(0, upTo).join('/')) === true) return true;
    let prefix = '';
    for (let i = 0; i < upTo; i++) {
      prefix = prefix ? `${prefix}/${parts[i]}` : parts[i]!;
      const known = this.dirs.get(prefix);
      if (known === true) continue;
      if (known === false) return false;
      let st: fs.Stats | undefined;
      try {
        st = fs.lstatSync(path.join(this.root, prefix), { throwIfNoEntry: false });
      } catch (e) {
        this.count(code(e));
        return false;
      }
      // Missing is normal (a task that vanished); not cached, a later read may find it.
      if (!st) return this.count('ENOENT') ?? false;
      if (!st.isDirectory()) {
        this.dirs.set(prefix, false);
        this.refuse(`/${prefix}`, `is ${kindOf(st)} where a directory was expected`);
        return false;
      }
      this.dirs.set(prefix, true);
    }
    return true;
  }

  /** The fd lies under the root (a component swapped for a symlink after the walk is caught here). */
  private inside(fd: number): boolean {
    if (!this.fdCheck) return true;
    try {
      const where = fs.readlinkSync(`/proc/self/fd/${fd}`);
      return where === this.root || where.startsWith(this.root === '/' ? '/' : this.root + '/');
    } catch {
      return false;
    }
  }

  private resolve(rel: string): { parts: string[]; abs: string } | undefined {
    const parts = this.parts(rel);
    if (!parts) return undefined;
    if (!this.dirsOk(rel, parts, parts.length - 1)) return undefined;
    return { parts, abs: path.join(this.root, ...parts) };
  }

  /** A regular file's text, at most `cap` bytes (a bigger file is refused, not cut). */
  read(rel: string, cap = sizeCap(rel)): string | undefined {
    return this.readWith(rel, cap, (b) => b.toString('utf8'));
  }

  /** The same, as bytes (a copy: the read buffer is reused). */
  readBytes(rel: string, cap = sizeCap(rel)): Buffer | undefined {
    return this.readWith(rel, cap, (b) => Buffer.from(b));
  }

  private readWith<T>(rel: string, cap: number, out: (b: Buffer) => T): T | undefined {
    const r = this.resolve(rel);
    if (!r || r.parts.length === 0) return undefined;
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(r.abs, { throwIfNoEntry: false });
    } catch (e) {
      return this.count(code(e));
    }
    if (!st) return this.count('ENOENT');
    // Checked before the open: opening a FIFO or a device can block or act on hardware.
    if (!st.isFile()) return this.refuse(rel, `is ${kindOf(st)}`);
    if (st.size > cap) return this.refuse(rel, `is ${st.size} bytes, over the ${cap}-byte limit for this file`);
    let fd: number;
    try {
      fd = fs.openSync(r.abs, fs.constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    } catch (e) {
      if (code(e) === 'ELOOP') return this.refuse(rel, 'is a symlink');
      return this.count(code(e));
    }
    this.stats.opens++;
    try {
      const fst = fs.fstatSync(fd);
      if (!fst.isFile() || fst.ino !== st.ino || fst.dev !== st.dev) return this.refuse(rel, 'changed while it was opened');
      if (!this.inside(fd)) return this.refuse(rel, 'resolves outside the snapshot');
      // cap + 1 bytes at most: a file that grew past the cap since the fstat is refused too.
      const want = Math.min(cap, Math.max(fst.size, 4096)) + 1;
      const buf = want <= SHARED.length ? SHARED.subarray(0, want) : Buffer.allocUnsafe(want);
      let total = 0;
      for (;;) {
        if (total === buf.length) break;
        const n = fs.readSync(fd, buf, total, buf.length - total, null);
        if (n === 0) break;
        total += n;
      }
      this.stats.bytesRead += total;
      if (total > cap) return this.refuse(rel, `is over the ${cap}-byte limit for this file`);
      if (total === buf.length) return this.refuse(rel, 'grew while it was read');
      return out(buf.subarray(0, total));
    } catch (e) {
      return this.count(code(e));
    } finally {
      fs.closeSync(fd);
    }
  }

  /** The text of a symlink the recorder wrote (fd/N, cwd, ns/mnt): read, never followed. */
  readlink(rel: string): string | undefined {
    const r = this.resolve(rel);
    if (!r || r.parts.length === 0) return undefined;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(r.abs);
    } catch (e) {
      return this.count(code(e));
    }
    if (!st.isSymbolicLink()) return this.refuse(rel, `is ${kindOf(st)} where a recorded link was expected`);
    try {
      const t = fs.readlinkSync(r.abs);
      if (t.length > MAX_LINK) return this.refuse(rel, 'is a link longer than PATH_MAX');
      return t;
    } catch (e) {
      return this.count(code(e));
    }
  }

  /** Names in a real directory of the snapshot, at most MAX_DIR_ENTRIES. */
  list(rel: string, max = MAX_DIR_ENTRIES): string[] {
    const parts = this.parts(rel);
    if (!parts) return [];
    if (!this.dirsOk(rel, parts, parts.length)) return [];
    const abs = path.join(this.root, ...parts);
    let fd: number;
    try {
      fd = fs.openSync(abs, fs.constants.O_RDONLY | O_NOFOLLOW | O_DIRECTORY | O_NONBLOCK);
    } catch (e) {
      if (code(e) === 'ELOOP' || code(e) === 'ENOTDIR') this.refuse(rel, 'is not a directory');
      else this.count(code(e));
      return [];
    }
    this.stats.opens++;
    const out: string[] = [];
    try {
      if (!this.inside(fd)) {
        this.refuse(rel, 'resolves outside the snapshot');
        return [];
      }
      // Listed through the fd itself, so it is exactly the directory that was checked.
      const d = fs.opendirSync(this.fdCheck ? `/proc/self/fd/${fd}` : abs);
      try {
        for (let e = d.readSync(); e; e = d.readSync()) {
          if (out.length >= max) {
            this.refuse(rel, `has more than ${max} entries (only the first ${max} read)`);
            break;
          }
          out.push(e.name);
          // The entry's type comes with the listing of this very directory: a subdirectory
          // needs no lstat of its own before it is read from (the fd check still guards each read).
          if (e.isDirectory()) this.dirs.set(parts.length ? `${parts.join('/')}/${e.name}` : e.name, true);
        }
      } finally {
        d.closeSync();
      }
    } catch (e) {
      this.count(code(e));
    } finally {
      fs.closeSync(fd);
    }
    // In the order readdirSync gives (libuv sorts scandir's names), as the live source lists.
    return out.sort();
  }

  /** A real directory (not a link to one) at rel. */
  isDir(rel: string): boolean {
    const parts = this.parts(rel);
    return !!parts && this.dirsOk(rel, parts, parts.length);
  }
}

/** What meta.json says about a snapshot (only what wedgetop uses), validated. */
export interface SnapshotMeta {
  /** When it was recorded; undefined when meta.json does not say it in a form that parses. */
  timeMs?: number;
  warnings: string[];
}

export function readSnapshotMeta(reader: SnapshotDir): SnapshotMeta {
  const text = reader.read('/meta.json');
  if (text === undefined) return { warnings: ['snapshot: no readable meta.json: the time it was recorded is unknown'] };
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch {
    return { warnings: ['snapshot: meta.json is not JSON: the time it was recorded is unknown'] };
  }
  const time = meta && typeof meta === 'object' ? (meta as { time?: unknown }).time : undefined;
  // Date.parse gives NaN for anything a Date cannot hold (the range toISOString throws on).
  const ms = typeof time === 'string' ? Date.parse(time) : NaN;
  if (!Number.isFinite(ms)) {
    return { warnings: [`snapshot: meta.json time ${JSON.stringify(time ?? null)?.slice(0, 80)} is not a valid time: the time it was recorded is unknown`] };
  }
  return { timeMs: ms, warnings: [] };
}
