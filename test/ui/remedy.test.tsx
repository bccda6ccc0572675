// The remedy keys under ink-testing-library, on the replayed fixtures: the confirm dialog (names
// the target, the exact command and how many tasks it should free; No by default; Esc cancels;
// fuse-abort asks twice), refusals, --read-only, --dry-run, replays being dry-run only, the live
// steps and follow-up, and the action log. Nothing here signals a real process: the fixtures'
// PIDs are fictional, so either a fake executor or a dry run stands in for execute().
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Analysis, RootCause, Snapshot } from '../../src/model.js';
import type { ActionPlan } from '../../src/actions/remedy.js';
import { ActionLog, isTmpfs } from '../../src/actions/log.js';
import type { Refresher } from '../../src/store/refresher.js';
import { REPLAY_DRY_RUN } from '../../src/store/remediation.js';
import { width } from '../../src/ui/text.js';
import { FakeSource, fakeExecutor, fixtureAnalysis, fixtureSnapshot, makeStore, remediation, renderApp, startRefresher, tick, type Rendered } from './helpers.js';

type Calls = { plan: ActionPlan; dryRun: boolean }[];

let open: Rendered[] = [];
let refreshers: Refresher[] = [];
afterEach(() => {
  for (const r of open) r.unmount();
  for (const r of refreshers) r.stop();
  open = [];
  refreshers = [];
});
const app = (o: Parameters<typeof renderApp>[0]): Rendered => {
  const r = renderApp({ columns: 110, rows: 36, ...o });
  open.push(r);
  return r;
};

const frozen = fixtureAnalysis('frozen-ext4');
const seed000 = fixtureAnalysis('seed-000');

/** frozen-ext4 with its root cause made a stuck FUSE connection: no fixture has one. */
function fuseAnalysis(): Analysis {
  const rc0 = frozen.rootCauses[0]!;
  const rc: RootCause = {
    ...rc0, id: 'fuse:42', kind: 'fuse', mount: '/mnt/remote',
    label: 'FUSE connection 42 (sshfs on /mnt/remote): daemon sshfs:4242 does not answer',
    remedies: [{ action: 'fuse-abort', connection: 42, command: 'echo 1 > /sys/fs/fuse/connections/42/abort', risk: 'every pending request on /mnt/remote fails' }],
  };
  // Its waiters wait on connection 42, the minor of the FUSE mount's device in their namespace:
  // planFor pins that mount down, to re-check it right before the abort.
  const tasks = frozen.tasks.map((t) => (t.waitsOn === rc0.id ? { ...t, waitsOn: 'fuse:42' } : t));
  const ns = tasks.find((t) => t.waitsOn === 'fuse:42')!.detail!.mntNs!;
  const fuseMount = { mountId: 977, parentId: 1, majMin: '0:42', root: '/', mountPoint: '/mnt/remote', fsType: 'fuse.sshfs', source: 'me@host:', options: 'rw' };
  const snapshot = { ...frozen.snapshot, mounts: { ...frozen.snapshot.mounts, [ns]: [...(frozen.snapshot.mounts[ns] ?? []), fuseMount] } };
  return { ...frozen, snapshot, tasks, rootCauses: [rc] };
}

