// Waits no task on this box holds (an NFS server, a device, a memory limit), and a task busy in
// its own work. A row may scope its resource: one per NFS mount (the waiter's own, from its fd,
// path or cwd), one per cgroup, or named by the newest kernel log line of its kind; the row's
// advice (what an expert would do, never run by wedgetop) is filled in from that.
import type { HolderResolver, RuleContext } from './context.js';
import { rank } from './context.js';
import type { HolderRule, Signature } from '../../kernel/signatures.js';
import type { Confidence, Mount, Task } from '../../model.js';
import { resolveTaskMount } from '../mounts.js';

type NoneRule = Extract<HolderRule, { kind: 'none' }>;

/** Quote a string from the box for a command line shown to the admin (plain words stay as they are). */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Fill {name} placeholders; unknown ones stay visible as the upper-case word, e.g. MOUNT. */
export function fillAdvice(template: string, vars: Record<string, string | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (_m, k: string) => vars[k] ?? k.toUpperCase());
}

/** The newest kernel log line matching re, as its named groups. */
function fromKmsg(ctx: RuleContext, re: RegExp): Record<string, string> | undefined {
  const memoKey = `kmsg:${re.source}`;
  if (ctx.memo.has(memoKey)) return ctx.memo.get(memoKey) as Record<string, string> | undefined;
  let found: Record<string, string> | undefined;
  for (let i = ctx.snap.kmsg.length - 1; i >= 0 && !found; i--) {
    const m = re.exec(ctx.snap.kmsg[i]!.text);
    if (m) found = { ...(m.groups ?? {}) };
  }
  ctx.memo.set(memoKey, found);
  return found;
}

/** The waiter's mount among those of `types`: its fd, path or cwd; else the only such mount. */
function scopedMount(t: Task, mounts: Mount[], types: string[]): { mount: Mount; how: string; confidence: Confidence } | undefined {
  const only = (m: Mount): boolean => types.includes(m.fsType);
  const r = resolveTaskMount(t, mounts, { anyFd: true, only });
  if (r.mount) return { mount: r.mount, how: r.how, confidence: r.confidence };
  const all = mounts.filter(only);
  return all.length === 1 ? { mount: all[0]!, how: `the only ${all[0]!.fsType} mount`, confidence: 'guess' } : undefined;
}

/** The cgroup v2 path of a task ("0::/system.slice/app.service"), and where cgroup2 is mounted. */
function scopedCgroup(t: Task, mounts: Mount[]): { path: string; dir: string } | undefined {
  const line = (t.detail?.cgroup ?? '').split('\n').find((l) => l.startsWith('0::'));
  if (!line) return undefined;
  const p = line.slice(3).trim() || '/';
  const root = mounts.find((m) => m.fsType === 'cgroup2')?.mountPoint ?? '/sys/fs/cgroup';
  return { path: p, dir: p === '/' ? root : `${root}${p}` };
}

function adviceFor(sig: Signature, vars: Record<string, string | undefined>): string | undefined {
  return sig.advice === undefined ? undefined : fillAdvice(sig.advice, vars);
}

export const external: HolderResolver<NoneRule> = (ctx, t, _site, sig, rule) => {
  const vars: Record<string, string | undefined> = { ...(rule.kmsg ? fromKmsg(ctx, rule.kmsg) : {}) };
  let scope: string | undefined;
  let label = `${sig.title}: ${rule.why}`;
  let how = rule.why;
  // How sure the engine is of WHICH object (mount, cgroup, device) the waiter waits on.
  let confidence: Confidence = 'guess';
  if (rule.kmsg && Object.keys(vars).length > 0) {
    confidence = 'likely';
    how = `${rule.why}; named by the kernel log`;
  }
  if (rule.mountTypes) {
    const m = scopedMount(t, ctx.mountsOf(t), rule.mountTypes);
    if (m) {
      scope = m.mount.mountPoint;
      // An NFS source is "server:/export": the server is the part before the colon.
      const server = /^\[?([^\]:]+)\]?:/.exec(m.mount.source)?.[1];
      vars.mount = shellWord(m.mount.mountPoint);
      vars.source = m.mount.source;
      vars.server = vars.server ?? server;
      label = `${sig.title}: ${rule.why} — ${m.mount.mountPoint} (${m.mount.fsType} from ${m.mount.source})`;
      how = `${rule.why}; the mount from ${m.how}`;
      confidence = m.confidence;
    }
  }
  if (rule.perCgroup) {
    const c = scopedCgroup(t, ctx.mountsOf(t));
    if (c) {
      scope = c.path;
      vars.cgroup = c.path;
      vars.cgroupDir = shellWord(c.dir);
      label = `${sig.title}: ${c.path}`;
      how = `${rule.why}; the cgroup from /proc/${t.pid}/cgroup`;
      confidence = 'certain';
    }
  }
  if (rule.kmsg && vars.device) label = `${sig.title}: ${vars.device} (usage count ${vars.count ?? '?'})`;
  // Unscoped ids stay "external:<row>"; a scoped resource is shared by every row of its kind
  // (an NFS mount's RPC waiters and its page-writeback waiters wait on the same server).
  const id = scope === undefined ? `external:${sig.id}` : `external:${sig.resource}:${scope}`;
  const res = ctx.resource(sig, { id, label }, () => undefined, how);
  // The per-waiter evidence of which object: keep the surest (as for a frozen mount).
  if (res.how === how || rank(confidence) > rank(res.confidence)) {
    res.how = how;
    res.confidence = confidence;
  }
  res.advice ??= adviceFor(sig, vars);
  return res;
};

/** The task waits for nobody: it is the one others wait on, if any. */
export const self: HolderResolver<Extract<HolderRule, { kind: 'self' }>> = () => undefined;
