import { describe, expect, it } from 'vitest';
import {
  parseAuditBacklogLine, parseFdinfo, parseHungTaskLine, parseKmsg, parseMountinfo, parseNetlink, parseSsNetlink,
  parseStack, parseStat, parseSyscall, parseStatus, parseSchedExecStart, cgroupV2Path, parseCgroupEvents,
} from '../../src/procfs/parse.js';
import { SEED000_HOLDER_STAT, SEED000_HOLDER_STACK, SEED000_SS, SEED004_KMSG } from '../support/seeds.js';

describe('stat', () => {
  it('reads the auditbeat holder line of seed 000', () => {
    const s = parseStat(SEED000_HOLDER_STAT)!;
    expect(s).toMatchObject({ pid: 248085, comm: 'auditbeat', state: 'S', ppid: 247759, startTicks: 48038941 });
  });

  it('takes comm up to the last parenthesis, spaces and ")" included', () => {
    const line = '4242 (evil) D (x) y) D 1 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 777 0 0 0';
    expect(parseStat(line)).toMatchObject({ pid: 4242, comm: 'evil) D (x) y', state: 'D', ppid: 1, startTicks: 777 });
  });

  it('warns on truncated or malformed lines and returns nothing', () => {
    const warnings: string[] = [];
    expect(parseStat('4242 (trunc) D 1 2', (m) => warnings.push(m))).toBeUndefined();
    expect(parseStat('garbage', (m) => warnings.push(m))).toBeUndefined();
    expect(parseStat('', (m) => warnings.push(m))).toBeUndefined();
    expect(warnings).toHaveLength(3);
  });

  // The live collector parses thousands of stat lines per refresh through the same parseStat:
  // the kernel's single-space line takes a fast path, anything else the general one.
  it('gives the same fields for the kernel line and for one with other whitespace', () => {
    const kernel = SEED000_HOLDER_STAT.trim();
    const loose = kernel.replace(/\) S /, ')\tS  ').replace(/ 247759 /, '\t247759   ');
    expect(loose).not.toBe(kernel);
    expect(parseStat(loose)).toEqual(parseStat(kernel));
  });

  it('reads an empty field as malformed, not as 0', () => {
    // Field 4 (ppid) missing: two spaces after the state.
    const line = '4242 (x) D  4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 777 0 0 0';
    const s = parseStat(line);
    // The general parser sees the fields shifted by one: ppid is then 4242, never a made-up 0.
    expect(s?.ppid).not.toBe(0);
  });

  it('warns on each malformed line of a series and goes on with the next', () => {
    const warnings: string[] = [];
    const lines = ['1 (a) S 0 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0', '2 (b) S 1 2 2 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 x 0 0', '3 (c) ? 1', '4 (d) D 1 4 4 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0'];
    const got = lines.map((l) => parseStat(l, (m) => warnings.push(m))?.pid);
    expect(got).toEqual([1, undefined, undefined, 4]);
    expect(warnings).toHaveLength(2);
  });
});

describe('stack', () => {
  it('parses frames with offsets, sizes and modules, ignoring the seed indentation', () => {
    const f = parseStack(SEED000_HOLDER_STACK);
    expect(f).toHaveLength(11);
    expect(f[0]).toEqual({ func: 'netlink_attachskb', offset: 0x1ab, size: 0x1d0 });
    expect(f[3]).toEqual({ func: 'audit_receive', offset: 0x57, size: 0xc0 });
    expect(parseStack('[<0>] ext4_file_write+0x58/0x190 [ext4]')[0]).toEqual({ func: 'ext4_file_write', offset: 0x58, size: 0x190, module: 'ext4' });
  });

  it('keeps the good frames around a garbled line and says so', () => {
    const warnings: string[] = [];
    const f = parseStack('[<0>] a+0x1/0x2\nthis is not a frame\n[<0>] b+0x3/0x4\n', (m) => warnings.push(m));
    expect(f.map((x) => x.func)).toEqual(['a', 'b']);
    expect(warnings[0]).toMatch(/unparsed stack line/);
  });
});

describe('syscall', () => {
  it('reads number, args, sp and pc', () => {
    const s = parseSyscall('1 0x1 0x557c38691230 0x2 0x0 0x7 0x73 0x7ffeb0760c28 0x7f4690a01350')!;
    expect(s.nr).toBe(1);
    expect(s.args[0]).toBe('0x1');
    expect(s.pc).toBe('0x7f4690a01350');
  });
  it('knows a page fault (-1) and a running task', () => {
    expect(parseSyscall('-1 0x7ffe90427248 0x7f680458b868')).toMatchObject({ nr: -1, sp: '0x7ffe90427248' });
    expect(parseSyscall('running')).toMatchObject({ running: true });
    expect(parseSyscall('what')).toBeUndefined();
  });
});

describe('status, sched, fdinfo', () => {
  it('reads uid, tgid, NSpid', () => {
    expect(parseStatus('Name:\tx\nState:\tD (disk sleep)\nTgid:\t10\nUid:\t1000\t1000\t1000\t1000\nNSpid:\t10\t1\n')).toEqual({
      state: 'D', tgid: 10, uid: 1000, nspid: [10, 1],
    });
  });
  it('reads se.exec_start', () => {
    expect(parseSchedExecStart('x (1, #threads: 1)\n----\nse.exec_start                                :       2695696.621420\n')).toBeCloseTo(2695696.62142);
    expect(parseSchedExecStart('nothing')).toBeUndefined();
  });
  it('reads mnt_id and octal flags', () => {
    expect(parseFdinfo('pos:\t0\nflags:\t0102001\nmnt_id:\t42\nino:\t12\n')).toEqual({ flags: 0o102001, mntId: 42 });
  });
});

