// wedgetop's entry point: flags, then one of the modes (TUI, --once, --json, --record, --fix),
// or the collector child when started with COLLECTOR_FLAG.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Analysis, RemedyAction } from './model.js';
import { COLLECTOR_FLAG, prepareRecordDir, runCollectorChild } from './collector/collector.js';
import { UsageError, type Options } from './app/options.js';
import { openReplay, SnapshotSource } from './app/source.js';
import { SafeWriteError } from './safefs/write.js';
import { REPLAY_CHILD_FLAG, runReplayChild } from './collector/replay.js';
import { readSnapshotMeta } from './procfs/snapshot-dir.js';
import { textReport } from './report/text.js';
import { toJson, blockedCount } from './report/json.js';
import { prometheusText, writeAtomically } from './report/prometheus.js';
import { VERSION } from './version.js';
import { escapeText } from './text/escape.js';
import { shellCommand } from './text/shell.js';
import { isBundlePath, unpackBundle } from './bundle/unpack.js';

// Kept importable from here (tests and older callers); they live in src/app/.
export { openReplay, UsageError, SnapshotSource, type Options };

interface FlagSpec {
  flag: string;
  alias?: string;
  arg?: string;
  /** The argument may be left out (taken only when the next word is not an option). */
  optionalArg?: boolean;
  help: string;
  set: (o: Options, v: string) => void;
}

