// wedgetop's entry point: flags, then one of the modes (TUI, --once, --json, --record, --fix),
// or the collector child when started with COLLECTOR_FLAG.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Analysis, RemedyAction, Snapshot } from './model.js';
import { COLLECTOR_FLAG, CollectorClient, prepareRecordDir, runCollectorChild } from './procfs/collector.js';
import { collect } from './procfs/collect.js';
import { ReplaySource } from './procfs/source.js';
import { analyze } from './graph/analyze.js';
import { textReport } from './report/text.js';
import { toJson, blockedCount } from './report/json.js';
import { prometheusText, writeAtomically } from './report/prometheus.js';
import { VERSION } from './version.js';

export interface Options {
  once: boolean;
  json: boolean;
  record?: string;
  replay?: string;
  intervalMs: number;
  timeoutMs: number;
  readOnly: boolean;
  dryRun: boolean;
  fix?: string;
  action?: RemedyAction;
  yes: boolean;
  graceMs: number;
  log?: string;
  noColor: boolean;
  prometheus?: string;
}

interface FlagSpec {
  flag: string;
  alias?: string;
  arg?: string;
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
  { flag: '--replay', arg: 'DIR', help: 'read a recorded snapshot instead of the live /proc (works with every mode)', set: (o, v) => (o.replay = v) },
  { flag: '--prometheus', arg: 'FILE', help: 'write the snapshot as node_exporter textfile metrics to FILE (atomically) and exit', set: (o, v) => (o.prometheus = v) },
  { flag: '--interval', arg: 'SEC', help: 'TUI refresh interval (default 1)', set: (o, v) => (o.intervalMs = seconds('--interval', v)) },
  { flag: '--timeout', arg: 'SEC', help: 'give up on a collector that has not answered after SEC (default 5)', set: (o, v) => (o.timeoutMs = seconds('--timeout', v)) },
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

export class UsageError extends Error {}

const ACTIONS: RemedyAction[] = ['kill', 'cont', 'thaw', 'fuse-abort'];
function remedyAction(v: string): RemedyAction {
  const a = ACTIONS.find((x) => x === v);
  if (!a) throw new UsageError(`--action takes one of ${ACTIONS.join(', ')}, not "${v}"`);
  return a;
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): Options & { help: boolean; version: boolean } {
  const o: Options & { help: boolean; version: boolean } = {
    once: false, json: false, intervalMs: 1000, timeoutMs: 5000, readOnly: false, dryRun: false, yes: false,
    graceMs: 3000, noColor: !!env.NO_COLOR || env.TERM === 'dumb', help: false, version: false,
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
    if (spec.arg) {
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
    const name = `${f.alias ? `${f.alias}, ` : ''}${f.flag}${f.arg ? ` ${f.arg}` : ''}`;
    lines.push(`  ${name.padEnd(22)} ${f.help}`);
  }
  lines.push('', 'Exit status (--once, --json, --fix): 0 nothing blocked / fixed, 1 blocked tasks remain, 2 usage or runtime error.');
  lines.push('Stacks and holders need root; without it wedgetop shows states and wchan.');
  return lines.join('\n') + '\n';
}

interface ReplayMeta {
  time?: string;
}

function replayMeta(dir: string): ReplayMeta {
  const p = path.join(dir, 'meta.json');
  if (!fs.existsSync(dir)) throw new UsageError(`--replay ${dir}: no such directory`);
  if (!fs.existsSync(path.join(dir, 'proc'))) throw new UsageError(`${dir} is not a wedgetop snapshot directory (no proc/ in it)`);
  try {
    return JSON.parse(fs.readFileSync(p, 'utf8')) as ReplayMeta;
  } catch {
    return {};
  }
}

/** The snapshot source every mode uses: a recorded directory, or the live collector child. */
export class SnapshotSource {
  readonly client?: CollectorClient;
  private readonly replayNow?: number;
  /** A recording is one moment: read it once, then hand out the same snapshot every refresh. */
  private replayed?: Snapshot;
  constructor(private readonly o: Options) {
    if (o.replay) {
      const meta = replayMeta(o.replay);
      this.replayNow = meta.time ? Date.parse(meta.time) : undefined;
    } else this.client = new CollectorClient();
  }
  get live(): boolean {
    return !this.o.replay;
  }
  async next(recordDir?: string): Promise<Snapshot> {
    if (this.o.replay) return (this.replayed ??= collect(new ReplaySource(path.resolve(this.o.replay)), { now: this.replayNow }));
    return this.client!.snapshot({ selfPid: process.pid }, this.o.timeoutMs, recordDir);
  }
  close(): void {
    this.client?.close();
  }
}

export function exitCodeFor(a: Analysis): number {
  return blockedCount(a) > 0 ? 1 : 0;
}

async function reportMode(o: Options): Promise<number> {
  if (o.record) {
    const err = prepareRecordDir(o.record);
    if (err) throw new UsageError(err);
  }
  const src = new SnapshotSource(o);
  try {
    const snap = await src.next(o.record ? path.resolve(o.record) : undefined);
    const a = analyze(snap);
    if (o.prometheus) writeAtomically(o.prometheus, prometheusText(a));
    else process.stdout.write(o.json ? JSON.stringify(toJson(a), null, 2) + '\n' : textReport(a));
    if (o.record) process.stderr.write(`recorded to ${o.record}; replay with: wedgetop --replay ${o.record} --once\n`);
    return exitCodeFor(a);
  } finally {
    src.close();
  }
}

export async function main(argv: string[]): Promise<number> {
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
    if (o.replay) replayMeta(o.replay);
    if (o.fix) {
      const { runFix } = await import('./actions/fix.js');
      return await runFix({ ...o, fix: o.fix }, new SnapshotSource(o));
    }
    // A dumb terminal cannot move the cursor: the full-screen view would be garbage there.
    const tty = process.stdout.isTTY && process.stdin.isTTY && process.env.TERM !== 'dumb';
    if (o.once || o.json || o.record || o.prometheus || !tty) return await reportMode(o);
    const { runTui } = await import('./ui/run.js');
    return await runTui(o, new SnapshotSource(o));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`wedgetop: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`wedgetop: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}
