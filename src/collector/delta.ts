// A refresh as a difference from the one before. At 5,000 blocked tasks a whole PackedAnalysis
// is 8-9 MB of JSON, and Node parses an IPC message on the receiving process's main thread (the
// UI's: 40-60 ms, a keypress waits behind it). From one refresh to the next almost nothing of it
// changes but the clock: each blocked task's off-CPU time (and so its "blocked for") grows by
// the time between the two reads. So the child ships what changed, as data:
//   - objects field by field (a record such as rootOf key by key), their key order kept;
//   - lists whose items have an identity (tasks by pid/tid, root causes by id, ...) as runs of
//     the previous list's items, new items whole, and a patch for each item that changed;
//   - the numbers that only drift with the clock as a column of small differences.
// applyDelta rebuilds exactly what a full message would have given (JSON's view of it: an
// undefined field is an absent one), sharing every unchanged object with the previous one.
// It is pure and schema-free: the delta says what it is; only diffAnalysis knows the shapes.
import type { PackedAnalysis } from './analyst.js';

/** A change to one value: a new value, a patch of an object, or a patch of a list. */
export type Patch = { v: unknown } | { o: ObjectPatch } | { l: ListPatch };

/**
 * A run of the previous list (or key list): `count` items from index `start`, in order; or a
 * new item (for an object's key order: a new key name).
 */
export type Segment = [start: number, count: number] | { n: unknown };

export interface ObjectPatch {
  /** Fields that changed or are new. */
  p?: Record<string, Patch>;
  /** Fields that are gone. */
  d?: string[];
  /**
   * The key order, when it is not the previous order less the gone keys followed by the new
   * ones (a key added in the middle): runs of the previous keys, new keys as { n: name }.
   */
  k?: Segment[];
}

export interface ListPatch {
  /** The previous list's length: a check that the base is the one this was made from. */
  from: number;
  /** The new length. */
  len: number;
  /** The new list as runs of the previous one and new items; absent: the same items in the same order. */
  o?: Segment[];
  /** Items (from the previous list) that changed: [index in the new list, patch]. */
  c?: [number, Patch][];
  /**
   * Numbers that drift with the clock, one column per path inside the items: pairs of (index gap
   * since the last entry, change of the difference since the last entry). At 5,000 tasks whose
   * off-CPU time all grew by ~1,000 ms that is "1,0,1,1,1,-1,..." instead of 5,000 patches.
   */
  t?: [path: string[], pairs: number[]][];
}

/** One refresh, as the change from the refresh numbered `base` (which the receiver must hold). */
export interface AnalysisDelta {
  base: number;
  seq: number;
  patch: ObjectPatch;
}

/** A delta that does not fit the base it is applied to: ask for a full one. */
export class DeltaMismatch extends Error {}

/* ---------- shapes: where lists have identities, and which numbers drift ---------- */

type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

interface Shape {
  /** Fields of an object. */
  fields?: Record<string, Shape>;
  /** Every value of a record (mount namespace -> mounts). */
  values?: Shape;
  /** A list's item identity: lists without one are compared whole. */
  key?: (item: unknown) => string;
  /** Items of a list. */
  items?: Shape;
  /** Integer fields (paths inside each item) that drift with the clock. */
  drift?: string[][];
}

// Keys of what the box gave: an item without the field (or not an object) still gets one.
const get = (x: unknown, name: string): unknown => (isObj(x) ? x[name] : undefined);
const field = (name: string) => (x: unknown): string => String(get(x, name));
const mounts: Shape = { key: field('mountId') };

const SNAPSHOT: Shape = {
  fields: {
    tasks: { key: (t) => `${String(get(t, 'pid'))}/${String(get(t, 'tid'))}`, drift: [['detail', 'offCpuMs']] },
    mounts: { values: mounts },
    kmsg: { key: field('seq') },
    cgroups: { key: field('path') },
    netlink: { key: field('inode') },
    blockDevices: { fields: { mounts } },
  },
};

const ANALYSIS: Shape = {
  fields: {
    snapshot: SNAPSHOT,
    packedTasks: { key: field('key'), drift: [['blockedForMs']] },
    resources: { key: field('id') },
    rootCauses: { key: field('id') },
    hops: { key: field('id') },
    edges: { key: (e) => `${String(get(e, 'from'))}>${String(get(e, 'to'))}>${String(get(e, 'kind'))}` },
  },
};

/** Lists of strings or numbers at least this long are diffed by value (a root cause's 5,000 blockedTasks). */
const VALUE_LIST_MIN = 8;

/* ---------- diff ---------- */

export function diffAnalysis(prev: PackedAnalysis, next: PackedAnalysis, base: number, seq: number): AnalysisDelta {
  return { base, seq, patch: diffObject(prev as unknown as Obj, next as unknown as Obj, ANALYSIS) ?? {} };
}

/** The keys JSON would send: an undefined field is not sent. */
function keysOf(o: Obj): string[] {
  const out: string[] = [];
  for (const k of Object.keys(o)) if (o[k] !== undefined) out.push(k);
  return out;
}

