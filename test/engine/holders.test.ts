// Holder inference beyond the table: the kernel's own "likely owned by" report first, then
// "inside the critical section" (the rule seed 000's holder was found with by hand).
import { describe, expect, it } from 'vitest';
import { analyzeDir, specDir } from '../support/replay.js';
import type { ProcessSpec, SnapshotSpec } from '../support/snapdir.js';

const MOUNTS = '22 1 253:0 / / rw,relatime - xfs /dev/vda rw\n';
const proc = (pid: number, comm: string, state: string, stack: string): ProcessSpec => ({
  pid, cwd: '/', mountinfo: MOUNTS, fds: [], threads: [{ tid: pid, comm, state, stack, offCpuMs: 200_000 }],
});
const base = (processes: ProcessSpec[], kmsg?: string[]): SnapshotSpec => ({
  hostname: 'h', kernel: '6.18.0', uptimeSec: 1000, time: '2026-11-22T00:00:00.000Z', processes, kmsg,
});

const WAIT = '[<0>] drv_ioctl+0x2a/0x300 [mydrv]\n[<0>] __x64_sys_ioctl+0x92/0xd0\n[<0>] do_syscall_64+0x71/0x280';
const HOLD = '[<0>] msleep+0x2b/0x40\n[<0>] drv_reset_hw+0x51/0x90 [mydrv]\n[<0>] drv_ioctl+0x1c4/0x300 [mydrv]\n[<0>] __x64_sys_ioctl+0x92/0xd0';

describe('unknown wait sites', () => {
  it('groups them by site and guesses the task inside the same function at another offset', () => {
    const a = analyzeDir(specDir(base([
      proc(100, 'app-a', 'D', WAIT), proc(101, 'app-b', 'D', WAIT), proc(102, 'app-c', 'D', WAIT), proc(200, 'resetd', 'D', HOLD),
    ])));
    const r = a.resources.find((x) => x.id === 'site:drv_ioctl')!;
    expect(r.holders).toEqual(['200/200']);
    expect(r.confidence).toBe('guess');
    expect(a.rootCauses[0]).toMatchObject({ kind: 'task', pid: 200, blocked: 3 });
  });

  it('trusts the kernel hung-task report over the guess', () => {
    const a = analyzeDir(specDir(base(
      [proc(100, 'app-a', 'D', WAIT), proc(200, 'resetd', 'D', HOLD), proc(300, 'owner', 'S', '[<0>] do_nanosleep+0x6c/0x170\n[<0>] hrtimer_nanosleep+0xd2/0x1c0')],
      ['INFO: task app-a:100 is blocked on a mutex likely owned by task owner:300.'],
    )));
    const r = a.resources.find((x) => x.id === 'site:drv_ioctl')!;
    expect(r.holders).toEqual(['300/300']);
    expect(r.how).toMatch(/kernel hung-task report/);
    expect(a.tasks.find((t) => t.tid === 300)?.isHolder).toBe(true);
  });

  it('says "holder unknown" when nobody is inside, and still shows the waiters', () => {
    const a = analyzeDir(specDir(base([proc(100, 'app-a', 'D', WAIT), proc(101, 'app-b', 'D', WAIT)])));
    expect(a.rootCauses).toEqual([expect.objectContaining({ kind: 'unknown', blocked: 2, remedies: [] })]);
    expect(a.rootCauses[0]!.label).toMatch(/holder unknown/);
    expect(a.tasks.filter((t) => t.site?.signature === 'unknown:drv_ioctl')).toHaveLength(2);
  });
});

describe('kernel threads and PID 1 as holders', () => {
  it('offers no kill remedy for a kernel thread', () => {
    const a = analyzeDir(specDir(base([
      proc(100, 'app-a', 'D', WAIT),
      { pid: 55, kernelThread: true, threads: [{ tid: 55, comm: 'kworker/0:1', state: 'D', stack: HOLD }] },
    ])));
    const rc = a.rootCauses.find((r) => r.pid === 55)!;
    expect(rc.remedies).toEqual([]);
    expect(rc.label).toMatch(/kernel thread/);
  });
});
