// Issue 13 item 8: "Space tags rows but nothing acts on tags". As htop's F9 kills every tagged
// process, the kill key acts on every tagged holder: one dialog listing each target and its exact
// command, each planned with the guards of a single kill; tagged waiters are named and left alone.
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionPlan } from '../../src/actions/remedy.js';
import { buildRows } from '../../src/store/derive.js';
import { fakeExecutor, fixtureAnalysis, remediation, renderApp, type Rendered } from './helpers.js';

type Calls = { plan: ActionPlan; dryRun: boolean }[];

// Two holders, each a root cause: the auditbeat-like client holding the audit mutex, and auditd.
const audit = fixtureAnalysis('audit-separate-owner');

let r: Rendered | undefined;
afterEach(() => {
  r?.unmount();
  r = undefined;
});

/** Select the row of task `key` and tag it (Space tags and moves down). */
async function tag(x: Rendered, key: string): Promise<void> {
  const s = x.store.getState();
  const rows = buildRows({ analysis: s.analysis, sort: s.sort, filter: s.filter, collapsed: s.collapsed });
  const i = rows.findIndex((row) => row.id === key);
  expect(i, `row ${key}`).toBeGreaterThanOrEqual(0);
  s.moveTo(i);
  await x.press('space');
  expect(x.store.getState().tagged.has(key)).toBe(true);
}

describe('kill on tagged rows', () => {
  it('lists every tagged holder in one dialog and kills them one after another', async () => {
    const calls: Calls = [];
    r = renderApp({ analysis: audit, columns: 120, rows: 45, remediator: remediation({ execute: fakeExecutor(calls) }) });
    await tag(r, '4147/4148');
    await tag(r, '4146/4146');
    await tag(r, '4149/4149');
    await r.press('k');
    const f = await r.waitFor((x) => x.includes('Kill 2 tagged holders, one after another?'), 'the tagged dialog');
    expect(f).toMatch(/target 1 +.*4147/);
    expect(f).toMatch(/target 2 +.*4146/);
    expect(f).toMatch(/command +kill -TERM 4147/);
    expect(f).toMatch(/command +kill -TERM 4146/);
    // The tagged waiter is named, not killed.
    expect(f).toMatch(/not killed +sudo-sim:4149: not a holder/);
    expect(f).toContain('[ No ]');
    await r.press('y');
    await r.waitFor(() => calls.length === 2, 'both kills run', 5000);
    expect(calls.map((c) => c.plan.remedy.pid)).toEqual([4147, 4146]);
    expect(r.store.getState().tagged.size).toBe(0);
  });

  it('guards each target as a single kill does: wedgetop itself is refused, the others still listed', async () => {
    const calls: Calls = [];
    r = renderApp({ analysis: audit, columns: 120, rows: 45, remediator: remediation({ execute: fakeExecutor(calls), ctx: { selfPid: 4146 } }) });
    await tag(r, '4147/4148');
    await tag(r, '4146/4146');
    await r.press('k');
    const f = await r.waitFor((x) => x.includes('Kill 1 tagged holder, one after another?'), 'the dialog');
    expect(f).toMatch(/not killed +auditd-sim:4146: .*wedgetop/);
    await r.press('n');
    expect(calls).toHaveLength(0);
  });

  it('says so when no tagged row is a holder, and kills nothing', async () => {
    const calls: Calls = [];
    r = renderApp({ analysis: audit, columns: 120, rows: 45, remediator: remediation({ execute: fakeExecutor(calls) }) });
    await tag(r, '4149/4149');
    await r.press('k');
    await r.waitFor((x) => x.includes('no tagged holder to kill'), 'the refusal');
    expect(r.store.getState().dialog).toBeUndefined();
  });
});
