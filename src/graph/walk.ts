// The one walk of the waits-on graph. Every question that follows waits-on edges (which root
// causes a waiter's chain ends at, the deadlock cycles on the way, the chain text shown for a
// root cause, the holders in the middle of chains, the first root cause a remedy key acts on)
// is answered here, from one successor function, so a whole-process holder is expanded into its
// threads in exactly one place (`WaitGraph.next`).
import type { Analysis, NodeId, Resource } from '../model.js';

/** A node of the waits-on graph, read as data: a task by its "pid/tid" key, or a resource by its id. */
export function nodeOf(n: NodeId): { kind: 'task'; key: string } | { kind: 'res'; id: string } {
  return n.startsWith('task:') ? { kind: 'task', key: n.slice(5) } : { kind: 'res', id: n.slice(4) };
}

export const taskNode = (key: string): NodeId => `task:${key}`;
export const resNode = (id: string): NodeId => `res:${id}`;

/** The process of a task key "pid/tid". */
export const pidOf = (key: string): number => Number(key.split('/')[0]);

/** What the graph is made of: who waits on what, the resources with their holders, the threads of each process. */
export interface GraphParts {
  /** Task key -> id of the resource it waits on. */
  waitsOn: ReadonlyMap<string, string>;
  resources: ReadonlyMap<string, Resource>;
  /** The task keys of a process, in snapshot order. */
  threadsOf: (pid: number) => readonly string[];
}

export class WaitGraph {
  readonly waitsOn: ReadonlyMap<string, string>;
  readonly resources: ReadonlyMap<string, Resource>;
  private readonly threadsOf: (pid: number) => readonly string[];
  private readonly memo = new Map<NodeId, readonly NodeId[]>();

  constructor(parts: GraphParts) {
    this.waitsOn = parts.waitsOn;
    this.resources = parts.resources;
    this.threadsOf = parts.threadsOf;
  }

  /**
   * What a node waits for, in order: a task -> the resource it waits on; a resource -> its
   * holders. A whole-process holder (a socket owner, a FUSE daemon, a tracer) is followed
   * through those of its threads that wait themselves: whichever of them is stuck keeps the
   * process from serving the resource. When none waits, the process itself is the end.
   */
  next(n: NodeId): readonly NodeId[] {
    let out = this.memo.get(n);
    if (out) return out;
    const node = nodeOf(n);
    if (node.kind === 'task') {
      const w = this.waitsOn.get(node.key);
      out = w !== undefined ? [resNode(w)] : [];
    } else {
      const r = this.resources.get(node.id);
      const o: NodeId[] = [];
      if (r) {
        for (const [h, threads] of holderGroups(r, this.threadsOf)) {
          const ws = threads.filter((k) => this.waitsOn.has(k));
          if (ws.length) for (const k of ws) o.push(taskNode(k));
          else o.push(taskNode(h));
        }
      }
      out = o;
    }
    this.memo.set(n, out);
    return out;
  }

  /** The resource a node is (a resource node), or the one a task waits on. */
  resourceAt(n: NodeId): Resource | undefined {
    const node = nodeOf(n);
    return this.resources.get(node.kind === 'res' ? node.id : this.waitsOn.get(node.key) ?? '');
  }

  /** The resources task `key` holds, in resource order. */
  heldBy(key: string): Resource[] {
    return heldBy(this.resources.values(), key);
  }

  /** Every thread that holds r (see holderThreads). */
  holderThreads(r: Resource): string[] {
    return holderThreads(r, this.threadsOf);
  }
}

/**
 * Each named holder of r with the threads it stands for: a task holder is itself; a
 * whole-process holder (a socket owner, a FUSE daemon, a tracer) is every thread of its process.
 */
export function holderGroups(r: Resource, threadsOf: (pid: number) => readonly string[]): [string, readonly string[]][] {
  return r.holders.map((h) => [h, r.holderScope === 'process' ? threadsOf(pidOf(h)) : [h]]);
}

/** Every thread that holds r; a whole-process holder none of whose threads was read, by its own key. */
export function holderThreads(r: Resource, threadsOf: (pid: number) => readonly string[]): string[] {
  return holderGroups(r, threadsOf).flatMap(([h, ts]) => (ts.length ? [...ts] : [h]));
}

/** The processes that hold r as a whole (none for a resource held by named threads). */
export function holderProcesses(r: Resource): number[] {
  return r.holderScope === 'process' ? r.holders.map(pidOf) : [];
}

/** Does task `key` hold r: named as its holder, or a thread of a whole-process holder. */
export function holds(r: Resource, key: string): boolean {
  if (r.holders.includes(key)) return true;
  if (r.holderScope !== 'process') return false;
  const pid = pidOf(key);
  return r.holders.some((h) => pidOf(h) === pid);
}

/** The resources task `key` holds, in resource order. */
export function heldBy(resources: Iterable<Resource>, key: string): Resource[] {
  const out: Resource[] = [];
  for (const r of resources) if (holds(r, key)) out.push(r);
  return out;
}

