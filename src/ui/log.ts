// The debug log (--log). Under Ink nothing may be written to the terminal, and on a wedged box
// a write to a disk filesystem can block forever (the very frozen mount being diagnosed), so the
// log goes to tmpfs only. Which filesystem a path is on is decided from /proc/self/mountinfo and
// the path's text: nothing is stat'ed, because stat on a dead mount point hangs too. Once the
// name passed, the directory and file are opened and checked by fd (src/safefs/write.ts): /dev/shm
// is world-writable and wedgetop usually runs as root, so a symlink, FIFO, hard link or file of
// another user planted at that name is refused, and tmpfs is confirmed by the fd's own mount.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Mount } from '../model.js';
import { parseMountinfo } from '../procfs/parse.js';
import { mountForPath } from '../graph/mounts.js';
import { VerifiedDir } from '../safefs/write.js';

export interface Logger {
  (msg: string): void;
  close(): void;
}

export const nullLogger: Logger = Object.assign((_msg: string) => {}, { close: () => {} });

/** Why `file` may not be used as the log, or undefined when it is on tmpfs. */
export function tmpfsRefusal(file: string, mounts: Mount[]): string | undefined {
  const abs = path.resolve(file);
  const m = mountForPath(mounts, path.dirname(abs));
  if (!m) return `--log ${file}: cannot tell which filesystem it is on`;
  if (m.fsType !== 'tmpfs') return `--log ${file}: ${m.mountPoint} is ${m.fsType}, not tmpfs (use /run or /dev/shm: a disk write can hang on a wedged box)`;
  return undefined;
}

export function openTmpfsLog(file: string, mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8')): Logger {
  const refusal = tmpfsRefusal(file, parseMountinfo(mountinfo));
  if (refusal) throw new Error(refusal);
  const abs = path.resolve(file);
  const dir = VerifiedDir.open(path.dirname(abs), { allowSticky: true, fsTypes: ['tmpfs', 'ramfs'] });
  let fd: number;
  try {
    fd = dir.openAppend(path.basename(abs), 0o600);
  } finally {
    dir.close();
  }
  let open = true;
  const log = (msg: string): void => {
    if (!open) return;
    try {
      fs.writeSync(fd, `${new Date().toISOString()} ${msg}\n`);
    } catch {
      /* a full tmpfs loses log lines, never the UI */
    }
  };
  return Object.assign(log, {
    close: () => {
      if (!open) return;
      open = false;
      fs.closeSync(fd);
    },
  });
}
