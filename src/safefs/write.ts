// Every file wedgetop writes (the action log, --prometheus, --record, --log) is written through
// here, because wedgetop runs as root on a box where other users can plant symlinks wherever
// they can write (/tmp, /dev/shm, a directory they own).
//
// The rules:
// - A directory is opened once (O_DIRECTORY|O_NOFOLLOW: its last component may not be a symlink)
//   and then checked by its fd (fstat, and the filesystem from /proc/self/fdinfo's mnt_id matched
//   against /proc/self/mountinfo), never by its name: a name can be swapped after the check.
// - Everything inside it is named through `/proc/self/fd/<dirfd>/<name>`. Node has no openat(),
//   but this is one: when the kernel resolves the /proc/self/fd/N "magic link" it jumps to the
//   very dentry and mount the fd refers to (nd_jump_link), without looking the directory's name
//   up again, so a rename or symlink swap of the directory's path after we opened it changes
//   nothing. Only <name> (a single component, checked below) is then looked up by name, and
//   the flags below say what may be there.
// - New files: O_CREAT|O_EXCL|O_NOFOLLOW (O_EXCL fails on any existing name, a dangling symlink
//   included). Temp names are random (crypto), so a sprayed set of symlinks never matches.
// - A replaced file: temp file written, fsync'ed, renamed over the target inside the same
//   directory (rename replaces a name, it never follows a symlink there), the temp removed on
//   any failure. An existing target that is not a regular file is refused.
// (libuv adds O_CLOEXEC to every open, so no fd leaks into the remedies wedgetop spawns.)
// - Appending: O_APPEND|O_NOFOLLOW, then fstat: a regular file owned by us with one link only.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const C = fs.constants;

/** A refusal or failure, worded as one line for the admin. */
export class SafeWriteError extends Error {
  constructor(msg: string, readonly code?: string) {
    super(msg);
  }
}

export interface DirPolicy {
  /** Owners accepted (default: root and our effective uid). */
  owners?: number[];
  /**
   * Group/world-writable allowed when the sticky bit is set (a /tmp-like directory: others can
   * create names but cannot remove or rename ours). Default false: nobody else may write there.
   */
  allowSticky?: boolean;
  /** Filesystem types accepted, checked on the opened fd (e.g. ['tmpfs', 'ramfs']). */
  fsTypes?: string[];
}

const euid = (): number => process.geteuid?.() ?? 0;

function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? 'EIO';
}

function why(e: unknown): string {
  const c = errCode(e);
  const msg = (e as Error)?.message ?? String(e);
  // Node's messages name the /proc/self/fd path; the admin wants the errno.
  const m = /^[A-Z0-9]+: ([^,]+)/.exec(msg);
  return m ? `${m[1]} (${c})` : msg;
}

/** A single path component we are willing to create: no '/', no '.', '..', NUL or empty. */
export function checkName(name: string): string {
  if (!name || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new SafeWriteError(`refusing the file name ${JSON.stringify(name)}`);
  }
  return name;
}

