// A real frozen ext4 loop mount with writers blocked through write(2), openat(O_CREAT), mkdir,
// a store to an mmap'd page, and a log daemon: wedgetop must name that mount, for each writer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { frozenFsUp, isRoot, untilNoneInD, wedgetop, WEDGE_ROOT, type FrozenWedge } from '../support/wedge.js';
import type { JsonReport } from '../../src/report/json.js';
import { treeOf } from '../support/replay.js';

describe.skipIf(!isRoot)('frozen ext4 loop mount (real kernel, root)', () => {
  let w: FrozenWedge;
  let report: JsonReport;
  let code: number;
  const recordDir = path.join(WEDGE_ROOT, `record-${process.pid}`);

  beforeAll(() => {
    w = frozenFsUp();
    const r = wedgetop(['--json']);
    code = r.code;
    report = JSON.parse(r.stdout) as JsonReport;
  });
  afterAll(() => {
    w?.down();
    fs.rmSync(recordDir, { recursive: true, force: true });
  });

  it('exits 1: blocked tasks found', () => {
    expect(code).toBe(1);
  });

  it('names the frozen mount as the root cause, with the exact thaw command', () => {
    // Other wedges may be up on this machine: look for ours.
    const rc = report.rootCauses.find((r) => r.kind === 'frozen-fs' && r.mount === w.mount);
    expect(rc, JSON.stringify(report.rootCauses, null, 1)).toBeDefined();
    expect(rc!.mount).toBe(w.mount);
    expect(rc!.remedies).toEqual([expect.objectContaining({ action: 'thaw', mount: w.mount, command: `fsfreeze -u ${w.mount}` })]);
    expect(rc!.blocked).toBeGreaterThanOrEqual(w.writers.length);
  });

  it('puts each writer (write, openat, mkdir, mmap store, log daemon) behind that mount', () => {
    for (const writer of w.writers) {
      const t = report.tasks.find((x) => x.pid === writer.pid);
      expect(t, `${writer.kind} writer ${writer.pid} not reported`).toBeDefined();
      expect(t!.state).toBe('D');
      expect(t!.signature).toBe('frozen-fs');
      expect(t!.waitsOn, `${writer.kind} writer`).toBe(`frozen-fs:${w.mount}`);
    }
  });

  it('prints the root cause before the task list in --once', () => {
    const r = wedgetop(['--once']);
    expect(r.code).toBe(1);
    const causes = r.stdout.split('ROOT CAUSES')[1]!.split('BLOCKED TASKS BY WAIT SITE')[0]!;
    expect(causes).toMatch(new RegExp(`^ \\d+\\. \\d+ tasks blocked by frozen filesystem ${w.mount} `, 'm'));
    expect(r.stdout).toContain(`fsfreeze -u ${w.mount}`);
  });

  it('records the scene and replays it to the same root causes', () => {
    const rec = wedgetop(['--record', recordDir, '--json']);
    expect(rec.code).toBe(1);
    const live = JSON.parse(rec.stdout) as JsonReport;
    const rep = wedgetop(['--replay', recordDir, '--json']);
    expect(rep.code).toBe(1);
    const replayed = JSON.parse(rep.stdout) as JsonReport;
    const essence = (j: JsonReport) => ({
      roots: j.rootCauses.map((r) => ({ id: r.id, blocked: r.blocked, remedies: r.remedies.map((m) => m.command) })),
      tasks: j.tasks.map((t) => `${t.tid} ${t.state} ${t.signature} ${t.waitsOn}`).sort(),
    });
    expect(essence(replayed)).toEqual(essence(live));
    expect(fs.existsSync(path.join(recordDir, 'meta.json'))).toBe(true);
    // Never environ; no cmdline unless asked.
    const all = Object.keys(treeOf(recordDir));
    expect(all.some((f) => /(^|\/)(environ|cmdline)$/.test(f))).toBe(false);
    // The collector's own namespace: its mount table is then kept once, under that key.
    expect(all).toContain('proc/self/ns/mnt');
  });

  it('--fix thaws the mount and every writer completes', async () => {
    const r = wedgetop(['--fix', `frozen-fs:${w.mount}`, '--yes']);
    expect(r.stderr).toContain(`command:    fsfreeze -u ${w.mount}`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/(\d+) of \1 blocked tasks came free in \d+ ms/);
    expect(await untilNoneInD(w.writers.map((x) => x.pid))).toEqual([]);
    const log = fs.readFileSync(path.join(WEDGE_ROOT, 'action-log', 'actions.log'), 'utf8');
    expect(log).toMatch(new RegExp(`\tthaw\tmount ${w.mount}\tfsfreeze -u ${w.mount}\tthawed ${w.mount}\n`));
    expect(log).toMatch(/\tfollow-up\t.*blocked tasks came free/);
    const after = wedgetop(['--json']);
    const j = JSON.parse(after.stdout) as JsonReport;
    expect(j.rootCauses.find((rc) => rc.mount === w.mount)).toBeUndefined();
  });
});
