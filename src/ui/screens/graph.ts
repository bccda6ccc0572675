// The waits-on graph as trees: from each root cause down to the tasks it blocks, through the
// resources held on the way. A resource met again on the same branch closes a cycle: a deadlock.
import type { Analysis, AnalyzedTask, Resource, RootCause } from '../../model.js';
import { anyWaiting, heldBy, indexOf, processName, siteFunc, taskLabel, worstState, type Index } from '../../store/derive.js';
import { line, plain, seg, type Line } from '../line.js';
import { glyphs, type Glyphs, type TermCaps } from '../term.js';
import { remedyLabel } from './rootcauses.js';
import { stateRole } from './table.js';

/** Waiting processes listed per resource (one line each); the rest are summarised by command name. */
const LEAVES_SHOWN = 10;

interface Ctx {
  a: Analysis;
  idx: Index;
  g: Glyphs;
  waiters: Map<string, AnalyzedTask[]>;
  inCycle: Set<string>;
  out: Line[];
}

function waitersOf(a: Analysis): Map<string, AnalyzedTask[]> {
  const m = new Map<string, AnalyzedTask[]>();
  for (const t of a.tasks) {
    if (!t.waitsOn) continue;
    const l = m.get(t.waitsOn);
    if (l) l.push(t);
    else m.set(t.waitsOn, [t]);
  }
  return m;
}

function resourceNode(c: Ctx, r: Resource, prefix: string, last: boolean, path: Set<string>): void {
  const ws = c.waiters.get(r.id) ?? [];
  c.out.push(line(
    seg(prefix + (last ? c.g.elbow : c.g.tee), 'dim'),
    seg(r.label, 'bold'),
    seg(` — ${ws.length} waiting`, 'dim'),
    seg(c.inCycle.has(r.id) ? ` ${c.g.cycle} deadlock cycle` : '', 'deadlock'),
  ));
  const inner = prefix + (last ? '   ' : c.g.pipe);
  const next = new Set(path).add(r.id);
  // Waiters that hold something themselves carry the tree on: always listed.
  const holding = ws.filter((t) => t.isHolder);
  // The others by process (2,000 threads of 4 writers are 4 lines, as htop's H folds them).
  const procs = new Map<number, AnalyzedTask[]>();
  for (const t of ws) {
    if (t.isHolder) continue;
    const l = procs.get(t.pid);
    if (l) l.push(t);
    else procs.set(t.pid, [t]);
  }
  const groups = [...procs.values()];
  const shown = groups.slice(0, LEAVES_SHOWN);
  const rest = groups.slice(LEAVES_SHOWN);
  const items = holding.length + shown.length;
  holding.forEach((t, i) => taskNode(c, t, inner, i === items - 1 && rest.length === 0, next));
  shown.forEach((ts, i) => {
    const last = holding.length + i === items - 1 && rest.length === 0;
    if (ts.length === 1) taskNode(c, ts[0]!, inner, last, next);
    else processNode(c, ts, inner, last);
  });
  if (rest.length) {
    // What is left, by command: "writer ×12 processes (40 threads)".
    const byComm = new Map<string, { procs: number; threads: number }>();
    for (const ts of rest) {
      const name = processName(ts);
      const e = byComm.get(name) ?? { procs: 0, threads: 0 };
      e.procs++;
      e.threads += ts.length;
      byComm.set(name, e);
    }
    const n = rest.reduce((k, ts) => k + ts.length, 0);
    const top = [...byComm].sort((x, y) => y[1].threads - x[1].threads).slice(0, 5)
      .map(([comm, e]) => `${comm} ${e.procs === 1 ? '' : `×${e.procs} `}(${e.threads} thread${e.threads === 1 ? '' : 's'})`).join(', ');
    c.out.push(line(seg(inner + c.g.elbow, 'dim'), seg(`${c.g.ellipsis} ${rest.length} more process${rest.length === 1 ? '' : 'es'}, ${n} task${n === 1 ? '' : 's'}: ${top}${byComm.size > 5 ? ', …' : ''}`, 'dim')));
  }
}

export { processName } from '../../store/derive.js';

