// The admin's htop habits on a wedge with many threads and several root causes: H folds threads
// into their process, F3 / n search and jump without filtering, the list says where the
// selection is, an unused key says so, and root cause #1 never scrolls out of "What to do first".
import { afterEach, describe, expect, it } from 'vitest';
import type { Analysis, AnalyzedTask, RootCause } from '../../src/model.js';
import { buildRows } from '../../src/store/derive.js';
import { fixtureAnalysis, renderApp, type Rendered } from './helpers.js';

const base = fixtureAnalysis('frozen-ext4');

/** 4 processes of 50 blocked threads each on the frozen mount (2,000-thread wedges, in small). */
function threaded(): Analysis {
  const proto = base.tasks.find((t) => t.state === 'D')!;
  const tasks: AnalyzedTask[] = [];
  for (let p = 0; p < 4; p++) {
    const pid = 50000 + p * 100;
    for (let i = 0; i < 50; i++) {
      const tid = pid + i;
      // The last process sleeps (S) but for one stopped thread (T); each process has one long-blocked thread.
      const state = p === 3 ? (i === 7 ? 'T' : 'S') : 'D';
      tasks.push({ ...proto, pid, tid, key: `${pid}/${tid}`, comm: `md-wr${p}`, state, blockedForMs: i === 20 ? 900_000 + p : 1000 * i });
    }
  }
  return { ...base, tasks, rootCauses: base.rootCauses.map((rc) => ({ ...rc, blocked: tasks.length })), snapshot: { ...base.snapshot, tasks } };
}

/** The frozen-ext4 analysis with five more (smaller) root causes after its own. */
function manyCauses(): Analysis {
  const first = base.rootCauses[0]!;
  const extra: RootCause[] = Array.from({ length: 5 }, (_, i) => ({
    ...first, id: `frozen-fs:/srv/vol${i + 2}`, label: `frozen filesystem /srv/vol${i + 2}`, mount: `/srv/vol${i + 2}`, blocked: 4 - Math.min(i, 3),
    chain: [`1 task in percpu_rwsem_wait`, `frozen filesystem /srv/vol${i + 2}`],
  }));
  return { ...base, rootCauses: [first, ...extra] };
}

let r: Rendered | undefined;
afterEach(() => {
  r?.unmount();
  r = undefined;
});

describe('threads folded into their process (H)', () => {
  it('makes one row per process with its thread count, worst state and longest blocked', () => {
    const a = threaded();
    const folded = buildRows({ analysis: a, sort: { key: 'blocked', desc: true }, filter: '', collapsed: new Set(), threadsFolded: true });
    const rows = folded.filter((x) => x.kind === 'task');
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row.kind === 'task' && row.threads?.length).toBe(50);
    const flat = buildRows({ analysis: a, sort: { key: 'blocked', desc: true }, filter: '', collapsed: new Set() });
    expect(flat.filter((x) => x.kind === 'task')).toHaveLength(200);
  });

  it('H folds and unfolds on screen', async () => {
    r = renderApp({ analysis: threaded(), columns: 120, rows: 35 });
    expect(r.frame()).toContain('md-wr0');
    expect(r.frame()).not.toContain('50thr');
    await r.press('H');
    const f = await r.waitFor((x) => x.includes('50thr'), 'folded rows');
    // md-wr3 has a stopped thread among sleeping ones: its process row shows T, not S.
    expect(f).toMatch(/50300 +50thr +root +md-wr3 +T /);
    expect(f).toMatch(/50000 +50thr +root +md-wr0 +D +15m00s/);
    expect(f).toContain('threads folded into their process');
    await r.press('H');
    await r.waitFor((x) => !x.includes('50thr'), 'every thread again');
  });
});

