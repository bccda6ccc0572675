// What the kernel's own log lines say, parsed once: the hung-task detector's reports and the audit
// subsystem's backlog complaints (kernel/audit.c audit_log_lost(), audit_log_start()). The collector
// keeps the matching /dev/kmsg records; the engine turns them into facts in the Analysis.

export interface HungTaskReport {
  comm: string;
  pid: number;
  lockKind?: string;
  ownerComm?: string;
  ownerPid?: number;
}

/**
 * Hung-task reports, including CONFIG_DETECT_HUNG_TASK_BLOCKER's owner line:
 *   INFO: task sudo-sim:123 is blocked on a mutex likely owned by task holder:456.
 *   INFO: task w2:123 <writer> blocked on an rw-semaphore likely owned by task w1:456 <writer>
 *   INFO: task auditd:1694 blocked for more than 120 seconds.
 */
export function parseHungTaskLine(text: string): HungTaskReport | undefined {
  const m = /INFO: task (.+):(\d+)(?: <\w+>)? (?:is )?blocked(?: on an? ([\w-]+) likely owned by task (.+):(\d+))?/.exec(text);
  if (!m) return undefined;
  const r: HungTaskReport = { comm: m[1]!, pid: Number(m[2]) };
  if (m[3]) {
    r.lockKind = m[3];
    r.ownerComm = m[4]!.replace(/ <\w+>$/, '');
    r.ownerPid = Number(m[5]);
  }
  return r;
}

export interface AuditBacklogReport {
  backlog?: number;
  limit?: number;
  lost?: number;
  exceeded: boolean;
}

/** `audit: audit_backlog=321 > audit_backlog_limit=320`, `audit: backlog limit exceeded`, `audit_lost=N`. */
export function parseAuditBacklogLine(text: string): AuditBacklogReport | undefined {
  let m = /audit_backlog=(\d+) > audit_backlog_limit=(\d+)/.exec(text);
  if (m) return { backlog: Number(m[1]), limit: Number(m[2]), exceeded: true };
  m = /audit_lost=(\d+).*audit_backlog_limit=(\d+)/.exec(text);
  if (m) return { lost: Number(m[1]), limit: Number(m[2]), exceeded: false };
  if (/audit: (backlog limit exceeded|kauditd retry queue overflow)/.test(text)) return { exceeded: true };
  return undefined;
}
