// "ps hangs": waits on a process's mmap_lock are one chain to the thread sleeping with it held, and
// wedgetop never reads that process's maps or mem itself (the read would queue behind the writers).
import * as path from 'node:path';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeDir, specDir } from '../support/replay.js';
import type { ProcessSpec, SnapshotSpec } from '../support/snapdir.js';
import { collect } from '../../src/collector/collect.js';
import { ReplaySource } from '../../src/procfs/source.js';
import { analyze } from '../../src/graph/analyze.js';

const FIXTURE = path.resolve('test/fixtures/ps-hangs-fuse');
const MOUNTS = '22 1 253:0 / / rw,relatime - xfs /dev/vda rw\n30 22 0:40 / /mnt/fuse rw,nosuid,nodev - fuse.sshfs host:/ rw\n';
const base = (processes: ProcessSpec[]): SnapshotSpec => ({ hostname: 'h', kernel: '6.18.0', uptimeSec: 1000, time: '2026-11-22T00:00:00.000Z', processes });

// Stacks as seen on 6.18 (test/wedges/README.md, section 5).
const GUP_ON_FUSE = `[<0>] request_wait_answer+0xd6/0x280
[<0>] __fuse_simple_request+0x120/0x330
[<0>] fuse_read_folio+0x44/0xa0
[<0>] filemap_read_folio+0x3e/0x100
[<0>] filemap_fault+0x927/0x1700
[<0>] handle_mm_fault+0xd0/0x310
[<0>] __get_user_pages+0x1a3/0x1120
[<0>] get_user_pages_remote+0xee/0x440
[<0>] __access_remote_vm+0xd9/0x3b0
[<0>] mem_rw+0x1c4/0x2d0
[<0>] vfs_read+0xbb/0x3d0
[<0>] __x64_sys_pread64+0xa3/0xe0`;
const CMDLINE_READER = `[<0>] __access_remote_vm+0x4d/0x3b0
[<0>] proc_pid_cmdline_read+0x19c/0x4b0
[<0>] vfs_read+0xbb/0x3d0
[<0>] ksys_read+0x6f/0xf0`;
const MMAP = '[<0>] vm_mmap_pgoff+0xe9/0x230\n[<0>] do_syscall_64+0x71/0x290';

describe('mmap_lock waits', () => {
  it('a debugger-like reader of ANOTHER process holds that process\'s lock: ps of the target waits on the reader', () => {
    // gdb-sim (500) reads /proc/400/mem and faults in a page of 400's FUSE mapping; 400's own
    // mmap queues behind it, and ps reading /proc/400/cmdline behind that.
    const a = analyzeDir(specDir(base([
      { pid: 400, cwd: '/', mountinfo: MOUNTS, fds: [], threads: [{ tid: 400, comm: 'app', state: 'D', stack: MMAP, syscall: '9 0x0 0x1000 0x3 0x22 0xffffffffffffffff 0x0' }] },
      { pid: 500, cwd: '/', mountinfo: MOUNTS, fds: [{ fd: 5, target: '/proc/400/mem' }], threads: [{ tid: 500, comm: 'gdb-sim', state: 'D', stack: GUP_ON_FUSE, syscall: '17 0x5 0x7ffd0000 0x8 0x7f0000001000' }] },
      { pid: 600, cwd: '/', mountinfo: MOUNTS, fds: [{ fd: 3, target: '/proc/400/cmdline' }], threads: [{ tid: 600, comm: 'ps', state: 'D', stack: CMDLINE_READER, syscall: '0 0x3 0x7ffd0000 0x20000' }] },
    ])));
    const lock = a.resources.find((r) => r.id === 'mmap-lock:400');
    expect(lock?.holders).toEqual(['500/500']);
    expect(lock?.how).toMatch(/holds the mmap_lock of 400 \(pread64\(fd 5 -> \/proc\/400\/mem\)\)/);
    expect(a.tasks.find((t) => t.pid === 600)?.waitsOn).toBe('mmap-lock:400');
    expect(a.tasks.find((t) => t.pid === 400)?.waitsOn).toBe('mmap-lock:400');
    // The reader's own mm (500) is not what it holds: its own stack says remote.
    expect(a.resources.find((r) => r.id === 'mmap-lock:500')).toBeUndefined();
  });

  it('says who could not be found rather than guessing a holder outside the mm', () => {
    const a = analyzeDir(specDir(base([
      { pid: 400, cwd: '/', mountinfo: MOUNTS, fds: [], threads: [{ tid: 400, comm: 'app', state: 'D', stack: MMAP }] },
      { pid: 700, cwd: '/', mountinfo: MOUNTS, fds: [], threads: [{ tid: 700, comm: 'other', state: 'D', stack: GUP_ON_FUSE, syscall: '17 0x5 0x0 0x8 0x0' }] },
    ])));
    const lock = a.resources.find((r) => r.id === 'mmap-lock:400')!;
    expect(lock.holders).toEqual([]);
    expect(lock.how).toMatch(/no thread of 400/);
  });
});

