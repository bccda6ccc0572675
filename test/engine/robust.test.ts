// A parser that meets a malformed line says so and goes on: it never hides the other tasks.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { specDir, analyzeDir } from '../support/replay.js';
import { seed000 } from '../support/seeds.js';
import { textReport } from '../../src/report/text.js';
import { toJson } from '../../src/report/json.js';

describe('malformed, truncated and missing /proc files', () => {
  const dir = specDir(seed000());
  const P = (p: string): string => path.join(dir, 'proc', p);
  fs.writeFileSync(P('301001/task/301001/stat'), '301001 (sudo) D 2200'); // truncated
  fs.writeFileSync(P('301017/task/301017/stack'), '[<0>] audit_receive+0x28/0xc0\n%%% garbage %%%\n[<0>] netlink_unicast+0x197/0x220\n');
  fs.rmSync(P('301042/task/301042/syscall'));
  fs.rmSync(P('301100/task/301100/stack')); // vanished between stat and stack
  fs.rmSync(P('301100/task/301100/wchan'));
  for (const pid of fs.readdirSync(path.join(dir, 'proc')).filter((p) => /^\d+$/.test(p))) {
    if (fs.existsSync(P(`${pid}/mountinfo`))) fs.appendFileSync(P(`${pid}/mountinfo`), 'not a mountinfo line\n');
  }
  fs.appendFileSync(P('1/net/netlink'), 'short row\n');
  const a = analyzeDir(dir);

  it('still finds the holder and the other senders', () => {
    expect(a.rootCauses[0]).toMatchObject({ pid: 247832, tid: 248085, inCycle: true });
    const senders = a.tasks.filter((t) => t.state === 'D').map((t) => t.tid).sort();
    expect(senders).toEqual([301017, 301042, 301100, 301161]);
    expect(a.tasks.find((t) => t.tid === 301017)!.waitsOn).toBe('audit-mutex');
  });

  it('shows the task whose stack vanished, under its own group', () => {
    const t = a.tasks.find((x) => x.tid === 301100)!;
    expect(t.site?.signature).toBe('unknown:?');
  });

  it('says what it could not parse', () => {
    const w = a.warnings.join('\n');
    expect(w).toMatch(/301001\/stat: malformed or truncated stat line/);
    expect(w).toMatch(/unparsed stack line: "%%% garbage %%%"/);
    expect(w).toMatch(/malformed mountinfo line/);
    expect(w).toMatch(/malformed netlink line/);
  });

  it('reports render without throwing', () => {
    expect(textReport(a)).toMatch(/warning: .*garbage/);
    expect(toJson(a).warnings.length).toBeGreaterThan(0);
  });
});