/** Equal as JSON would carry them (undefined fields absent). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') {
    // NaN and Infinity travel as null.
    return typeof a === 'number' && typeof b === 'number' && !Number.isFinite(a) && !Number.isFinite(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  const ao = a as Obj;
  const bo = b as Obj;
  // Key order too (what the views iterate must come out in the same order); no array made per
  // object: this runs over every frame and fd of 5,000 tasks each refresh.
  const ka = Object.keys(ao);
  const kb = Object.keys(bo);
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < ka.length && ao[ka[i]!] === undefined) i++;
    while (j < kb.length && bo[kb[j]!] === undefined) j++;
    if (i === ka.length || j === kb.length) return i === ka.length && j === kb.length;
    const k = ka[i]!;
    if (k !== kb[j] || !jsonEqual(ao[k], bo[k])) return false;
    i++;
    j++;
  }
}

function diffValue(a: unknown, b: unknown, shape: Shape | undefined): Patch | undefined {
  if (a === b) return undefined;
  if (isObj(a) && isObj(b)) {
    // Most objects did not change: telling so allocates nothing, a patch allocates plenty.
    if (jsonEqual(a, b)) return undefined;
    const o = diffObject(a, b, shape);
    return o ? { o } : undefined;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const key = shape?.key ?? (isValueList(a) && isValueList(b) && b.length >= VALUE_LIST_MIN ? String : undefined);
    if (key) {
      const l = diffList(a, b, key, shape?.items, shape?.drift);
      return l ? { l } : undefined;
    }
  }
  return jsonEqual(a, b) ? undefined : { v: b };
}

function isValueList(xs: unknown[]): boolean {
  for (const x of xs) if (typeof x !== 'string' && typeof x !== 'number') return false;
  return true;
}

function diffObject(a: Obj, b: Obj, shape: Shape | undefined): ObjectPatch | undefined {
  const ka = keysOf(a);
  const kb = keysOf(b);
  // No prototype: a key read from the box ("__proto__") is a key like any other.
  const p: Record<string, Patch> = Object.create(null) as Record<string, Patch>;
  let changed = false;
  const added: string[] = [];
  for (const k of kb) {
    if (a[k] === undefined) {
      p[k] = { v: b[k] };
      added.push(k);
      changed = true;
      continue;
    }
    const d = diffValue(a[k], b[k], shape?.fields?.[k] ?? shape?.values);
    if (d) {
      p[k] = d;
      changed = true;
    }
  }
  const d = ka.filter((k) => b[k] === undefined);
  // The order applyObject makes by default: the kept keys as they were, then the new ones.
  const gone = new Set(d);
  const byDefault = [...ka.filter((k) => !gone.has(k)), ...added];
  let k: Segment[] | undefined;
  if (byDefault.some((x, i) => x !== kb[i])) {
    const at = new Map(ka.map((x, i) => [x, i]));
    k = segments(kb.map((x) => at.get(x)), (i) => kb[i]);
  }
  if (!changed && !d.length && !k) return undefined;
  return { ...(changed ? { p } : {}), ...(d.length ? { d } : {}), ...(k ? { k } : {}) };
}

/** Runs of previous indices (undefined: new, given by `fresh(index in the new list)`). */
function segments(prevIndex: (number | undefined)[], fresh: (j: number) => unknown): Segment[] {
  const out: Segment[] = [];
  let run: [number, number] | undefined;
  for (let j = 0; j < prevIndex.length; j++) {
    const i = prevIndex[j];
    if (i === undefined) {
      run = undefined;
      out.push({ n: fresh(j) });
    } else if (run && run[0] + run[1] === i) run[1]++;
    else {
      run = [i, 1];
      out.push(run);
    }
  }
  return out;
}

/** Keys made unique by counting repeats: any unique keys give a correct diff, good ones a small one. */
function uniqueKeys(xs: unknown[], key: (x: unknown) => string): string[] {
  const seen = new Map<string, number>();
  return xs.map((x) => {
    const k = key(x);
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    return n ? `${k}\u0000${n}` : k;
  });
}

function diffList(a: unknown[], b: unknown[], key: (x: unknown) => string, items: Shape | undefined, drift: string[][] = []): ListPatch | undefined {
  const ka = uniqueKeys(a, key);
  const kb = uniqueKeys(b, key);
  const at = new Map(ka.map((k, i) => [k, i]));
  const prevIndex = kb.map((k) => at.get(k));
  const c: [number, Patch][] = [];
  const cols = drift.map((path) => ({ path, pairs: [] as number[], last: -1, lastD: 0 }));
  for (let j = 0; j < b.length; j++) {
    const i = prevIndex[j];
    if (i === undefined) continue;
    let x = a[i];
    const y = b[j];
    for (const col of cols) {
      const u = getPath(x, col.path);
      const w = getPath(y, col.path);
      if (u === w || !Number.isSafeInteger(u) || !Number.isSafeInteger(w)) continue;
      const dv = (w as number) - (u as number);
      col.pairs.push(j - col.last, dv - col.lastD);
      col.last = j;
      col.lastD = dv;
      // Compared as if it had drifted already: the rest of the item is diffed as usual.
      x = setPath(x as Obj, col.path, w);
    }
    const d = diffValue(x, y, items);
    if (d) c.push([j, d]);
  }
  const same = a.length === b.length && prevIndex.every((i, j) => i === j);
  const t = cols.filter((col) => col.pairs.length).map((col): [string[], number[]] => [col.path, col.pairs]);
  if (same && !c.length && !t.length) return undefined;
  return {
    from: a.length,
    len: b.length,
    ...(same ? {} : { o: segments(prevIndex, (j) => b[j]) }),
    ...(c.length ? { c } : {}),
    ...(t.length ? { t } : {}),
  };
}