describe('the confirm dialog', () => {
  it('names the target, the exact command, the risk and how many tasks it should free; No is the default', async () => {
    const calls: Calls = [];
    const r = app({ analysis: frozen, remediator: remediation({ execute: fakeExecutor(calls) }) });
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    await r.press('u');
    const f = await r.waitFor((x) => x.includes('Thaw /tmp/mnt1?'), 'dialog');
    expect(f).toContain('target      mount /tmp/mnt1');
    expect(f).toContain('command     fsfreeze -u /tmp/mnt1');
    expect(f).toMatch(/risk +none for the data/);
    expect(f).toContain('should free 5 blocked tasks');
    expect(f).toContain('[ No ]');
    expect(f).not.toContain('[ Yes ]');
    // Its key line comes from the keymap's 'confirm' bindings.
    expect(f).toContain('y yes · n/Esc no · ←/→/Tab choose · Enter the highlighted one');
    for (const l of f.split('\n')) expect(width(l)).toBeLessThanOrEqual(110);
    // Enter takes the highlighted answer: No.
    await r.press('enter');
    await r.waitFor((x) => !x.includes('Thaw /tmp/mnt1?') && x.includes('not run: fsfreeze -u /tmp/mnt1'), 'closed, not run');
    expect(calls).toHaveLength(0);
  });

  it('names a holder by comm, PID and user (a waiter selected: its root cause is implied)', async () => {
    const r = app({ analysis: seed000, remediator: remediation({ execute: fakeExecutor([]) }) });
    await r.waitFor((x) => x.includes('auditbeat'));
    await r.press('/', ...'301001', 'enter', 'k');
    const f = await r.waitFor((x) => x.includes('Kill auditbeat (pid 247832, user root)?'), 'dialog');
    expect(f).toContain('target      auditbeat (pid 247832, user root)');
    expect(f).toContain('command     kill -TERM 247832; sleep 3; kill -KILL 247832');
    expect(f).toContain('should free 5 blocked tasks');
    expect(f).toContain('auditbeat:247832/248085 (S, netlink_attachskb+0x1ab)  [DEADLOCK CYCLE]');
  });

  it('cancels with Esc and with n, and lets no other key act behind it', async () => {
    const calls: Calls = [];
    const r = app({ analysis: frozen, remediator: remediation({ execute: fakeExecutor(calls) }) });
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    await r.press('u');
    await r.waitFor((x) => x.includes('Thaw /tmp/mnt1?'), 'dialog');
    await r.press('q', 'k', 't', '?', 'space', 'u');
    expect(r.quits()).toBe(0);
    const f = r.frame();
    expect(f).toContain('Thaw /tmp/mnt1?');
    expect(f).not.toContain('Waits-on graph');
    await r.press('escape');
    await r.waitFor((x) => !x.includes('Thaw /tmp/mnt1?') && x.includes('not run'), 'Esc cancels');
    await r.press('u');
    await r.waitFor((x) => x.includes('Thaw /tmp/mnt1?'), 'dialog again');
    await r.press('n');
    await r.waitFor((x) => !x.includes('Thaw /tmp/mnt1?'), 'n cancels');
    expect(calls).toHaveLength(0);
  });

  it('runs after moving to Yes (→, Tab) and Enter, or after y', async () => {
    const calls: Calls = [];
    const r = app({ analysis: frozen, remediator: remediation({ execute: fakeExecutor(calls) }) });
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    await r.press('u', 'right');
    await r.waitFor((x) => x.includes('[ Yes ]') && !x.includes('[ No ]'), 'Yes highlighted');
    await r.press('tab');
    await r.waitFor((x) => x.includes('[ No ]'), 'back to No');
    await r.press('left', 'enter');
    await r.waitFor((x) => x.includes('Last action'), 'ran');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.plan.command).toBe('fsfreeze -u /tmp/mnt1');
    expect(calls[0]!.dryRun).toBe(false);
    await r.press('u', 'y');
    await r.waitFor(() => calls.length === 2, 'y runs it');
  });

  it('fits an 80x24 terminal with what must be read', async () => {
    const r = app({ analysis: seed000, columns: 80, rows: 24, remediator: remediation({ replay: true }) });
    await r.waitFor((x) => x.includes('auditbeat'));
    await r.press('k');
    const f = await r.waitFor((x) => x.includes('Kill auditbeat'), 'dialog');
    expect(f.split('\n')).toHaveLength(23);
    for (const l of f.split('\n')) expect(width(l)).toBeLessThanOrEqual(80);
    for (const want of ['pid 247832, user root', 'kill -TERM 247832; sleep 3; kill -KILL 247832', 'should free 5 blocked tasks', '[ No ]', 'DRY RUN']) expect(f).toContain(want);
  });

  it('keeps the answer on screen in a tiny terminal, and never draws past it', async () => {
    for (const [columns, rows] of [[60, 14], [40, 8]] as const) {
      const r = app({ analysis: frozen, columns, rows, remediator: remediation({ replay: true }) });
      await r.waitFor((x) => x.includes('bash'));
      await r.press('u');
      const f = await r.waitFor((x) => x.includes('Thaw /tmp/mnt1?'), `dialog at ${columns}x${rows}`);
      expect(f.split('\n'), `${columns}x${rows}`).toHaveLength(rows - 1);
      for (const l of f.split('\n')) expect(width(l), `${columns}x${rows}: ${l}`).toBeLessThanOrEqual(columns);
      expect(f, `${columns}x${rows}`).toContain('[ No ]');
      await r.press('escape');
      r.unmount();
    }
  });

  it('asks twice before aborting a FUSE connection, No first both times', async () => {
    const calls: Calls = [];
    const r = app({ analysis: fuseAnalysis(), remediator: remediation({ execute: fakeExecutor(calls) }) });
    await r.waitFor((x) => x.includes('FUSE connection 42'));
    await r.press('a');
    let f = await r.waitFor((x) => x.includes('Abort FUSE connection 42?'), 'first question');
    expect(f).toContain('target      FUSE connection 42 (mount /mnt/remote)');
    expect(f).toContain('command     echo 1 > /sys/fs/fuse/connections/42/abort');
    await r.press('y');
    f = await r.waitFor((x) => x.includes('Really abort FUSE connection 42? (asked twice)'), 'second question');
    expect(f).toContain('This fails every pending request on that FUSE mount');
    expect(f).toContain('[ No ]');
    await r.press('enter');
    await r.waitFor((x) => !x.includes('Really abort'), 'Enter is No the second time too');
    expect(calls).toHaveLength(0);
    await r.press('a', 'right', 'enter');
    await r.waitFor((x) => x.includes('Really abort'), 'second question after → Enter');
    await r.press('y');
    await r.waitFor(() => calls.length === 1, 'runs after the second yes');
    expect(calls[0]!.plan.remedy).toMatchObject({ action: 'fuse-abort', connection: 42 });
  });
});