const seconds = (flag: string, v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number of seconds, not "${v}"`);
  return Math.round(n * 1000);
};

/** Every flag, once: parsing and --help both come from this table. */
export const FLAGS: FlagSpec[] = [
  { flag: '--once', help: 'print one plain-text report (root causes first) and exit', set: (o) => (o.once = true) },
  { flag: '--json', help: 'print one snapshot as JSON (schema in README) and exit', set: (o) => (o.json = true) },
  { flag: '--record', arg: 'DIR', help: 'save everything read into a new, empty DIR (a snapshot for replay / bug reports)', set: (o, v) => (o.record = v) },
  { flag: '--replay', arg: 'DIR', help: 'read a recorded snapshot (a --record DIR or a --bundle .tar.gz) instead of the live /proc (works with every mode)', set: (o, v) => (o.replay = v) },
  { flag: '--prometheus', arg: 'FILE', help: 'write the snapshot as node_exporter textfile metrics to FILE (atomically; - for stdout) and exit', set: (o, v) => (o.prometheus = v) },
  { flag: '--bundle', arg: 'FILE.tar.gz', optionalArg: true, help: 'write a support bundle (snapshot, reports, kernel log, PSI, block devices, mounts, manifest with SHA-256) and exit; default name on a tmpfs', set: (o, v) => (o.bundle = v) },
  { flag: '--redact', help: 'with --bundle: replace user names, the host name and non-system paths by consistent tokens', set: (o) => (o.redact = true) },
  { flag: '--interval', arg: 'SEC', help: 'TUI refresh interval (default 1)', set: (o, v) => (o.intervalMs = seconds('--interval', v)) },
  { flag: '--timeout', arg: 'SEC', help: 'give up on a collector that has not answered after SEC and uses no CPU (default 5)', set: (o, v) => (o.timeoutMs = seconds('--timeout', v)) },
  { flag: '--read-only', help: 'no remediation actions at all', set: (o) => (o.readOnly = true) },
  { flag: '--dry-run', help: 'show what a remediation would run without running it', set: (o) => (o.dryRun = true) },
  { flag: '--fix', arg: 'ID', help: 'apply the remedy of root cause ID (as in --json), then wait for the blocked tasks to come free', set: (o, v) => (o.fix = v) },
  { flag: '--action', arg: 'NAME', help: 'with --fix: which remedy (kill, cont, thaw, fuse-abort); default the first offered', set: (o, v) => (o.action = remedyAction(v)) },
  { flag: '--yes', alias: '-y', help: 'with --fix: do not ask for confirmation', set: (o) => (o.yes = true) },
  { flag: '--grace', arg: 'SEC', help: 'kill: seconds between SIGTERM and SIGKILL (default 3)', set: (o, v) => (o.graceMs = seconds('--grace', v)) },
  { flag: '--log', arg: 'FILE', help: 'debug log (must be on tmpfs, e.g. /run or /dev/shm)', set: (o, v) => (o.log = v) },
  { flag: '--no-color', help: 'no colours (also when NO_COLOR is set or TERM=dumb)', set: (o) => (o.noColor = true) },
  { flag: '--help', alias: '-h', help: 'this help', set: () => {} },
  { flag: '--version', alias: '-V', help: 'print the version', set: () => {} },
];


const ACTIONS: RemedyAction[] = ['kill', 'cont', 'thaw', 'fuse-abort', 'cgroup-thaw'];
function remedyAction(v: string): RemedyAction {
  const a = ACTIONS.find((x) => x === v);
  if (!a) throw new UsageError(`--action takes one of ${ACTIONS.join(', ')}, not "${v}"`);
  return a;
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): Options & { help: boolean; version: boolean } {
  const o: Options & { help: boolean; version: boolean } = {
    once: false, json: false, intervalMs: 1000, timeoutMs: 5000, readOnly: false, dryRun: false, yes: false,
    graceMs: 3000, redact: false, noColor: !!env.NO_COLOR || env.TERM === 'dumb', help: false, version: false,
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    let inline: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      inline = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const spec = FLAGS.find((f) => f.flag === a || f.alias === a);
    if (!spec) throw new UsageError(`unknown option ${a} (see wedgetop --help)`);
    if (spec.flag === '--help') o.help = true;
    if (spec.flag === '--version') o.version = true;
    let v = '';
    if (spec.arg && spec.optionalArg) {
      const next = argv[i + 1];
      v = inline ?? (next !== undefined && !next.startsWith('-') ? argv[++i]! : '');
    } else if (spec.arg) {
      v = inline ?? argv[++i] ?? '';
      if (!v) throw new UsageError(`${spec.flag} needs ${spec.arg}`);
    }
    spec.set(o, v);
  }
  if (o.record && o.replay) throw new UsageError('--record and --replay do not go together');
  // Contradictory modes are refused rather than one silently winning over the other.
  if (o.once && o.json) throw new UsageError('--once and --json are two reports: choose one');
  if (o.prometheus && (o.once || o.json)) throw new UsageError('--prometheus writes its file and prints no report: drop --once / --json');
  if (o.fix && (o.once || o.json || o.prometheus || o.record)) throw new UsageError('--fix prints its own plan and outcome: it does not go with --once, --json, --prometheus or --record');
  if (o.log && (o.once || o.json || o.prometheus || o.fix)) throw new UsageError('--log is the live view\'s debug log: it does nothing with --once, --json, --prometheus or --fix');
  if ((o.yes || o.action) && !o.fix) throw new UsageError('--yes and --action only go with --fix');
  if (o.redact && o.bundle === undefined) throw new UsageError('--redact only goes with --bundle');
  if (o.bundle !== undefined && o.record) throw new UsageError('--bundle records by itself; --record does not go with it');
  if (o.bundle !== undefined && (o.once || o.json || o.prometheus || o.fix)) throw new UsageError('--bundle writes its file (with both reports in it) and prints no report: it does not go with --once, --json, --prometheus or --fix');
  return o;
}

export function helpText(): string {
  const lines = [
    `wedgetop ${VERSION} — who is stuck, on what, held by whom`,
    '',
    'Usage: wedgetop [options]',
    '  With no options on a terminal: the live, keyboard-driven view (press ? for keys).',
    '  Not on a terminal: the same report as --once.',
    '',
    'Options:',
  ];
  for (const f of FLAGS) {
    const name = `${f.alias ? `${f.alias}, ` : ''}${f.flag}${f.arg ? (f.optionalArg ? ` [${f.arg}]` : ` ${f.arg}`) : ''}`;
    lines.push(`  ${name.padEnd(22)} ${f.help}`);
  }
  lines.push('', 'Exit status (--once, --json, --fix): 0 nothing blocked / fixed, 1 blocked tasks remain, 2 usage or runtime error.');
  lines.push('Stacks and holders need root; without it wedgetop shows states and wchan.');
  return lines.join('\n') + '\n';
}

export function exitCodeFor(a: Analysis): number {
  return blockedCount(a) > 0 ? 1 : 0;
}

async function bundleMode(o: Options): Promise<number> {
  const { buildBundle, defaultBundlePath, isTmpfs, writeBundle } = await import('./bundle/bundle.js');
  const { readTree } = await import('./bundle/tree.js');
  let tree;
  let now: number | undefined;
  if (o.replay) {
    tree = readTree(path.resolve(o.replay));
    now = readSnapshotMeta(openReplay(o.replay).reader).timeMs;
  } else {
    // The recording goes to a private directory on a tmpfs first: never to a disk that may be frozen.
    // mkdtemp: a fresh 0700 directory with a random name; the recording goes into a new
    // directory inside it, made and verified like any --record DIR.
    const tmp = fs.mkdtempSync(path.join('/dev/shm', 'wedgetop-record-'));
    const rec = path.join(tmp, 'snapshot');
    const src = new SnapshotSource(o);
    try {
      await src.next(prepareRecordDir(rec));
      tree = readTree(rec);
    } finally {
      src.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  const b = buildBundle({ tree, live: !o.replay, redact: !!o.redact, now });
  const target = o.bundle || defaultBundlePath(b.host, new Date());
  if (!target) throw new UsageError('no tmpfs for the bundle (/run and /dev/shm are not tmpfs): give --bundle FILE.tar.gz');
  if (o.bundle && !isTmpfs(target)) process.stderr.write(`wedgetop: warning: ${target} is not on a tmpfs; if that filesystem is frozen this write hangs\n`);
  writeBundle(target, b.archive);
  process.stdout.write(`${target}\n`);
  process.stderr.write(escapeText(`bundle: ${b.files.length} files, ${b.archive.length} bytes${o.redact ? ', redacted' : ''}; verify: tar -xzf FILE -C DIR && cd DIR && sha256sum -c MANIFEST.sha256; replay with: ${shellCommand(['wedgetop', '--replay', target, '--once'])}`) + '\n');
  return exitCodeFor(b.analysis);
}

async function reportMode(o: Options): Promise<number> {
  if (o.bundle !== undefined) return bundleMode(o);
  const record = o.record ? prepareRecordDir(o.record) : undefined;
  const src = new SnapshotSource(o);
  try {
    const a = await src.next(record);
    if (o.prometheus === '-') process.stdout.write(prometheusText(a));
    else if (o.prometheus) writeAtomically(o.prometheus, prometheusText(a));
    else process.stdout.write(o.json ? JSON.stringify(toJson(a), null, 2) + '\n' : textReport(a));
    if (o.record) process.stderr.write(escapeText(`recorded to ${o.record}; replay with: ${shellCommand(['wedgetop', '--replay', o.record, '--once'])}`) + '\n');
    return exitCodeFor(a);
  } finally {
    src.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === REPLAY_CHILD_FLAG) {
    runReplayChild(argv[1] ?? '');
    return -1; // exits once its answer is sent
  }
  if (argv[0] === COLLECTOR_FLAG) {
    runCollectorChild();
    return -1; // stays alive serving requests
  }
  let o: ReturnType<typeof parseArgs>;
  try {
    o = parseArgs(argv);
    if (o.help) {
      process.stdout.write(helpText());
      return 0;
    }
    if (o.version) {
      process.stdout.write(`wedgetop ${VERSION}\n`);
      return 0;
    }
    if (o.replay && isBundlePath(o.replay)) {
      if (!fs.existsSync(o.replay)) throw new UsageError(`--replay ${o.replay}: no such file`);
      const u = unpackBundle(o.replay);
      try {
        return await main(argv.map((a, i) => (a === o.replay && /^--replay$/.test(argv[i - 1] ?? '') ? u.snapshotDir : a.startsWith('--replay=') ? `--replay=${u.snapshotDir}` : a)));
      } finally {
        u.remove();
      }
    }
    if (o.replay) openReplay(o.replay);
    if (o.fix) {
      const { runFix } = await import('./app/fix.js');
      return await runFix({ ...o, fix: o.fix }, new SnapshotSource(o));
    }
    // A dumb terminal cannot move the cursor: the full-screen view would be garbage there.
    const tty = process.stdout.isTTY && process.stdin.isTTY && process.env.TERM !== 'dumb';
    if (o.once || o.json || o.record || o.prometheus || o.bundle !== undefined || !tty) return await reportMode(o);
    const src = new SnapshotSource(o, { inChild: true });
    src.prefetch();
    const { runTui } = await import('./ui/run.js');
    return await runTui(o, src);
  } catch (e) {
    if (e instanceof UsageError || e instanceof SafeWriteError) {
      process.stderr.write(`wedgetop: ${escapeText(e.message)}\n`);
      return 2;
    }
    process.stderr.write(`wedgetop: ${escapeText(e instanceof Error ? e.message : String(e))}\n`);
    return 2;
  }
}
