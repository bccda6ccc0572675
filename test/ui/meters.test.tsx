// Issue 13 item 8: "a header with CPU, memory and PSI (/proc/pressure/{cpu,io,memory} some/full:
// the I/O stall figure is the first thing a wedge shows), load and the D count, as htop shows its
// meters". Read by the collector with the rest, recorded and replayed; CPU% from two snapshots.
import { afterEach, describe, expect, it } from 'vitest';
import type { Analysis } from '../../src/model.js';
import { cpuUsage, parseCpuLine, parsePressure } from '../../src/procfs/meters.js';
import { fixtureAnalysis, renderApp, type Rendered } from './helpers.js';

let r: Rendered | undefined;
afterEach(() => {
  r?.unmount();
  r = undefined;
});

describe('the meters parsers', () => {
  it('read both lines of a pressure file and warn on a malformed one', () => {
    const warned: string[] = [];
    const p = parsePressure('some avg10=41.50 avg60=12.00 avg300=3.10 total=123456\nfull avg10=39.02 avg60=11.00 avg300=2.00 total=99\nbogus\n', (m) => warned.push(m));
    expect(p.some?.avg10).toBe(41.5);
    expect(p.full?.avg10).toBe(39.02);
    expect(p.full?.total).toBe(99);
    expect(warned).toHaveLength(1);
  });

  it('take CPU busy and iowait shares from two /proc/stat cpu lines', () => {
    const a = parseCpuLine('cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3 4\n')!;
    const b = parseCpuLine('cpu  150 0 150 800 200 0 0 0 0 0\n')!;
    // 300 ticks: 100 user+system, 100 idle, 100 iowait.
    const u = cpuUsage(a, b)!;
    expect(u.busy).toBeCloseTo(33.3, 1);
    expect(u.iowait).toBeCloseTo(33.3, 1);
    expect(cpuUsage(a, a)).toBeUndefined();
    expect(parseCpuLine('intr 1 2 3')).toBeUndefined();
  });
});

describe('the header of a recorded 2,000-thread wedge', () => {
  const a = fixtureAnalysis('threads-2000');

  it('carries PSI, the CPU line and memory in the snapshot, as recorded', () => {
    const m = a.snapshot.meters!;
    expect(m.psi.io?.some).toBeDefined();
    expect(m.psi.io?.full).toBeDefined();
    expect(m.psi.memory?.some).toBeDefined();
    expect(m.psi.cpu?.some).toBeDefined();
    expect(m.cpu!.length).toBeGreaterThanOrEqual(8);
    expect(m.mem!.total).toBeGreaterThan(m.mem!.available);
  });

  it('shows load, PSI some/full, memory and the D count', () => {
    r = renderApp({ analysis: a, columns: 120, rows: 35 });
    const f = r.frame();
    const io = a.snapshot.meters!.psi.io!;
    const fmt = (v: number): string => (v >= 10 ? v.toFixed(0) : v.toFixed(1));
    expect(f).toContain(`PSI io ${fmt(io.some!.avg10)}/${fmt(io.full!.avg10)}%`);
    expect(f).toMatch(/mem \d+(\.\d)?\/\d+(\.\d)?% +cpu \d+(\.\d)?%/);
    expect(f).toMatch(/Load \d+\.\d\d \d+\.\d\d \d+\.\d\d +CPU \? +Mem \d/);
    expect(f).toContain('Blocked: 2000 D');
  });

  it('shows CPU% once a second snapshot has moved the counters', () => {
    r = renderApp({ analysis: a, columns: 120, rows: 35 });
    const t = a.snapshot.meters!.cpu!;
    // 1000 ticks later: 250 busy (user), 500 idle, 250 iowait.
    const next = [t[0]! + 250, t[1]!, t[2]!, t[3]! + 500, t[4]! + 250, ...t.slice(5)];
    const b: Analysis = { ...a, snapshot: { ...a.snapshot, meters: { ...a.snapshot.meters!, cpu: next } } };
    r.store.getState().setAnalysis(b);
    return r.waitFor((f) => /CPU 25% wa 25%/.test(f), 'CPU 25% wa 25%');
  });

  it('says when a recording has no meters (older recordings)', () => {
    const old = fixtureAnalysis('frozen-ext4');
    expect(old.snapshot.meters).toBeUndefined();
    r = renderApp({ analysis: old, columns: 120, rows: 35 });
    expect(r.frame()).toContain('PSI not recorded');
  });
});
