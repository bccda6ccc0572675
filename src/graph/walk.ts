// Which root cause each shown task leads to, computed once per analysis (the views read
// Analysis.rootOf instead of walking the graph again on every frame).
import type { AnalyzedTask, NodeId, Resource, RootCause } from '../model.js';

/** A node of the waits-on graph, read as data: a task by its "pid/tid" key, or a resource by its id. */
export function nodeOf(n: NodeId): { kind: 'task'; key: string } | { kind: 'res'; id: string } {
  return n.startsWith('task:') ? { kind: 'task', key: n.slice(5) } : { kind: 'res', id: n.slice(4) };
}

/**
 * Task key -> id of the first root cause met walking forward along waits-on edges: the task's own
 * process when it is a root cause, else the resource it waits on when that is one, else on through
 * the resource's holders (a whole-process holder: through those of its threads that wait
 * themselves). This is the root cause a remedy key acts on when the task is selected.
 */
export function firstRootOf(tasks: readonly AnalyzedTask[], resources: readonly Resource[], rootCauses: readonly RootCause[]): Record<string, string> {
  const byKey = new Map(tasks.map((t) => [t.key, t]));
  const resById = new Map(resources.map((r) => [r.id, r]));
  const rcIds = new Set(rootCauses.map((rc) => rc.id));
  const threadsOf = new Map<number, AnalyzedTask[]>();
  for (const t of tasks) {
    const l = threadsOf.get(t.pid);
    if (l) l.push(t);
    else threadsOf.set(t.pid, [t]);
  }
  const rootOfKey = (start: string): string | undefined => {
    const seen = new Set<string>();
    const queue = [start];
    while (queue.length) {
      const key = queue.shift()!;
      if (seen.has(key)) continue;
      seen.add(key);
      const asTask = `task:${Number(key.split('/')[0])}`;
      if (rcIds.has(asTask)) return asTask;
      const rid = byKey.get(key)?.waitsOn;
      if (!rid) continue;
      if (rcIds.has(rid)) return rid;
      if (rcIds.has(`unknown:${rid}`)) return `unknown:${rid}`;
      const r = resById.get(rid);
      for (const h of r?.holders ?? []) {
        if (r!.holderScope === 'process') {
          const waiting = (threadsOf.get(Number(h.split('/')[0])) ?? []).filter((x) => x.waitsOn);
          queue.push(...(waiting.length ? waiting.map((x) => x.key) : [h]));
        } else queue.push(h);
      }
    }
    return undefined;
  };
  const out: Record<string, string> = {};
  for (const t of tasks) {
    const id = rootOfKey(t.key);
    if (id !== undefined) out[t.key] = id;
  }
  return out;
}