const TOUCH = `[<0>] folio_wait_bit_common+0x167/0x370
[<0>] filemap_fault+0x783/0x1700
[<0>] __do_fault+0x34/0xd0
[<0>] handle_mm_fault+0xd0/0x310
[<0>] exc_page_fault+0x176/0x770`;

describe('page-cache waits resolved to what completes the read', () => {
  it('a page fault behind a sibling reading the same FUSE page in waits on that sibling', () => {
    const a = analyzeDir(specDir(base([{
      pid: 400, cwd: '/', mountinfo: MOUNTS, fds: [{ fd: 3, target: '/mnt/fuse/data', mntId: 30 }, { fd: 4, target: '/proc/400/mem' }],
      threads: [
        { tid: 401, comm: 'reader', state: 'D', stack: GUP_ON_FUSE, syscall: '17 0x4 0x7ffd0000 0x8 0x7f0000001000' },
        { tid: 402, comm: 'toucher', state: 'D', stack: TOUCH },
      ],
    }])));
    const t = a.tasks.find((x) => x.tid === 402)!;
    expect(t.site?.signature).toBe('page-cache');
    expect(t.waitsOn).toBe('page:400');
    expect(a.resources.find((r) => r.id === 'page:400')?.holders).toEqual(['400/401']);
  });

  it('with no reader in the process: the FUSE connection of the file it has open, while that connection has requests pending', () => {
    const dir = specDir(base([
      { pid: 400, cwd: '/', mountinfo: MOUNTS, fds: [{ fd: 3, target: '/mnt/fuse/data', mntId: 30 }], threads: [{ tid: 400, comm: 'toucher', state: 'D', stack: TOUCH }] },
    ]));
    // A page fault names no file: its open FUSE file is only a guess until the connection is busy.
    expect(analyzeDir(dir).tasks.find((x) => x.tid === 400)?.waitsOn).toBe('external:block-io');
    fs.mkdirSync(path.join(dir, 'sys/fs/fuse/connections/40'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'sys/fs/fuse/connections/40/waiting'), '1\n');
    expect(analyzeDir(dir).tasks.find((x) => x.tid === 400)?.waitsOn).toBe('fuse:40');
  });

  it('on a plain disk, with nobody reading: the block device', () => {
    const a = analyzeDir(specDir(base([
      { pid: 400, cwd: '/', mountinfo: MOUNTS, fds: [{ fd: 3, target: '/var/data', mntId: 22 }], threads: [{ tid: 400, comm: 'toucher', state: 'D', stack: TOUCH }] },
    ])));
    expect(a.tasks.find((x) => x.tid === 400)?.waitsOn).toBe('external:block-io');
  });
});

describe('the recorded "ps hangs" wedge (test/fixtures/ps-hangs-fuse)', () => {
  const truth = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'ground-truth.json'), 'utf8')) as { expect: { rootCauseId: string; remedyAction: string; blockedAtLeast: number } };

  it('replays to one chain ending at the stopped daemon, SIGCONT first', () => {
    const a = analyzeDir(FIXTURE);
    const top = a.rootCauses[0]!;
    expect(top.id).toBe(truth.expect.rootCauseId);
    expect(top.remedies[0]?.action).toBe(truth.expect.remedyAction);
    expect(top.blocked).toBeGreaterThanOrEqual(truth.expect.blockedAtLeast);
    expect(a.rootCauses).toHaveLength(1);
  });

  it('never reads maps or mem of the process whose mmap_lock is contended', () => {
    const reads: string[] = [];
    class Spy extends ReplaySource {
      override read(p: string): string | undefined {
        reads.push(p);
        return super.read(p);
      }
      override readMemString(pid: number, tid: number, addr: bigint): string | undefined {
        reads.push(`/proc/${pid}/task/${tid}/mem`);
        return super.readMemString(pid, tid, addr);
      }
    }
    const snap = collect(new Spy(FIXTURE), { now: Date.parse('2026-12-04T01:58:11.745Z') });
    const victim = analyze(snap).resources.find((r) => r.kind === 'mmap-lock')!.id.split(':')[1];
    expect(reads.filter((p) => p.startsWith(`/proc/${victim}/`) && /\/(maps|mem|cmdline|environ)$/.test(p))).toEqual([]);
    expect(snap.warnings).toContain(`not reading /proc/${victim}/maps: its mmap_lock is contended (the read would wait behind it, like ps does)`);
  });
});
