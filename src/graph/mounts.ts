// Which mount a blocked writer was writing to. Nothing in /proc marks a filesystem frozen, and
// probing one is unsafe (a test write becomes one more stuck task), so the mount is inferred
// from what the task was doing: its syscall and fd, its path argument and cwd, or the mapping
// it faulted on.
import * as path from 'node:path';
import type { Confidence, Mount, Task } from '../model.js';
import { argsOf, AT_FDCWD, syscallName } from '../kernel/syscalls.js';

export interface MountResolution {
  mount?: Mount;
  how: string;
  confidence: Confidence;
}

export function mountForPath(mounts: Mount[], p: string): Mount | undefined {
  let best: Mount | undefined;
  for (const m of mounts) {
    const mp = m.mountPoint;
    const inside = p === mp || mp === '/' || p.startsWith(mp.endsWith('/') ? mp : mp + '/');
    // The last mount listed on a mount point is the visible one (mountinfo is in mount order).
    if (inside && (!best || mp.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

function hexArg(a: string | undefined): number | undefined {
  if (a === undefined) return undefined;
  const n = Number(a);
  return Number.isFinite(n) ? n : undefined;
}

export interface ResolveOptions {
  /** Consider every fd-taking syscall, not only writes (FUSE: a read waits on the daemon too). */
  anyFd?: boolean;
  /** Only these mounts can be the answer (FUSE: only FUSE mounts). */
  only?: (m: Mount) => boolean;
}

/** The absolute path a task's current path syscall names (its argument, joined to its dirfd or cwd). */
export function taskPath(task: Task): { full: string; how: string } | undefined {
  const d = task.detail;
  const sc = d?.syscall;
  const name = sc && sc.nr >= 0 ? syscallName(sc.nr) : undefined;
  const shape = argsOf(name);
  if (!d || !name || !(shape?.first === 'dirfd' || shape?.first === 'path') || d.pathArg === undefined) return undefined;
  let base = d.cwd;
  let from = 'cwd';
  if (shape.first === 'dirfd') {
    const dirfd = hexArg(sc!.args[shape.fdArg ?? 0]);
    if (dirfd !== undefined && dirfd !== AT_FDCWD && (dirfd | 0) !== -100) {
      base = d.fds?.find((f) => f.fd === dirfd)?.target;
      from = `dirfd ${dirfd}`;
    }
  }
  const full = d.pathArg.startsWith('/') ? d.pathArg : base ? path.posix.join(base, d.pathArg) : undefined;
  if (!full) return undefined;
  return { full, how: `${name}("${d.pathArg}"${d.pathArg.startsWith('/') ? '' : ` from ${from} ${base}`}) -> ${full}` };
}

/** The mount a task's current operation writes to (or reads from), and how sure that is. */
export function resolveTaskMount(task: Task, allMounts: Mount[], o: ResolveOptions = {}): MountResolution {
  const mounts = o.only ? allMounts.filter(o.only) : allMounts;
  const d = task.detail;
  if (!d) return { how: 'no details read for the task', confidence: 'guess' };
  const sc = d.syscall;
  const name = sc && sc.nr >= 0 ? syscallName(sc.nr) : undefined;
  const byId = (id: number | undefined): Mount | undefined =>
    id === undefined ? undefined : mounts.find((m) => m.mountId === id);

  const shape = argsOf(name);
  if (name && shape?.first === 'fd' && (o.anyFd || shape.writes)) {
    const fdNum = hexArg(sc!.args[shape.fdArg ?? 0]);
    const fd = d.fds?.find((f) => f.fd === fdNum);
    const m = byId(fd?.mntId);
    if (m) return { mount: m, how: `${name}(fd ${fdNum} -> ${fd!.target}), fdinfo mnt_id ${fd!.mntId}`, confidence: 'certain' };
    if (fd?.target.startsWith('/')) {
      const pm = mountForPath(mounts, fd.target);
      if (pm) return { mount: pm, how: `${name}(fd ${fdNum} -> ${fd.target}), by path`, confidence: 'likely' };
    }
  }

  const tp = taskPath(task);
  if (tp) {
    const m = mountForPath(mounts, tp.full);
    if (m) return { mount: m, how: tp.how, confidence: 'likely' };
  }

  if (sc && sc.nr === -1 && d.faultDev) {
    const m = mounts.find((x) => x.majMin === d.faultDev);
    if (m) return { mount: m, how: `page fault on a mapping of device ${d.faultDev}`, confidence: 'likely' };
  }

  if (d.cwd) {
    const m = mountForPath(o.only ? allMounts : mounts, d.cwd);
    if (m && m.mountPoint !== '/' && (!o.only || o.only(m))) return { mount: m, how: `cwd ${d.cwd} (no better evidence)`, confidence: 'guess' };
  }
  // A single non-root fd-backed mount among the task's open files is a last guess.
  const fdMounts = new Set((d.fds ?? []).map((f) => byId(f.mntId)).filter((m): m is Mount => !!m && m.mountPoint !== '/'));
  if (fdMounts.size === 1) {
    const m = [...fdMounts][0]!;
    return { mount: m, how: 'the only non-root mount among its open files', confidence: 'guess' };
  }
  return { how: `could not tell which mount (${name ?? (sc?.nr === -1 ? 'page fault' : 'unknown syscall')})`, confidence: 'guess' };
}

/** FUSE connection number: the minor of the mount's anonymous device (0:N -> N). */
export const isFuseMount = (m: Mount): boolean => m.fsType === 'fuse' || m.fsType.startsWith('fuse.') || m.fsType === 'fuseblk';

export function fuseConnectionOf(m: Mount): number | undefined {
  if (!isFuseMount(m)) return undefined;
  const minor = Number(m.majMin.split(':')[1]);
  return Number.isFinite(minor) ? minor : undefined;
}
