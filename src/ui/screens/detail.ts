// The detail view of one task: what it is, the syscall it is in (fd resolved to file and mount),
// what it waits on and who holds it, the chain to the root cause, what the remedy would run,
// and the kernel stack with the frame that identified the wait site highlighted.
import type { Analysis, AnalyzedTask } from '../../model.js';
import { formatFrame } from '../../procfs/parse.js';
import { formatDuration } from '../../report/text.js';
import { heldBy, indexOf, taskLabel } from '../../store/derive.js';
import { remedyKey } from '../keymap.js';
import { line, plain, seg, type Line } from '../line.js';
import { decodeSyscall } from '../syscall.js';
import { KNOWN_CAUSE_NOTE, knownCauseOf } from '../../graph/known-causes.js';
import { glyphs, type TermCaps } from '../term.js';
import { stateRole } from './table.js';

const STATE_NAMES: Record<string, string> = {
  D: 'uninterruptible sleep', S: 'sleeping', R: 'running', T: 'stopped', t: 'traced', Z: 'zombie', I: 'idle', X: 'dead',
};

export function detailTitle(a: Analysis | undefined, key: string | undefined): string {
  const t = key ? a && indexOf(a).tasks.get(key) : undefined;
  return t ? `Task ${taskLabel(t)} (${t.comm})` : `Task ${key ?? '?'}`;
}

const kv = (k: string, v: string, role?: Parameters<typeof seg>[1]): Line => ({ ...line(seg(`${k.padEnd(12)}`, 'heading'), seg(v, role)), indent: 12 });

