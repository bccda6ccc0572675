// Seed 000 and seed 004 reproduced on the real kernel (root): wedgetop must name the holder the
// admin would want to see, and its remedy must free the blocked tasks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditBacklogUp, auditDeadlockUp, isRoot, untilNoneInD, wedgetop, type AuditBacklogWedge, type AuditDeadlockWedge } from '../support/wedge.js';
import type { JsonReport } from '../../src/report/json.js';

describe.skipIf(!isRoot)('seed 000 on this kernel: audit daemon asleep on its own full socket, holding the audit mutex', () => {
  let w: AuditDeadlockWedge;
  let j: JsonReport;
  beforeAll(() => {
    w = auditDeadlockUp();
    j = JSON.parse(wedgetop(['--json']).stdout) as JsonReport;
  });
  afterAll(() => w?.down());

  it('names the holder thread (state S, inside audit_receive_msg) of the audit mutex', () => {
    const mutex = j.resources.find((r) => r.kind === 'audit-mutex');
    expect(mutex?.holders, JSON.stringify(j.resources, null, 1)).toEqual([`${w.holderPid}/${w.holderTid}`]);
    const holder = j.tasks.find((t) => t.tid === w.holderTid)!;
    expect(holder.state).toBe('S');
    expect(holder.stack.some((f) => f.startsWith('audit_receive_msg+'))).toBe(true);
  });

  it('puts every sender behind the mutex', () => {
    for (const pid of w.senderPids) expect(j.tasks.find((t) => t.pid === pid)?.waitsOn, `sender ${pid}`).toBe('audit-mutex');
  });

  it('finds the full socket owner and flags the self-deadlock cycle', () => {
    const rc = j.rootCauses.find((r) => r.pid === w.holderPid)!;
    expect(rc).toMatchObject({ kind: 'task', inCycle: true });
    expect(rc.blocked).toBeGreaterThanOrEqual(w.senderPids.length);
    const sock = j.resources.find((r) => r.kind === 'netlink-socket')!;
    expect(sock.holders).toEqual([`${w.socketOwnerPid}/${w.socketOwnerPid}`]);
    expect(j.cycles.length).toBeGreaterThan(0);
    expect(rc.remedies[0]).toMatchObject({ action: 'kill', pid: w.holderPid });
  });

  it('--fix kills the holder and the senders come free', async () => {
    const r = wedgetop(['--fix', `task:${w.holderPid}`, '--yes', '--grace', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/(\d+) of \1 blocked tasks came free/);
    // Freed senders may still pass through the audit backlog penalty (a short D sleep) on the way out.
    expect(await untilNoneInD(w.senderPids)).toEqual([]);
  });
});

describe.skipIf(!isRoot)('seed 004 on this kernel: audit backlog behind a daemon writing to a frozen filesystem', () => {
  let w: AuditBacklogWedge;
  let j: JsonReport;
  beforeAll(() => {
    w = auditBacklogUp();
    j = JSON.parse(wedgetop(['--json']).stdout) as JsonReport;
  });
  afterAll(() => w?.down());

  it('shows the chain tasks -> audit daemon -> frozen mount', () => {
    const rc = j.rootCauses.find((r) => r.kind === 'frozen-fs' && r.mount === w.mount);
    expect(rc, JSON.stringify(j.rootCauses, null, 1)).toBeDefined();
    expect(rc!.chain.join(' -> ')).toMatch(new RegExp(`audit backlog queue -> owned by process \\S+:${w.daemonPid}/${w.daemonWriterTid} .*-> frozen filesystem ${w.mount}`));
    expect(j.tasks.find((t) => t.tid === w.daemonWriterTid)?.waitsOn).toBe(`frozen-fs:${w.mount}`);
    const gens = j.tasks.filter((t) => w.generatorPids.includes(t.pid));
    expect(gens.length).toBeGreaterThan(0);
    expect(gens.every((t) => t.waitsOn === 'audit-backlog')).toBe(true);
  });

  it('the thaw remedy frees them all', async () => {
    const r = wedgetop(['--fix', `frozen-fs:${w.mount}`, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/(\d+) of \1 blocked tasks came free/);
    expect(await untilNoneInD([w.daemonWriterTid])).toEqual([]);
  });
});