/** The filesystem type of the mount an fd is on: mnt_id (fdinfo) -> /proc/self/mountinfo. */
export function fsTypeOfFd(fd: number): string | undefined {
  let mntId: string | undefined;
  try {
    mntId = /^mnt_id:\s*(\d+)/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
  if (!mntId) return undefined;
  let mi = '';
  try {
    mi = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of mi.split('\n')) {
    if (line.slice(0, line.indexOf(' ')) !== mntId) continue;
    const sep = line.indexOf(' - ');
    return sep >= 0 ? line.slice(sep + 3).split(' ')[0] : undefined;
  }
  return undefined;
}

/** Why a directory (by its fstat and fd) fails the policy, or undefined. */
function dirRefusal(fd: number, st: fs.Stats, policy: DirPolicy, shown: string): string | undefined {
  if (!st.isDirectory()) return `${shown} is not a directory`;
  const owners = policy.owners ?? [0, euid()];
  if (!owners.includes(st.uid)) {
    const who = [...new Set(owners)].map((u) => (u === 0 ? 'root' : `uid ${u}`)).join(' or ');
    return `${shown} is owned by uid ${st.uid}, not ${who}: refusing to write there`;
  }
  const others = (st.mode & 0o022) !== 0;
  const sticky = (st.mode & 0o1000) !== 0;
  if (others && !(policy.allowSticky && sticky)) {
    return `${shown} is writable by ${st.mode & 0o002 ? 'everyone' : 'its group'} (mode ${(st.mode & 0o7777).toString(8)}): refusing to write there`;
  }
  if (policy.fsTypes) {
    const t = fsTypeOfFd(fd);
    if (!t || !policy.fsTypes.includes(t)) return `${shown} is on ${t ?? 'an unknown filesystem'}, not ${policy.fsTypes.join('/')}: refusing to write there (a frozen filesystem would hang wedgetop)`;
  }
  return undefined;
}

/** Open a directory without following a symlink at its last component; one-line refusals. */
function openDirFd(p: string, shown: string): number {
  try {
    return fs.openSync(p, C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW);
  } catch (e) {
    const c = errCode(e);
    if (c === 'ELOOP' || c === 'ENOTDIR') {
      // O_NOFOLLOW|O_DIRECTORY on a symlink says ENOTDIR: tell a symlink from a file.
      let link = c === 'ELOOP';
      try {
        link ||= fs.lstatSync(p).isSymbolicLink();
      } catch {
        /* gone: say what open said */
      }
      if (link) throw new SafeWriteError(`${shown} is a symlink: refusing to write through it`, 'ELOOP');
      throw new SafeWriteError(`${shown} exists and is not a directory`, c);
    }
    throw new SafeWriteError(`cannot open ${shown}: ${why(e)}`, c);
  }
}

export class VerifiedDir {
  private closed = false;
  private constructor(readonly fd: number, readonly shown: string, readonly st: fs.Stats) {}

  /** Open an existing directory and check it by fd. Its last component may not be a symlink. */
  static open(dir: string, policy: DirPolicy = {}): VerifiedDir {
    const fd = openDirFd(dir, dir);
    return VerifiedDir.check(fd, dir, policy);
  }

  /**
   * The directory `dir`, created by us with mkdir (never through a symlink: mkdir does not follow
   * one) or, when `existing` accepts it, one that was already there and passes the policy.
   * `parentCheck` may refuse the parent (by its fd) before anything is created in it. The
   * parent's own path is followed as given: only what we open at the end is trusted, by its fd.
   */
  static create(
    dir: string,
    o: { mode: number; policy: DirPolicy; existing?: (d: VerifiedDir) => string | undefined; parentCheck?: (parentFd: number, parent: string) => string | undefined },
  ): { dir: VerifiedDir; created: boolean } {
    const abs = path.resolve(dir);
    const parent = path.dirname(abs);
    const name = checkName(path.basename(abs));
    let pfd: number;
    try {
      pfd = fs.openSync(parent, C.O_RDONLY | C.O_DIRECTORY);
    } catch (e) {
      throw new SafeWriteError(`cannot create ${dir}: ${parent}: ${why(e)}`, errCode(e));
    }
    try {
      const refusal = o.parentCheck?.(pfd, parent);
      if (refusal) throw new SafeWriteError(refusal);
      let created = true;
      try {
        fs.mkdirSync(`/proc/self/fd/${pfd}/${name}`, { mode: o.mode });
      } catch (e) {
        if (errCode(e) !== 'EEXIST') throw new SafeWriteError(`cannot create ${dir}: ${why(e)}`, errCode(e));
        created = false;
      }
      if (!created && !o.existing) throw new SafeWriteError(`${dir} already exists: refusing to use it`, 'EEXIST');
      const fd = openDirFd(`/proc/self/fd/${pfd}/${name}`, dir);
      // One we just made must be ours; one found there must pass the caller's policy.
      const d = VerifiedDir.check(fd, dir, created ? { ...o.policy, owners: [euid()] } : o.policy);
      const no = created ? undefined : o.existing?.(d);
      if (no) {
        d.close();
        throw new SafeWriteError(no);
      }
      return { dir: d, created };
    } finally {
      fs.closeSync(pfd);
    }
  }

  private static check(fd: number, shown: string, policy: DirPolicy): VerifiedDir {
    const st = fs.fstatSync(fd);
    const refusal = dirRefusal(fd, st, policy, shown);
    if (refusal) {
      fs.closeSync(fd);
      throw new SafeWriteError(refusal);
    }
    return new VerifiedDir(fd, shown, st);
  }

  /** The path that names `name` inside this very directory (see the header). */
  at(name: string): string {
    if (this.closed) throw new SafeWriteError(`${this.shown}: already closed`);
    return `/proc/self/fd/${this.fd}/${checkName(name)}`;
  }

  show(name: string): string {
    return path.join(this.shown, name);
  }

  entries(): string[] {
    return fs.readdirSync(`/proc/self/fd/${this.fd}`);
  }

  /**
   * A subdirectory: made by us (mkdir never follows a symlink), or one that already exists and is
   * a real directory owned by us (we made it earlier). A symlink or file there is refused.
   */
  subdir(name: string, mode = 0o700): VerifiedDir {
    const p = this.at(name);
    try {
      fs.mkdirSync(p, { mode });
    } catch (e) {
      if (errCode(e) !== 'EEXIST') throw new SafeWriteError(`cannot create ${this.show(name)}: ${why(e)}`, errCode(e));
    }
    const fd = openDirFd(p, this.show(name));
    return VerifiedDir.check(fd, this.show(name), { owners: [euid()] });
  }

  /** A new file with this content: O_CREAT|O_EXCL|O_NOFOLLOW, so an existing name of any kind fails. */
  createFile(name: string, data: string | Buffer, mode = 0o600): void {
    const fd = this.openExcl(name, mode);
    let ok = false;
    try {
      writeAll(fd, data);
      ok = true;
    } catch (e) {
      throw new SafeWriteError(`cannot write ${this.show(name)}: ${why(e)}`, errCode(e));
    } finally {
      fs.closeSync(fd);
      if (!ok) this.unlinkQuietly(name);
    }
  }

  /** A symlink named `name` (symlink() never follows an existing name: EEXIST). */
  createSymlink(target: string, name: string): void {
    fs.symlinkSync(target, this.at(name));
  }

  private openExcl(name: string, mode: number): number {
    try {
      return fs.openSync(this.at(name), C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, mode);
    } catch (e) {
      const c = errCode(e);
      if (c === 'EEXIST') throw new SafeWriteError(`${this.show(name)} already exists: refusing to overwrite it`, c);
      throw new SafeWriteError(`cannot create ${this.show(name)}: ${why(e)}`, c);
    }
  }

  private unlinkQuietly(name: string): void {
    try {
      fs.unlinkSync(this.at(name));
    } catch {
      /* already gone */
    }
  }

  /**
   * Replace `name` with `data` atomically: random temp name (O_EXCL), fsync, rename within this
   * directory, fsync of the directory. A target that exists and is not a regular file is refused
   * (a symlink included: its target is never touched either way, but replacing a link the admin
   * pointed at something is not what they asked for).
   */
  replaceFile(name: string, data: string | Buffer, mode = 0o644): void {
    this.refuseNonRegular(name);
    const tmp = `.${name}.${crypto.randomBytes(8).toString('hex')}.tmp`;
    const fd = this.openExcl(tmp, mode);
    let renamed = false;
    try {
      try {
        writeAll(fd, data);
        fs.fsyncSync(fd);
      } catch (e) {
        throw new SafeWriteError(`cannot write ${this.show(name)}: ${why(e)}`, errCode(e));
      } finally {
        fs.closeSync(fd);
      }
      // Again just before the rename: a planted symlink or FIFO between the two checks is only
      // replaced (never followed) by the rename, but the refusal should hold where it can.
      this.refuseNonRegular(name);
      try {
        fs.renameSync(this.at(tmp), this.at(name));
      } catch (e) {
        throw new SafeWriteError(`cannot replace ${this.show(name)}: ${why(e)}`, errCode(e));
      }
      renamed = true;
      try {
        fs.fsyncSync(this.fd);
      } catch {
        /* the data is in place; a directory fsync failing (EINVAL on some filesystems) is not fatal */
      }
    } finally {
      if (!renamed) this.unlinkQuietly(tmp);
    }
  }

  private refuseNonRegular(name: string): void {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(this.at(name));
    } catch (e) {
      if (errCode(e) === 'ENOENT') return;
      throw new SafeWriteError(`cannot check ${this.show(name)}: ${why(e)}`, errCode(e));
    }
    if (!st.isFile()) throw new SafeWriteError(`${this.show(name)} exists and is ${kindOf(st)}, not a regular file: refusing to replace it`);
  }

  /**
   * An fd to append to `name`: an existing regular file owned by us with a single link, or a new
   * one (O_EXCL). Never follows a symlink; a hard link to someone else's file is refused.
   */
  openAppend(name: string, mode = 0o600): number {
    const p = this.at(name);
    let fd: number;
    try {
      fd = fs.openSync(p, C.O_WRONLY | C.O_APPEND | C.O_NOFOLLOW | C.O_NONBLOCK);
    } catch (e) {
      const c = errCode(e);
      if (c === 'ELOOP') throw new SafeWriteError(`${this.show(name)} is a symlink: refusing to write through it`, c);
      if (c !== 'ENOENT') throw new SafeWriteError(`cannot open ${this.show(name)}: ${why(e)}`, c);
      try {
        fd = fs.openSync(p, C.O_WRONLY | C.O_APPEND | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, mode);
      } catch (e2) {
        throw new SafeWriteError(`cannot create ${this.show(name)}: ${why(e2)}`, errCode(e2));
      }
    }
    const st = fs.fstatSync(fd);
    const refusal = !st.isFile()
      ? `${this.show(name)} is ${kindOf(st)}, not a regular file`
      : st.uid !== euid()
        ? `${this.show(name)} is owned by uid ${st.uid}, not by us`
        : st.nlink !== 1
          ? `${this.show(name)} has ${st.nlink} hard links`
          : undefined;
    if (refusal) {
      fs.closeSync(fd);
      throw new SafeWriteError(`${refusal}: refusing to write to it`);
    }
    return fd;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

function kindOf(st: fs.Stats): string {
  if (st.isSymbolicLink()) return 'a symlink';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

export function writeAll(fd: number, data: string | Buffer): void {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}

/**
 * Replace FILE atomically (--prometheus). `-` is stdout. FILE's directory must be owned by root or
 * us, and not writable by others unless sticky (a /tmp-like textfile directory is fine: our temp
 * name is random and O_EXCL, and the rename replaces a name without following it).
 */
export function replaceFileAt(file: string, data: string, mode = 0o644, out: NodeJS.WritableStream = process.stdout): void {
  if (file === '-') {
    out.write(data);
    return;
  }
  const abs = path.resolve(file);
  const d = VerifiedDir.open(path.dirname(abs), { allowSticky: true });
  try {
    d.replaceFile(checkName(path.basename(abs)), data, mode);
  } finally {
    d.close();
  }
}

/**
 * A new file at `file` (exclusive, no-follow), in a directory checked by fd like every other
 * directory root writes in: owned by root or us, not writable by others unless sticky.
 */
export function writeNewFile(file: string, data: Buffer | string, mode = 0o600): void {
  const d = VerifiedDir.open(path.dirname(path.resolve(file)), { allowSticky: true });
  try {
    d.createFile(path.basename(file), data, mode);
  } finally {
    d.close();
  }
}