describe('search and jump (F3, n, N)', () => {
  it('jumps to the first match as it is typed, without filtering the list', async () => {
    r = renderApp({ analysis: threaded(), columns: 120, rows: 35 });
    await r.press('f3', 'w', 'r', '2');
    const f = r.frame();
    expect(f).toContain('Search: wr2_');
    const s = r.store.getState();
    const rows = buildRows({ analysis: s.analysis, sort: s.sort, filter: s.filter, collapsed: s.collapsed });
    const sel = rows[s.cursor]!;
    expect(sel.kind === 'task' && sel.task.comm).toBe('md-wr2');
    // Not filtered: the other processes' threads are still in the list.
    expect(rows.filter((x) => x.kind === 'task')).toHaveLength(200);
    await r.press('enter');
    expect(r.store.getState().searchEditing).toBe(false);
    const before = r.store.getState().cursor;
    await r.press('n');
    expect(r.store.getState().cursor).not.toBe(before);
    await r.press('N');
    expect(r.store.getState().cursor).toBe(before);
  });

  it('says when nothing matches, and Esc clears the search', async () => {
    r = renderApp({ analysis: threaded(), columns: 120, rows: 35 });
    await r.press('f3', 'z', 'z', 'z');
    await r.waitFor((x) => x.includes('no task matches "zzz"'), 'no match');
    await r.press('escape');
    expect(r.store.getState().search).toBe('');
    // With no search left, n starts a new one rather than repeating an old one.
    await r.press('n');
    await r.waitFor((x) => x.includes('Search: _'), 'a new, empty search');
  });
});

describe('where am I', () => {
  it('shows the position in the list and a scrollbar when the list is longer than the screen', async () => {
    r = renderApp({ analysis: threaded(), columns: 100, rows: 30 });
    expect(r.frame()).toMatch(/ 2\/201 *$/m);
    await r.press('end');
    const f = await r.waitFor((x) => / 201\/201 *$/m.test(x), 'at the end');
    expect(f).toContain('█');
    expect(f).toContain('│');
  });

  it('shows neither when the whole list fits', () => {
    r = renderApp({ analysis: base, columns: 100, rows: 30 });
    expect(r.frame()).not.toMatch(/ \d+\/\d+ *$/m);
    expect(r.frame()).not.toContain('█');
  });
});

describe('unused keys', () => {
  it('say that they are not used, and where help is', async () => {
    r = renderApp({ analysis: base, columns: 100, rows: 30 });
    await r.press('x');
    await r.waitFor((f) => f.includes('x is not used here; F1 for help'), 'hint');
  });
});

describe('What to do first', () => {
  it('keeps root cause #1 on screen when a later one is selected', async () => {
    r = renderApp({ analysis: manyCauses(), columns: 120, rows: 24 });
    await r.press('6');
    const f = r.frame();
    const panel = f.split('What to do first')[1]!.split('PID')[0]!;
    expect(panel).toMatch(/^ +1 .*frozen filesystem \/tmp\/mnt1/m);
    expect(panel).toMatch(/^▶6 .*\/srv\/vol6/m);
    expect(f).toMatch(/6 root causes, 4 more not shown/);
  });
});

describe('BLOCKED FOR without the kernel\'s off-CPU time', () => {
  it('shows ? before it means anything, then a lower bound', () => {
    const t0 = base.tasks[0]!;
    const mk = (ms: number): Analysis => ({ ...base, tasks: [{ ...t0, blockedForMs: ms, blockedForMin: true }, ...base.tasks.slice(1)] });
    r = renderApp({ analysis: mk(0), columns: 120, rows: 35 });
    expect(r.frame()).toMatch(new RegExp(`${t0.pid} +${t0.tid} +\\S+ +\\S+ +D +\\? `));
    r.unmount();
    r = renderApp({ analysis: mk(75_000), columns: 120, rows: 35 });
    expect(r.frame()).toMatch(new RegExp(`${t0.pid} +${t0.tid} +\\S+ +\\S+ +D +≥1m15s `));
  });
});

