// The support bundle: one .tar.gz a colleague can replay. It must round-trip (the same root
// causes from the bundle as from the recording), prove its own integrity (SHA-256 manifest),
// hide who and where with --redact, and — because a bundle from another box is untrusted —
// refuse an archive that tries to escape the directory it is unpacked into.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wedgetop } from '../support/wedge.js';
import { untarGz, tarGz, TarError, type TarEntry } from '../../src/bundle/tar.js';
import { unpackBundle } from '../../src/bundle/unpack.js';
import { isTmpfs } from '../../src/actions/log.js';
import { Redactor, usersOf } from '../../src/bundle/redact.js';
import type { JsonReport } from '../../src/report/json.js';

let out: string;
beforeAll(() => {
  out = fs.mkdtempSync(path.join('/dev/shm', `wedgetop-k-bundle-${process.pid}-`));
});
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

const replayDirs = (): string[] => fs.readdirSync('/dev/shm').filter((n) => n.startsWith('wedgetop-replay-'));
const rootSummary = (j: JsonReport) => j.rootCauses.map((rc) => ({ id: rc.id, kind: rc.kind, blocked: rc.blocked, remedies: rc.remedies.map((r) => r.command), known: rc.knownCause?.id }));

function members(file: string): Map<string, Buffer> {
  return new Map(untarGz(fs.readFileSync(file)).filter((e) => e.type === 'file').map((e) => [e.name, e.data!]));
}

describe('--bundle round-trips through --replay', () => {
  for (const fixture of ['seed-000', 'seed-004', 'frozen-ext4']) {
    it(`${fixture}: the bundle replays to the same root causes as the recording`, () => {
      const file = path.join(out, `${fixture}.tar.gz`);
      const b = wedgetop(['--replay', `test/fixtures/${fixture}`, '--bundle', file]);
      expect(b.stderr).toMatch(/bundle: \d+ files/);
      expect(b.stdout.trim()).toBe(file);
      expect(b.code).toBe(1);
      const before = replayDirs();
      const direct = wedgetop(['--replay', `test/fixtures/${fixture}`, '--json']);
      const viaBundle = wedgetop(['--replay', file, '--json']);
      expect(viaBundle.stderr).toBe('');
      expect(viaBundle.code).toBe(direct.code);
      const d = JSON.parse(direct.stdout) as JsonReport;
      const v = JSON.parse(viaBundle.stdout) as JsonReport;
      expect(v.rootCauses.length).toBeGreaterThan(0);
      expect(rootSummary(v)).toEqual(rootSummary(d));
      expect(v.blockedCount).toBe(d.blockedCount);
      // The private unpack directory is gone once the replay ends.
      expect(replayDirs()).toEqual(before);
    });
  }

  it('carries the reports, the kernel log read, the version, and neither environ nor cmdline', () => {
    const file = path.join(out, 'seed-004-contents.tar.gz');
    expect(wedgetop(['--replay', 'test/fixtures/seed-004', '--bundle', file]).code).toBe(1);
    const m = members(file);
    expect(m.get('report/once.txt')!.toString()).toMatch(/ROOT CAUSES/);
    expect((JSON.parse(m.get('report/report.json')!.toString()) as JsonReport).rootCauses[0]!.id).toBe('frozen-fs:/var');
    expect(m.get('report/kmsg-read.txt')!.toString()).toMatch(/audit_backlog=321 > audit_backlog_limit=320/);
    expect(JSON.parse(m.get('manifest.json')!.toString())).toMatchObject({ wedgetop: expect.any(String), live: false, redacted: false });
    expect([...m.keys()].filter((k) => /(^|\/)(environ|cmdline)$/.test(k))).toEqual([]);
  });

  it('the manifest lists every file with its SHA-256, and the hashes verify', () => {
    const file = path.join(out, 'seed-000-manifest.tar.gz');
    wedgetop(['--replay', 'test/fixtures/seed-000', '--bundle', file]);
    const m = members(file);
    const sums = m.get('MANIFEST.sha256')!.toString().trim().split('\n').map((l) => /^([0-9a-f]{64}) {2}(.+)$/.exec(l)!);
    expect(sums.every(Boolean)).toBe(true);
    const listed = new Set(sums.map((s) => s[2]));
    for (const name of m.keys()) if (name !== 'MANIFEST.sha256') expect(listed, name).toContain(name);
    for (const [, hash, name] of sums) expect(createHash('sha256').update(m.get(name!)!).digest('hex'), name).toBe(hash);
    // A flipped byte is caught.
    const tampered = Buffer.from(m.get('snapshot/etc/passwd')!);
    tampered[0] ^= 1;
    expect(createHash('sha256').update(tampered).digest('hex')).not.toBe(sums.find((s) => s[2] === 'snapshot/etc/passwd')![1]);
  });

  it('a live --bundle with no FILE goes to a tmpfs under a name with host and time, mode 0600', () => {
    const r = wedgetop(['--bundle'], { timeoutMs: 60_000 });
    const file = r.stdout.trim();
    try {
      expect([0, 1]).toContain(r.code);
      // The action log's directory (the test harness points it at its own tmpfs directory).
      expect(file).toMatch(/\/wedgetop-bundle-.+-\d{8}T\d{6}Z\.tar\.gz$/);
      expect(isTmpfs(file)).toBe(true);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const m = members(file);
      expect(m.has('system/proc/self/mountinfo')).toBe(true);
      expect(m.has('system/proc/sys/kernel/hung_task_timeout_secs')).toBe(true);
      expect([...m.keys()].some((k) => k.startsWith('snapshot/proc/'))).toBe(true);
    } finally {
      if (file.endsWith('.tar.gz')) fs.rmSync(file, { force: true });
    }
  });

  it('never overwrites: an existing file (or a planted symlink) at FILE is an error', () => {
    const file = path.join(out, 'exists.tar.gz');
    fs.writeFileSync(file, 'precious');
    const link = path.join(out, 'planted.tar.gz');
    fs.symlinkSync(path.join(out, 'victim'), link);
    expect(wedgetop(['--replay', 'test/fixtures/seed-000', '--bundle', file]).code).toBe(2);
    expect(fs.readFileSync(file, 'utf8')).toBe('precious');
    expect(wedgetop(['--replay', 'test/fixtures/seed-000', '--bundle', link]).code).toBe(2);
    expect(fs.existsSync(path.join(out, 'victim'))).toBe(false);
  });
});

