// The storage families on recorded real wedges (test/real/storage.test.ts builds them live; the
// corpus test checks their top root cause) and
// the "store below" rules on small hand-made mount tables: overlay upperdir with mountinfo's
// escapes, a loop device's backing file, a journal thread's device.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeDir, replay } from '../support/replay.js';
import { analyze } from '../../src/graph/analyze.js';
import { parseMountinfo, parseStack } from '../../src/procfs/parse.js';
import { backingMountOf, overlayUpperDir, writableStoreOf } from '../../src/graph/backing.js';
import { deviceOfJournalThread, journalThreadMatches, loopOfWorker } from '../../src/kernel/devices.js';
import type { Snapshot } from '../../src/model.js';

interface GroundTruth {
  family: string;
  expect: { rootCauseId: string; remedyAction: string | null; remedyCommand?: string; blockedAtLeast: number };
}

describe('stacked: a loop image on a frozen xfs', () => {
  const a = analyzeDir('test/fixtures/loop-on-frozen');
  const byComm = (re: RegExp) => a.tasks.filter((t) => re.test(t.comm));

  it('follows writers above through the journal thread and the loop worker to the frozen mount', () => {
    const top = a.rootCauses[0]!;
    const [jbd2] = byComm(/^jbd2\/loop1-/);
    const [worker] = byComm(/^kworker\/.*\+loop1$/);
    expect(jbd2?.waitsOn).toBe('blockdev:loop1');
    expect(worker?.waitsOn).toBe(top.id);
    for (const t of byComm(/^frz-/)) expect(['blockdev:loop1', 'journal:loop1'], t.comm).toContain(t.waitsOn);
    expect(top.chain.join(' -> ')).toMatch(/ext4 journal of loop1 -> held by jbd2\/loop1-8.* -> I\/O on \/dev\/loop1 .* -> held by kworker\/.*\+loop1.* -> frozen filesystem /);
  });

  it('says how the loop worker was found to hold the I/O, and how sure that is', () => {
    const held = a.edges.find((e) => e.from === 'res:blockdev:loop1' && e.kind === 'held-by')!;
    expect(held.confidence).toBe('likely');
    expect(held.how).toMatch(/runs loop1's I\/O and is blocked \(\/sys\/block\/loop1\/loop\/backing_file \S+\/upper\.img -> mount /);
  });
});

describe("the collector's own mount table is kept once", () => {
  it('with its namespace recorded, the loop chain resolves through mounts[selfMntNs] alone', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wedgetop-selfns-'));
    try {
      fs.cpSync('test/fixtures/loop-on-frozen', dir, { recursive: true });
      fs.mkdirSync(path.join(dir, 'proc/self/ns'));
      fs.symlinkSync('mnt:[4026539999]', path.join(dir, 'proc/self/ns/mnt'));
      const before = analyzeDir('test/fixtures/loop-on-frozen');
      const snap = replay(dir);
      expect(snap.blockDevices?.loops.length).toBeGreaterThan(0);
      expect(snap.blockDevices?.mounts).toBeUndefined();
      expect(snap.mounts['mnt:[4026539999]']?.length).toBeGreaterThan(0);
      const a = analyze(snap);
      expect(a.rootCauses[0]?.id).toBe(before.rootCauses[0]?.id);
      expect(a.rootCauses[0]?.remedies[0]?.command).toBe(before.rootCauses[0]?.remedies[0]?.command);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a recording without the namespace link keeps the table beside the loop devices', () => {
    expect(replay('test/fixtures/loop-on-frozen').blockDevices?.mounts?.length).toBeGreaterThan(0);
  });
});

const mi = (lines: string[]) => parseMountinfo(lines.join('\n'));

describe('the store below a mount', () => {
  const mounts = mi([
    '1 0 254:0 / / rw - ext4 /dev/vda rw',
    '45 1 7:0 / /srv/base rw,relatime - xfs /dev/loop0 rw,inode64',
    '46 1 7:3 / /srv/base/deep rw - ext4 /dev/loop3 rw',
    '48 1 0:40 / /srv/ovl rw,relatime - overlay overlay rw,lowerdir=/srv/base/lower,upperdir=/srv/base/upper\\040dir\\054x,workdir=/srv/base/work,uuid=on',
    '49 1 0:41 / /srv/ovl2 rw - overlay overlay rw,lowerdir=/l,upperdir=/srv/ovl/u,workdir=/srv/ovl/w',
  ]);

  it('reads upperdir from the superblock options, undoing mountinfo escapes (space, comma)', () => {
    expect(overlayUpperDir(mounts[3]!)).toBe('/srv/base/upper dir,x');
    expect(overlayUpperDir(mounts[1]!)).toBeUndefined();
  });

  it('an overlay writes to the mount holding its upper directory (longest prefix), through overlays on overlays', () => {
    expect(writableStoreOf(mounts[3]!, mounts)?.mount.mountPoint).toBe('/srv/base');
    const two = writableStoreOf(mounts[4]!, mounts)!;
    expect(two.mount.mountPoint).toBe('/srv/base');
    expect(two.how).toBe('overlay /srv/ovl2 upperdir /srv/ovl/u -> mount /srv/ovl -> overlay /srv/ovl upperdir /srv/base/upper dir,x -> mount /srv/base');
    expect(writableStoreOf(mounts[1]!, mounts)).toBeUndefined();
  });

  it("a loop device's backing file is on the mount with the longest prefix (a deleted file still counts)", () => {
    const snap = { blockDevices: { loops: [], mounts } } as unknown as Snapshot;
    expect(backingMountOf(snap, { name: 'loop1', majMin: '7:1', backingFile: '/srv/base/deep/img (deleted)' })?.mount.mountPoint).toBe('/srv/base/deep');
    expect(backingMountOf(snap, { name: 'loop2', majMin: '7:2', backingFile: '/srv/base/x.img' })?.mount.mountPoint).toBe('/srv/base');
  });

  it('names the device of a journal thread and of a loop worker from their comm', () => {
    expect(deviceOfJournalThread('jbd2/loop1-8')).toBe('loop1');
    expect(deviceOfJournalThread('jbd2/dm-0-8')).toBe('dm-0');
    expect(loopOfWorker('kworker/u8:1+loop1')).toBe('loop1');
    // "-loop1": it ran loop1's work before, it is not running it now.
    expect(loopOfWorker('kworker/u8:1-loop1')).toBeUndefined();
    // comm is cut at 15 characters: jbd2/nvme0n1p12-8 shows as jbd2/nvme0n1p12.
    expect(journalThreadMatches('jbd2/nvme0n1p12', 'nvme0n1p12')).toBe(true);
    expect(journalThreadMatches('jbd2/loop1-8', 'loop10')).toBe(false);
  });
});

describe('an overlay whose upper directory is on no mount wedgetop can see (a container namespace)', () => {
  it('offers no fsfreeze on the overlay itself (it fails with EOPNOTSUPP) and says where the thaw must go', () => {
    const snap = replay('test/fixtures/overlay-frozen-upper');
    const truth = JSON.parse(fs.readFileSync('test/fixtures/overlay-frozen-upper/ground-truth.json', 'utf8')) as GroundTruth;
    // What a container's own mount table shows: its overlay, not the host mount under upperdir.
    for (const ns of Object.keys(snap.mounts)) snap.mounts[ns] = snap.mounts[ns]!.filter((m) => m.fsType === 'overlay');
    expect(truth.expect.rootCauseId).toMatch(/^frozen-fs:\//);
    const a = analyze(snap);
    const top = a.rootCauses[0]!;
    expect(top.id).toBe('frozen-fs:?');
    expect(top.remedies).toEqual([]);
    expect(top.how).toMatch(/an overlay; the filesystem under its upperdir .*\/upper dir is on no mount read here: thaw that one/);
    expect(a.rootCauses.some((rc) => rc.remedies.some((r) => r.command?.includes('/ovl')))).toBe(false);
  });
});

describe('I/O on a loop device whose worker is not (yet) blocked', () => {
  it('goes to the backing mount when writers of that mount wait on its freeze, and says it is a guess', () => {
    // The recorded frozen xfs, plus an ext4 on a loop device whose image is on that xfs, and an
    // fsync on it waiting for writeback. No loop worker is in D: the other writers are the evidence.
    const snap = replay('test/fixtures/frozen-fs-xfs');
    const truth = JSON.parse(fs.readFileSync('test/fixtures/frozen-fs-xfs/ground-truth.json', 'utf8')) as GroundTruth;
    const base = truth.expect.rootCauseId.replace(/^frozen-fs:/, '');
    const writer = snap.tasks.find((t) => t.comm === 'frz-write')!;
    const ns = writer.detail!.mntNs!;
    snap.mounts[ns] = [...snap.mounts[ns]!, ...parseMountinfo('999 1 7:9 / /srv/top rw - ext4 /dev/loop9 rw')];
    snap.blockDevices = { loops: [{ name: 'loop9', majMin: '7:9', backingFile: `${base}/upper.img` }], mounts: snap.mounts[ns]! };
    snap.gathered.blockDevices = true;
    snap.tasks.push({
      ...writer, pid: 999_999, tid: 999_999, comm: 'vm-fsync',
      detail: {
        ...writer.detail!,
        stack: parseStack('[<0>] folio_wait_bit+0x120/0x250\n[<0>] folio_wait_writeback+0x2a/0x90\n[<0>] __filemap_fdatawait_range+0xac/0x110\n[<0>] ext4_sync_file+0xa0/0x2f0\n'),
        wchan: 'folio_wait_bit',
        syscall: { nr: 74, args: ['0x3', '0x0', '0x0', '0x0', '0x0', '0x0'] },
        fds: [{ fd: 3, target: '/srv/top/disk.dat', mntId: 999 }],
      },
    });
    const a = analyze(snap);
    const t = a.tasks.find((x) => x.comm === 'vm-fsync')!;
    expect(t.waitsOn).toBe(truth.expect.rootCauseId);
    expect(a.rootCauses[0]!.id).toBe(truth.expect.rootCauseId);
    expect(a.rootCauses[0]!.blockedTasks).toContain('999999/999999');
    // Without the other writers' evidence, nothing says the xfs is frozen: the device stays the answer.
    snap.tasks = snap.tasks.filter((x) => x.comm === 'vm-fsync');
    expect(analyze(snap).tasks[0]!.waitsOn).toBe('blockdev:loop9');
  });
});

describe('overlay: a creator queued on the lock of a directory whose holder waits on the freeze', () => {
  it('names the directory lock, its holder (from both paths), and ends at the frozen mount', () => {
    const a = analyzeDir('test/fixtures/overlay-frozen-upper');
    const second = a.tasks.find((t) => t.comm === 'frz-create2')!;
    const openat = a.tasks.find((t) => t.comm === 'frz-openat')!;
    expect(second.waitsOn).toMatch(/^dir-lock:.*\/ovl\/data$/);
    const res = a.resources.find((r) => r.id === second.waitsOn)!;
    expect(res.holders).toEqual([openat.key]);
    expect(res.confidence).toBe('likely');
    expect(res.how).toMatch(/openat\(".*second-create"\) -> .*; frz-openat:\d+ works in the same directory/);
    expect(a.rootCauses[0]!.blockedTasks).toContain(second.key);
  });
});
