// Fuzz, with a fixed seed so that a failure replays: every parser of src/procfs/parse.ts on
// truncated, mutated and random input, and the snapshot reader on directories an attacker
// mangled (truncated and random files, huge sparse files, symlinks inside and out of the
// snapshot, FIFOs, directories where files belong and files where directories belong).
// Asserted: nothing throws out of a parser, collect(), analyze() or the reports; every path the
// reader touches is inside the snapshot; the work is bounded by what is in it (counted, not
// timed); and each refusal says what was wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  formatFrame, parseAuditBacklogLine, parseFdinfo, parseHungTaskLine, parseKmsg, parseMountinfo, parseNetlink,
  parseSchedExecStart, parseSsNetlink, parseStack, parseStat, parseStatus, parseSyscall, ssProtocol,
} from '../../src/procfs/parse.js';
import type { ReplaySource as ReplaySourceT } from '../../src/procfs/source.js';
import { writeSnapshotDir } from '../support/snapdir.js';
import { seed000, seed004 } from '../support/seeds.js';
import { prng } from '../support/prng.js';

const SAMPLES = {
  stat: '247832 (auditbeat) S 1 247832 247832 0 -1 4194560 5000 0 0 0 100 50 0 0 20 0 12 0 4800000 1000000000 5000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n',
  stack: '[<0>] percpu_rwsem_wait+0x15f/0x1d0\n[<0>] vfs_write+0x3f0/0x450\n[<0>] ksys_write+0x66/0xe0 [ext4]\n[<0>] do_syscall_64+0x71/0x280\n',
  syscall: '1 0x1 0x558e624cc130 0x2 0x0 0x0 0x0 0x7ffe192e4fe8 0x7f948c4f4350\n',
  status: 'Name:\tsudo\nState:\tD (disk sleep)\nTgid:\t301001\nPid:\t301001\nUid:\t0\t0\t0\t0\nNSpid:\t301001\t12\n',
  sched: 'sudo (301001, #threads: 1)\n---\nse.exec_start : 100000000.123456\n',
  fdinfo: 'pos:\t0\nflags:\t0100001\nmnt_id:\t42\nino:\t12\n',
  mountinfo: '27 1 253:1 / / rw,relatime - ext4 /dev/vda1 rw\n42 27 7:0 / /tmp/mnt\\0401 rw,relatime shared:1 - ext4 /dev/loop0 rw\n',
  netlink: 'sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\nffff8a4c01d8b800 9   247832     00000000 212992   0        0     2        120      9283741\n',
  ss: 'Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n0 0 audit:auditbeat/247832 * users:(("auditbeat",pid=247832,fd=5)) skmem:(r212992,rb212992,t0,tb212992,f0,w0,o0,bl0,d120)\n',
  kmsg: '3,1000,2674000000,-;INFO: task sudo:301001 blocked for more than 120 seconds.\n4,1001,2675000000,-;audit: backlog limit exceeded\n6,1002,2676000000,-;audit: audit_backlog=65 > audit_backlog_limit=64\n',
};

const ALPHABET = ' \n\t()[]<>+/:;,-=_.0123456789abcdefxABCDEF\\\u0000\u001b\u00ff\u202e日';

function mutate(r: () => number, s: string): string {
  const n = (k: number): number => Math.floor(r() * k);
  switch (n(7)) {
    case 0: return s.slice(0, n(s.length + 1)); // truncated
    case 1: return s.slice(n(s.length + 1)); // head lost
    case 2: { // random characters spliced in
      let out = s;
      for (let i = n(8); i >= 0; i--) {
        const at = n(out.length + 1);
        out = out.slice(0, at) + ALPHABET[n(ALPHABET.length)]! + out.slice(at);
      }
      return out;
    }
    case 3: return Array.from({ length: n(400) }, () => ALPHABET[n(ALPHABET.length)]).join(''); // noise
    case 4: return s.repeat(1 + n(200)); // many lines
    case 5: return s.replace(/\d+/g, () => ['-1', '99999999999999999999999', 'NaN', '0x', ''][n(5)]!); // bad numbers
    default: return s.replace(/\n/g, '') + 'x'.repeat(n(100_000)); // one huge line
  }
}