describe('--bundle on the command line', () => {
  it('refuses the modes it would silently override, and a bundle that is not there', () => {
    for (const extra of [['--once'], ['--json'], ['--prometheus', '-'], ['--record', path.join(out, 'rec')]]) {
      const r = wedgetop(['--bundle', path.join(out, 'never.tar.gz'), ...extra]);
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(fs.existsSync(path.join(out, 'never.tar.gz'))).toBe(false);
    expect(wedgetop(['--redact', '--once']).stderr).toMatch(/--redact only goes with --bundle/);
    const r = wedgetop(['--replay', path.join(out, 'missing.tar.gz'), '--once']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`wedgetop: --replay ${path.join(out, 'missing.tar.gz')}: no such file\n`);
  });
});

describe('--redact', () => {
  it('seed 000: no user name or host name survives anywhere in the bundle, and the diagnosis still holds', () => {
    const file = path.join(out, 'seed-000-redacted.tar.gz');
    expect(wedgetop(['--replay', 'test/fixtures/seed-000', '--bundle', file, '--redact']).code).toBe(1);
    const all = [...members(file)].map(([k, v]) => `${k}\n${v.toString()}`).join('\n');
    for (const secret of ['alice', 'bob', 'k8s-node-17']) expect(all).not.toContain(secret);
    expect(all).toMatch(/user-1/);
    const v = JSON.parse(wedgetop(['--replay', file, '--json']).stdout) as JsonReport;
    expect(v.host).toBe('host-1');
    expect(v.rootCauses[0]).toMatchObject({ id: 'task:247832', blocked: 5, inCycle: true });
    expect(v.tasks.find((t) => t.pid === 301001)!.user).toBe('user-1');
  });

  it('frozen-ext4: the mount point is tokenised the same way in mountinfo and in the fd targets', () => {
    const file = path.join(out, 'frozen-redacted.tar.gz');
    wedgetop(['--replay', 'test/fixtures/frozen-ext4', '--bundle', file, '--redact']);
    const all = [...members(file)].map(([, v]) => v.toString()).join('\n');
    expect(all).not.toContain('/tmp/mnt1');
    const v = JSON.parse(wedgetop(['--replay', file, '--json']).stdout) as JsonReport;
    // Still one frozen filesystem blocking all five writers, now under a token.
    expect(v.rootCauses[0]).toMatchObject({ kind: 'frozen-fs', blocked: 5 });
    expect(v.rootCauses[0]!.id).toMatch(/^frozen-fs:\/tmp\/p-\d+$/);
  });
});

describe('the redactor', () => {
  it('tokenises people and places, never kernel frames, comms or system paths', () => {
    const r = new Redactor('db-07', ['alice']);
    expect(r.text('[<0>] audit_receive+0x28/0xc0')).toBe('[<0>] audit_receive+0x28/0xc0');
    expect(r.text('4 (kworker/u4:6) D')).toBe('4 (kworker/u4:6) D');
    expect(r.text('/usr/lib/x86_64-linux-gnu/libc.so.6 /var/log/audit/audit.log')).toBe('/usr/lib/x86_64-linux-gnu/libc.so.6 /var/log/audit/audit.log');
    const a = r.text('/home/alice/src/app.db on db-07');
    expect(a).toBe('/home/p-1/p-2/p-3 on host-1');
    // Same input, same token; a child path keeps its parent's tokens.
    expect(r.text('/home/alice/src')).toBe('/home/p-1/p-2');
    expect(r.text('cwd /srv/projects/alice')).toBe('cwd /srv/p-4/p-1');
  });

  it('hides only people: passwd entries from uid 1000, not daemons or nobody', () => {
    expect(usersOf('root:x:0:0::/root:/bin/sh\nsyslog:x:104:110::/:/bin/false\nalice:x:1000:1000::/home/alice:/bin/bash\nnobody:x:65534:65534::/:/bin/false\nbad line\n')).toEqual(['alice']);
  });
});

/** A raw ustar member, for archives wedgetop's own writer refuses to make. */
function rawMember(name: string, type: string, data = Buffer.alloc(0), linkname = ''): Buffer {
  const h = Buffer.alloc(512, 0);
  h.write(name, 0, 100);
  h.write('0000600\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write(linkname, 157, 100);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512, 0);
  return Buffer.concat([h, data, pad]);
}
const rawTarGz = (...ms: Buffer[]): Buffer => zlib.gzipSync(Buffer.concat([...ms, Buffer.alloc(1024, 0)]));
const passwd = rawMember('snapshot/proc/uptime', '0', Buffer.from('1.00 1.00\n'));

describe('a malicious bundle is refused', () => {
  const cases: [string, Buffer, RegExp][] = [
    ['a ".." member', rawTarGz(passwd, rawMember('snapshot/../../../../tmp/wedgetop-pwned', '0', Buffer.from('x'))), /"\.\."/],
    ['an absolute member', rawTarGz(rawMember('/tmp/wedgetop-pwned', '0', Buffer.from('x'))), /absolute/],
    ['a symlink member', rawTarGz(rawMember('snapshot/proc', '2', Buffer.alloc(0), '/proc')), /symlink/],
    ['a hardlink member', rawTarGz(passwd, rawMember('snapshot/etc/passwd', '1', Buffer.alloc(0), '/etc/shadow')), /hardlink/],
    ['a device member', rawTarGz(rawMember('snapshot/dev-sda', '4')), /block device/],
    ['a FIFO member', rawTarGz(rawMember('snapshot/fifo', '6')), /FIFO/],
    ['a pax header (it could rename the next member)', rawTarGz(rawMember('PaxHeader', 'x', Buffer.from('30 path=../../tmp/wedgetop-pwned\n'))), /pax header/],
    ['a link outside the places a recording has them', Buffer.from(tarGz([
      { name: 'snapshot', type: 'dir' }, { name: 'snapshot/proc', type: 'dir' },
      { name: 'snapshot-links.json', type: 'file', data: Buffer.from(JSON.stringify({ 'proc/1': '/etc' })) },
    ] as TarEntry[])), /refusing link/],
  ];
  for (const [what, archive, message] of cases) {
    it(`${what}`, () => {
      const file = path.join(out, `evil-${what.replace(/\W+/g, '-')}.tar.gz`);
      fs.writeFileSync(file, archive);
      const before = replayDirs();
      const r = wedgetop(['--replay', file, '--json']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(fs.existsSync('/tmp/wedgetop-pwned')).toBe(false);
      expect(replayDirs()).toEqual(before);
    });
  }

  it('a member over the size cap, and a gzip bomb, stop at the cap', () => {
    const big = rawTarGz(rawMember('snapshot/big', '0', Buffer.alloc(64 * 1024)));
    expect(() => untarGz(big, { maxCompressed: 1 << 20, maxMember: 1024, maxTotal: 1 << 20, maxMembers: 10 })).toThrow(/over the 1024-byte cap/);
    const bomb = zlib.gzipSync(Buffer.alloc(8 << 20));
    expect(() => untarGz(bomb, { maxCompressed: 1 << 20, maxMember: 1 << 20, maxTotal: 1 << 20, maxMembers: 10 })).toThrow(TarError);
  });

  it('unpacks into a private 0700 directory on /dev/shm and removes it', () => {
    const file = path.join(out, 'seed-000-private.tar.gz');
    wedgetop(['--replay', 'test/fixtures/seed-000', '--bundle', file]);
    const u = unpackBundle(file);
    try {
      expect(u.dir.startsWith('/dev/shm/wedgetop-replay-')).toBe(true);
      expect(fs.statSync(u.dir).mode & 0o777).toBe(0o700);
      expect(fs.lstatSync(path.join(u.snapshotDir, 'proc/301001/fd/3')).isSymbolicLink()).toBe(true);
    } finally {
      u.remove();
    }
    expect(fs.existsSync(u.dir)).toBe(false);
  });
});
