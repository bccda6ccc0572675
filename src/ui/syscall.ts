// The detail view's syscall line: name from the number, and the fd argument resolved to the
// file and mount it refers to (from the fds and mount table the collector already read).
import type { AnalyzedTask, Mount, Snapshot } from '../model.js';
import { argsOf, syscallName } from '../kernel/syscalls.js';
import { mountForPath } from '../graph/mounts.js';

export interface DecodedSyscall {
  /** "write(fd 1 → /tmp/mnt1/f, 0x…, 0x…)" */
  text: string;
  /** What the fd or path argument resolves to, with its mount. */
  target?: string;
  mount?: Mount;
}

function mountsOf(t: AnalyzedTask, snap: Snapshot): Mount[] {
  return snap.mounts[t.detail?.mntNs ?? ''] ?? snap.mounts[''] ?? Object.values(snap.mounts)[0] ?? [];
}

function describeMount(m: Mount): string {
  return `mount ${m.mountPoint} (${m.fsType} on ${m.source})`;
}

export function decodeSyscall(t: AnalyzedTask, snap: Snapshot, arrow: string): DecodedSyscall {
  const sc = t.detail?.syscall;
  // A kernel thread never entered from user space: its syscall file's numbers mean nothing.
  if (t.isKernelThread) return { text: 'none (kernel thread)' };
  if (!sc) return { text: t.detail ? 'unknown (syscall not readable)' : 'unknown (no details read)' };
  if (sc.nr < 0) return { text: sc.running ? 'running (on a CPU)' : 'none: in a page fault or in the kernel' };
  const name = syscallName(sc.nr) ?? `syscall ${sc.nr}`;
  const args = sc.args.slice(0, 4);
  const mounts = mountsOf(t, snap);
  const fds = t.detail?.fds ?? [];
  const byId = (id: number | undefined): Mount | undefined => (id === undefined ? undefined : mounts.find((m) => m.mountId === id));
  let first = args[0] ?? '';
  let target: string | undefined;
  let mount: Mount | undefined;
  const shape = argsOf(name);
  const n = Number(args[0]);
  if (shape?.first === 'fd' && !shape.fdArg && Number.isFinite(n)) {
    const fd = fds.find((f) => f.fd === n);
    first = `fd ${n}${fd ? ` ${arrow} ${fd.target}` : ''}`;
    if (fd) {
      target = fd.target;
      mount = byId(fd.mntId) ?? (fd.target.startsWith('/') ? mountForPath(mounts, fd.target) : undefined);
    }
  } else if (shape?.first === 'dirfd' && !shape.fdArg && Number.isFinite(n)) {
    const atCwd = (n | 0) === -100;
    const fd = atCwd ? undefined : fds.find((f) => f.fd === n);
    first = atCwd ? 'AT_FDCWD' : `fd ${n}${fd ? ` ${arrow} ${fd.target}` : ''}`;
    const base = atCwd ? t.detail?.cwd : fd?.target;
    const p = t.detail?.pathArg;
    if (p !== undefined) {
      target = p.startsWith('/') || !base ? p : `${base.replace(/\/$/, '')}/${p}`;
      args[1] = JSON.stringify(p);
    } else target = base;
    if (target?.startsWith('/')) mount = mountForPath(mounts, target);
  } else if (t.detail?.pathArg !== undefined) {
    const p = t.detail.pathArg;
    first = JSON.stringify(p);
    const cwd = t.detail.cwd;
    target = p.startsWith('/') || !cwd ? p : `${cwd.replace(/\/$/, '')}/${p}`;
    if (target.startsWith('/')) mount = mountForPath(mounts, target);
  }
  const text = `${name}(${[first, ...args.slice(1)].join(', ')}${sc.args.length > 4 ? ', …' : ''})`;
  return { text, target: target && mount ? `${target} on ${describeMount(mount)}` : target, mount };
}
