// A refresh ships as the change from the one before (src/collector/delta.ts). Whatever changed —
// a writer that got unstuck, a new one blocked in the middle of the pid order, a holder that
// died and took its root cause with it, every blocked task a second older — the UI must end up
// with exactly what a whole message would have given it, and keep every object that did not change.
import { describe, expect, it } from 'vitest';
import type { Snapshot, Task } from '../../src/model.js';
import { Analyst, packAnalysis, unpackAnalysis, type PackedAnalysis } from '../../src/collector/analyst.js';
import { applyDelta, diffAnalysis, DeltaMismatch, type AnalysisDelta } from '../../src/collector/delta.js';
import { corpusFixtures } from '../support/corpus.js';
import { replay } from '../support/replay.js';
import { prng as rng } from '../support/prng.js';

/** What crosses the IPC pipe: JSON (an undefined field is not sent). */
const wire = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/** The receiving side's check: the delta applied on the base it was made from gives next, exactly. */
function roundTrip(prev: PackedAnalysis, next: PackedAnalysis, seq = 1): { got: PackedAnalysis; delta: AnalysisDelta; base: PackedAnalysis } {
  const delta = wire(diffAnalysis(prev, next, seq, seq + 1));
  const base = wire(prev);
  const got = applyDelta(base, delta);
  // Same values, same key order, as the full message would give.
  expect(JSON.stringify(got)).toBe(JSON.stringify(next));
  return { got, delta, base };
}

const fixtures = corpusFixtures().filter((f) => f.name !== 'threads-2000');
const snapshots = new Map(fixtures.map((f) => [f.name, replay(f.dir)]));

/** A snapshot one refresh later, with some of the box's typical changes. */
type Mutation = (s: Snapshot, r: () => number) => void;
const pick = <T>(xs: T[], r: () => number): T | undefined => xs[Math.floor(r() * xs.length)];
const blocked = (s: Snapshot): Task[] => s.tasks.filter((t) => t.state === 'D');

const MUTATIONS: Record<string, Mutation> = {
  // Every task off-CPU a second longer (rounded: some 1,000, some 1,001 ms).
  'a second later': (s, r) => {
    s.takenAtMs += 1000;
    s.uptimeSec += 1;
    for (const t of s.tasks) if (t.detail?.offCpuMs !== undefined) t.detail.offCpuMs += 1000 + (r() < 0.5 ? 1 : 0);
  },
  'a blocked task is gone': (s, r) => {
    const t = pick(blocked(s), r);
    if (t) s.tasks = s.tasks.filter((x) => x !== t);
  },
  'a new thread blocks, among the others': (s, r) => {
    const t = pick(blocked(s), r);
    if (!t) return;
    const tid = Math.max(...s.tasks.map((x) => x.tid)) + 1;
    const copy: Task = { ...structuredClone(t), tid };
    s.tasks.splice(s.tasks.indexOf(t) + 1, 0, copy);
  },
  'a blocked task runs again': (s, r) => {
    const t = pick(blocked(s), r);
    if (t) t.state = 'S';
  },
  'a stack changes': (s, r) => {
    const t = pick(s.tasks.filter((x) => x.detail?.stack?.length), r);
    const other = pick(s.tasks.filter((x) => x.detail?.stack?.length && x.detail.stack[0]!.func !== t?.detail?.stack?.[0]?.func), r);
    if (t && other) t.detail = { ...t.detail, stack: structuredClone(other.detail!.stack) };
    else if (t) t.detail = { ...t.detail, stack: t.detail!.stack!.slice(1) };
  },
  // The holder (or daemon) a root cause names dies: the root cause changes or goes.
  'a root cause goes away': (s, r) => {
    const holders = s.tasks.filter((t) => t.state !== 'D');
    const t = pick(holders, r);
    if (t) s.tasks = s.tasks.filter((x) => x.pid !== t.pid);
  },
  'a kernel message and a warning': (s, r) => {
    const seq = (s.kmsg.at(-1)?.seq ?? 0) + 1;
    s.kmsg.push({ seq, usec: Math.floor(r() * 1e9), text: 'INFO: task blocked for more than 120 seconds.' });
    s.warnings.push(`warning ${seq}`);
  },
};