describe('fuzz: every parser', () => {
  const r = prng(0x5eed12);
  const parsers: [string, (s: string, warn: (m: string) => void) => unknown][] = [
    ['stat', (s, w) => parseStat(s, w)],
    ['stack', (s, w) => parseStack(s, w).map(formatFrame)],
    ['syscall', (s, w) => parseSyscall(s, w)],
    ['status', (s) => parseStatus(s)],
    ['sched', (s) => parseSchedExecStart(s)],
    ['fdinfo', (s) => parseFdinfo(s)],
    ['mountinfo', (s, w) => parseMountinfo(s, w)],
    ['netlink', (s, w) => parseNetlink(s, w)],
    ['ss', (s, w) => parseSsNetlink(s, w).map(ssProtocol)],
    ['kmsg', (s, w) => parseKmsg(s, w).map((k) => [parseHungTaskLine(k.text), parseAuditBacklogLine(k.text)])],
  ];
  const sampleOf: Record<string, string> = { ...SAMPLES, status: SAMPLES.status };

  it.each(parsers)('%s: 300 mangled inputs, never a throw, every warning a bounded sentence', (name, parse) => {
    const base = sampleOf[name] ?? '';
    let warned = 0;
    for (let i = 0; i < 300; i++) {
      const input = i === 0 ? base : mutate(r, base);
      const warnings: string[] = [];
      expect(() => parse(input, (m) => warnings.push(m)), `${name} case ${i}: ${JSON.stringify(input.slice(0, 120))}`).not.toThrow();
      for (const w of warnings) {
        expect(typeof w === 'string' && w.length > 0 && w.length < 400, w.slice(0, 400)).toBe(true);
      }
      warned += warnings.length;
    }
    // Malformed input is said to be malformed (for the parsers that have a warn channel).
    if (parse.length > 1) expect(warned).toBeGreaterThan(0);
  });
});

/**
 * Every path node:fs is asked about while `watching` is on. The wrappers are installed before
 * the reader's modules are imported (below, dynamically), so those modules bind to them.
 */
const touched: string[] = [];
let watching = false;
{
  const f = createRequire(import.meta.url)('node:fs') as Record<string, (...a: unknown[]) => unknown>;
  for (const n of ['openSync', 'lstatSync', 'statSync', 'readlinkSync', 'opendirSync', 'readdirSync', 'readFileSync', 'realpathSync', 'existsSync']) {
    const o = f[n]!;
    f[n] = function (this: unknown, p: unknown, ...rest: unknown[]) {
      if (watching) touched.push(typeof p === 'string' ? p : `<${typeof p}>`);
      return o.call(this, p, ...rest);
    };
  }
  syncBuiltinESMExports();
}
const M = {
  ...(await import('../../src/procfs/source.js')),
  ...(await import('../../src/procfs/snapshot-dir.js')),
  ...(await import('../../src/collector/collect.js')),
  ...(await import('../../src/graph/analyze.js')),
  ...(await import('../../src/report/text.js')),
  ...(await import('../../src/report/json.js')),
};

