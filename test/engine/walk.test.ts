// One walker (issue 10, item 3): the root causes a waiter's chain ends at, the chain text, the
// hops in the middle of chains and Analysis.rootOf must all be what src/graph/walk.ts finds by
// walking the shipped graph again. A module that walked on its own, expanding a whole-process
// holder its own way, would disagree with it somewhere in the corpus, a seed or the synthetic
// chains (cycles, FUSE daemons and socket owners as whole-process holders).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Analysis, NodeId, Resource, RootCause } from '../../src/model.js';
import {
  chainEnds, firstPath, firstRoot, graphOf, heldBy, holderThreads, nodeOf, pidOf, reachable, resNode, taskNode, WaitGraph,
} from '../../src/graph/walk.js';
import { corpusFixtures } from '../support/corpus.js';
import { analyzeDir, specDir } from '../support/replay.js';
import { seed000 } from '../support/seeds.js';
import { writeSynthetic } from '../../bench/synth.js';

const res = (id: string, holders: string[], holderScope: Resource['holderScope']): Resource => ({
  id, kind: 'lock', label: `lock ${id}`, holders, holderScope, how: 'test', confidence: 'certain', frees: ['holder-leaves'], remedy: 'kill-holder',
});

describe('the walker on a hand-made graph: a cycle through a whole-process holder', () => {
  // 1/1 waits on a socket owned by process 10. Of 10's threads only 10/11 waits (on a lock held
  // by thread 20/21), and 20/21 waits on the socket again: a deadlock cycle. 20/20, a sibling of
  // the lock's holder, waits on something held by 30/30 that the lock does not depend on.
  const threads: Record<number, string[]> = { 1: ['1/1'], 10: ['10/10', '10/11'], 20: ['20/20', '20/21'], 30: ['30/30'] };
  const resources = new Map([
    ['sock', res('sock', ['10/10'], 'process')],
    ['lock', res('lock', ['20/21'], 'task')],
    ['far', res('far', ['30/30'], 'task')],
  ]);
  const waitsOn = new Map([['1/1', 'sock'], ['10/11', 'lock'], ['20/21', 'sock'], ['20/20', 'far']]);
  const g = new WaitGraph({ waitsOn, resources, threadsOf: (pid) => threads[pid] ?? [] });

  it('follows a whole-process holder through its waiting threads, a named holder by itself', () => {
    expect(g.next(taskNode('1/1'))).toEqual([resNode('sock')]);
    expect(g.next(resNode('sock'))).toEqual([taskNode('10/11')]);
    expect(g.next(resNode('lock'))).toEqual([taskNode('20/21')]);
    expect(g.next(resNode('far'))).toEqual([taskNode('30/30')]);
    expect(g.next(taskNode('30/30'))).toEqual([]);
  });

  it('ends the chain at the first task of the cycle, and records the cycle once', () => {
    const e = chainEnds(g, [taskNode('1/1'), taskNode('20/21')], () => false);
    expect([...e.rootsOf.get(taskNode('1/1'))!]).toEqual([taskNode('10/11')]);
    expect(e.cycles).toEqual([[resNode('sock'), taskNode('10/11'), resNode('lock'), taskNode('20/21')]]);
  });

  it('gives the chain text its path, closed where the holder is met again', () => {
    const p = firstPath(g, taskNode('1/1'));
    expect(p.nodes).toEqual(['task:1/1', 'res:sock', 'task:10/11', 'res:lock', 'task:20/21', 'res:sock']);
    expect(p.loopsTo).toBe('task:10/11');
  });

  it('does not walk on through a sibling of a named holder (20/20 waits on far; the lock does not)', () => {
    expect(reachable(g, taskNode('1/1'))).not.toContain(resNode('far'));
    expect(reachable(g, taskNode('20/20'))).toEqual([taskNode('20/20'), resNode('far'), taskNode('30/30')]);
  });

  it('meets the nearest root cause first, a task and what it waits on taken together', () => {
    const roots = new Map<NodeId, string>([[taskNode('20/21'), 'B'], [resNode('lock'), 'A']]);
    expect(firstRoot(g, taskNode('1/1'), (n) => roots.get(n))).toBe('A');
    expect(firstRoot(g, taskNode('20/20'), (n) => roots.get(n))).toBeUndefined();
  });

  it('says who holds what the same way: every thread of a whole-process holder, only the named thread otherwise', () => {
    expect(holderThreads(resources.get('sock')!, (pid) => threads[pid] ?? [])).toEqual(['10/10', '10/11']);
    expect(heldBy(resources.values(), '10/11').map((r) => r.id)).toEqual(['sock']);
    expect(heldBy(resources.values(), '20/20').map((r) => r.id)).toEqual([]);
  });
});

/** The node a root cause was made for, found in the graph (a task of its process, or its resource). */
function isNodeOf(rc: RootCause, n: NodeId): boolean {
  const x = nodeOf(n);
  if (x.kind === 'task') return rc.id === `task:${pidOf(x.key)}`;
  return rc.id === x.id || rc.id === `unknown:${x.id}`;
}

