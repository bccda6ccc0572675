// The store's derived views as pure functions: no Ink involved.
import { describe, expect, it } from 'vitest';
import { buildRows, indexOf, rowsOf, scrollFor, targetRootCause, visibleWindow, type Row, type SortSpec } from '../../src/store/derive.js';
import { composeFrame } from '../../src/ui/frame.js';
import { lineText } from '../../src/ui/line.js';
import { bigAnalysis, fixtureAnalysis, makeStore, PLAIN } from './helpers.js';

const a = fixtureAnalysis('frozen-ext4');
const none = new Set<string>();
const byBlocked: SortSpec = { key: 'blocked', desc: true };
const taskIds = (rows: Row[]): string[] => rows.filter((r) => r.kind === 'task').map((r) => r.id);

describe('rows', () => {
  it('groups the frozen-ext4 writers under one wait site, longest blocked first', () => {
    const rows = buildRows({ analysis: a, sort: byBlocked, filter: '', collapsed: none });
    expect(rows[0]).toMatchObject({ kind: 'group', signature: 'frozen-fs', count: 5 });
    expect(rows[0]!.kind === 'group' && rows[0]!.resource?.mount).toBe('/tmp/mnt1');
    const blocked = rows.flatMap((r) => (r.kind === 'task' ? [r.task.blockedForMs ?? -1] : []));
    expect(blocked).toEqual([...blocked].sort((x, y) => y - x));
    expect(taskIds(rows)).toHaveLength(5);
  });

  it('sorts by any column, both ways', () => {
    const up = buildRows({ analysis: a, sort: { key: 'comm', desc: false }, filter: '', collapsed: none });
    const comms = up.flatMap((r) => (r.kind === 'task' ? [r.task.comm] : []));
    expect(comms).toEqual(['bash', 'mkdir', 'python3', 'rm', 'touch']);
    const down = buildRows({ analysis: a, sort: { key: 'pid', desc: true }, filter: '', collapsed: none });
    expect(taskIds(down)).toEqual(['14476/14476', '14475/14475', '14474/14474', '14473/14473', '14430/14430']);
  });

  it('filters on command, pid, user and wait site, case-insensitively', () => {
    const f = (filter: string): string[] => taskIds(buildRows({ analysis: a, sort: byBlocked, filter, collapsed: none }));
    expect(f('MKDIR')).toEqual(['14475/14475']);
    expect(f('14430')).toEqual(['14430/14430']);
    expect(f('root')).toHaveLength(5);
    expect(f('percpu_rwsem')).toHaveLength(5);
    expect(f('/tmp/mnt1')).toHaveLength(5);
    expect(f('no-such-thing')).toEqual([]);
  });

  it('folds a group to its header line', () => {
    const rows = buildRows({ analysis: a, sort: byBlocked, filter: '', collapsed: none });
    const folded = buildRows({ analysis: a, sort: byBlocked, filter: '', collapsed: new Set([rows[0]!.id]) });
    expect(folded).toHaveLength(1);
    expect(folded[0]).toMatchObject({ kind: 'group', collapsed: true, count: 5 });
  });

  it('maps every blocked task to the root cause its chain ends at', () => {
    const idx = indexOf(a);
    for (const t of a.tasks) expect(idx.rootOf.get(t.key)?.id).toBe('frozen-fs:/tmp/mnt1');
    const rows = buildRows({ analysis: a, sort: byBlocked, filter: '', collapsed: none });
    expect(targetRootCause(a, rows, 0)?.remedies[0]?.command).toBe('fsfreeze -u /tmp/mnt1');
    expect(targetRootCause(a, rows, 3)?.id).toBe('frozen-fs:/tmp/mnt1');
  });

  it('keeps the cursor in the window, moving it as little as possible', () => {
    expect(scrollFor(0, 0, 10, 100)).toBe(0);
    expect(scrollFor(9, 0, 10, 100)).toBe(0);
    expect(scrollFor(10, 0, 10, 100)).toBe(1);
    expect(scrollFor(50, 45, 10, 100)).toBe(45);
    expect(scrollFor(3, 45, 10, 100)).toBe(3);
    expect(scrollFor(99, 0, 10, 100)).toBe(90);
    expect(scrollFor(5, 0, 10, 3)).toBe(0);
    expect(visibleWindow([1, 2, 3, 4, 5], 1, 2)).toEqual([2, 3]);
  });
});

describe('5,000 blocked tasks', () => {
  const big = bigAnalysis(5000, a);

  it('builds, filters and sorts the rows once, then reuses them', () => {
    // Same inputs, the very same rows: a key press never regroups or re-sorts 5,000 tasks.
    const inp = { analysis: big, sort: byBlocked, filter: '', collapsed: none };
    const rows = rowsOf(inp);
    expect(rows).toHaveLength(5001);
    for (let i = 0; i < 10; i++) expect(rowsOf({ ...inp })).toBe(rows);
    const f = rowsOf({ ...inp, filter: 'writer3' });
    expect(f.length).toBeGreaterThan(1);
    expect(f.length).toBeLessThan(5001);
  });

  it('composes a frame from the visible window only', () => {
    const store = makeStore();
    store.getState().setAnalysis(big);
    store.getState().setViewport({ tableRows: 20 });
    composeFrame(store.getState(), PLAIN, 100, 30);
    for (let i = 0; i < 200; i++) store.getState().move(1);
    const f = composeFrame(store.getState(), PLAIN, 100, 30);
    expect(f.lines).toHaveLength(29);
    expect(f.lines.map(lineText).join('\n')).toContain('writer');
  });
});
