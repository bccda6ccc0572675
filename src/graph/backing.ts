// "The store below": what a file's or a device's writes really land on. An overlay writes to
// the filesystem under its upper directory (fsfreeze on the overlay itself fails with
// EOPNOTSUPP); a loop device writes to its backing file, on whatever mount holds that file.
// Pure functions of the snapshot: mountinfo (with its superblock options) and the loop devices
// the collector read from /sys/block, never a stat of a mount point.
import type { Confidence, LoopDevice, Mount, Snapshot, Task } from '../model.js';
import { unescapeMount } from '../procfs/parse.js';
import { deviceOfJournalThread, loopOfWorker, OVERLAY_UPPER_OPTION } from '../kernel/devices.js';
import { mountForPath, resolveTaskMount } from './mounts.js';

export interface Below {
  mount: Mount;
  how: string;
}

/** The upper directory of an overlay mount (mountinfo escapes space, tab, newline, backslash, comma as \ooo). */
export function overlayUpperDir(m: Mount): string | undefined {
  if (m.fsType !== 'overlay' || !m.superOptions) return undefined;
  for (const opt of m.superOptions.split(',')) {
    const eq = opt.indexOf('=');
    if (eq > 0 && opt.slice(0, eq) === OVERLAY_UPPER_OPTION) return unescapeMount(opt.slice(eq + 1));
  }
  return undefined;
}

/**
 * The mount whose superblock takes the writes made through m: m itself, or for an overlay the
 * mount holding its upper directory (longest prefix; an overlay's upper may itself be an overlay).
 */
export function writableStoreOf(m: Mount, mounts: Mount[]): Below | undefined {
  let cur = m;
  const hops: string[] = [];
  for (let i = 0; i < 4; i++) {
    const upper = overlayUpperDir(cur);
    if (!upper) break;
    const next = mountForPath(mounts, upper);
    if (!next || next === cur) break;
    hops.push(`overlay ${cur.mountPoint} upperdir ${upper} -> mount ${next.mountPoint}`);
    cur = next;
  }
  return hops.length ? { mount: cur, how: hops.join(' -> ') } : undefined;
}

/** The collector's own mount table (where sysfs paths resolve), wherever the snapshot keeps it. */
export function collectorMounts(snap: Snapshot): Mount[] {
  return (snap.selfMntNs ? snap.mounts[snap.selfMntNs] : undefined) ?? snap.blockDevices?.mounts ?? [];
}

export function loopByMajMin(snap: Snapshot, majMin: string): LoopDevice | undefined {
  return snap.blockDevices?.loops.find((l) => l.majMin === majMin);
}

export function loopByName(snap: Snapshot, name: string): LoopDevice | undefined {
  return snap.blockDevices?.loops.find((l) => l.name === name);
}

/** The mount holding a loop device's backing file, in the collector's namespace (where sysfs names it). */
export function backingMountOf(snap: Snapshot, loop: LoopDevice): Below | undefined {
  const file = loop.backingFile.replace(/ \(deleted\)$/, '');
  if (!file.startsWith('/')) return undefined;
  const m = mountForPath(collectorMounts(snap), file);
  if (!m) return undefined;
  return { mount: m, how: `/sys/block/${loop.name}/loop/backing_file ${loop.backingFile} -> mount ${m.mountPoint}` };
}

export interface DeviceOfTask {
  /** Kernel device name ("loop1"), when known. */
  device?: string;
  /** The mount the task does I/O on, when it came from one. */
  mount?: Mount;
  how: string;
  confidence: Confidence;
}

const mountDevice = (snap: Snapshot, m: Mount): string | undefined =>
  loopByMajMin(snap, m.majMin)?.name ?? /^\/dev\/([^/]+)$/.exec(m.source)?.[1];

/**
 * The block device a waiter's I/O goes to: a journal thread names it, a loop worker too; a
 * user task through the file it works on (fd mnt_id, path, mapping) -> mount -> its device.
 */
export function deviceOfTask(snap: Snapshot, t: Task, mounts: Mount[]): DeviceOfTask {
  const j = deviceOfJournalThread(t.comm);
  if (j) return { device: j, how: `journal thread ${t.comm} serves ${j}`, confidence: 'certain' };
  const w = loopOfWorker(t.comm);
  if (w) return { device: w, how: `${t.comm} runs ${w}'s work`, confidence: 'likely' };
  const r = resolveTaskMount(t, mounts, { anyFd: true });
  if (r.mount) {
    const store = writableStoreOf(r.mount, mounts);
    const m = store?.mount ?? r.mount;
    const dev = mountDevice(snap, m);
    if (dev) return { device: dev, mount: m, how: `${r.how} -> ${store ? `${store.how} ` : ''}(${m.fsType} on ${m.source}, ${m.majMin})`, confidence: r.confidence };
    return { mount: m, how: r.how, confidence: r.confidence };
  }
  return { how: r.how, confidence: 'guess' };
}

/**
 * The mount whose freeze a frozen-fs waiter waits on, in `table` (the waiter's own namespace's
 * mountinfo): what it writes to, through an overlay to the mount under upperdir (never the
 * overlay itself, which cannot be thawed); for a loop worker, the mount of its backing file.
 */
export function frozenStoreOfTask(snap: Snapshot, t: Task, table: Mount[]): Mount | undefined {
  const r = resolveTaskMount(t, table);
  if (r.mount) {
    const below = writableStoreOf(r.mount, table);
    if (below) return below.mount;
    return r.mount.fsType === 'overlay' ? undefined : r.mount;
  }
  const loop = t.isKernelThread ? loopOfWorker(t.comm) : undefined;
  const dev = loop ? loopByName(snap, loop) : undefined;
  return dev ? backingMountOf(snap, dev)?.mount : undefined;
}
