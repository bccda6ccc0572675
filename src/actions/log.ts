// The action log: every remediation (time, target, command, result), appended where it cannot
// hang. A frozen filesystem blocks writers, so the log goes only to a tmpfs: /run/wedgetop when
// /run is a tmpfs, else /dev/shm/wedgetop. Which is which comes from /proc/self/mountinfo: never
// a stat of a mount point.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseMountinfo } from '../procfs/parse.js';
import { mountForPath } from '../graph/mounts.js';

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

export class ActionLog {
  readonly entries: ActionRecord[] = [];
  readonly file?: string;
  readonly problem?: string;

  constructor(dir: string | undefined = defaultLogDir()) {
    if (!dir) {
      this.problem = 'no tmpfs found for the action log (/run and /dev/shm are not tmpfs): actions are kept in memory only';
      return;
    }
    if (!isTmpfs(dir)) {
      this.problem = `${dir} is not on a tmpfs: refusing to log there (a frozen filesystem would hang wedgetop)`;
      return;
    }
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fs.chmodSync(dir, 0o700);
      this.file = path.join(dir, 'actions.log');
    } catch (e) {
      this.problem = `cannot create ${dir}: ${(e as Error).message}`;
    }
  }

  append(r: Omit<ActionRecord, 'time'>): ActionRecord {
    const rec: ActionRecord = { time: new Date().toISOString(), ...r };
    this.entries.push(rec);
    if (this.file) {
      try {
        fs.appendFileSync(this.file, `${rec.time}\t${rec.action}\t${rec.target}\t${rec.command}\t${rec.result}\n`, { mode: 0o600 });
      } catch {
        /* kept in memory; the UI shows entries */
      }
    }
    return rec;
  }
}
