// The two incidents wedgetop was born from, replayed from their snapshot directories.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeDir, specDir, treeOf } from '../support/replay.js';
import { SEED000_TRUTH, SEED004_TRUTH, seed000, seed004 } from '../support/seeds.js';
import { writeFixture } from '../support/corpus.js';
import { textReport } from '../../src/report/text.js';

describe('seed 000: auditbeat netlink deadlock', () => {
  const a = analyzeDir(specDir(seed000()));

  it('names the auditbeat thread 248085 as the holder of the audit mutex', () => {
    const mutex = a.resources.find((r) => r.kind === 'audit-mutex')!;
    expect(mutex.holders).toEqual(['247832/248085']);
    expect(mutex.how).toMatch(/audit_receive_msg/);
  });

  it('puts every sudo and cron sender behind it', () => {
    const senders = a.tasks.filter((t) => t.state === 'D');
    expect(senders.map((t) => t.comm).sort()).toEqual(['cron', 'cron', 'sudo', 'sudo', 'sudo']);
    expect(senders.every((t) => t.waitsOn === 'audit-mutex')).toBe(true);
  });

  it('sees the holder asleep on the full socket of its own process: a self-deadlock cycle', () => {
    const holder = a.tasks.find((t) => t.tid === 248085)!;
    expect(holder.state).toBe('S');
    expect(holder.waitsOn).toBe('netlink:9:247832');
    const sock = a.resources.find((r) => r.id === 'netlink:9:247832')!;
    expect(sock.holders).toEqual(['247832/247832']);
    expect(sock.holderScope).toBe('process');
    expect(a.cycles).toEqual([['247832/248085', 'netlink:9:247832']]);
  });

  it('makes killing auditbeat the first thing to do', () => {
    const rc = a.rootCauses[0]!;
    expect(rc).toMatchObject({ kind: 'task', pid: 247832, tid: 248085, blocked: 5, inCycle: true });
    expect(rc.remedies.map((r) => r.command)).toEqual(['kill -TERM 247832; sleep 3; kill -KILL 247832']);
    expect(rc.chain.join(' -> ')).toMatch(/audit control mutex -> held by auditbeat.*deadlock cycle/);
    expect(textReport(a)).toMatch(/5 tasks blocked by auditbeat:247832\/248085 .*DEADLOCK CYCLE/);
  });

  it('shows who the users were and how long they waited', () => {
    const sudo = a.tasks.find((t) => t.tid === 301042)!;
    expect(sudo.user).toBe('bob');
    expect(sudo.blockedForMs).toBe(3_280_000);
    expect(a.tasks.find((t) => t.tid === 248085)!.container).toBe('k8s-pod:6f1b2c3d');
  });
});

describe('seed 004: audit backlog behind a frozen filesystem', () => {
  const a = analyzeDir(specDir(seed004()));

  it('follows the chain: audit_log_start waiters -> auditd -> frozen /var', () => {
    const backlog = a.resources.find((r) => r.id === 'audit-backlog')!;
    expect(backlog.holders).toEqual(['1693/1693']);
    expect(a.tasks.find((t) => t.tid === 1694)!.waitsOn).toBe('frozen-fs:/var');
    expect(a.rootCauses).toHaveLength(1);
    const rc = a.rootCauses[0]!;
    expect(rc).toMatchObject({ kind: 'frozen-fs', mount: '/var', blocked: 6 });
    expect(rc.chain).toEqual([
      '4 tasks in audit_log_start',
      'audit backlog queue',
      'owned by process auditd:1693/1694 (D, percpu_rwsem_wait+0x15f)',
      'frozen filesystem /var (ext4 on /dev/mapper/vg-var)',
    ]);
  });

  it('offers exactly the thaw of that mount', () => {
    expect(a.rootCauses[0]!.remedies).toEqual([expect.objectContaining({ action: 'thaw', mount: '/var', command: 'fsfreeze -u /var' })]);
  });

  it('resolves the mount from the write fd with certainty, also for the 2.6.32 stack', () => {
    const fs = a.resources.find((r) => r.id === 'frozen-fs:/var')!;
    expect(fs.confidence).toBe('certain');
    expect(a.tasks.find((t) => t.comm === 'rsyslogd')!.waitsOn).toBe('frozen-fs:/var');
  });
});

describe('committed fixtures', () => {
  it.each([
    ['seed-000', seed000, SEED000_TRUTH],
    ['seed-004', seed004, SEED004_TRUTH],
  ] as const)('test/fixtures/%s is what test/support/seeds.ts builds (run scripts/make-seed-fixtures.ts)', (name, spec, truth) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wedgetop-seed-'));
    writeFixture(dir, spec(), truth);
    expect(treeOf(`test/fixtures/${name}`)).toEqual(treeOf(dir));
  });
});
