// Frozen filesystems that are not a plain ext4 under the writers: xfs and btrfs frozen directly,
// an ext4 on a loop device whose backing file sits on a frozen xfs (the loop worker goes D, the
// writers above wait in block I/O and the journal), and an overlay (a container root) whose
// upper directory is on a frozen ext4 (one creator holding a directory's lock while it waits on
// the freeze, a second queued on that lock). In every case the root cause is the frozen mount at the
// bottom, its thaw command frees every task of the wedge, and nothing else is offered first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import {
  ensureDebianPackages, frozenFsUp, isRoot, untilNoneInD, wedgetop, type FrozenOptions, type FrozenWedge,
} from '../support/wedge.js';
import type { JsonReport } from '../../src/report/json.js';

type Report = JsonReport;

const commOf = (pid: number): string => {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};

const cases: { name: string; opts: FrozenOptions; incident: string }[] = [
  { name: 'xfs frozen', opts: { fstype: 'xfs' }, incident: 'an xfs data volume left frozen by a snapshot job' },
  { name: 'btrfs frozen', opts: { fstype: 'btrfs' }, incident: 'a btrfs volume left frozen by a backup' },
  { name: 'loop image on a frozen xfs', opts: { fstype: 'xfs', layout: 'stacked' }, incident: 'a VM disk image (loop) whose host filesystem was frozen' },
  { name: 'loop image on a frozen ext4 (journal thread followed)', opts: { fstype: 'ext4', layout: 'stacked' }, incident: 'writers queued on an ext4 journal whose jbd2 thread is stuck on a loop device over a frozen ext4' },
  { name: 'overlay whose upper is on a frozen ext4', opts: { fstype: 'ext4', layout: 'overlay' }, incident: 'a container root (overlayfs) whose upper directory was frozen' },
];

describe.skipIf(!isRoot).each(cases)('$name (real kernel, root)', ({ opts, incident }) => {
  let w: FrozenWedge;
  let report: Report;
  /** Every task of the wedge that must come free: the writers, and for a loop image its worker and journal thread. */
  let wedgePids: number[];

  beforeAll(() => {
    ensureDebianPackages(...(opts.fstype === 'xfs' ? ['xfsprogs'] : opts.fstype === 'btrfs' ? ['btrfs-progs'] : []));
    w = frozenFsUp(opts);
    const r = wedgetop(['--json']);
    expect(r.code, r.stderr).toBe(1);
    report = JSON.parse(r.stdout) as Report;
    wedgePids = w.writers.map((x) => x.pid);
    if (opts.layout === 'stacked') {
      const dev = w.topLoop!.replace('/dev/', '');
      // The kernel threads doing the upper ext4's I/O, as they are in D right now.
      const kthreads = report.tasks.filter((t) => t.comm.endsWith(`+${dev}`) || t.comm.startsWith(`jbd2/${dev}-`));
      expect(kthreads.map((t) => t.comm).sort(), 'loop worker and journal thread in D').toEqual(
        [expect.stringMatching(new RegExp(`^jbd2/${dev}-`)), expect.stringMatching(new RegExp(`^kworker/.*\\+${dev}$`))]);
      wedgePids.push(...kthreads.map((t) => t.pid));
    }
  }, 120_000);
  afterAll(() => {
    w?.down();
  });

  it(`names the frozen mount at the bottom (${incident}) with its thaw command`, () => {
    const mine = report.rootCauses.filter((rc) => rc.blockedTasks.some((k) => wedgePids.includes(Number(k.split('/')[0]))));
    // Other wedges may be up on this machine: among the root causes that block OUR tasks, one only.
    expect(mine.map((rc) => rc.id)).toEqual([`frozen-fs:${w.mount}`]);
    const rc = mine[0]!;
    expect(rc.remedies[0]).toEqual(expect.objectContaining({ action: 'thaw', mount: w.mount, command: `fsfreeze -u ${w.mount}` }));
    const blocked = new Set(rc.blockedTasks.map((k) => Number(k.split('/')[0])));
    expect(wedgePids.filter((p) => !blocked.has(p)), 'tasks of the wedge not behind the frozen mount').toEqual([]);
  });

  it('gives each writer a wait site and an edge that says how it was found', () => {
    for (const writer of w.writers) {
      const t = report.tasks.find((x) => x.pid === writer.pid);
      expect(t, `${writer.kind} writer ${writer.pid}`).toBeDefined();
      expect(t!.state).toBe('D');
      if (writer.kind === 'create2') {
        // Queued on the lock of data/, held by the openat writer that waits on the freeze.
        expect(t!.waitsOn).toBe(`dir-lock:${w.top}/data`);
        const openat = w.writers.find((x) => x.kind === 'openat')!;
        expect(report.edges.find((e) => e.from === `res:dir-lock:${w.top}/data`)?.to).toBe(`task:${openat.pid}/${openat.pid}`);
      } else if (opts.layout !== 'stacked') expect(t!.waitsOn, `${writer.kind} writer`).toBe(`frozen-fs:${w.mount}`);
      const edge = report.edges.find((e) => e.from === `task:${t!.pid}/${t!.tid}`);
      expect(edge?.how).toMatch(/^kernel stack: /);
    }
    if (opts.layout === 'overlay') {
      // fsfreeze on the overlay itself fails (EOPNOTSUPP): the overlay must not be the answer.
      expect(report.rootCauses.find((rc) => rc.mount === w.top)).toBeUndefined();
      const rc = report.rootCauses.find((r) => r.id === `frozen-fs:${w.mount}`)!;
      expect(rc.how).toContain(`overlay ${w.top} upperdir ${w.mount}/upper dir -> mount ${w.mount}`);
    }
    if (opts.layout === 'stacked') {
      const dev = w.topLoop!.replace('/dev/', '');
      const held = report.edges.find((e) => e.from === `res:blockdev:${dev}` && e.kind === 'held-by');
      expect(held, 'I/O on the loop device is held by its worker').toBeDefined();
      expect(commOf(Number(held!.to.slice(5).split('/')[0]))).toMatch(new RegExp(`\\+${dev}$`));
      expect(report.edges.find((e) => e.from === `res:journal:${dev}` && e.kind === 'held-by')?.to).toMatch(/^task:/);
    }
  });

  it('--fix thaws that mount and every blocked task of the wedge runs again', async () => {
    const r = wedgetop(['--fix', `frozen-fs:${w.mount}`, '--yes']);
    expect(r.stderr).toContain(`command:    fsfreeze -u ${w.mount}`);
    expect(r.code, r.stderr).toBe(0);
    expect(await untilNoneInD(wedgePids, 20_000)).toEqual([]);
    const after = JSON.parse(wedgetop(['--json']).stdout) as Report;
    expect(after.rootCauses.find((rc) => rc.id === `frozen-fs:${w.mount}`)).toBeUndefined();
  }, 60_000);
});
