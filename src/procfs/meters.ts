// The header's meters, read once per collection like the rest (recorded and replayed): pressure
// stall information, the aggregate CPU line of /proc/stat, and memory. All three are small
// kernel-generated files that never block (no task lock, no filesystem below /proc).
import type { Meters, Pressure, PsiLine } from '../model.js';
import type { ProcSource } from './source.js';

type Warn = (m: string) => void;

/** `/proc/pressure/X`: "some avg10=1.23 avg60=… avg300=… total=N" and the same for "full". */
export function parsePressure(text: string, warn: Warn = () => {}): Pressure {
  const out: Pressure = {};
  for (const l of text.split('\n')) {
    if (!l.trim()) continue;
    const m = /^(some|full)\s+avg10=([\d.]+)\s+avg60=([\d.]+)\s+avg300=([\d.]+)\s+total=(\d+)/.exec(l);
    if (!m) {
      warn(`unexpected pressure line: ${l.slice(0, 80)}`);
      continue;
    }
    const v: PsiLine = { avg10: Number(m[2]), avg60: Number(m[3]), avg300: Number(m[4]), total: Number(m[5]) };
    out[m[1] as 'some' | 'full'] = v;
  }
  return out;
}

/** The aggregate "cpu" line of /proc/stat as its tick counters (user nice system idle iowait …). */
export function parseCpuLine(stat: string): number[] | undefined {
  const l = stat.split('\n', 1)[0] ?? '';
  if (!/^cpu\s/.test(l)) return undefined;
  const ticks = l.trim().split(/\s+/).slice(1).map(Number);
  return ticks.length >= 4 && ticks.every(Number.isFinite) ? ticks : undefined;
}

/** MemTotal and MemAvailable of /proc/meminfo, in bytes. */
export function parseMeminfo(text: string): Meters['mem'] {
  const kb = (k: string): number | undefined => {
    const m = new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  return total !== undefined && available !== undefined ? { total, available } : undefined;
}

/** undefined when nothing of it could be read: a recording made before the meters were. */
export function readMeters(src: ProcSource, warn: Warn): Meters | undefined {
  const psi: Meters['psi'] = {};
  for (const r of ['cpu', 'io', 'memory'] as const) {
    const t = src.read(`/proc/pressure/${r}`);
    // Absent without CONFIG_PSI (or psi=0 on the command line): the header says "n/a".
    if (t !== undefined) psi[r] = parsePressure(t, (m) => warn(`/proc/pressure/${r}: ${m}`));
  }
  const stat = src.read('/proc/stat');
  const cpu = stat !== undefined ? parseCpuLine(stat) : undefined;
  const mi = src.read('/proc/meminfo');
  const mem = mi !== undefined ? parseMeminfo(mi) : undefined;
  if (!cpu && !mem && Object.keys(psi).length === 0) return undefined;
  return { psi, ...(cpu ? { cpu } : {}), ...(mem ? { mem } : {}) };
}

/**
 * Busy and iowait share of the CPUs between two /proc/stat cpu lines, in percent; undefined
 * until there are two, or when the counters did not move (a static replay).
 */
export function cpuUsage(prev: readonly number[] | undefined, cur: readonly number[] | undefined): { busy: number; iowait: number } | undefined {
  if (!prev || !cur || prev.length < 4 || cur.length < 4) return undefined;
  // user nice system idle iowait irq softirq steal (guest and guest_nice are inside user/nice).
  const sum = (xs: readonly number[]): number => xs.slice(0, 8).reduce((a, b) => a + b, 0);
  const total = sum(cur) - sum(prev);
  if (total <= 0) return undefined;
  const idle = cur[3]! - prev[3]!;
  const iowait = (cur[4] ?? 0) - (prev[4] ?? 0);
  return { busy: Math.max(0, Math.min(100, (100 * (total - idle - iowait)) / total)), iowait: Math.max(0, Math.min(100, (100 * iowait) / total)) };
}
