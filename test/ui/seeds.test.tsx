// The TUI on the two recorded seed incidents:
//   seed-000: auditbeat's thread 248085 (in S) holds the audit mutex while waiting on its own
//             process's full netlink socket: a deadlock cycle; sudo/cron pile up in audit_receive.
//   seed-004: auditd writes to a frozen /var; everything that audits piles up on the backlog.
import { afterEach, describe, expect, it } from 'vitest';
import { fakeExecutor, fixtureAnalysis, remediation, renderApp, type Rendered } from './helpers.js';
import type { ActionPlan } from '../../src/actions/remedy.js';

let open: Rendered[] = [];
afterEach(() => {
  for (const r of open) r.unmount();
  open = [];
});
const app = (name: string, o: Parameters<typeof renderApp>[0] = {}): Rendered => {
  const r = renderApp({ analysis: fixtureAnalysis(name), columns: 120, rows: 40, ...o });
  open.push(r);
  return r;
};

describe('seed-000: auditbeat netlink deadlock', () => {
  it('names the holder thread as the root cause, marks the deadlock, offers kill', async () => {
    const r = app('seed-000');
    const f = await r.waitFor((x) => x.includes('auditbeat'));
    expect(f).toContain('k8s-node-17');
    expect(f).toMatch(/1 .* 5 blocked \[k\] kill DEADLOCK +auditbeat:247832\/248085 \(S, netlink_attachskb/);
    expect(f).toContain('5 tasks in audit_receive → audit control mutex → held by auditbeat:247832/248085');
    // Holders are in the table whatever their state: the S thread and its process.
    expect(f).toContain('▾ holders');
    expect(f).toMatch(/H +247832 +248085 root +auditbeat +S /);
    expect(f).toMatch(/H +247832 +247832 root +auditbeat +S /);
    expect(f).toMatch(/301001 +301001 alice +sudo +D +56m40s audit_receive +auditbeat:247832\/248085/);
  });

  it('says what k would run without remediation, and asks before killing the holder of a waiter', async () => {
    const r = app('seed-000');
    await r.waitFor((x) => x.includes('auditbeat'));
    await r.press('k');
    await r.waitFor((x) => x.includes('remediation is not available here — k would run: kill -TERM 247832; sleep 3; kill -KILL 247832'), 'kill message');
    await r.press('u');
    await r.waitFor((x) => x.includes('u: no thaw remedy'), 'no thaw here');

    const calls: { plan: ActionPlan; dryRun: boolean }[] = [];
    const r2 = app('seed-000', { remediator: remediation({ replay: true, execute: fakeExecutor(calls) }) });
    await r2.waitFor((x) => x.includes('auditbeat'));
    // A sudo waiter selected: its root cause, the holder, is what F9 acts on.
    await r2.press('/', ...'301042', 'enter', 'f9');
    const f = await r2.waitFor((x) => x.includes('Kill auditbeat (pid 247832, user root)?'), 'dialog');
    expect(f).toContain('kill -TERM 247832; sleep 3; kill -KILL 247832');
    expect(f).toContain('should free 5 blocked tasks');
    expect(f).toContain('[DEADLOCK CYCLE]');
    await r2.press('y');
    await r2.waitFor((x) => x.includes('Last action'), 'outcome');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.plan.rootCause).toMatchObject({ id: 'task:247832', pid: 247832 });
    expect(calls[0]!.plan.remedy.action).toBe('kill');
    // A replay: dry run only, whatever the executor.
    expect(calls[0]!.dryRun).toBe(true);
  });

  it('draws the cycle in the graph view', async () => {
    const r = app('seed-000');
    await r.waitFor((x) => x.includes('auditbeat'));
    await r.press('t');
    const f = await r.waitFor((x) => x.includes('Waits-on graph'));
    expect(f).toContain('1. DEADLOCK auditbeat:247832/248085');
    expect(f).toContain('└─ auditbeat:247832/248085 S in netlink_attachskb ↺ in a deadlock cycle');
    expect(f).toContain('├─ audit control mutex — 5 waiting');
    expect(f).toContain('└─ audit daemon netlink socket portid 247832 — 1 waiting ↺ deadlock cycle');
    expect(f).toContain('└─ ↺ auditbeat:247832/248085 again: it waits on what it holds — DEADLOCK');
    expect(f).toContain('↺ 247832/248085 → netlink:9:247832 → 247832/248085');
  });

  it('shows a waiter\'s chain to the holder and the holder\'s own stack', async () => {
    const r = app('seed-000', { rows: 60 });
    await r.waitFor((x) => x.includes('auditbeat'));
    await r.press('/', ...'301001', 'enter', 'enter');
    let f = await r.waitFor((x) => x.includes('Kernel stack'), 'sudo detail');
    expect(f).toContain('sendto(');
    expect(f).toContain('waits on    audit control mutex');
    expect(f).toContain('held by     auditbeat:247832/248085 (S)');
    expect(f).toContain('DEADLOCK CYCLE');
    expect(f).toContain('[k] kill: kill -TERM 247832; sleep 3; kill -KILL 247832');
    expect(f).toMatch(/▶ #0 +audit_receive\+0x28\/0xc0/);
    await r.press('escape', 'escape', '/', ...'netlink_attachskb', 'enter', 'enter');
    f = await r.waitFor((x) => x.includes('Task auditbeat:247832/248085'), 'holder detail');
    expect(f).toContain('HOLDER');
    expect(f).toContain('holds       audit control mutex (5 waiting)');
    expect(f).toMatch(/▶ #0 +netlink_attachskb\+0x1ab\/0x1d0/);
    expect(f).toMatch(/ {3}#2 +audit_receive_msg/);
  });
});

describe('seed-004: auditd on a frozen /var', () => {
  it('shows the audit backlog warning and the frozen mount as what to do first', async () => {
    const r = app('seed-004');
    const f = await r.waitFor((x) => x.includes('/var'));
    expect(f).toContain('rhel-db-02');
    expect(f).toMatch(/⚠ audit backlog limit exceeded|⚠ audit backlog \d+ > limit \d+/);
    expect(f).toContain('Hung-task 120s: 1 report');
    expect(f).toMatch(/1 .* 6 blocked \[u\] thaw +frozen filesystem \/var \(ext4 on \/dev\/mapper\/vg-var\)/);
    expect(f).toContain('4 tasks in audit_log_start → audit backlog queue → owned by process auditd:1693/1694');
    expect(f).toMatch(/4411 +4411 root +sshd +D +1m01s audit_log_start +auditd:1693/);
    expect(f).toMatch(/1693 +1694 root +auditd +D +11h00m percpu_rwsem_wait +frozen \/var/);
  });

  it('thaws /var from any task whose chain ends there', async () => {
    const r = app('seed-004');
    await r.waitFor((x) => x.includes('/var'));
    await r.press('/', ...'sshd', 'enter', 'u');
    await r.waitFor((x) => x.includes('remediation is not available here — u would run: fsfreeze -u /var'), 'thaw /var');
    const r2 = app('seed-004', { remediator: remediation({ replay: true }) });
    await r2.waitFor((x) => x.includes('/var'));
    await r2.press('/', ...'sshd', 'enter', 'u');
    const f = await r2.waitFor((x) => x.includes('Thaw /var?'), 'dialog');
    expect(f).toContain('target      mount /var');
    expect(f).toContain('command     fsfreeze -u /var');
    expect(f).toContain('should free 6 blocked tasks');
  });

  it('draws the tree from /var through auditd to the backlog waiters', async () => {
    const r = app('seed-004');
    await r.waitFor((x) => x.includes('/var'));
    await r.press('t');
    const f = await r.waitFor((x) => x.includes('Waits-on graph'));
    expect(f).toContain('└─ frozen filesystem /var (ext4 on /dev/mapper/vg-var) — 2 waiting');
    expect(f).toContain('├─ auditd:1693/1694 D in percpu_rwsem_wait');
    expect(f).toContain('│  └─ audit backlog queue — 4 waiting');
    expect(f).toContain('│     ├─ sshd:4411 D in audit_log_start');
    expect(f).toContain('└─ rsyslogd:1702 D in __sb_start_write');
    expect(f).not.toContain('DEADLOCK');
  });
});
