// Replaying a recorded snapshot: collect() on a ReplaySource, stamped with meta.json's time.
// The TUI reads it in a child process: a snapshot of 100,000 threads takes seconds to read
// (each file is checked component by component, see snapshot-dir.ts), and read in the UI's own
// process that was seconds of a blank screen that ignored every key.
import { spawn } from 'node:child_process';
import type { Snapshot } from '../model.js';
import { collect } from './collect.js';
import { ReplaySource } from '../procfs/source.js';
import { readSnapshotMeta } from '../procfs/snapshot-dir.js';

export const REPLAY_CHILD_FLAG = '--replay-child';

/** Collect a replayed snapshot, stamped with the time meta.json gives (or marked unknown). */
export function collectReplay(src: ReplaySource): Snapshot {
  const meta = readSnapshotMeta(src.reader);
  const snap = collect(src, { now: meta.timeMs });
  if (meta.timeMs === undefined) snap.timeUnknown = true;
  snap.warnings.unshift(...meta.warnings);
  return snap;
}

type Reply = { snapshot: Snapshot } | { error: string };

/** Entry point of the child: one snapshot of DIR, sent back, then exit. */
export function runReplayChild(dir: string): void {
  let reply: Reply;
  try {
    const src = new ReplaySource(dir);
    if (!src.reader.isDir('/proc')) throw new Error(`${dir} is not a wedgetop snapshot directory (no proc/ in it)`);
    reply = { snapshot: collectReplay(src) };
  } catch (e) {
    reply = { error: e instanceof Error ? e.message : String(e) };
  }
  process.send?.(reply, undefined, {}, () => process.exit(0));
}

/**
 * The replayed snapshot, read by a child process (the caller's event loop keeps running).
 * kill() ends a child still reading (the admin quit first).
 */
export function replayInChild(dir: string, entry: string = process.argv[1]!): { snapshot: Promise<Snapshot>; kill: () => void } {
  // In the single executable the program is the binary itself: no script argument.
  const args = process.env.WEDGETOP_SEA ? [REPLAY_CHILD_FLAG, dir] : [...process.execArgv, entry, REPLAY_CHILD_FLAG, dir];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  const snapshot = new Promise<Snapshot>((resolve, reject) => {
    child.once('message', (m: Reply) => {
      if ('error' in m) reject(new Error(m.error));
      else resolve(m.snapshot);
    });
    // After a reply this does nothing (a promise settles once).
    child.once('exit', (code, sig) => reject(new Error(`the snapshot reader exited (${sig ?? code}) without an answer`)));
    child.once('error', reject);
  });
  return {
    snapshot,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
