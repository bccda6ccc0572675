// The collector's read loop asks a pure plan() what to read next, not analyze() (issue
// 10 item 1): on seed 000 the waiters are read first, and only then does the engine ask for the
// auditbeat thread asleep in netlink_attachskb (state S) that holds the audit mutex. The whole
// analysis runs once, in the collector child's Analyst, on the snapshot the loop settled on.
import * as fs from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { analyze, plan } from '../../src/graph/analyze.js';
import type { Snapshot } from '../../src/model.js';
import { corpusFixtures } from '../support/corpus.js';
import { replay, specDir } from '../support/replay.js';
import { seed000 } from '../support/seeds.js';

vi.mock('../../src/graph/analyze.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/graph/analyze.js')>();
  return { ...m, analyze: vi.fn(m.analyze) };
});

const seedDir = specDir(seed000());
afterAll(() => fs.rmSync(seedDir, { recursive: true, force: true }));

const cases = (): [string, string][] => [
  ...corpusFixtures().map((f): [string, string] => [f.name, f.dir]),
  ['seed 000 (spec)', seedDir],
];

describe('collect() plans with plan(), never analyze()', () => {
  it.each(cases())('%s: the snapshot is collected without one analyze() call', (_name, dir) => {
    const counted = vi.mocked(analyze);
    counted.mockClear();
    const snap = replay(dir);
    expect(snap.tasks.length).toBeGreaterThan(0);
    expect(counted).not.toHaveBeenCalled();
  });
});

describe('plan(): what to read next and which tasks are shown', () => {
  it.each(cases())('%s: plan().shown is exactly the tasks analyze() shows, and plan() changes nothing', (_name, dir) => {
    const snap = replay(dir);
    const before = JSON.stringify(snap);
    const p = plan(snap);
    expect(JSON.stringify(snap)).toBe(before);
    expect([...p.shown].sort()).toEqual(analyze(snap).tasks.map((t) => t.key).sort());
  });

  it('seed 000: with the holder\'s details missing, plan asks for the auditbeat thread in S that holds the audit mutex', () => {
    const snap = replay(seedDir);
    const a = analyze(snap);
    const holder = a.rootCauses[0]!;
    expect(holder.label).toMatch(/auditbeat/);
    const holderTask = snap.tasks.find((t) => t.pid === holder.pid && t.detail?.stack?.some((f) => f.func === 'netlink_attachskb'));
    expect(holderTask, 'the holder asleep in netlink_attachskb').toBeDefined();
    const key = `${holderTask!.pid}/${holderTask!.tid}`;
    expect(plan(snap).needs.details.has(key)).toBe(false);

    const without: Snapshot = { ...snap, tasks: snap.tasks.map((t) => (t === holderTask ? { ...t, detail: undefined } : t)) };
    const p = plan(without);
    const asked = p.needs.details.has(key) || p.needs.processes.has(holderTask!.pid);
    expect(asked, `plan asks for ${key} (or its process)`).toBe(true);
  });
});
