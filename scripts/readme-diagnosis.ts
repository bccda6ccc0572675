// `npm run readme-diagnosis`: the README's diagnosis table ("What wedgetop recognises"), one row
// per wait family, its proof column generated from the corpus (test/fixtures/*/ground-truth.json):
// "proved on a real wedge" when a fixture of the family was recorded on a wedge a test in
// test/real builds and frees, "fixture only" when its fixtures are rebuilt from published stacks,
// "not yet" when the corpus has none. `--write` replaces the block between the README's
// diagnosis:start / diagnosis:end markers; test/engine/readme-diagnosis.test.ts fails when they differ.
import * as fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { corpusFixtures, type CorpusFixture } from '../test/support/corpus.js';

export interface Family {
  /** The `family` of its ground-truth.json files. */
  id: string;
  /** The wedge, as the admin meets it. */
  wedge: string;
  /** What wedgetop should name and offer. */
  answer: string;
}

/**
 * Every family wedgetop is meant to recognise (issue 9's list and the ones before it). A fixture
 * whose family is not listed here still gets a row, after these, described by its notes.
 */
export const FAMILIES: Family[] = [
  { id: 'audit-netlink-deadlock', wedge: 'seed 000: the audit daemon\'s own thread holds the audit mutex asleep on its full socket; sudo/cron in `audit_receive`', answer: 'the daemon (a deadlock cycle): kill it' },
  { id: 'audit-mutex-separate-holder', wedge: 'an `auditctl`-like client holds the audit mutex asleep in `netlink_attachskb` while the daemon stopped reading', answer: 'the hop whose release frees the waiters: signal the sender' },
  { id: 'audit-backlog-frozen-fs', wedge: 'seed 004: loggers in `audit_log_start` behind auditd, itself writing to a frozen filesystem', answer: 'the frozen mount: `fsfreeze -u`' },
  { id: 'frozen-fs-ext4', wedge: 'writers in `percpu_rwsem_wait` on an ext4 frozen with `fsfreeze -f`', answer: 'the mount, from what each writer writes to: `fsfreeze -u`' },
  { id: 'frozen-fs-xfs', wedge: 'XFS frozen: writers in `percpu_rwsem_wait` (the VFS takes the freeze before xfs: `vfs_write`, `mnt_want_write`; an mmap store under `__xfs_write_fault`)', answer: '`fsfreeze -u` of the mount' },
  { id: 'frozen-fs-btrfs', wedge: 'btrfs frozen: writers in `percpu_rwsem_wait` (`vfs_write`, `mnt_want_write`; an mmap store under `btrfs_page_mkwrite`)', answer: '`fsfreeze -u` of the mount' },
  { id: 'loop-on-frozen', wedge: 'a filesystem on a loop device whose backing file sits on a frozen filesystem', answer: 'the frozen backing mount (`/sys/block/loopN/loop/backing_file`): `fsfreeze -u`' },
  { id: 'overlay-frozen-upper', wedge: 'writes to an overlay whose upper directory is on a frozen filesystem', answer: 'the upper\'s filesystem (from the overlay\'s mount options): `fsfreeze -u`' },
  { id: 'journal', wedge: 'jbd2 waits (`jbd2_log_wait_commit`, `do_get_write_access`) behind a journal thread `jbd2/<dev>-8` that is itself stuck (here: on a loop device over a frozen filesystem)', answer: 'the journal thread and the device below it, followed when that thread is stuck' },
  { id: 'fuse-daemon-stopped', wedge: 'FUSE clients in `request_wait_answer` (S and D) while the daemon is stopped or not answering', answer: 'SIGCONT the daemon, or abort the connection' },
  { id: 'ps-hang-mmap-lock', wedge: '"ps hangs": a thread faults on a FUSE file holding mmap_lock; its siblings and `/proc/PID/cmdline` readers queue', answer: 'one chain to the FUSE daemon: SIGCONT or abort' },
  { id: 'vfork', wedge: 'a parent in `wait_for_vfork_done`', answer: 'the child: SIGCONT when stopped, else its own chain' },
  { id: 'cgroup-freezer', wedge: 'a holder inside a frozen cgroup v2 (`cgroup.events` `frozen 1`)', answer: '`echo 0 > CGROUP/cgroup.freeze` (SIGCONT does nothing)' },
  { id: 'stopped-holder', wedge: 'a holder stopped (T) or ptrace-stopped (t)', answer: 'SIGCONT, or the tracer (`TracerPid`)' },
  { id: 'nfs-server-gone', wedge: '"nfs: server X not responding, still trying": tasks in `rpc_wait_bit_killable`', answer: 'nothing on this box holds it: bring the server back, or `umount -f -l` (advice, not run)' },
  { id: 'rtnl-mutex', wedge: 'waiters in `rtnl_lock` / `rtnetlink_rcv_msg` behind a task holding rtnl in a slow netdev operation', answer: 'the holder, from the kernel\'s hung-task "likely owned by" report' },
  { id: 'cgroup-mutex', wedge: 'waiters in `cgroup_kn_lock_live` / `cgroup_lock` behind a task holding cgroup_mutex', answer: 'the holder, from the kernel\'s hung-task "likely owned by" report' },
  { id: 'memcg-oom', wedge: 'tasks in `mem_cgroup_out_of_memory` / `mem_cgroup_handle_over_high` of a cgroup at its memory limit', answer: 'the cgroup: raise memory.max/high or kill in it (advice, not run)' },
  { id: 'unregister-netdevice', wedge: '"unregister_netdevice: waiting for lo to become free": `netns cleanup_net` in `netdev_wait_allrefs_any`, waiters in `rtnl_lock` / `copy_net_ns`', answer: 'the leaked device reference: find the leaking netns/socket holder (advice, not run)' },
];