describe('fuzz: the snapshot reader on mangled snapshot directories', () => {
  // tmpfs when there is one: 300 copies of a snapshot tree are written and removed.
  const work = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'wt-fuzz-'));
  const bases = [path.join(work, 'base000'), path.join(work, 'base004')];
  // What must never be read: a marker file, a FIFO (opening it would hang the test), live /proc.
  const outside = path.join(work, 'outside');
  beforeAll(() => {
    writeSnapshotDir(bases[0]!, seed000());
    writeSnapshotDir(bases[1]!, seed004());
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'stat'), '4242 (OUTSIDE_MARKER) D 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0\n');
    fs.writeFileSync(path.join(outside, 'stack'), '[<0>] outside_marker+0x1/0x2\n');
    fs.mkdirSync(path.join(outside, 'task/4242'), { recursive: true });
    fs.writeFileSync(path.join(outside, 'task/4242/stat'), '4242 (OUTSIDE_MARKER) D 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0\n');
    fs.mkdirSync(path.join(outside, 'fifo-dir'));
    fs.writeFileSync(path.join(outside, 'fifo-dir', '.keep'), '');
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  function walk(dir: string): { files: string[]; dirs: string[] } {
    const files: string[] = [];
    const dirs: string[] = [];
    const go = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) {
          dirs.push(p);
          go(p);
        } else files.push(p);
      }
    };
    go(dir);
    return { files, dirs };
  }

  function mangle(r: () => number, dir: string): string[] {
    const n = (k: number): number => Math.floor(r() * k);
    const { files, dirs } = walk(dir);
    const done: string[] = [];
    const targets = ['/proc/1', '/proc/self', '/etc/passwd', '/dev/zero', outside, path.join(outside, 'stat'), path.join(outside, 'task'), '../../..', '.', ''];
    for (let k = 1 + n(6); k > 0; k--) {
      const useDir = dirs.length > 0 && r() < 0.25;
      const p = useDir ? dirs[n(dirs.length)]! : files[n(files.length)]!;
      if (!fs.existsSync(p) && !isLink(p)) continue;
      const op = n(9);
      fs.rmSync(p, { recursive: true, force: true });
      const orig = useDir ? undefined : SAMPLES.stack;
      switch (op) {
        case 0: fs.writeFileSync(p, mutate(r, orig ?? 'x')); break;
        case 1: fs.writeFileSync(p, Buffer.from(Array.from({ length: n(5000) }, () => n(256)))); break;
        case 2: { // huge and sparse: refused by its size, never read
          const fd = fs.openSync(p, 'w');
          fs.ftruncateSync(fd, 1024 * 1024 * (1 + n(2000)));
          fs.closeSync(fd);
          break;
        }
        case 3: fs.symlinkSync(targets[n(targets.length)] || '/', p); break;
        case 4: { // a link that stays inside the snapshot
          const other = files[n(files.length)]!;
          fs.symlinkSync(path.relative(path.dirname(p), other), p);
          break;
        }
        case 5: execFileSync('mkfifo', [p]); break;
        case 6: fs.mkdirSync(p); fs.writeFileSync(path.join(p, 'stat'), 'junk'); break;
        case 7: fs.writeFileSync(p, ''); break;
        default: fs.symlinkSync(path.join(outside, 'fifo-dir'), p);
      }
      done.push(`${op}:${path.relative(dir, p)}`);
    }
    return done;
  }

  it('300 mangled snapshots: no throw, nothing read outside, work bounded by the snapshot, refusals explained', () => {
    const r = prng(0xdecaf);
    let refusedTotal = 0;
    for (let i = 0; i < 300; i++) {
      const dir = path.join(work, `case-${i}`);
      fs.cpSync(bases[i % 2]!, dir, { recursive: true, verbatimSymlinks: true });
      const what = mangle(r, dir);
      const tree = walk(dir);
      const regular = tree.files.filter((f) => fs.lstatSync(f).isFile());
      const budget = regular.reduce((s, f) => s + Math.min(fs.lstatSync(f).size, M.sizeCap('/' + path.relative(dir, f)) + 1), 0);

      let src: ReplaySourceT | undefined;
      let text = '';
      let warnings: string[] = [];
      touched.length = 0;
      watching = true;
      try {
        src = new M.ReplaySource(dir);
        const a = M.analyze(M.collect(src, { now: 1_800_000_000_000 }));
        const j = M.toJson(a);
        text = M.textReport(a) + JSON.stringify(j);
        warnings = j.warnings;
      } catch (e) {
        throw new Error(`case ${i} (${what.join(', ')}): ${e instanceof Error ? e.stack : String(e)}`);
      } finally {
        watching = false;
      }
      const root = src.reader.root;
      expect(touched.filter((p) => p.startsWith(root + '/')).length, `case ${i}: the watch sees the reader`).toBeGreaterThan(0);
      const strays = touched.filter((p) => p !== root && p !== dir && !p.startsWith(root + '/') && p !== '/proc/self/fd' && !/^\/proc\/self\/fd\/\d+$/.test(p));
      expect(strays, `case ${i} (${what.join(', ')})`).toEqual([]);
      expect(text).not.toMatch(/OUTSIDE_MARKER|outside_marker/);
      // Each file and directory opened a few times at most (two passes read a stat), and never
      // more bytes than the snapshot's files hold under their caps.
      expect(src.reader.stats.opens, `case ${i}`).toBeLessThanOrEqual(3 * (regular.length + tree.dirs.length) + 10);
      expect(src.reader.stats.bytesRead, `case ${i}`).toBeLessThanOrEqual(3 * budget);
      const refusals = warnings.filter((x) => x.startsWith('snapshot: '));
      for (const x of refusals) expect(x).toMatch(/^snapshot: (\/.* (is|has|resolves|changed|grew) .*: not read|\d+ more refused paths not listed)$/s);
      refusedTotal += refusals.length;
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(refusedTotal).toBeGreaterThan(100);
  });
});

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