function getPath(x: unknown, path: string[]): unknown {
  let v = x;
  for (const k of path) {
    if (!isObj(v)) return undefined;
    v = v[k];
  }
  return v;
}

/** A copy of x with the value at path set, every object on the way copied (the rest shared). */
function setPath(x: Obj, path: string[], value: unknown): Obj {
  const [k, ...rest] = path;
  const inner = x[k!];
  if (!rest.length) return { ...x, [k!]: value };
  if (!isObj(inner)) throw new DeltaMismatch(`no object at ${path.join('.')}`);
  return { ...x, [k!]: setPath(inner, rest, value) };
}

/* ---------- apply ---------- */

/**
 * The analysis the delta was made from, rebuilt on `prev` (which must be the base it names:
 * the caller checks delta.base). Unchanged objects are prev's own; prev itself is not modified.
 */
export function applyDelta(prev: PackedAnalysis, delta: AnalysisDelta): PackedAnalysis {
  const next = applyObject(prev as unknown as Obj, delta.patch);
  // The one shape check worth its cost: what every consumer indexes first.
  if (!isObj(next.snapshot) || !Array.isArray((next.snapshot as Obj).tasks) || !Array.isArray(next.packedTasks)) {
    throw new DeltaMismatch('the delta did not give an analysis');
  }
  return next as unknown as PackedAnalysis;
}

function applyPatch(prev: unknown, p: Patch): unknown {
  if ('v' in p) return p.v;
  if ('o' in p) {
    if (!isObj(prev)) throw new DeltaMismatch('object patch on a non-object');
    return applyObject(prev, p.o);
  }
  if (!Array.isArray(prev)) throw new DeltaMismatch('list patch on a non-list');
  return applyList(prev, p.l);
}

function applyObject(prev: Obj, op: ObjectPatch): Obj {
  const p = op.p ?? {};
  const has = (o: Obj, k: string): boolean => Object.hasOwn(o, k);
  const prevKeys = Object.keys(prev);
  let order: string[];
  if (op.k) order = expand(op.k, prevKeys).map(String);
  else {
    const gone = new Set(op.d ?? []);
    order = prevKeys.filter((k) => !gone.has(k));
    for (const k of Object.keys(p)) if (!has(prev, k)) order.push(k);
  }
  const out: Obj = {};
  for (const k of order) {
    const q = has(p, k) ? p[k] : undefined;
    let v: unknown;
    if (!q) {
      if (!has(prev, k)) throw new DeltaMismatch(`no field ${k} in the base`);
      v = prev[k];
    } else v = applyPatch(has(prev, k) ? prev[k] : undefined, q);
    // As JSON.parse makes it: an own field, even one named __proto__.
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}

function expand(segs: Segment[], prev: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const s of segs) {
    if (Array.isArray(s)) {
      const [start, count] = s;
      if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > prev.length) {
        throw new DeltaMismatch(`run ${start}+${count} outside a base of ${prev.length}`);
      }
      for (let i = start; i < start + count; i++) out.push(prev[i]);
    } else out.push(s.n);
  }
  return out;
}

function applyList(prev: unknown[], lp: ListPatch): unknown[] {
  if (lp.from !== prev.length) throw new DeltaMismatch(`list of ${prev.length} where the delta expects ${lp.from}`);
  const out = lp.o ? expand(lp.o, prev) : prev.slice();
  if (out.length !== lp.len) throw new DeltaMismatch(`list of ${out.length} where the delta expects ${lp.len}`);
  const at = (j: number): number => {
    if (!Number.isInteger(j) || j < 0 || j >= out.length) throw new DeltaMismatch(`index ${j} outside a list of ${out.length}`);
    return j;
  };
  for (const [j, p] of lp.c ?? []) out[at(j)] = applyPatch(out[at(j)], p);
  for (const [path, pairs] of lp.t ?? []) {
    let j = -1;
    let d = 0;
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      j += pairs[i]!;
      d += pairs[i + 1]!;
      const x = out[at(j)];
      const u = getPath(x, path);
      if (!isObj(x) || typeof u !== 'number') throw new DeltaMismatch(`no number at ${path.join('.')} of item ${j}`);
      out[j] = setPath(x, path, u + d);
    }
  }
  return out;
}