const PROOF: Record<string, string> = { 'real-wedge': 'proved on a real wedge', 'fixture-only': 'fixture only' };

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function diagnosisMarkdown(fixtures: CorpusFixture[] = corpusFixtures()): string {
  const byFamily = new Map<string, CorpusFixture[]>();
  for (const f of fixtures) byFamily.set(f.truth.family, [...(byFamily.get(f.truth.family) ?? []), f]);
  const listed = new Set(FAMILIES.map((f) => f.id));
  const extra: Family[] = [...byFamily.keys()].filter((id) => !listed.has(id)).sort()
    .map((id) => ({ id, wedge: byFamily.get(id)![0]!.truth.notes, answer: byFamily.get(id)![0]!.truth.expect.rootCauseId }));
  const out = ['| family | the wedge | what wedgetop names and offers | proof | fixtures |', '|---|---|---|---|---|'];
  for (const fam of [...FAMILIES, ...extra]) {
    const fx = byFamily.get(fam.id) ?? [];
    const proof = fx.some((f) => f.truth.proved === 'real-wedge') ? PROOF['real-wedge']! : fx.length ? PROOF['fixture-only']! : 'not yet';
    const names = fx.map((f) => `[\`${f.name}\`](test/fixtures/${f.name}/ground-truth.json)`).join(' ');
    out.push(`| ${[`\`${fam.id}\``, fam.wedge, fam.answer, proof, names || '—'].map(cell).join(' | ')} |`);
  }
  return out.join('\n') + '\n';
}

export const README = fileURLToPath(new URL('../README.md', import.meta.url));
export const BLOCK = /(<!-- diagnosis:start -->\n)([\s\S]*?)(<!-- diagnosis:end -->)/;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const listed = new Set(FAMILIES.map((f) => f.id));
  for (const f of corpusFixtures()) {
    if (!listed.has(f.truth.family)) process.stderr.write(`readme-diagnosis: family "${f.truth.family}" of test/fixtures/${f.name} is not in FAMILIES (scripts/readme-diagnosis.ts): its row uses the fixture's notes; add it (or use one of the listed ids)\n`);
  }
  const md = diagnosisMarkdown();
  if (process.argv.includes('--write')) {
    const text = fs.readFileSync(README, 'utf8');
    if (!BLOCK.test(text)) throw new Error('README.md has no <!-- diagnosis:start --> ... <!-- diagnosis:end --> block');
    fs.writeFileSync(README, text.replace(BLOCK, (_m, a: string, _b: string, c: string) => a + md + c));
  } else process.stdout.write(md);
}