describe('refusals and modes', () => {
  it('shows why a plan is refused, never a dialog', async () => {
    // The holder's pid is the collector's here: planFor refuses to signal it.
    const calls: Calls = [];
    const r = app({ analysis: seed000, remediator: remediation({ execute: fakeExecutor(calls), ctx: { collectorPid: 247832 } }) });
    await r.waitFor((x) => x.includes('auditbeat'));
    await r.press('k');
    const f = await r.waitFor((x) => x.includes("refused: refusing to signal wedgetop's collector"), 'refusal');
    expect(f).not.toContain('Kill auditbeat');
    expect(r.store.getState().dialog).toBeUndefined();
    expect(calls).toHaveLength(0);
  });

  it('--read-only: the remedy keys say read-only, the footer says READ-ONLY, nothing is asked or run', async () => {
    // runTui plugs no remediation in with --read-only.
    const r = app({ analysis: frozen, store: makeStore({ readOnly: true }) });
    let f = await r.waitFor((x) => x.includes('/tmp/mnt1'));
    expect(f).toMatch(/5 blocked \[read-only\] thaw +frozen filesystem \/tmp\/mnt1/);
    expect(f).not.toContain('[u] thaw');
    const footer = f.split('\n').at(-1)!;
    expect(footer).toMatch(/^READ-ONLY F1Help/);
    expect(footer).not.toContain('Kill');
    await r.press('u');
    f = await r.waitFor((x) => x.includes('read-only: not running fsfreeze -u /tmp/mnt1'), 'read-only message');
    expect(f).not.toContain('Thaw /tmp/mnt1?');
    expect(f.split('\n').at(-1)).toMatch(/^READ-ONLY /);
    await r.press('L');
    await r.waitFor((x) => x.includes('read-only (--read-only): no actions can be taken'), 'actions view');
    await r.press('escape', '?');
    await r.waitFor((x) => x.includes('(off: --read-only)'), 'help says so');
    await r.press('escape', 't');
    f = await r.waitFor((x) => x.includes('Waits-on graph') && x.includes('[read-only] thaw'), 'the graph too');
    expect(f).not.toContain('[u] thaw');
  });

  it('--dry-run: shows what would run, runs nothing, and says DRY-RUN', async () => {
    // The real execute(): with dryRun it only logs what it would run.
    const store = makeStore({ live: true, dryRun: true });
    const r = app({ analysis: seed000, store, remediator: remediation({ dryRun: true }) });
    let f = await r.waitFor((x) => x.includes('auditbeat'));
    expect(f.split('\n').at(-1)).toMatch(/^DRY-RUN F1Help/);
    await r.press('k');
    f = await r.waitFor((x) => x.includes('Kill auditbeat'), 'dialog');
    expect(f).toContain('DRY RUN: nothing will be run (--dry-run)');
    expect(f).toContain('Yes (dry run)');
    await r.press('y');
    f = await r.waitFor((x) => x.includes('Last action'), 'outcome');
    expect(f).toContain('nothing was run (--dry-run); it would run: kill -TERM 247832');
    expect(store.getState().actionLog.at(-1)).toMatchObject({ action: 'kill', target: 'auditbeat (pid 247832, user root)', result: 'dry run: would run: kill -TERM 247832; sleep 3; kill -KILL 247832' });
  });

  it('a replayed snapshot only dry-runs, and says so', async () => {
    const calls: Calls = [];
    const store = makeStore({ live: false });
    const r = app({ analysis: frozen, store, remediator: remediation({ replay: true, execute: fakeExecutor(calls) }) });
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    await r.press('u');
    const f = await r.waitFor((x) => x.includes('Thaw /tmp/mnt1?'), 'dialog');
    expect(f.replace(/[│\s]+/g, ' ')).toContain(`DRY RUN: nothing will be run — ${REPLAY_DRY_RUN}`);
    await r.press('y');
    const g = await r.waitFor((x) => x.includes('Last action'), 'outcome');
    expect(g).toContain('DRY RUN thaw mount /tmp/mnt1: nothing was run (replayed snapshot: dry run only)');
    expect(calls).toEqual([expect.objectContaining({ dryRun: true })]);
  });
});

