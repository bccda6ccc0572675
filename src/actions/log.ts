// The action log: every remediation (time, target, command, result), appended where it cannot
// hang. A frozen filesystem blocks writers, so the log goes only to a tmpfs: /run/wedgetop when
// /run is a tmpfs, else /dev/shm/wedgetop. Which is which comes from /proc/self/mountinfo: never
// a stat of a mount point. That choice by name is only a choice: the directory is then opened
// and checked by its fd (src/safefs/write.ts): a real directory (not a symlink), owned by root
// (or by us when not root), writable by nobody else, on a tmpfs by the fd's own mount. Anyone
// can pre-create /dev/shm/wedgetop; such a directory is refused, never chmod'ed or written to.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseMountinfo } from '../procfs/parse.js';
import { mountForPath } from '../graph/mounts.js';
import { fsTypeOfFd, SafeWriteError, VerifiedDir, writeAll } from '../safefs/write.js';

const CANDIDATES = ['/run/wedgetop', '/dev/shm/wedgetop'];

/** The fs type a path lives on, from our own mount table. */
export function fsTypeOf(p: string, mountinfo = safeRead('/proc/self/mountinfo')): string | undefined {
  return mountForPath(parseMountinfo(mountinfo), path.resolve(p))?.fsType;
}

function safeRead(p: string): string {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

export function isTmpfs(p: string, mountinfo?: string): boolean {
  const t = fsTypeOf(p, mountinfo);
  return t === 'tmpfs' || t === 'ramfs';
}

/** WEDGETOP_ACTION_LOG_DIR overrides the choice (it must still be on a tmpfs). */
export function defaultLogDir(mountinfo?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.WEDGETOP_ACTION_LOG_DIR) return env.WEDGETOP_ACTION_LOG_DIR;
  return CANDIDATES.find((d) => isTmpfs(d, mountinfo));
}

export interface ActionRecord {
  time: string;
  action: string;
  target: string;
  command: string;
  result: string;
}

const TMPFS = ['tmpfs', 'ramfs'];

/**
 * One log field on one line: backslash, tab, newline and every other control character escaped,
 * so a target name with a newline (comm and mount paths are anyone's to choose) cannot forge a
 * record or smuggle a terminal escape to whoever cats the log.
 */
export function logField(v: string): string {
  return v.replace(/[\\\x00-\x1f\x7f-\x9f]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '\t') return '\\t';
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

function notTmpfs(fd: number, shown: string): string | undefined {
  const t = fsTypeOfFd(fd);
  return t && TMPFS.includes(t) ? undefined : `${shown} is not on a tmpfs: refusing to log there (it is on ${t ?? "an unknown filesystem"}; a frozen filesystem would hang wedgetop)`;
}

export class ActionLog {
  readonly entries: ActionRecord[] = [];
  readonly file?: string;
  readonly problem?: string;
  private fd?: number;

  constructor(dir: string | undefined = defaultLogDir()) {
    if (!dir) {
      this.problem = 'no tmpfs found for the action log (/run and /dev/shm are not tmpfs): actions are kept in memory only';
      return;
    }
    let d: VerifiedDir | undefined;
    try {
      ({ dir: d } = VerifiedDir.create(dir, {
        mode: 0o700,
        policy: {},
        // Nothing is created on a disk filesystem, not even the directory.
        parentCheck: (pfd) => notTmpfs(pfd, dir),
        existing: () => undefined,
      }));
      const refusal = notTmpfs(d.fd, dir);
      if (refusal) throw new SafeWriteError(refusal);
      this.fd = d.openAppend('actions.log', 0o600);
      this.file = path.join(dir, 'actions.log');
    } catch (e) {
      this.problem = e instanceof SafeWriteError ? `${e.message}: actions are kept in memory only` : `cannot use ${dir}: ${(e as Error).message}`;
    } finally {
      d?.close();
    }
  }

  append(r: Omit<ActionRecord, 'time'>): ActionRecord {
    const rec: ActionRecord = { time: new Date().toISOString(), ...r };
    this.entries.push(rec);
    if (this.fd !== undefined) {
      try {
        // One write() of one whole line: O_APPEND keeps records from two wedgetops whole.
        writeAll(this.fd, [rec.time, rec.action, rec.target, rec.command, rec.result].map(logField).join('\t') + '\n');
      } catch {
        /* kept in memory; the UI shows entries */
      }
    }
    return rec;
  }
}
