// The column choice (F2), kept in $XDG_CONFIG_HOME/wedgetop/columns.json (default
// ~/.config/wedgetop/). wedgetop runs on a wedged box, so the file is touched only where that
// cannot hang it:
// - The config directory's filesystem is found from /proc/self/mountinfo text (the longest
//   mount point that prefixes the path), never by a stat of it (a stat on a dead NFS or FUSE
//   home hangs). Only local filesystems are used: tmpfs, ramfs, ext2/3/4, xfs, btrfs, f2fs.
//   A network or FUSE home is skipped for reading as well as writing.
// - Saving also needs the newest analysis to show no frozen filesystem at all, and nothing
//   blocked on that mount: a write to a frozen filesystem sleeps in D until it is thawed. What is
//   left is a freeze that starts after the snapshot; the write is then one small file.
// - The write goes through src/safefs/write.ts (directory opened by fd, O_NOFOLLOW, temp file
//   renamed over), its filesystem type checked again on the opened fd.
// - Reading is bounded (4 KB, O_NOFOLLOW); bad JSON is ignored with a warning.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Analysis } from '../model.js';
import { parseMountinfo } from '../procfs/parse.js';
import { SORT_KEYS, type SortKey } from '../store/derive.js';
import { SafeWriteError, VerifiedDir } from '../safefs/write.js';

export const LOCAL_FS = ['tmpfs', 'ramfs', 'ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'f2fs'];
const MAX_BYTES = 4096;
const FILE = 'columns.json';

export interface ColumnPrefs {
  /** Where the file lives (for messages). */
  readonly file: string;
  /** The hidden columns from the file, and a warning when it was unusable. */
  load(): { hidden: SortKey[]; warning?: string };
  /** Save, or say why not: one line for the footer. */
  save(hidden: readonly SortKey[], a: Analysis | undefined): { ok: boolean; text: string };
}

export function configDir(env: NodeJS.ProcessEnv): string | undefined {
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'wedgetop');
  return env.HOME && path.isAbsolute(env.HOME) ? path.join(env.HOME, '.config', 'wedgetop') : undefined;
}

/** The mount a path is on, from mountinfo text alone (the longest mount point prefixing it). */
export function mountOf(p: string, mountinfo: string): { mountPoint: string; fsType: string; majMin: string } | undefined {
  let best: { mountPoint: string; fsType: string; majMin: string } | undefined;
  for (const m of parseMountinfo(mountinfo)) {
    const mp = m.mountPoint;
    const under = p === mp || p.startsWith(mp.endsWith('/') ? mp : `${mp}/`);
    // Later lines are mounted over earlier ones at the same point.
    if (under && (!best || mp.length >= best.mountPoint.length)) best = { mountPoint: mp, fsType: m.fsType, majMin: m.majMin };
  }
  return best;
}

/** Why the directory may not be touched now, or undefined. `a`: also refuse what the analysis shows stuck. */
export function unsafeBecause(dir: string, mountinfo: string | undefined, a?: Analysis): string | undefined {
  if (mountinfo === undefined) return `the filesystem of ${dir} is unknown (no /proc/self/mountinfo)`;
  const m = mountOf(dir, mountinfo);
  if (!m) return `the filesystem of ${dir} is unknown`;
  if (!LOCAL_FS.includes(m.fsType)) return `${dir} is on ${m.fsType} (${m.mountPoint}), which can hang`;
  if (!a) return undefined;
  const frozen = a.resources.find((r) => r.kind === 'frozen-fs');
  if (frozen) return `a filesystem is frozen (${frozen.mount ?? frozen.label}), no disk write until it is thawed`;
  const here = a.resources.find((r) => r.mount === m.mountPoint);
  if (here) return `tasks are blocked on ${m.mountPoint} (${here.label})`;
  return undefined;
}

function readMountinfo(): string | undefined {
  try {
    return fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return undefined;
  }
}

export function parseColumns(text: string): { hidden: SortKey[]; warning?: string } {
  try {
    const j = JSON.parse(text) as { hidden?: unknown };
    if (!j || typeof j !== 'object' || !Array.isArray(j.hidden)) return { hidden: [], warning: 'no "hidden" list in it' };
    const known = j.hidden.filter((k): k is SortKey => typeof k === 'string' && (SORT_KEYS as readonly string[]).includes(k));
    return { hidden: known, ...(known.length < j.hidden.length ? { warning: 'unknown column names in it were ignored' } : {}) };
  } catch (e) {
    return { hidden: [], warning: `not JSON (${(e as Error).message.slice(0, 60)})` };
  }
}

export function columnPrefs(env: NodeJS.ProcessEnv, mountinfo: () => string | undefined = readMountinfo): ColumnPrefs | undefined {
  const dir = configDir(env);
  if (!dir) return undefined;
  const file = path.join(dir, FILE);
  return {
    file,
    load() {
      const no = unsafeBecause(dir, mountinfo());
      if (no) return { hidden: [], warning: `columns.json not read: ${no}` };
      let fd: number;
      try {
        fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        return code === 'ENOENT' ? { hidden: [] } : { hidden: [], warning: `${file} not read: ${code ?? e}` };
      }
      try {
        if (!fs.fstatSync(fd).isFile()) return { hidden: [], warning: `${file} is not a regular file: ignored` };
        const buf = Buffer.alloc(MAX_BYTES + 1);
        const n = fs.readSync(fd, buf, 0, buf.length, 0);
        if (n > MAX_BYTES) return { hidden: [], warning: `${file} is larger than ${MAX_BYTES} bytes: ignored` };
        const r = parseColumns(buf.toString('utf8', 0, n));
        return r.warning ? { hidden: r.hidden, warning: `${file}: ${r.warning}` } : r;
      } finally {
        fs.closeSync(fd);
      }
    },
    save(hidden, a) {
      const no = unsafeBecause(dir, mountinfo(), a);
      if (no) return { ok: false, text: `columns not saved (this session only): ${no}` };
      try {
        // ~/.config may not exist yet: made by us, one level (never a recursive mkdir that follows
        // whatever path a user prepared); when it exists it must be ours, writable by nobody else,
        // and not a symlink — checked by its fd.
        VerifiedDir.create(path.dirname(dir), { mode: 0o700, policy: {}, existing: () => undefined }).dir.close();
        const { dir: d } = VerifiedDir.create(dir, { mode: 0o700, policy: { fsTypes: LOCAL_FS }, existing: () => undefined });
        try {
          d.replaceFile(FILE, `${JSON.stringify({ hidden: [...hidden] })}\n`, 0o600);
        } finally {
          d.close();
        }
        return { ok: true, text: `columns saved in ${file}` };
      } catch (e) {
        return { ok: false, text: `columns not saved: ${e instanceof SafeWriteError ? e.message : (e as Error).message}` };
      }
    },
  };
}