describe('running an action', () => {
  it('shows each step live, keeps every key working meanwhile, and refuses a second action', async () => {
    let open_: () => void = () => {};
    const gate = new Promise<void>((res) => (open_ = res));
    const calls: Calls = [];
    const r = app({ analysis: frozen, remediator: remediation({ execute: fakeExecutor(calls, { gate }), next: async () => fixtureAnalysis('frozen-ext4'), followMs: 300 }) });
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    await r.press('u', 'y');
    await r.waitFor((x) => x.includes('▶ thaw mount /tmp/mnt1: sending thaw to mount /tmp/mnt1'), 'first step live');
    await r.press('?');
    await r.waitFor((x) => x.includes('Everywhere'), 'help while the action runs');
    await r.press('escape', 'u');
    await r.waitFor((x) => x.includes('an action is still running on mount /tmp/mnt1'), 'second action refused');
    await r.press('L');
    let f = await r.waitFor((x) => x.includes('Running  thaw mount /tmp/mnt1'), 'actions view while running');
    expect(f).toContain('sending thaw to mount /tmp/mnt1');
    open_();
    // The fixture never changes: after the follow-up time they are reported as not freed.
    f = await r.waitFor((x) => x.includes('came free'), 'outcome in the actions view', 4000);
    expect(f).toMatch(/0 of 5 blocked tasks came free; still blocked after \d+\.\d s:[\s\S]*14473\/14473/);
    expect(f).toContain('follow-up');
    expect(calls).toHaveLength(1);
  });

  it('follows the blocked tasks through the refresher (one request at a time) and reports them freed', async () => {
    const before = fixtureSnapshot('frozen-ext4');
    // After the thaw every writer finished: gone from the snapshot.
    const after: Snapshot = { ...before, tasks: before.tasks.filter((t) => t.state !== 'D'), stateCounts: { ...before.stateCounts, D: 0 } };
    let thawed = false;
    let out = 0;
    let maxOut = 0;
    const src = new FakeSource(async () => {
      out++;
      maxOut = Math.max(maxOut, out);
      await tick(15);
      out--;
      return thawed ? { ...after, takenAtMs: Date.now() } : before;
    });
    const store = makeStore({ live: true, clock: Date.now });
    const ref = startRefresher(store, src, { intervalMs: 40 });
    refreshers.push(ref);
    const exec = fakeExecutor([]);
    const r = app({
      store,
      remediator: remediation({ execute: async (p, o) => { thawed = true; return exec(p, o); }, next: () => ref.nextAnalysis() }),
    });
    await r.waitFor((x) => x.includes('/tmp/mnt1') && x.includes('live'), 'live data');
    await r.press('u', 'y');
    const f = await r.waitFor((x) => /5 of 5 blocked tasks came free in \d+\.\d s/.test(x), 'freed', 4000);
    expect(f).toContain('done: fsfreeze -u /tmp/mnt1');
    await r.waitFor((x) => x.includes('no blocked tasks') && !x.includes(' bash '), 'the table emptied');
    expect(maxOut).toBe(1);
    const log = store.getState().actionLog;
    expect(log.map((e) => e.action)).toEqual(['thaw', 'follow-up']);
    expect(log[1]!.result).toMatch(/^5 of 5 blocked tasks came free in/);
    await r.press('L');
    const v = await r.waitFor((x) => x.includes('Action log (2 entries this session)'), 'actions view');
    expect(v).toContain('logged to /dev/shm/wedgetop-tests/action-log/ui-');
    expect(v).toMatch(/thaw +mount \/tmp\/mnt1/);
    expect(v).toContain('$ fsfreeze -u /tmp/mnt1');
  });

  it('holds the refresh while the dialog is open, and shows what arrived once it closes', async () => {
    let empty = false;
    const snap = fixtureSnapshot('frozen-ext4');
    const src = new FakeSource(async () => (empty ? { ...snap, tasks: snap.tasks.filter((t) => t.state !== 'D') } : snap));
    const store = makeStore({ live: true, clock: Date.now });
    refreshers.push(startRefresher(store, src, { intervalMs: 20 }));
    const r = app({ store, remediator: remediation({ execute: fakeExecutor([]) }) });
    await r.waitFor((x) => x.includes('/tmp/mnt1') && x.includes('live'), 'live data');
    await r.press('u');
    await r.waitFor((x) => x.includes('Thaw /tmp/mnt1?'), 'dialog');
    empty = true;
    const calls = src.calls;
    await tick(300);
    // At most the request that was already out when the dialog opened.
    expect(src.calls - calls).toBeLessThanOrEqual(1);
    expect(r.frame()).toContain('Thaw /tmp/mnt1?');
    expect(r.frame()).toContain('5 blocked');
    await r.press('escape');
    await r.waitFor((x) => x.includes('Nothing is blocked'), 'refresh resumed');
  });
});

