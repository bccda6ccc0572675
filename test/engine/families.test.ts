// Wait families this VM cannot build (no NFS server, no driver to hold rtnl, a cgroup_mutex owner
// stuck in the kernel, a memory cgroup at its limit, a leaked netdev reference), replayed from
// fixtures rebuilt from published stacks and kernel log lines (test/support/families.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeDir, specDir, treeOf } from '../support/replay.js';
import { writeFixture } from '../support/corpus.js';
import { FAMILY_FIXTURES } from '../support/families.js';
import { textReport } from '../../src/report/text.js';
import { isKmsgRelevant } from '../../src/collector/collect.js';
import { fillAdvice, shellWord } from '../../src/graph/rules/external.js';
import type { SnapshotSpec } from '../support/snapdir.js';
import { classifyStack } from '../../src/kernel/classify.js';
import { parseStack } from '../../src/procfs/parse.js';

const family = (name: string) => FAMILY_FIXTURES.find((f) => f.name === name)!;
const analysisOf = (name: string) => analyzeDir(`test/fixtures/${name}`);
const waitsOn = (a: ReturnType<typeof analysisOf>, comm: string): string[] => a.tasks.filter((t) => t.comm === comm).map((t) => t.waitsOn ?? '-');

describe('NFS server gone: "nfs: server fs01 not responding, still trying"', () => {
  const a = analysisOf('nfs-server-gone');

  it('puts ls, df and rsync (RPC waits) and vim (fsync page writeback) behind the same server mount', () => {
    for (const comm of ['ls', 'df', 'rsync', 'vim']) expect(waitsOn(a, comm), comm).toEqual(['external:nfs-rpc:/mnt/home']);
    expect(a.tasks.find((t) => t.comm === 'vim')!.site?.signature).toBe('nfs-page');
  });

  it('says nothing on this box holds it and offers no key, only advice naming the server and the mount', () => {
    const rc = a.rootCauses[0]!;
    expect(rc).toMatchObject({ kind: 'external', remedies: [], blocked: 4 });
    expect(rc.label).toContain('/mnt/home (nfs4 from fs01:/export/home)');
    expect(rc.advice).toMatch(/^Nothing on this box holds it: the NFS server fs01 is not answering for \/mnt\/home\./);
    expect(rc.advice).toContain('umount -f -l /mnt/home');
    expect(textReport(a)).toContain('advice (not run by wedgetop): Nothing on this box holds it');
  });

  it('tells which waits kill -9 ends: the RPC waits, not the page writeback', () => {
    expect(a.tasks.find((t) => t.comm === 'ls')!.killable).toBe(true);
    expect(a.tasks.find((t) => t.comm === 'vim')!.killable).toBe(false);
  });

  it('keeps the kernel log lines the rows read when it filters kmsg', () => {
    expect(isKmsgRelevant('nfs: server fs01 not responding, still trying')).toBe(true);
    expect(isKmsgRelevant('unregister_netdevice: waiting for lo to become free. Usage count = 1')).toBe(true);
    expect(isKmsgRelevant('nfs: server fs01 OK')).toBe(false);
  });
});

