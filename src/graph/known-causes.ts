// Which known causes (src/kernel/known-causes.ts) a diagnosis matches, per root cause. A pure
// function of the Analysis: the table says what to look for, this only looks.
import type { Analysis, AnalyzedTask, RootCause } from '../model.js';
import { KNOWN_CAUSES, type KnownCause, type KnownCausePattern } from '../kernel/known-causes.js';
import { holderGroups } from './walk.js';

/** How every match is presented: evidence of the same mechanism, not proof of the same bug. */
export const KNOWN_CAUSE_NOTE = 'matches a known issue';

export interface KnownCauseMatch {
  cause: KnownCause;
  /** What matched, for the admin to check ("root task auditbeat:247832", a kernel log line). */
  evidence: string[];
}

/** Every task on a root cause's chain: its blocked tasks, the holders they wait on, the root task. */
export function chainTasks(a: Analysis, rc: RootCause): AnalyzedTask[] {
  const byKey = new Map(a.tasks.map((t) => [t.key, t]));
  const byPid = new Map<number, AnalyzedTask[]>();
  for (const t of a.tasks) byPid.set(t.pid, [...(byPid.get(t.pid) ?? []), t]);
  const threadsOf = (pid: number): string[] => (byPid.get(pid) ?? []).map((t) => t.key);
  const res = new Map(a.resources.map((r) => [r.id, r]));
  const out = new Map<string, AnalyzedTask>();
  const add = (t: AnalyzedTask | undefined): void => {
    if (t) out.set(t.key, t);
  };
  for (const k of rc.blockedTasks) {
    const t = byKey.get(k);
    add(t);
    const r = t?.waitsOn ? res.get(t.waitsOn) : undefined;
    if (!r) continue;
    // A process-scope holder (socket owner, FUSE daemon) is every thread of that process.
    for (const [h, threads] of holderGroups(r, threadsOf)) {
      add(byKey.get(h));
      for (const k of threads) add(byKey.get(k));
    }
  }
  if (rc.pid !== undefined) {
    add(byKey.get(`${rc.pid}/${rc.tid ?? rc.pid}`));
    for (const x of byPid.get(rc.pid) ?? []) add(x);
  }
  return [...out.values()];
}

function rootTask(a: Analysis, rc: RootCause): AnalyzedTask | undefined {
  if (rc.pid === undefined) return undefined;
  return a.tasks.find((t) => t.pid === rc.pid && t.tid === (rc.tid ?? rc.pid)) ?? a.tasks.find((t) => t.pid === rc.pid);
}

/** "5.4.0-74-generic" -> [5, 4, 0]; a release that does not parse compares as unknown. */
export function kernelVersion(release: string): number[] | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

function cmpVersion(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

function inRange(release: string, r: NonNullable<KnownCausePattern['kernel']>): boolean {
  const v = kernelVersion(release);
  if (!v) return false;
  const lo = r.min ? kernelVersion(r.min) : undefined;
  const hi = r.max ? kernelVersion(r.max) : undefined;
  if (lo && cmpVersion(v, lo) < 0) return false;
  // "max 6.14" includes every 6.14.x.
  if (hi && cmpVersion(v.slice(0, r.max!.split('.').length), hi.slice(0, r.max!.split('.').length)) > 0) return false;
  return true;
}

const funcName = (f: { func: string }): string => f.func;

/** The evidence a pattern finds for one root cause, or undefined when it does not match. */
export function matchPattern(a: Analysis, rc: RootCause, p: KnownCausePattern): string[] | undefined {
  const ev: string[] = [];
  if (p.rootKind && !p.rootKind.includes(rc.kind)) return undefined;
  if (p.rootKind) ev.push(`root cause: ${rc.label}`);
  const chain = chainTasks(a, rc);
  const blocked = rc.blockedTasks.map((k) => chain.find((t) => t.key === k)).filter((t): t is AnalyzedTask => !!t);
  if (p.signatures) {
    const t = blocked.find((x) => x.site && p.signatures!.includes(x.site.signature));
    if (!t) return undefined;
    ev.push(`${blocked.filter((x) => x.site && p.signatures!.includes(x.site.signature)).length} blocked in ${t.site!.signature} (${t.site!.site})`);
  }
  if (p.rootComm || p.rootState) {
    const r = rootTask(a, rc);
    if (!r) return undefined;
    if (p.rootComm && !p.rootComm.test(r.comm)) return undefined;
    if (p.rootState && !p.rootState.includes(r.state)) return undefined;
    ev.push(`root task ${r.comm}:${r.pid} in state ${r.state}`);
  }
  if (p.chainComm) {
    const t = chain.find((x) => p.chainComm!.test(x.comm));
    if (!t) return undefined;
    ev.push(`${t.comm}:${t.pid} on the chain (${t.state}${t.site ? `, ${t.site.site}` : ''})`);
  }
  if (p.frames) {
    let hit: string | undefined;
    for (const t of chain) {
      const f = (t.detail?.stack ?? []).map(funcName).find((fn) => p.frames!.some((re) => re.test(fn)));
      if (f) {
        hit = `${t.comm}:${t.pid} in ${f}`;
        break;
      }
    }
    if (!hit) return undefined;
    ev.push(hit);
  }
  if (p.cycle !== undefined && rc.inCycle !== p.cycle) return undefined;
  if (p.cycle) ev.push('deadlock cycle');
  if (p.kernel && !inRange(a.snapshot.kernel, p.kernel)) return undefined;
  if (p.kmsg) {
    const line = a.snapshot.kmsg.find((k) => p.kmsg!.test(k.text));
    if (!line) return undefined;
    ev.push(`kernel log: ${line.text}`);
  }
  if (p.kmsgEvidence) {
    const line = a.snapshot.kmsg.find((k) => p.kmsgEvidence!.test(k.text));
    if (line) ev.push(`kernel log: ${line.text}`);
  }
  return ev;
}

/** Known causes matching one root cause, most specific (first in the table) first. */
export function knownCausesOf(a: Analysis, rc: RootCause, table: KnownCause[] = KNOWN_CAUSES): KnownCauseMatch[] {
  const out: KnownCauseMatch[] = [];
  for (const cause of table) {
    const evidence = matchPattern(a, rc, cause.match);
    if (evidence) out.push({ cause, evidence });
  }
  return out;
}

const memo = new WeakMap<Analysis, Map<string, KnownCauseMatch | undefined>>();

/** The best known cause of a root cause (memoised per Analysis: the UI asks on every frame). */
export function knownCauseOf(a: Analysis, rc: RootCause): KnownCauseMatch | undefined {
  let m = memo.get(a);
  if (!m) memo.set(a, (m = new Map()));
  if (!m.has(rc.id)) m.set(rc.id, knownCausesOf(a, rc)[0]);
  return m.get(rc.id);
}