describe('root causes panel and action log', () => {
  it('selects a root cause with Tab or its number; the remedy keys act on it', async () => {
    const r = app({ analysis: seed000, remediator: remediation({ execute: fakeExecutor([]) }), caps: { color: false, attrs: false, unicode: true } });
    await r.waitFor((x) => x.includes('auditbeat'));
    await r.press('tab');
    let f = await r.waitFor((x) => x.includes('Tab or Esc: back to the tasks'), 'panel focused');
    expect(f).toMatch(/▶1 .*\[k\] kill DEADLOCK +auditbeat:247832\/248085/);
    await r.press('2');
    await r.waitFor((x) => x.includes('no root cause 2 (there is 1)'), 'only one');
    await r.press('escape', '1', 'k');
    f = await r.waitFor((x) => x.includes('Kill auditbeat (pid 247832, user root)?'), 'dialog for the selected root cause');
    await r.press('escape', 'tab');
    await r.waitFor((x) => x.includes('Tab or 1-9 selects one'), 'back to the table');
  });

  it.skipIf(isTmpfs(path.resolve(__dirname)))('says when the action log could not be placed on a tmpfs', async () => {
    const dir = path.resolve(__dirname, 'not-a-tmpfs');
    const log = new ActionLog(dir);
    expect(fs.existsSync(dir)).toBe(false);
    const r = app({ analysis: frozen, remediator: remediation({ log }) });
    const f = await r.waitFor((x) => x.includes('action log:'), 'problem line');
    expect(f).toContain(`action log: ${dir} is not on a tmpfs: refusing to log there`);
    await r.press('L');
    await r.waitFor((x) => x.includes('is not on a tmpfs'), 'in the actions view too');
  });
});

describe('c on a frozen cgroup (a recorded vfork child parked by the v2 freezer)', () => {
  it('asks for the cgroup thaw, naming the cgroup and how many of its tasks resume', async () => {
    const cg = fixtureAnalysis('vfork-cgroup');
    const rc = cg.rootCauses[0]!;
    expect(rc.kind).toBe('cgroup');
    const calls: Calls = [];
    const r = app({ analysis: cg, remediator: remediation({ execute: fakeExecutor(calls) }) });
    await r.waitFor((x) => x.includes('vfork-parent'));
    await r.press('c');
    const f = await r.waitFor((x) => x.includes('Thaw the frozen cgroup'), 'dialog');
    expect(f).toContain(`command     ${rc.remedies[0]!.command}`);
    expect(f).toMatch(/every task in the cgroup \(1 process, 1 thread\)/);
    expect(f).toMatch(/SIGCONT does not wake/);
    await r.press('y');
    await r.waitFor(() => calls.length > 0, 'executed');
    expect(calls[0]!.plan.remedy).toMatchObject({ action: 'cgroup-thaw' });
  });
});

describe('k on an audit client holding the mutex while a separate daemon stopped reading', () => {
  it('targets the client at once and warns that killing the daemon would free nobody', async () => {
    const a = fixtureAnalysis('audit-separate-owner');
    const rc = a.rootCauses[0]!;
    const calls: Calls = [];
    const r = app({ analysis: a, remediator: remediation({ execute: fakeExecutor(calls) }) });
    await r.waitFor((x) => x.includes('sudo-sim'));
    // No selection made: the cursor starts on a task of root cause 1, not on the idle daemon the
    // holders group lists first (its kill frees nobody).
    await r.press('k');
    const f = await r.waitFor((x) => x.includes('Kill '), 'dialog');
    expect(f).toContain(`(pid ${rc.pid}`);
    expect(f.replace(/\s+│\s+/g, ' ')).toMatch(/note +killing auditd-sim:\d+ .*will not free these waiters: the holder is PID \d+/);
  });
});