describe('rtnl_mutex held by a driver ioctl', () => {
  const a = analysisOf('rtnl-mutex');

  it('makes every rtnl waiter, whatever its site (rtnl_lock, rtnetlink_rcv_msg, a route dump), wait on one lock', () => {
    const waiters = a.tasks.filter((t) => t.state === 'D' && t.comm !== 'ethtool');
    expect(waiters.map((t) => t.comm).sort()).toEqual(['.kdeconnectd-wr', 'NetworkManager', 'ip', 'kworker/u16:3', 'wpa_supplicant']);
    expect(new Set(waiters.map((t) => t.waitsOn))).toEqual(new Set(['lock:rtnl_mutex']));
  });

  it("names the owner from the kernel's hung-task report, even though the first waiter has none", () => {
    const lock = a.resources.find((r) => r.id === 'lock:rtnl_mutex')!;
    expect(lock.holders).toEqual(['4410/4410']);
    expect(lock.how).toBe('kernel hung-task report: blocked on a mutex likely owned by ethtool:4410');
    expect(a.rootCauses[0]!.chain.join(' -> ')).toMatch(/rtnl_mutex \(network configuration lock\) -> held by ethtool:4410 \(D, usleep_range_state/);
  });

  it('without the report, guesses the task inside a function that runs under rtnl, and says it is a guess', () => {
    const spec: SnapshotSpec = { ...family('rtnl-mutex').spec(), kmsg: [] };
    const b = analyzeDir(specDir(spec));
    const lock = b.resources.find((r) => r.id === 'lock:rtnl_mutex')!;
    expect(lock.holders).toEqual(['4410/4410']);
    expect(lock.confidence).toBe('guess');
    expect(lock.how).toMatch(/^no hung-task report names the owner; ethtool:4410\/4410 is inside a function that runs with rtnl_mutex held \(its stack passes through dev_ethtool/);
    expect(b.rootCauses[0]!.remedies[0]!.risk).toMatch(/is a guess/);
  });
});

describe('cgroup_mutex owned by a task running in the kernel', () => {
  const a = analysisOf('cgroup-mutex');

  it('puts systemd, runc, ps and the cgroup workers behind the owner the kernel names, though its stack is empty', () => {
    for (const comm of ['systemd', 'runc', 'ps', 'kworker/2:1', 'kworker/6:4']) expect(waitsOn(a, comm), comm).toEqual(['lock:cgroup_mutex']);
    const rc = a.rootCauses[0]!;
    expect(rc).toMatchObject({ id: 'task:3012', kind: 'task', blocked: 5 });
    expect(rc.label).toBe('systemd-nspawn:3012 (R)');
  });

  it("does not believe a report that names one of the lock's own waiters (it has queued again since)", () => {
    const spec = family('cgroup-mutex').spec();
    spec.kmsg = spec.kmsg!.map((l) => l.replace('systemd-nspawn:3012', 'systemd:1'));
    const lock = analyzeDir(specDir(spec)).resources.find((r) => r.id === 'lock:cgroup_mutex')!;
    expect(lock.holders).toEqual([]);
    expect(lock.how).toBe('no hung-task report names the owner of cgroup_mutex, and no task was found inside it');
  });
});

describe('memory cgroup at its limit', () => {
  const a = analysisOf('memcg-oom');

  it('makes the cgroup, read from /proc/PID/cgroup, the root cause of the throttled and the OOM-waiting threads', () => {
    const rc = a.rootCauses[0]!;
    expect(rc).toMatchObject({ id: 'external:memcg:/system.slice/java-app.service', kind: 'external', remedies: [], blocked: 6, confidence: 'certain' });
    expect(new Set(a.tasks.filter((t) => t.state === 'D').map((t) => t.site?.signature))).toEqual(new Set(['memcg-high', 'memcg-oom']));
    expect(rc.advice).toContain('echo NEW > /sys/fs/cgroup/system.slice/java-app.service/memory.max');
  });
});

describe('unregister_netdevice: waiting for lo to become free', () => {
  const a = analysisOf('unregister-netdevice');

  it('follows container starts in copy_net_ns to the netns cleanup worker, and it to the leaked device the kernel log names', () => {
    expect(waitsOn(a, 'runc:[1:CHILD]')).toEqual(['netns-create', 'netns-create']);
    expect(a.resources.find((r) => r.id === 'netns-create')!.holders).toEqual(['293/293']);
    const rc = a.rootCauses[0]!;
    expect(rc).toMatchObject({ id: 'external:netdev-refs', label: 'network device still referenced: lo (usage count 1)', remedies: [], blocked: 4 });
    expect(rc.chain).toEqual([
      '3 tasks in copy_net_ns',
      'network namespace creation',
      'held by kworker/u4:6:293 (D, msleep+0x1e)',
      'network device still referenced: lo (usage count 1)',
    ]);
    expect(rc.advice).toMatch(/^A reference to network device lo \(usage count 1\) is never dropped/);
  });

  it('without the kernel log line still stops at the worker wait, and leaves the device unnamed in the advice', () => {
    const b = analyzeDir(specDir({ ...family('unregister-netdevice').spec(), kmsg: [] }));
    expect(b.rootCauses[0]!.id).toBe('external:netdev-refs');
    expect(b.rootCauses[0]!.advice).toContain('network device DEVICE (usage count COUNT)');
  });
});

describe('the new rows match only their own waits', () => {
  const sig = (text: string): string | undefined => classifyStack(parseStack(text))?.signature;

  it('tells an NFS page-writeback wait from block I/O by the nfs frames below it', () => {
    expect(sig('[<0>] folio_wait_bit_common+0x13d/0x350\n[<0>] folio_wait_writeback+0x2c/0x90\n[<0>] __filemap_fdatawait_range+0x90/0x100\n[<0>] filemap_write_and_wait_range+0x94/0xc0\n[<0>] nfs_file_fsync+0xa5/0x1e0 [nfs]')).toBe('nfs-page');
    expect(sig('[<0>] folio_wait_bit_common+0x13d/0x350\n[<0>] folio_wait_writeback+0x2c/0x90\n[<0>] __filemap_fdatawait_range+0x90/0x100\n[<0>] file_write_and_wait_range+0x91/0xc0\n[<0>] ext4_sync_file+0xf6/0x320')).toBe('block-io');
  });

  it('tells the netns cleanup worker from any other msleep', () => {
    expect(sig('[<0>] msleep+0x1e/0x22\n[<0>] netdev_run_todo+0x173/0x2c4\n[<0>] rtnl_unlock+0xe/0x10')).toBe('netdev-refs');
    expect(sig('[<0>] msleep+0x2d/0x40\n[<0>] netdev_wait_allrefs_any+0x1d2/0x250\n[<0>] netdev_run_todo+0x2a9/0x5b0')).toBe('netdev-refs');
    expect(sig('[<0>] msleep+0x2d/0x40\n[<0>] e1000e_phy_hw_reset_generic+0x57/0x90 [e1000e]')).toBe('timed-sleep');
  });

  it('names rtnl waits through rtnl_lock, rtnetlink_rcv_msg and a route dump, but not a generic netlink dump', () => {
    expect(sig('[<0>] rtnl_lock+0x15/0x20\n[<0>] wext_handle_ioctl+0x80/0x170')).toBe('rtnl-mutex');
    expect(sig('[<0>] rtnetlink_rcv_msg+0xf7/0x380\n[<0>] netlink_rcv_skb+0x51/0xf0')).toBe('rtnl-mutex');
    expect(sig('[<0>] __netlink_dump_start+0x1eb/0x310\n[<0>] rtnetlink_rcv_msg+0x2ac/0x3f0')).toBe('rtnl-mutex-dump');
    expect(sig('[<0>] __netlink_dump_start+0x1eb/0x310\n[<0>] genl_family_rcv_msg_dumpit+0x90/0x110\n[<0>] genl_rcv_msg+0x1a4/0x280')).toBe('unknown:__netlink_dump_start');
  });
});

describe('advice text', () => {
  it('shell-quotes a mount or cgroup path from the box, and leaves plain ones alone', () => {
    expect(shellWord('/mnt/home')).toBe('/mnt/home');
    expect(shellWord("/mnt/it's; rm -rf /")).toBe(`'/mnt/it'\\''s; rm -rf /'`);
    expect(fillAdvice('umount -f -l {mount} ({server})', { mount: shellWord('/mnt/a b') })).toBe("umount -f -l '/mnt/a b' (SERVER)");
  });
});

describe('committed family fixtures', () => {
  it.each(FAMILY_FIXTURES.map((f) => [f.name, f] as const))('test/fixtures/%s is what test/support/families.ts builds (npm run make-family-fixtures)', (name, f) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wedgetop-family-'));
    writeFixture(dir, f.spec(), f.truth);
    expect(treeOf(`test/fixtures/${name}`)).toEqual(treeOf(dir));
  });
});
