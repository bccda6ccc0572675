// Issue 13 item 2: "the header counted `1 T`, but the stopped FUSE daemon was neither in the list
// nor found by `/`". On recorded wedges with stopped and ptrace-stopped tasks: every task the
// waits-on graph names is a row, every stopped task the header counts is a row, each marked by
// its role, and both `/` and F3 find them.
import { afterEach, describe, expect, it } from 'vitest';
import type { Analysis } from '../../src/model.js';
import { buildRows, roleOf } from '../../src/store/derive.js';
import { fixtureAnalysis, hasFixture, renderApp, type Rendered } from './helpers.js';

const FIXTURES = ['vfork-stop', 'vfork-ptrace', 'ps-hangs-fuse'].filter(hasFixture);

function rowIds(a: Analysis): Set<string> {
  const rows = buildRows({ analysis: a, sort: { key: 'blocked', desc: true }, filter: '', collapsed: new Set() });
  return new Set(rows.flatMap((r) => (r.kind === 'task' ? [r.id] : [])));
}

function namedByGraph(a: Analysis): Set<string> {
  const named = new Set<string>();
  for (const e of a.edges) for (const n of [e.from, e.to]) if (n.startsWith('task:')) named.add(n.slice(5));
  for (const r of a.resources) for (const h of r.holders) named.add(h);
  return named;
}

let r: Rendered | undefined;
afterEach(() => {
  r?.unmount();
  r = undefined;
});

describe.each(FIXTURES)('%s: stopped holders are visible', (name) => {
  const a = fixtureAnalysis(name);

  it('lists every task the graph names, in any state', () => {
    const ids = rowIds(a);
    const named = [...namedByGraph(a)];
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((k) => !ids.has(k))).toEqual([]);
  });

  it('lists as many stopped tasks as the header counts', () => {
    const counted = (a.snapshot.stateCounts.T ?? 0) + (a.snapshot.stateCounts.t ?? 0);
    expect(counted).toBeGreaterThan(0);
    const stopped = a.tasks.filter((t) => t.state === 'T' || t.state === 't');
    expect(stopped).toHaveLength(counted);
    expect([...rowIds(a)].filter((k) => stopped.some((t) => t.key === k))).toHaveLength(counted);
  });

  it('marks each stopped row by its role and finds it with / and F3', async () => {
    const stopped = a.tasks.filter((t) => t.state === 'T' || t.state === 't');
    for (const t of stopped) {
      r = renderApp({ analysis: a, columns: 120, rows: 35 });
      // The gutter: H for a holder, T for a stopped task that holds nothing the engine found.
      const mark = roleOf(t) === 'holder' ? 'H' : 'T';
      expect(r.frame()).toMatch(new RegExp(`^${mark} +${t.pid} +${t.tid} +\\S+ +${t.comm.slice(0, 15).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +${t.state} `, 'm'));
      // F3 jumps to the first match; its waiter names it too ("vfork-child:32018"): n goes on.
      await r.press('f3', ...String(t.tid), 'enter');
      const s = r.store.getState();
      const rows = buildRows({ analysis: s.analysis, sort: s.sort, filter: s.filter, collapsed: s.collapsed });
      const seen: string[] = [];
      for (let i = 0; i < rows.length && rows[r.store.getState().cursor]?.id !== t.key; i++) {
        seen.push(rows[r.store.getState().cursor]!.id);
        await r.press('n');
      }
      expect(rows[r.store.getState().cursor]?.id, `F3 / n visited ${seen.join(', ')}`).toBe(t.key);
      await r.press('escape', '/', ...String(t.tid), 'enter');
      await r.waitFor((f) => f.includes(`Filter: ${t.tid}`) || f.includes(`/${t.tid}`), 'the filter on screen');
      const left = buildRows({ analysis: a, sort: s.sort, filter: String(t.tid), collapsed: new Set() }).filter((x) => x.kind === 'task');
      expect(left.map((x) => x.id)).toContain(t.key);
      r.unmount();
      r = undefined;
    }
  });
});

describe('ps-hangs-fuse: the stopped daemon\'s second thread', () => {
  it.skipIf(!hasFixture('ps-hangs-fuse'))('is a row marked stopped, and "stopped" finds it', () => {
    const a = fixtureAnalysis('ps-hangs-fuse');
    const daemon = a.tasks.filter((t) => t.comm === 'ph-fuse-daemon');
    // Both threads of the SIGSTOPped FUSE daemon: the main thread holds the connection.
    expect(daemon.map((t) => [t.key, roleOf(t)]).sort()).toEqual([['31732/31732', 'holder'], ['31732/31733', 'stopped']]);
    const rows = buildRows({ analysis: a, sort: { key: 'blocked', desc: true }, filter: 'stopped', collapsed: new Set() });
    expect(rows.flatMap((x) => (x.kind === 'task' ? [x.id] : []))).toEqual(['31732/31733']);
  });
});
