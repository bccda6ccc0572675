// Knowledge as data: only src/kernel/ names kernel functions (README "Architecture"). Every name the
// tables match on (signature rows' frames, the wait primitives, the mm tables) and a list of
// well-known ones must not appear in code elsewhere in src/ (comments may cite them: they say why).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../../scripts/arch.js';
import { SIGNATURES, WAIT_PRIMITIVES, type FramePattern } from '../../src/kernel/signatures.js';
import * as mm from '../../src/kernel/mm.js';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

/** Names often written by hand outside the tables (the ones issue 10 found, and their kin). */
const WELL_KNOWN = [
  'audit_receive', 'audit_log_start', 'kauditd', 'kauditd_thread', 'kauditd_send_queue', 'netlink_attachskb',
  'netlink_unicast', 'percpu_rwsem_wait', 'percpu_down_read', 'request_wait_answer', 'fuse_simple_request',
  'filemap_fault', 'page_mkwrite', 'handle_mm_fault', 'exc_page_fault', 'do_page_fault', '__access_remote_vm',
  'access_remote_vm', 'get_user_pages_remote', 'jbd2_journal_commit_transaction', 'jbd2_log_wait_commit',
  'wait_transaction_locked', 'rwsem_down_write_slowpath', 'rwsem_down_read_slowpath', '__mutex_lock',
  'mutex_lock', 'folio_wait_bit', 'folio_wait_bit_common', 'io_schedule', 'wait_for_completion',
  'rtnl_lock', '__rtnl_lock', 'freeze_super', 'thaw_super', 'wait_for_vfork_done', 'ptrace_stop', 'do_signal_stop',
  'cgroup_kn_lock_live', 'mem_cgroup_out_of_memory', 'rpc_wait_bit_killable', 'nfs_wait_bit_killable',
];

/** The literal names in a pattern: a string as it is; from a regex, its identifier-like runs with an underscore. */
function namesOf(p: FramePattern): string[] {
  if (typeof p === 'string') return [p];
  return (p.source.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []).filter((w) => w.includes('_') && !w.endsWith('_') && /[a-z]/.test(w) && w.replace(/^_+/, '').length >= 6);
}

function tableNames(): Set<string> {
  const out = new Set<string>(WELL_KNOWN);
  const add = (ps: FramePattern[] | undefined): void => ps?.forEach((p) => namesOf(p).forEach((n) => out.add(n)));
  for (const s of SIGNATURES) {
    add(s.at);
    add(s.callers);
    add(s.notCallers);
    add(s.via);
  }
  add(WAIT_PRIMITIVES);
  for (const v of Object.values(mm)) if (Array.isArray(v)) add(v as FramePattern[]);
  return out;
}

/** Comments blanked (line numbers kept); strings and regexes stay: a name in them is code. */
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"`\\/])\/\/[^\n]*/g, '$1');
}

function hits(names: Set<string>): string[] {
  const re = new RegExp(`(?<![A-Za-z0-9_])(${[...names].map((n) => n.replace(/[$()*+.?[\\\]^{|}]/g, '\\$&')).join('|')})(?![A-Za-z0-9_])`, 'g');
  const out: string[] = [];
  for (const f of sourceFiles(src)) {
    if (f.startsWith('kernel/')) continue;
    code(fs.readFileSync(path.join(src, f), 'utf8')).split('\n').forEach((l, i) => {
      for (const m of l.matchAll(re)) out.push(`src/${f}:${i + 1}: ${m[1]}`);
    });
  }
  return out;
}

describe('only src/kernel/ names kernel functions', () => {
  const names = tableNames();

  it('takes the names from the tables themselves', () => {
    for (const n of ['audit_receive', 'netlink_attachskb', 'percpu_rwsem_wait', 'request_wait_answer', 'filemap_fault']) expect(names).toContain(n);
    expect(names.size).toBeGreaterThan(60);
  });

  it('finds none in code outside src/kernel/', () => {
    expect(hits(names)).toEqual([]);
  });

  it('would find one (the check can fail)', () => {
    const re = [...names].find((n) => n === 'audit_receive')!;
    expect(code(`const x = '${re}'; // audit_receive in a comment`).match(new RegExp(re, 'g'))).toHaveLength(1);
    expect(code(`/* ${re} */ const y = 1;`).includes(re)).toBe(false);
  });
});