export function detailLines(a: Analysis | undefined, key: string | undefined, caps: TermCaps, readOnly = false): Line[] {
  const g = glyphs(caps.unicode);
  if (!a || !key) return [plain('no task selected', 'dim')];
  const idx = indexOf(a);
  const t: AnalyzedTask | undefined = idx.tasks.get(key);
  if (!t) return [plain(`Task ${key} is no longer blocked (it finished, or exited).`, 'ok'), plain('Esc returns to the list.', 'dim')];
  const out: Line[] = [];
  const d = t.detail;
  out.push(line(
    seg(`${t.comm}`, 'bold'),
    seg(`  pid ${t.pid}  tid ${t.tid}  `),
    seg(t.state, stateRole(t.state)),
    seg(` (${STATE_NAMES[t.state] ?? t.state})`),
    seg(t.blockedForMs !== undefined ? ` for ${formatDuration(t.blockedForMs)}` : ''),
    seg(t.isHolder ? '  HOLDER' : '', 'holder'),
  ));
  out.push(kv('user', `${t.user ?? '?'}${d?.uid !== undefined ? ` (uid ${d.uid})` : ''}   ppid ${t.ppid}${t.isKernelThread ? '   kernel thread' : ''}`));
  if (t.container) out.push(kv('container', t.container));
  // /proc/PID/cgroup has a line per hierarchy; the root ("/") ones say nothing.
  const cgroups = (d?.cgroup ?? '').split('\n').map((l) => l.trim()).filter((l) => l && !l.endsWith(':/'));
  cgroups.slice(0, 4).forEach((c, i) => out.push(kv(i === 0 ? 'cgroup' : '', c, 'dim')));
  const sc = decodeSyscall(t, a.snapshot, g.arrow);
  out.push(kv('syscall', sc.text, 'bold'));
  if (sc.target) out.push(kv('', `${g.arrow} ${sc.target}`));
  if (d?.wchan) out.push(kv('wchan', d.wchan));
  if (d?.cwd) out.push(kv('cwd', d.cwd));
  out.push(plain(''));

  out.push(plain('Wait', 'title'));
  if (t.site) out.push(kv('site', `${t.site.site} (frame #${t.site.frameIndex}, signature ${t.site.signature}, ${t.site.resource})`));
  else out.push(kv('site', 'not classified (no readable stack)', 'dim'));
  const res = t.waitsOn ? idx.resources.get(t.waitsOn) : undefined;
  if (res) {
    out.push(kv('waits on', res.label, 'bold'));
    const hs = res.holders.map((h) => {
      const ht = idx.tasks.get(h);
      return ht ? `${taskLabel(ht)} (${ht.state})` : h;
    });
    out.push(kv('held by', hs.length ? hs.join(', ') + (res.holderScope === 'process' ? ' (the whole process)' : '') : 'no holder task', hs.length ? 'holder' : 'dim'));
    if (res.how) out.push(kv('how', `${res.how} [${res.confidence}]`, 'dim'));
  } else if (!t.waitsOn) out.push(kv('waits on', 'nothing known', 'dim'));
  if (t.killable !== undefined) {
    out.push(kv('kill -9', t.killable === 'unknown' ? 'unknown for this wait site' : t.killable ? 'ends this wait' : 'stays pending until the wait ends (uninterruptible)', 'dim'));
  }
  if (t.isHolder) {
    const held = heldBy(a, t, idx);
    out.push(kv('holds', held.map((r) => `${r.label} (${waitersCount(a, r.id)} waiting)`).join('; ') || '?', 'holder'));
  }
  out.push(plain(''));

  const rc = idx.rootOf.get(t.key);
  out.push(plain('Root cause', 'title'));
  if (!rc) out.push(plain('  none found: the chain ends at an unknown holder', 'dim'));
  else {
    const n = (idx.rcIndex.get(rc.id) ?? 0) + 1;
    out.push(line(seg(`  ${n}. `, 'bold'), seg(rc.label, 'bold'), seg(` — blocks ${rc.blocked}`), seg(rc.inCycle ? '  DEADLOCK CYCLE' : '', 'deadlock')));
    rc.chain.forEach((c, i) => out.push({ ...line(seg(i === 0 ? '     ' : `   ${g.arrow} `, 'dim'), seg(c)), indent: 7 }));
    out.push(kv('how sure', `${rc.confidence}: ${rc.how}`, rc.confidence === 'guess' ? 'warn' : 'dim'));
    for (const n of rc.notes ?? []) out.push(kv('note', n, 'warn'));
    const kc = knownCauseOf(a, rc);
    if (kc) {
      out.push(plain(''));
      out.push(line(seg('Known issue', 'title'), seg(`  (${KNOWN_CAUSE_NOTE}; not a certainty)`, 'dim')));
      out.push(kv('  title', kc.cause.title, 'bold'));
      out.push(kv('  what', kc.cause.explain));
      out.push(kv('  upstream', `${kc.cause.upstream.project} ${kc.cause.upstream.ref}`));
      out.push(kv('  link', kc.cause.upstream.link, 'dim'));
      out.push(kv('  fix', kc.cause.fix));
      out.push(kv('  matched', kc.evidence.join('; '), 'dim'));
    }
    out.push(plain(''));
    out.push(plain('Remedy', 'title'));
    if (rc.remedies.length === 0) out.push(plain('  none wedgetop can apply: the chain ends outside its reach', 'dim'));
    for (const r of rc.remedies) {
      // With --read-only no key runs it: the label says so instead of offering one.
      out.push(line(seg(readOnly ? '  [read-only] ' : `  [${remedyKey(r.action) ?? '?'}] `, readOnly ? 'dim' : 'key'), seg(`${r.action}: `, 'bold'), seg(r.command, 'remedy')));
      out.push({ ...line(seg('      risk: ', 'dim'), seg(r.risk, 'dim')), indent: 12 });
    }
    // Advice is printed, never bound to a key: wedgetop does not run it.
    if (rc.advice) out.push({ ...line(seg('  advice (not run by wedgetop): ', 'bold'), seg(rc.advice)), indent: 4 });
  }
  out.push(plain(''));

  const stack = d?.stack;
  out.push(line(seg('Kernel stack', 'title'), seg(stack ? `  (${stack.length} frames; ${g.selected} marks the wait site)` : '', 'dim')));
  if (!stack) out.push(plain(a.snapshot.stacksReadable ? '  not read' : '  unreadable: kernel stacks need root', 'dim'));
  else {
    stack.forEach((f, i) => {
      const hit = t.site?.frameIndex === i;
      out.push(line(seg(hit ? ` ${g.selected} ` : '   ', 'highlight'), seg(`#${String(i).padEnd(3)}`, 'dim'), seg(formatFrame(f), hit ? 'highlight' : undefined)));
    });
  }
  if (d?.fds?.length) {
    out.push(plain(''));
    out.push(line(seg('Open files', 'title'), seg(`  (${d.fds.length})`, 'dim')));
    for (const f of d.fds.slice(0, 200)) out.push(line(seg(`  ${String(f.fd).padStart(4)} `, 'dim'), seg(f.target)));
    if (d.fds.length > 200) out.push(plain(`  … ${d.fds.length - 200} more`, 'dim'));
  }
  return out;
}

function waitersCount(a: Analysis, resourceId: string): number {
  let n = 0;
  for (const t of a.tasks) if (t.waitsOn === resourceId) n++;
  return n;
}
