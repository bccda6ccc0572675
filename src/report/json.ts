// The --json report: one snapshot's analysis, in the schema documented in README and
// schema/wedgetop.schema.json.
import type { Analysis } from '../model.js';
import { formatFrame } from '../procfs/parse.js';
import { syscallName } from '../kernel/syscalls.js';
import { VERSION } from '../version.js';
import { KNOWN_CAUSE_NOTE, knownCauseOf, type KnownCauseMatch } from '../graph/known-causes.js';

export interface JsonKnownCause {
  /** Always "matches a known issue": the pattern matched, which is evidence, not certainty. */
  status: string;
  id: string;
  title: string;
  explain: string;
  upstream: string;
  link: string;
  fix: string;
  evidence: string[];
}

export function knownCauseJson(m: KnownCauseMatch): JsonKnownCause {
  const c = m.cause;
  return { status: KNOWN_CAUSE_NOTE, id: c.id, title: c.title, explain: c.explain, upstream: `${c.upstream.project} ${c.upstream.ref}`, link: c.upstream.link, fix: c.fix, evidence: m.evidence };
}

export interface JsonReport {
  wedgetop: string;
  host: string;
  kernel: string;
  /** null: a replayed snapshot whose meta.json gave no valid time. */
  takenAt: string | null;
  uptimeSec: number;
  loadavg: [number, number, number];
  taskCount: number;
  blockedCount: number;
  stacksReadable: boolean;
  hungTask: Analysis['snapshot']['hungTask'];
  tasks: {
    pid: number;
    tid: number;
    comm: string;
    state: string;
    user?: string;
    container?: string;
    wchan?: string;
    syscall?: string;
    blockedForMs?: number;
    stack: string[];
    site?: string;
    signature?: string;
    waitsOn?: string;
    isHolder: boolean;
    /** Would SIGKILL to this task end its wait ('unknown' for a wait site with no signature). */
    killable?: boolean | 'unknown';
  }[];
  resources: Analysis['resources'];
  rootCauses: (Analysis['rootCauses'][number] & { knownCause?: JsonKnownCause })[];
  cycles: string[][];
  hops: Analysis['hops'];
  edges: Analysis['edges'];
  warnings: string[];
}

export function blockedCount(a: Analysis): number {
  return a.tasks.filter((t) => t.state === 'D').length;
}

export function toJson(a: Analysis): JsonReport {
  const s = a.snapshot;
  return {
    wedgetop: VERSION,
    host: s.hostname,
    kernel: s.kernel,
    takenAt: s.timeUnknown || !Number.isFinite(s.takenAtMs) ? null : new Date(s.takenAtMs).toISOString(),
    uptimeSec: s.uptimeSec,
    loadavg: s.loadavg,
    taskCount: s.taskCount,
    blockedCount: blockedCount(a),
    stacksReadable: s.stacksReadable,
    hungTask: s.hungTask,
    tasks: a.tasks.map((t) => ({
      pid: t.pid,
      tid: t.tid,
      comm: t.comm,
      state: t.state,
      user: t.user,
      container: t.container,
      wchan: t.detail?.wchan,
      syscall: t.isKernelThread ? 'none (kernel thread)' : t.detail?.syscall ? (t.detail.syscall.nr < 0 ? (t.detail.syscall.running ? 'running' : 'none (page fault or kernel)') : syscallName(t.detail.syscall.nr) ?? String(t.detail.syscall.nr)) : undefined,
      blockedForMs: t.blockedForMs,
      stack: (t.detail?.stack ?? []).map(formatFrame),
      site: t.site?.site,
      signature: t.site?.signature,
      waitsOn: t.waitsOn,
      isHolder: t.isHolder,
      killable: t.killable,
    })),
    resources: a.resources,
    rootCauses: a.rootCauses.map((rc) => {
      const m = knownCauseOf(a, rc);
      return m ? { ...rc, knownCause: knownCauseJson(m) } : rc;
    }),
    cycles: a.cycles,
    hops: a.hops,
    edges: a.edges,
    warnings: a.warnings,
  };
}