/** A sequence of refreshes of one recorded wedge, each with a few of the mutations above. */
function refreshes(base: Snapshot, seed: number, steps: number): { packed: PackedAnalysis; changes: string[] }[] {
  const r = rng(seed);
  const analyst = new Analyst();
  let s = structuredClone(base);
  const out = [{ packed: packAnalysis(analyst.analyze(s)), changes: [] as string[] }];
  const names = Object.keys(MUTATIONS);
  for (let i = 0; i < steps; i++) {
    s = structuredClone(s);
    const changes = ['a second later', ...Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(names, r)!)];
    for (const c of changes) MUTATIONS[c]!(s, r);
    out.push({ packed: packAnalysis(analyst.analyze(s)), changes });
  }
  return out;
}

describe('a delta over a recorded wedge gives the next refresh exactly', () => {
  it.each(fixtures.map((f) => f.name))('%s: eight refreshes of tasks appearing, going, changing state and stack', (name) => {
    const seq = refreshes(snapshots.get(name)!, name.length * 7919, 8);
    let rootCausesChanged = 0;
    for (let i = 1; i < seq.length; i++) {
      const prev = seq[i - 1]!.packed;
      const next = seq[i]!.packed;
      if (JSON.stringify(prev.rootCauses) !== JSON.stringify(next.rootCauses)) rootCausesChanged++;
      roundTrip(prev, next, i);
    }
    // The sequence is not trivial: the analyses did change from one refresh to the next.
    expect(new Set(seq.map((x) => JSON.stringify(x.packed))).size).toBe(seq.length);
    expect(rootCausesChanged).toBeGreaterThan(0);
  });

  it('from one recorded wedge to a completely different one', () => {
    const packed = fixtures.map((f) => packAnalysis(new Analyst().analyze(snapshots.get(f.name)!)));
    for (let i = 1; i < packed.length; i++) roundTrip(packed[i - 1]!, packed[i]!, i);
    roundTrip(packed.at(-1)!, packed[0]!);
  });

  it('a second later is a small delta, and every task whose halves did not change is the same object', () => {
    const name = 'frozen-ext4';
    const [a, b] = refreshes(snapshots.get(name)!, 1, 1).map((x) => x.packed);
    const { got, delta, base } = roundTrip(a!, b!);
    expect(JSON.stringify(delta).length).toBeLessThan(JSON.stringify(b).length / 4);
    // Blocked tasks aged (offCpuMs, blockedForMs): new objects; their stacks did not change and are shared.
    const before = new Map(base.snapshot.tasks.map((t) => [`${t.pid}/${t.tid}`, t]));
    let shared = 0;
    for (const t of got.snapshot.tasks) {
      const o = before.get(`${t.pid}/${t.tid}`)!;
      if (t.detail?.stack) {
        expect(t.detail.stack).toBe(o.detail!.stack);
        shared++;
      }
    }
    expect(shared).toBeGreaterThan(0);
    // A refresh where nothing of the tasks changed: the UI's AnalyzedTasks are last time's objects.
    const again = roundTrip(b!, { ...b!, warnings: [...b!.warnings, 'one more'] });
    const first = unpackAnalysis(again.base);
    const second = unpackAnalysis(again.got, first);
    expect(second.tasks.length).toBe(first.tasks.length);
    second.tasks.forEach((t, i) => expect(t).toBe(first.tasks[i]));
    expect(second.warnings).not.toBe(first.warnings);
  });
});

/* ---------- fuzz: random edits anywhere in the tree ---------- */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every object and list in the tree (the places an edit can go). */
function containers(x: Json, out: (Json[] | { [k: string]: Json })[] = []): (Json[] | { [k: string]: Json })[] {
  if (x === null || typeof x !== 'object') return out;
  out.push(x);
  for (const v of Array.isArray(x) ? x : Object.values(x)) containers(v, out);
  return out;
}