/** Every disagreement between the Analysis and a walk of its own graph. */
function disagreements(a: Analysis): string[] {
  const g = graphOf(a);
  const out: string[] = [];
  const rcById = new Map(a.rootCauses.map((rc) => [rc.id, rc]));
  const reach = new Map(a.tasks.map((t) => [t.key, reachable(g, taskNode(t.key))]));
  // rootOf: the first root cause on the walk, for every task.
  for (const t of a.tasks) {
    const first = firstRoot(g, taskNode(t.key), (n) => a.rootCauses.find((rc) => isNodeOf(rc, n))?.id);
    if (a.rootOf[t.key] !== first) out.push(`rootOf ${t.key}: ${a.rootOf[t.key]} but the walk meets ${first} first`);
  }
  for (const rc of a.rootCauses) {
    if (!rcById.has(rc.id)) out.push(`root cause ${rc.id} twice`);
    for (const k of rc.blockedTasks) {
      if (!reach.get(k)?.some((n) => isNodeOf(rc, n))) out.push(`${rc.id} blocks ${k}, which does not reach it`);
      if (a.rootOf[k] === undefined) out.push(`${k} is blocked by ${rc.id} but has no rootOf`);
    }
    // The chain text: the resources on one blocked task's path, in order, the cycle closed where it is.
    if (rc.blockedTasks.length === 0) continue;
    const labels = rc.chain.filter((_, i) => i % 2 === 1);
    const along = rc.blockedTasks.find((k) => {
      const p = firstPath(g, taskNode(k));
      const rs = p.nodes.filter((n) => n.startsWith('res:')).map((n) => g.resourceAt(n)!.label);
      return rs.join('\n') === labels.join('\n') && rc.chain.at(-1)!.endsWith('deadlock cycle') === (p.loopsTo !== undefined && p.nodes.at(-1)!.startsWith('res:'));
    });
    if (!along) out.push(`chain of ${rc.id} (${rc.chain.join(' -> ')}) is no blocked task's path`);
  }
  // Hops: a holder process in the middle of chains has behind it exactly the waiters that reach it.
  for (const hop of a.hops) {
    const behind = a.tasks.filter((t) => t.waitsOn !== undefined && t.pid !== hop.pid && reach.get(t.key)!.some((n) => {
      const r = nodeOf(n).kind === 'res' ? g.resourceAt(n) : undefined;
      return !!r?.holders.some((h) => pidOf(h) === hop.pid);
    })).map((t) => t.key);
    if ([...hop.blockedTasks].sort().join() !== behind.sort().join()) out.push(`hop ${hop.id}: behind it ${hop.blockedTasks.join(',')}, the walk says ${behind.join(',')}`);
  }
  return out;
}

describe('the Analysis agrees with a walk of its own graph', () => {
  const synthDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wedgetop-walk-'));
  afterAll(() => fs.rmSync(synthDir, { recursive: true, force: true }));
  writeSynthetic(synthDir, { tasks: 3000, threadsPerProcess: 20, blocked: 300, chainLength: 8 });
  const cases: [string, Analysis][] = [
    ...corpusFixtures().map((f): [string, Analysis] => [f.name, analyzeDir(f.dir)]),
    ['seed 000 (spec)', analyzeDir(specDir(seed000()))],
    ['synthetic chains of 8, 3000 tasks', analyzeDir(synthDir)],
  ];

  it('covers cycles, whole-process holders and hops (else it would prove nothing)', () => {
    const all = cases.map(([, a]) => a);
    expect(all.some((a) => a.cycles.length > 0)).toBe(true);
    expect(all.some((a) => a.resources.some((r) => r.holderScope === 'process' && r.holders.length > 0))).toBe(true);
    expect(all.reduce((n, a) => n + a.hops.length, 0)).toBeGreaterThan(10);
  });

  it.each(cases)('%s: rootOf, root causes, chain text and hops are the walk\'s', (_name, a) => {
    expect(disagreements(a)).toEqual([]);
  });

  it('sees a disagreement (the check can fail)', () => {
    const a = cases.find(([n]) => n.startsWith('synthetic'))![1];
    const rc = a.rootCauses.find((r) => r.blockedTasks.length > 0)!;
    const k = rc.blockedTasks[0]!;
    const other = a.rootCauses.find((r) => r !== rc)!;
    const hop = a.hops[0]!;
    const bent: Analysis = {
      ...a,
      rootOf: { ...a.rootOf, [k]: other.id },
      rootCauses: a.rootCauses.map((r) => (r === rc ? { ...r, chain: [...r.chain.slice(0, -1), 'held by nobody'] } : r)),
      hops: [{ ...hop, blockedTasks: hop.blockedTasks.slice(1) }, ...a.hops.slice(1)],
    };
    const found = disagreements(bent);
    expect(found.some((f) => f.startsWith(`rootOf ${k}:`))).toBe(true);
    expect(found.some((f) => f.startsWith(`chain of ${rc.id}`))).toBe(true);
    expect(found.some((f) => f.startsWith(`hop ${hop.id}`))).toBe(true);
  });
});
