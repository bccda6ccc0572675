// Facts from the kernel log, for the views: computed once per snapshot here rather than while a
// frame is drawn.
import type { AnalyzedTask, AuditBacklogFacts, Snapshot } from '../model.js';
import { parseAuditBacklogLine } from '../kernel/kmsg.js';

export function auditBacklogFacts(snap: Snapshot, tasks: AnalyzedTask[]): AuditBacklogFacts | undefined {
  let reports = 0;
  let lost: number | undefined;
  let exceeded: AuditBacklogFacts['exceeded'];
  let lastUsec = 0;
  for (const r of snap.kmsg) {
    const p = parseAuditBacklogLine(r.text);
    if (!p) continue;
    reports++;
    lastUsec = Math.max(lastUsec, r.usec);
    if (p.lost !== undefined) lost = p.lost;
    if (p.exceeded) exceeded = p.backlog !== undefined ? { backlog: p.backlog, limit: p.limit } : {};
  }
  if (!reports) return undefined;
  // kmsg stamps are microseconds since boot, the clock /proc/uptime counts.
  const ageS = Math.max(0, snap.uptimeSec - lastUsec / 1e6);
  const waiting = tasks.some((t) => t.site?.resource === 'audit-backlog');
  const f: AuditBacklogFacts = { reports, ageS, waiting };
  if (lost !== undefined) f.lost = lost;
  if (exceeded) f.exceeded = exceeded;
  return f;
}
