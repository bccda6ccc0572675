// Stale and misleading values: an old kernel report shown as news, a chart that scrolls under Z,
// and a static replay that keeps working every second.
import { afterEach, describe, expect, it } from 'vitest';
import type { Analysis, KmsgRecord } from '../../src/model.js';
import { parseAuditBacklogLine } from '../../src/kernel/kmsg.js';
import { auditBacklogFacts } from '../../src/graph/kmsg.js';
import { warningLines } from '../../src/ui/screens/header.js';
import { lineText } from '../../src/ui/line.js';
import type { Refresher } from '../../src/store/refresher.js';
import { FakeSource, fixtureAnalysis, fixtureSnapshot, makeStore, renderApp, startRefresher, tick, type Rendered } from './helpers.js';

const ext4 = fixtureAnalysis('frozen-ext4');
const seed4 = fixtureAnalysis('seed-004');

/** The same analysis with its kernel log's audit reports `ageS` seconds old. */
function withAuditAge(a: Analysis, ageS: number): Analysis {
  const audit = a.snapshot.kmsg.filter((r) => parseAuditBacklogLine(r.text));
  expect(audit.length).toBeGreaterThan(0);
  const usec = Math.round((a.snapshot.uptimeSec - ageS) * 1e6);
  const kmsg: KmsgRecord[] = audit.map((r) => ({ ...r, usec }));
  const snapshot = { ...a.snapshot, kmsg };
  // The engine parses the kernel log once (the header only shows its facts): parse the aged copy.
  return { ...a, snapshot, auditBacklog: auditBacklogFacts(snapshot, a.tasks) };
}

const auditLine = (a: Analysis): string | undefined => warningLines(a, 3).map(lineText).find((l) => l.startsWith('⚠ audit'));

describe('the audit backlog warning', () => {
  it('says how old the kernel reports are', () => {
    expect(auditLine(withAuditAge(seed4, 5))).toMatch(/last 5s ago\): the audit daemon is not draining/);
  });

  it('is dimmed after a minute and gone after ten when nothing waits on the audit queue', () => {
    // frozen-ext4 was recorded on a box whose kernel log still had an earlier test's audit reports.
    expect(ext4.tasks.some((t) => t.site?.resource === 'audit-backlog')).toBe(false);
    const dim = warningLines(withAuditAge(ext4, 120), 3).find((l) => lineText(l).startsWith('⚠ audit'));
    expect(dim?.segs.every((s) => s.role === 'dim')).toBe(true);
    expect(auditLine(withAuditAge(ext4, 700))).toBeUndefined();
  });

  it('stays, however old, while tasks still wait on the audit queue (seed 004)', () => {
    expect(seed4.tasks.some((t) => t.site?.resource === 'audit-backlog')).toBe(true);
    const l = warningLines(withAuditAge(seed4, 3600), 3).find((x) => lineText(x).startsWith('⚠ audit'));
    expect(l && lineText(l)).toMatch(/last 1h00m ago/);
    expect(l?.segs.some((s) => s.role === 'error')).toBe(true);
  });
});

let r: Rendered | undefined;
const refreshers: Refresher[] = [];
afterEach(() => {
  r?.unmount();
  r = undefined;
  for (const x of refreshers.splice(0)) x.stop();
});

describe('Z pauses the whole display', () => {
  it('freezes the history chart too, and catches up on resume', async () => {
    const store = makeStore();
    r = renderApp({ store, analysis: ext4, columns: 120, rows: 30 });
    store.getState().togglePause();
    const shown = store.getState().pausedHistory;
    expect(shown).toHaveLength(1);
    for (let i = 0; i < 5; i++) store.getState().setAnalysis(ext4);
    expect(store.getState().pausedHistory).toBe(shown);
    expect(store.getState().history).toHaveLength(6);
    store.getState().togglePause();
    expect(store.getState().pausedHistory).toBeUndefined();
  });
});

describe('a replay', () => {
  it('is read once and then costs nothing: no refresh after the first snapshot', async () => {
    const store = makeStore();
    const snap = fixtureSnapshot('frozen-ext4');
    const src = new FakeSource(async () => snap);
    refreshers.push(startRefresher(store, src, { intervalMs: 10, timeoutMs: 1000, static: true }));
    await tick(200);
    expect(src.calls).toBe(1);
    expect(store.getState().history).toHaveLength(1);
    // A dry-run follow-up still gets its snapshot when it asks for one.
    await refreshers[0]!.nextAnalysis();
    expect(src.calls).toBe(2);
  });

  it('keeps refreshing when live', async () => {
    const store = makeStore();
    const snap = fixtureSnapshot('frozen-ext4');
    const src = new FakeSource(async () => snap);
    refreshers.push(startRefresher(store, src, { intervalMs: 10, timeoutMs: 1000 }));
    await tick(200);
    expect(src.calls).toBeGreaterThan(3);
  });
});