function randomValue(r: () => number, like?: Json): Json {
  const k = r();
  if (like !== undefined && like !== null && typeof like === 'object' && k < 0.5) {
    const copy = structuredClone(like);
    // A copy whose identity fields differ: a new task, root cause, edge.
    if (!Array.isArray(copy)) for (const f of ['key', 'id', 'tid', 'seq', 'from']) if (f in copy) copy[f] = typeof copy[f] === 'number' ? Math.floor(r() * 1e6) : `fz${Math.floor(r() * 1e6)}`;
    return copy;
  }
  if (k < 0.6) return Math.floor(r() * 1e6);
  if (k < 0.7) return r() < 0.5;
  if (k < 0.8) return null;
  if (k < 0.9) return `s${Math.floor(r() * 100)}`;
  return { n: Math.floor(r() * 10), t: ['a', 'b'] };
}

function mutate(root: Json, r: () => number): void {
  const cs = containers(root);
  const c = cs[Math.floor(r() * cs.length)]!;
  const op = r();
  if (Array.isArray(c)) {
    const i = Math.floor(r() * (c.length + 1));
    if (op < 0.3 && c.length) c.splice(Math.min(i, c.length - 1), 1);
    else if (op < 0.6) c.splice(i, 0, randomValue(r, c[0]));
    else if (op < 0.75 && c.length > 1) {
      const j = Math.floor(r() * c.length);
      const k = Math.floor(r() * c.length);
      [c[j], c[k]] = [c[k]!, c[j]!];
    } else if (c.length) c[Math.min(i, c.length - 1)] = randomValue(r, c[0]);
  } else {
    const keys = Object.keys(c);
    const k = keys[Math.floor(r() * keys.length)];
    if (op < 0.25 && k !== undefined && c !== root) delete c[k];
    else if (op < 0.45) {
      // A new key, sometimes where it sorts first (an integer-like key: JS puts those first).
      c[r() < 0.3 ? String(Math.floor(r() * 100)) : `k${Math.floor(r() * 1000)}`] = randomValue(r);
    } else if (k !== undefined) {
      const v = c[k]!;
      // Numbers drift (offCpuMs, blockedForMs), others are replaced.
      c[k] = typeof v === 'number' && r() < 0.5 ? v + Math.floor(r() * 2000) - 1000 : randomValue(r, v);
    }
  }
}

describe('fuzz: random edits of recorded analyses (seeded)', () => {
  const names = ['frozen-ext4', 'audit-deadlock-real', 'ps-hangs-fuse', 'vfork-cgroup', 'seed-004'].filter((n) => snapshots.has(n));
  it.each(names)('%s: 1,500 random edits, up to 8 at a time, always give next exactly', (name) => {
    const r = rng(0xdecaf ^ name.length);
    let prev = wire(packAnalysis(new Analyst().analyze(snapshots.get(name)!))) as unknown as Json;
    let edits = 0;
    while (edits < 1500) {
      const next = structuredClone(prev);
      const n = 1 + Math.floor(r() * 8);
      for (let i = 0; i < n; i++) mutate(next, r);
      edits += n;
      // The shape check in applyDelta wants the lists every consumer reads.
      const p = next as unknown as PackedAnalysis;
      if (!Array.isArray(p.packedTasks) || !p.snapshot || !Array.isArray(p.snapshot.tasks)) continue;
      roundTrip(prev as unknown as PackedAnalysis, p, edits);
      prev = next;
    }
  });
});

describe('a delta is never applied to another base', () => {
  it('a delta made on one refresh does not fit an older one: applyDelta throws DeltaMismatch', () => {
    const seq = refreshes(snapshots.get('frozen-ext4')!, 3, 3).map((x) => x.packed);
    const delta = wire(diffAnalysis(seq[2]!, seq[3]!, 2, 3));
    // seq[0] had the tasks seq[2] lost: its lists are not the ones the delta counts on.
    const older = wire(seq[0]!);
    if (older.packedTasks.length === seq[2]!.packedTasks.length) older.packedTasks.pop();
    expect(() => applyDelta(older, delta)).toThrow(DeltaMismatch);
  });
});
