// Issue 13 item 5: 2,000 blocked threads of 4 processes drew the graph's frozen filesystem as
// ten threads and "… 1990 more: md-wr0-010 ×1, ...". The graph groups waiters by process.
import { afterEach, describe, expect, it } from 'vitest';
import type { Analysis, AnalyzedTask } from '../../src/model.js';
import { graphLines, processName } from '../../src/ui/screens/graph.js';
import { fixtureAnalysis, PLAIN, renderApp, type Rendered } from './helpers.js';

const base = fixtureAnalysis('frozen-ext4');

/** `procs` writer processes of `threads` threads each, named md-wrP-NNN, all on the frozen mount. */
function writers(procs: number, threads: number): Analysis {
  const proto = base.tasks.find((t) => t.state === 'D')!;
  const tasks: AnalyzedTask[] = [];
  for (let p = 0; p < procs; p++) {
    const pid = 5000 + p * 1000;
    // The main thread waits in join (S): only the writer threads are blocked.
    for (let i = 1; i <= threads; i++) {
      tasks.push({ ...proto, pid, tid: pid + i, key: `${pid}/${pid + i}`, comm: `md-wr${p}-${String(i).padStart(3, '0')}` });
    }
  }
  return { ...base, tasks, rootCauses: base.rootCauses.map((rc) => ({ ...rc, blocked: tasks.length })), snapshot: { ...base.snapshot, tasks } };
}

const text = (a: Analysis): string => graphLines(a, PLAIN).map((l) => l.segs.map((s) => s.text).join('')).join('\n');

let r: Rendered | undefined;
afterEach(() => {
  r?.unmount();
  r = undefined;
});

describe('the waits-on graph with 2,000 threads of 4 processes', () => {
  it('shows one line per process with its thread count, not ten threads and a list of names', () => {
    const g = text(writers(4, 500));
    for (let p = 0; p < 4; p++) expect(g).toContain(`md-wr${p} (pid ${5000 + p * 1000}): 500 threads D in percpu_rwsem_wait`);
    expect(g).not.toMatch(/md-wr\d-\d{3}/);
    expect(g).not.toContain('more');
  });

  it('summarises processes past the first ten by command', () => {
    const g = text(writers(13, 3));
    expect(g).toContain('md-wr9 (pid 14000): 3 threads');
    expect(g).not.toContain('md-wr10 (pid');
    expect(g).toMatch(/… 3 more processes, 9 tasks: md-wr1\d \(3 threads\)/);
  });

  it('still draws a lone waiting thread as itself', () => {
    expect(text(base)).toMatch(/python3:14430 D in percpu_rwsem_wait/);
  });

  it('names a process by its main thread, else by what its thread names share', () => {
    const t = writers(1, 3).tasks;
    expect(processName(t)).toBe('md-wr0');
    expect(processName([...t, { ...t[0]!, tid: t[0]!.pid, comm: 'python3' }])).toBe('python3');
  });

  it('names a folded process row (H) the same way', async () => {
    r = renderApp({ analysis: writers(4, 500), columns: 120, rows: 35 });
    await r.press('H');
    const f = await r.waitFor((x) => x.includes('500thr'), 'folded rows');
    expect(f).toMatch(/5000 +500thr +root +md-wr0 +D /);
    expect(f).not.toMatch(/500thr +root +md-wr\d-\d{3}/);
  });

  it('lays the rows out beside the scrollbar, not cut under it with "…"', () => {
    r = renderApp({ analysis: writers(4, 500), columns: 200, rows: 50 });
    const rows = r.frame().split('\n').filter((l) => /md-wr\d-\d{3}/.test(l));
    expect(rows.length).toBeGreaterThan(10);
    for (const l of rows) expect(l).toMatch(/[^…] *[│█]$/);
  });

  it('is what F5 shows', async () => {
    r = renderApp({ analysis: writers(4, 500), columns: 120, rows: 35 });
    await r.press('f5');
    await r.waitFor((f) => f.includes('md-wr3 (pid 8000): 500 threads'), 'the graph view');
  });
});