/** Several waiting threads of one process, as one line: "md-wr0 (pid 5000): 500 threads D in …". */
function processNode(c: Ctx, ts: AnalyzedTask[], prefix: string, last: boolean): void {
  const state = worstState(ts);
  const sites = new Map<string, number>();
  for (const t of ts) sites.set(siteFunc(t), (sites.get(siteFunc(t)) ?? 0) + 1);
  const [site] = [...sites].sort((x, y) => y[1] - x[1])[0]!;
  c.out.push(line(
    seg(prefix + (last ? c.g.elbow : c.g.tee), 'dim'),
    seg(processName(ts), 'bold'),
    seg(` (pid ${ts[0]!.pid}): ${ts.length} threads `),
    seg(state, stateRole(state)),
    seg(` in ${site}${sites.size > 1 ? ` (+${sites.size - 1} other site${sites.size > 2 ? 's' : ''})` : ''}`, 'dim'),
    seg(ts.some((t) => c.inCycle.has(t.key)) ? ` ${c.g.cycle} in a deadlock cycle` : '', 'deadlock'),
  ));
}

function taskNode(c: Ctx, t: AnalyzedTask, prefix: string, last: boolean, path: Set<string>): void {
  const branch = prefix + (last ? c.g.elbow : c.g.tee);
  if (path.has(t.key)) {
    // Back at a task already on this branch: it waits, through the chain above, on itself.
    c.out.push(line(seg(branch, 'dim'), seg(`${c.g.cycle} ${taskLabel(t)} again: it waits on what it holds — DEADLOCK`, 'deadlock')));
    return;
  }
  c.out.push(line(
    seg(branch, 'dim'),
    seg(taskLabel(t), t.isHolder ? 'holder' : 'bold'),
    seg(' '),
    seg(t.state, stateRole(t.state)),
    seg(` in ${siteFunc(t)}`, 'dim'),
    seg(c.inCycle.has(t.key) ? ` ${c.g.cycle} in a deadlock cycle` : '', 'deadlock'),
  ));
  const next = new Set(path).add(t.key);
  const held = heldBy(c.a, t, c.idx).filter((r) => !path.has(r.id));
  const inner = prefix + (last ? '   ' : c.g.pipe);
  held.forEach((r, i) => resourceNode(c, r, inner, i === held.length - 1, next));
}

function rootNode(c: Ctx, rc: RootCause): void {
  if (rc.id.startsWith('task:')) {
    const t = c.idx.tasks.get(`${rc.pid}/${rc.tid}`) ?? c.a.tasks.find((x) => x.pid === rc.pid && x.isHolder);
    if (!t) {
      c.out.push(plain(`   task ${rc.pid} (not in the snapshot)`, 'dim'));
      return;
    }
    taskNode(c, t, '   ', true, new Set());
    return;
  }
  const r = c.idx.resources.get(rc.id) ?? c.idx.resources.get(rc.id.replace(/^unknown:/, ''));
  if (r) resourceNode(c, r, '   ', true, new Set());
}

export function graphLines(a: Analysis | undefined, caps: TermCaps, readOnly = false): Line[] {
  if (!a) return [plain('waiting for data…', 'dim')];
  if (a.rootCauses.length === 0) return [plain(anyWaiting(a) ? 'Blocked tasks, but no root cause found.' : 'Nothing is blocked.', 'ok')];
  const c: Ctx = {
    a, idx: indexOf(a), g: glyphs(caps.unicode), waiters: waitersOf(a),
    inCycle: new Set(a.cycles.flat()), out: [],
  };
  a.rootCauses.forEach((rc, i) => {
    if (i > 0) c.out.push(plain(''));
    c.out.push(line(
      seg(`${i + 1}. `, 'title'),
      seg(rc.inCycle ? 'DEADLOCK ' : '', 'deadlock'),
      seg(rc.label, 'title'),
      seg(`  blocks ${rc.blocked}  `),
      seg(remedyLabel(rc, readOnly), rc.remedies.length && !readOnly ? 'key' : 'dim'),
    ));
    rootNode(c, rc);
  });
  if (a.cycles.length) {
    c.out.push(plain(''));
    c.out.push(plain('Deadlock cycles', 'title'));
    for (const cy of a.cycles) c.out.push(line(seg(`  ${c.g.cycle} `, 'deadlock'), seg([...cy, cy[0]].join(` ${c.g.arrow} `))));
  }
  if (a.warnings.length) {
    c.out.push(plain(''));
    c.out.push(plain('Warnings', 'title'));
    for (const w of a.warnings) c.out.push(plain(`  ${w}`, 'warn'));
  }
  return c.out;
}
