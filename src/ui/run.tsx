// The TUI's lifetime: alternate screen in, Ink up, refresh loop on; and on every way out — q,
// Ctrl-C, SIGTERM/SIGHUP/SIGINT, an uncaught error, a render error — the terminal restored
// before anything is printed. Nothing may reach the terminal while Ink owns it: console output
// and process warnings go to the --log file (tmpfs) or nowhere.
import * as fs from 'node:fs';
import { render, type Instance } from 'ink';
import type { Options } from '../app/options.js';
import type { SnapshotSource } from '../app/source.js';
import { CollectorStalled } from '../collector/collector.js';
import { createUiStore, type ColumnStore, type UiStore } from '../store/store.js';
import { columnPrefs } from './prefs.js';
import { Refresher, type AnalysisProvider } from '../store/refresher.js';
import { StoreRemediator, type Executor } from '../store/remediation.js';
import { ActionLog } from '../actions/log.js';
import { App } from './App.js';
import { openTmpfsLog, nullLogger, type Logger } from './log.js';
import { pollMem, siMem, type MemReader } from './sysinfo.js';
import { trimHeap } from './heap.js';
import { detectCaps, type TermCaps } from './term.js';

const ENTER_ALT = '\u001b[?1049h\u001b[H\u001b[2J';
/** Cursor back, attributes reset, main screen back. */
export const RESTORE = '\u001b[0m\u001b[?25h\u001b[?1049l';

export interface TuiExtras {
  /** Where the F2 column choice is kept (default: $XDG_CONFIG_HOME/wedgetop/columns.json). */
  columnStore?: ColumnStore;
  /** Replaces execute() (tests: a fake executor, so a replay's fictional PIDs are never signalled). */
  execute?: Executor;
  /** The action log (tests: their own tmpfs directory); default /run/wedgetop or /dev/shm/wedgetop. */
  actionLog?: ActionLog;
  /** How long a remedy's follow-up watches the blocked tasks (default 15 s, as --fix). */
  followMs?: number;
  /** Replaces si.mem() (tests). */
  mem?: MemReader;
  caps?: TermCaps;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

type Source = AnalysisProvider & { close?: () => void; readonly live?: boolean; readonly client?: { readonly pid?: number; readonly computing?: boolean } };

const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'];
const SIGNO: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };

/** The store the TUI runs on, from the command-line options. */
export function storeFor(o: Options, live: boolean): UiStore {
  return createUiStore({ intervalMs: o.intervalMs, timeoutMs: o.timeoutMs, readOnly: o.readOnly, dryRun: o.dryRun, live, replayDir: o.replay });
}