/** The graph of an Analysis (for consumers above the engine: the views, tests). */
export function graphOf(a: Pick<Analysis, 'tasks' | 'resources'>): WaitGraph {
  const waitsOn = new Map<string, string>();
  const threads = new Map<number, string[]>();
  for (const t of a.tasks) {
    if (t.waitsOn !== undefined) waitsOn.set(t.key, t.waitsOn);
    const l = threads.get(t.pid);
    if (l) l.push(t.key);
    else threads.set(t.pid, [t.key]);
  }
  return new WaitGraph({ waitsOn, resources: new Map(a.resources.map((r) => [r.id, r])), threadsOf: (pid) => threads.get(pid) ?? [] });
}

/** Where the waiters' chains end, and the deadlock cycles met on the way. */
export interface Ends {
  /** Start node -> the root nodes its chains end at. */
  rootsOf: Map<NodeId, Set<NodeId>>;
  /** Each cycle once, in the order the walk met it, from the node it was entered at. */
  cycles: NodeId[][];
  cycleNodes: Set<NodeId>;
}

/**
 * Follow each start to the ends of all its chains. An end is a node that waits on nothing, or
 * one `stopsAt` says frees what is behind it whatever its own chain goes on to (the rest of
 * the walk from it only marks cycles). The root of a deadlock cycle is its first task: the one
 * to kill to break it.
 */
export function chainEnds(g: WaitGraph, starts: Iterable<NodeId>, stopsAt: (n: NodeId) => boolean): Ends {
  const cycles: NodeId[][] = [];
  const cycleKeys = new Set<string>();
  const cycleNodes = new Set<NodeId>();
  const memo = new Map<NodeId, Set<NodeId>>();
  // The path from the start to the node being walked; chains are short, so a scan of it is
  // cheaper than keeping an index (measured on the 100k-task synthetic snapshot).
  const stack: NodeId[] = [];
  const walk = (node: NodeId): Set<NodeId> => {
    const hit = memo.get(node);
    if (hit) return hit;
    const at = stack.indexOf(node);
    if (at >= 0) {
      const cyc = stack.slice(at);
      const key = [...cyc].sort().join(' ');
      if (!cycleKeys.has(key)) {
        cycleKeys.add(key);
        cycles.push(cyc);
      }
      cyc.forEach((n) => cycleNodes.add(n));
      return new Set([cyc.find((n) => n.startsWith('task:')) ?? node]);
    }
    const next = g.next(node);
    let result: Set<NodeId>;
    if (next.length === 0) result = new Set([node]);
    else {
      stack.push(node);
      result = new Set();
      for (const n of next) for (const r of walk(n)) result.add(r);
      stack.pop();
      if (stopsAt(node)) result = new Set([node]);
    }
    memo.set(node, result);
    return result;
  };
  const rootsOf = new Map<NodeId, Set<NodeId>>();
  for (const s of starts) rootsOf.set(s, walk(s));
  return { rootsOf, cycles, cycleNodes };
}

/** One chain from a node, following the first successor at each step (what a chain text shows). */
export interface Path {
  /** Task, resource, task, ... from the start. */
  nodes: NodeId[];
  /** The task the path met again: it closes a deadlock cycle. */
  loopsTo?: NodeId;
}

export function firstPath(g: WaitGraph, start: NodeId): Path {
  const nodes: NodeId[] = [];
  for (let n: NodeId | undefined = start; n !== undefined; n = g.next(n)[0]) {
    // A resource met again leads to the same first holder: the repeat shows at that task.
    if (n.startsWith('task:') && nodes.includes(n)) return { nodes, loopsTo: n };
    nodes.push(n);
  }
  return { nodes };
}

/** Every node reachable from `start` along waits-on edges (the start included), breadth first. */
export function reachable(g: WaitGraph, start: NodeId): NodeId[] {
  const seen = new Set<NodeId>([start]);
  const out: NodeId[] = [start];
  for (let i = 0; i < out.length; i++) {
    for (const n of g.next(out[i]!)) {
      if (seen.has(n)) continue;
      seen.add(n);
      out.push(n);
    }
  }
  return out;
}

/**
 * The first node on the way from a task, nearest first, that `rootAt` names a root cause for:
 * the task itself, the resource it waits on, then its holders' turn (breadth first, a task and
 * what it waits on taken together). What a remedy key acts on when the task is selected.
 */
export function firstRoot<T>(g: WaitGraph, start: NodeId, rootAt: (n: NodeId) => T | undefined): T | undefined {
  const seen = new Set<NodeId>();
  const queue: NodeId[] = [start];
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i]!;
    if (seen.has(n)) continue;
    seen.add(n);
    const here = rootAt(n);
    if (here !== undefined) return here;
    for (const r of g.next(n)) {
      const there = rootAt(r);
      if (there !== undefined) return there;
      queue.push(...g.next(r));
    }
  }
  return undefined;
}
