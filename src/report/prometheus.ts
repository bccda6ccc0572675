// node_exporter textfile-collector format (--prometheus FILE), written atomically: a temp file
// in the same directory, then rename, so the collector never reads half a file. How (random
// O_EXCL temp name, a verified directory, no symlink followed) is src/safefs/write.ts.
import type { Analysis } from '../model.js';
import { blockedCount } from './json.js';
import { replaceFileAt, SafeWriteError } from '../safefs/write.js';

const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labels = (l: Record<string, string>): string => `{${Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}`;

export function prometheusText(a: Analysis): string {
  const out: string[] = [];
  const metric = (name: string, help: string, rows: [Record<string, string> | undefined, number][]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [l, v] of rows) out.push(`${name}${l ? labels(l) : ''} ${Number.isFinite(v) ? v : 0}`);
  };
  const s = a.snapshot;
  const bySig = new Map<string, number>();
  for (const t of a.tasks) if (t.state === 'D') bySig.set(t.site?.signature ?? 'unknown', (bySig.get(t.site?.signature ?? 'unknown') ?? 0) + 1);
  const longest = Math.max(0, ...a.tasks.filter((t) => t.state === 'D').map((t) => t.blockedForMs ?? 0));
  metric('wedgetop_blocked_tasks', 'Tasks (threads) in uninterruptible sleep (D).', [[undefined, blockedCount(a)]]);
  metric('wedgetop_blocked_tasks_by_signature', 'Blocked tasks by wait-site signature.', [...bySig].map(([sig, n]) => [{ signature: sig }, n]));
  metric('wedgetop_root_cause_blocked_tasks', 'Tasks blocked (transitively) by each root cause.', a.rootCauses.map((rc) => [{ id: rc.id, kind: rc.kind, label: rc.label }, rc.blocked]));
  metric('wedgetop_deadlock_cycles', 'Deadlock cycles in the waits-on graph.', [[undefined, a.cycles.length]]);
  metric('wedgetop_longest_blocked_seconds', 'Longest time a blocked task has been off-CPU.', [[undefined, longest / 1000]]);
  metric('wedgetop_hung_task_detect_count', 'Hung-task reports the kernel has made since boot.', [[undefined, s.hungTask.detectCount ?? 0]]);
  metric('wedgetop_tasks', 'Tasks (threads) seen.', [[undefined, s.taskCount]]);
  metric('wedgetop_scan_timestamp_seconds', 'When this snapshot was taken.', [[undefined, Math.round(s.takenAtMs / 1000)]]);
  return out.join('\n') + '\n';
}

/**
 * FILE replaced atomically; `-` is stdout. /dev/stdout and the like are symlinks: refused as any
 * non-regular target is (replacing them is what the old code did), with a hint to use `-`.
 */
export function writeAtomically(file: string, text: string, out: NodeJS.WritableStream = process.stdout): void {
  try {
    replaceFileAt(file, text, 0o644, out);
  } catch (e) {
    if (!(e instanceof SafeWriteError)) throw e;
    throw new SafeWriteError(`--prometheus ${file}: ${e.message}${/symlink|not a regular/.test(e.message) ? ' (use - for stdout)' : ''}`, e.code);
  }
}