describe('columns that fit', () => {
  it('sizes WAIT SITE by its values, drops an empty CONTAINER, and shows it when a task has one', async () => {
    const { columns, contentOf } = await import('../../src/ui/screens/table.js');
    const { buildRows } = await import('../../src/store/derive.js');
    const rows = buildRows({ analysis: base, sort: { key: 'blocked', desc: true }, filter: '', collapsed: new Set() });
    const s = { analysis: base } as Parameters<typeof contentOf>[1];
    const wide = columns(200, contentOf(rows, s));
    const site = wide.find((c) => c.key === 'site')!;
    // percpu_rwsem_wait is 17 characters: WAIT SITE is not 50 columns of blanks at 200.
    expect(site.width).toBeLessThanOrEqual(18);
    expect(wide.some((c) => c.key === 'container')).toBe(false);
    const inDocker = { ...base, tasks: base.tasks.map((t, i) => (i === 0 ? { ...t, container: 'docker:0123456789ab' } : t)) };
    const rows2 = buildRows({ analysis: inDocker, sort: { key: 'blocked', desc: true }, filter: '', collapsed: new Set() });
    expect(columns(200, contentOf(rows2, { analysis: inDocker } as Parameters<typeof contentOf>[1])).find((c) => c.key === 'container')?.width).toBeGreaterThanOrEqual(19);
  });

  it('elides a long mount path in the middle, keeping its start and its end', async () => {
    const { elideMiddle } = await import('../../src/ui/screens/table.js');
    expect(elideMiddle('frozen /tmp/wedge-lab/frozen-fs-test-1234/mnt', 24)).toBe('frozen /tmp/…st-1234/mnt');
    expect([...elideMiddle('frozen /tmp/wedge-lab/frozen-fs-test-1234/mnt', 24)].length).toBeLessThanOrEqual(24);
    expect(elideMiddle('frozen /tmp/mnt1', 24)).toBe('frozen /tmp/mnt1');
  });

  it('keeps the sort mark on a narrow column', async () => {
    r = renderApp({ analysis: base, columns: 80, rows: 24 });
    // From BLOCKED: WAIT SITE, WAITS ON, CONTAINER, PID, TID, USER, COMM, then the state.
    await r.press('>', '>', '>', '>', '>', '>', '>', '>');
    // Sorted by state: the one-letter S column at 80 columns shows the mark instead of its letter.
    expect(r.store.getState().sort.key).toBe('state');
    expect(r.frame()).toMatch(/COMM +▲ +BLOCKED/);
  });
});

describe('acting on any hop (seed 004: auditd stuck writing to the frozen /var)', () => {
  it('k on the auditd row asks to kill auditd, says what it should free, and that the engine ranks the thaw first', async () => {
    const { StoreRemediator } = await import('../../src/store/remediation.js');
    const { ActionLog } = await import('../../src/actions/log.js');
    const seed4 = fixtureAnalysis('seed-004');
    const hop = seed4.hops.find((h) => h.label.startsWith('auditd'));
    expect(hop, 'auditd is a hop, not a root cause').toBeDefined();
    r = renderApp({
      analysis: seed4, columns: 120, rows: 40,
      remediator: (store) => new StoreRemediator(store, { ctx: () => ({ selfPid: process.pid, readOnly: false }), dryRun: true, graceMs: 3000, log: new ActionLog(undefined), next: async () => seed4 }),
    });
    // Move the selection to auditd's own row (a holder, in the middle of the chain).
    const st = r.store.getState();
    const { buildRows } = await import('../../src/store/derive.js');
    const rows = buildRows({ analysis: seed4, sort: st.sort, filter: '', collapsed: st.collapsed });
    const i = rows.findIndex((x) => x.kind === 'task' && x.task.pid === hop!.pid && x.task.isHolder);
    expect(i).toBeGreaterThanOrEqual(0);
    r.store.getState().moveTo(i);
    await r.press('k');
    const f = await r.waitFor((x) => x.includes('command'), 'confirm dialog');
    expect(f).toMatch(/Kill/);
    expect(f).toContain(`kill -TERM ${hop!.pid}`);
    expect(f).toMatch(/note +the engine ranks frozen filesystem \/var/);
    expect(f).toMatch(/should free +\d+ blocked task/);
  });

  it('--fix accepts the hop id (a replay: a dry run)', async () => {
    const { wedgetop } = await import('../support/wedge.js');
    const res = wedgetop(['--replay', 'test/fixtures/seed-004', '--fix', 'task:1693', '--yes']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/would run: kill -TERM 1693/);
  });
});

describe('a guessed holder', () => {
  it('is never offered as a one-key kill without saying it is a guess', async () => {
    const { textReport } = await import('../../src/report/text.js');
    const seed0 = fixtureAnalysis('seed-000');
    const guessed: Analysis = { ...seed0, rootCauses: seed0.rootCauses.map((rc, i) => (i === 0 ? { ...rc, confidence: 'guess' as const } : rc)) };
    r = renderApp({ analysis: guessed, columns: 120, rows: 35 });
    expect(r.frame()).toMatch(/\[k\] kill \(guess\)/);
    expect(textReport(guessed)).toContain('[HOLDER IS A GUESS]');
    r.unmount();
    r = renderApp({ analysis: seed0, columns: 120, rows: 35 });
    expect(r.frame()).not.toContain('(guess)');
  });
});