describe('mountinfo', () => {
  it('parses optional fields and octal escapes, skips malformed lines with a warning', () => {
    const warnings: string[] = [];
    const m = parseMountinfo(
      '42 27 7:0 / /tmp/my\\040mnt rw,relatime shared:3 master:1 - ext4 /dev/loop0 rw\nbroken line\n31 22 253:2 / /var rw - ext4 /dev/mapper/vg-var rw\n',
      (w) => warnings.push(w),
    );
    expect(m).toHaveLength(2);
    expect(m[0]).toMatchObject({ mountId: 42, majMin: '7:0', mountPoint: '/tmp/my mnt', fsType: 'ext4', source: '/dev/loop0' });
    expect(warnings).toHaveLength(1);
  });
});

describe('netlink and ss', () => {
  it('reads /proc/net/netlink rows', () => {
    const rows = parseNetlink('sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode\n0000000066d058c5 9   247832     00000000 214272   0        0     2        17       5242881\nshort\n');
    expect(rows).toEqual([{ protocol: 9, portid: 247832, groups: '00000000', rmem: 214272, wmem: 0, drops: 17, inode: 5242881 }]);
  });
  it('reads the seed 000 ss line (owner in the address, no skmem)', () => {
    expect(parseSsNetlink(SEED000_SS)[0]).toMatchObject({ protocolName: 'audit', ownerComm: 'auditbeat', portid: 247832 });
  });
  it('reads skmem on the same or the next line, and kernel sockets', () => {
    const e = parseSsNetlink(
      'State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n' +
        'UNCONN 0      0               rtnl:kernel               *     sk=0 cb=0 groups=0x00000000\t skmem:(r0,rb212992,t0,tb212992,f0,w0,o0,bl0,d0)\n' +
        'UNCONN 212736 0 audit:auditd/1693 * sk=0 cb=0 groups=0x00000000\n\t skmem:(r212736,rb212992,t0,tb212992,f0,w0,o0,bl0,d44395)\n',
    );
    expect(e[0]).toMatchObject({ protocolName: 'rtnl', portid: 0, rcvbuf: 212992 });
    expect(e[1]).toMatchObject({ ownerComm: 'auditd', portid: 1693, rmemAlloc: 212736, rcvbuf: 212992, drops: 44395 });
  });
});

describe('kernel log', () => {
  it('reads records and the seed 004 audit lines', () => {
    const recs = parseKmsg(SEED004_KMSG.map((t, i) => `4,${i},${i * 1000},-;${t}`).join('\n') + '\n SUBSYSTEM=x\nbad record\n');
    expect(recs).toHaveLength(SEED004_KMSG.length);
    expect(parseAuditBacklogLine(recs[0]!.text)).toEqual({ backlog: 321, limit: 320, exceeded: true });
    expect(parseAuditBacklogLine(recs[1]!.text)).toEqual({ lost: 44393, limit: 320, exceeded: false });
    expect(parseAuditBacklogLine(recs[2]!.text)).toEqual({ exceeded: true });
  });
  it('reads hung-task reports with the likely owner', () => {
    expect(parseHungTaskLine('INFO: task sudo-sim:123 is blocked on a mutex likely owned by task holder:456.')).toEqual({
      comm: 'sudo-sim', pid: 123, lockKind: 'mutex', ownerComm: 'holder', ownerPid: 456,
    });
    expect(parseHungTaskLine('INFO: task w2:123 <writer> blocked on an rw-semaphore likely owned by task w1:456 <writer>')).toMatchObject({
      pid: 123, lockKind: 'rw-semaphore', ownerComm: 'w1', ownerPid: 456,
    });
    expect(parseHungTaskLine('INFO: task auditd:1694 blocked for more than 120 seconds.')).toEqual({ comm: 'auditd', pid: 1694 });
  });
});

describe('status, cgroup and cgroup.events (the parked-holder facts)', () => {
  it('reads TracerPid of a ptrace-stopped task', () => {
    expect(parseStatus('Name:\tvfork-child\nState:\tt (tracing stop)\nTgid:\t13308\nTracerPid:\t13309\nUid:\t0\t0\t0\t0\n')).toMatchObject({ state: 't', tracerPid: 13309 });
  });
  it('takes the v2 path from the 0:: line of /proc/PID/cgroup (hybrid host: v1 lines too)', () => {
    expect(cgroupV2Path('4:memory:/process_api/9ac5\n1:cpu:/\n0::/wedgetop-vfork-4092-3\n')).toBe('/wedgetop-vfork-4092-3');
    expect(cgroupV2Path('4:memory:/x\n')).toBeUndefined();
  });
  it('reads frozen and populated from cgroup.events', () => {
    expect(parseCgroupEvents('populated 1\nfrozen 1\n')).toEqual({ populated: true, frozen: true });
    expect(parseCgroupEvents('populated 0\nfrozen 0\n')).toEqual({ populated: false, frozen: false });
  });
});