export async function runTui(o: Options, source: SnapshotSource | Source, extras: TuiExtras = {}): Promise<number> {
  const stdout = extras.stdout ?? process.stdout;
  const stdin = extras.stdin ?? process.stdin;
  const stderr = extras.stderr ?? process.stderr;
  // Refused before the screen is touched, so the message is readable.
  const log: Logger = o.log ? openTmpfsLog(o.log) : nullLogger;
  const caps = extras.caps ?? detectCaps(process.env, o.noColor);
  const src = source as Source;
  const store = storeFor(o, src.live ?? !o.replay);
  const live = src.live ?? !o.replay;
  // The F2 column choice, read before the first frame (bounded; skipped on a filesystem that can hang).
  const columns = extras.columnStore ?? columnPrefs(process.env);
  if (columns) store.getState().setColumnStore(columns);
  const refresher = new Refresher(store, src, {
    // A replay is read once, by a child that cannot hang on a snapshot (snapshot-dir.ts), and a
    // big one takes seconds: not a stall.
    intervalMs: o.intervalMs, timeoutMs: live ? o.timeoutMs : Math.max(o.timeoutMs, 120_000), log,
    isStall: (e) => e instanceof CollectorStalled,
    computing: () => src.client?.computing ?? false,
    static: !live,
  });
  // --read-only takes no actions, so it creates no log directory either.
  if (!o.readOnly) {
    store.getState().setRemediator(new StoreRemediator(store, {
      ctx: () => ({ selfPid: process.pid, collectorPid: src.client?.pid, readOnly: o.readOnly, live }),
      dryRun: o.dryRun,
      replay: !live,
      replayDir: o.replay,
      graceMs: o.graceMs,
      log: extras.actionLog ?? new ActionLog(),
      followMs: extras.followMs,
      // The refresher's own next result: never a second request on the collector at once.
      next: () => refresher.nextAnalysis(),
      execute: extras.execute,
    }));
  }

  let ink: Instance | undefined;
  let restored = false;
  const undo: (() => void)[] = [];

  // Synchronous on purpose: it also runs from 'exit' and signal handlers.
  const restore = (): void => {
    if (restored) return;
    restored = true;
    refresher.stop();
    try {
      ink?.unmount();
    } catch {
      /* already gone */
    }
    try {
      if (stdin.isTTY) stdin.setRawMode(false);
    } catch {
      /* not a tty any more */
    }
    writeSync(stdout, RESTORE);
    for (const u of undo.splice(0).reverse()) u();
    try {
      src.close?.();
    } catch {
      /* best effort */
    }
    log('tui: terminal restored');
    log.close();
  };

  return await new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number, err?: unknown): void => {
      if (done) return;
      done = true;
      restore();
      if (err !== undefined) stderr.write(`wedgetop: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      resolve(code);
      // A handle stuck on the wedged kernel (an fs read in the thread pool) must not keep us alive.
      if (stdout === process.stdout) setTimeout(() => process.exit(code), 1000).unref();
    };

    const onSignal = (sig: NodeJS.Signals): void => {
      log(`tui: ${sig}`);
      finish(128 + (SIGNO[sig] ?? 15));
    };
    const onUncaught = (e: unknown): void => {
      log(`tui: uncaught ${e instanceof Error ? e.stack : String(e)}`);
      finish(2, e);
    };
    const onExit = (): void => restore();
    for (const s of SIGNALS) process.on(s, onSignal);
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    process.on('exit', onExit);
    undo.push(() => {
      for (const s of SIGNALS) process.off(s, onSignal);
      process.off('uncaughtException', onUncaught);
      process.off('unhandledRejection', onUncaught);
      process.off('exit', onExit);
    });
    undo.push(quietConsole(log));

    writeSync(stdout, ENTER_ALT);
    log(`tui: start ${stdout.columns}x${stdout.rows} caps ${JSON.stringify(caps)} replay=${o.replay ?? '-'}`);
    undo.push(trimHeap(log));
    // First request before Ink's first render: the collector child starts (a whole node process)
    // while Ink sets up, which brings the first root cause on screen sooner.
    refresher.start();
    try {
      ink = render(<App store={store} caps={caps} onQuit={() => finish(0)} />, {
        stdout, stdin, stderr,
        // Ctrl-C is a key like q here: the exit path restores the terminal first.
        exitOnCtrlC: false,
        // Console output is sent to the log instead (quietConsole).
        patchConsole: false,
      });
    } catch (e) {
      finish(2, e);
      return;
    }
    // A render error: Ink unmounts and rejects; show it once the terminal is back.
    ink.waitUntilExit().then(() => finish(0), (e: unknown) => finish(2, e));

    const ticker = setInterval(() => store.getState().tick(), 1000);
    ticker.unref();
    undo.push(() => clearInterval(ticker));
    if (live) {
      undo.push(pollMem(extras.mem ?? siMem, (m) => store.getState().setMem(m), 5000, 1000, log));
    }
  });
}

function writeSync(stream: NodeJS.WriteStream, data: string): void {
  // fd writes are synchronous even from an 'exit' handler, where stream writes may be lost.
  const fd = (stream as NodeJS.WriteStream & { fd?: number }).fd;
  try {
    if (typeof fd === 'number') fs.writeSync(fd, data);
    else stream.write(data);
  } catch {
    /* the terminal is gone (SIGHUP) */
  }
}

/** Console methods and process warnings into the log while Ink owns the terminal. */
function quietConsole(log: Logger): () => void {
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const saved = methods.map((m) => [m, console[m]] as const);
  for (const m of methods) console[m] = (...args: unknown[]) => log(`console.${m}: ${args.map(String).join(' ')}`);
  const warningListeners = process.listeners('warning');
  process.removeAllListeners('warning');
  const onWarning = (w: Error): void => log(`warning: ${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  return () => {
    for (const [m, f] of saved) console[m] = f;
    process.off('warning', onWarning);
    for (const l of warningListeners) process.on('warning', l);
  };
}
