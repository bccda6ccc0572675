// Where every mode's snapshots come from: a recorded directory, or the live collector child.
import * as fs from 'node:fs';
import type { Snapshot } from '../model.js';
import { CollectorClient, type RecordTarget } from '../procfs/collector.js';
import { ReplaySource } from '../procfs/source.js';
import { collectReplay, replayInChild } from '../procfs/replay.js';
import { UsageError, type Options } from './options.js';

/** A snapshot directory to replay, checked once: a real directory with a real proc/ in it. */
export function openReplay(dir: string): ReplaySource {
  if (!fs.existsSync(dir)) throw new UsageError(`--replay ${dir}: no such directory`);
  let src: ReplaySource;
  try {
    src = new ReplaySource(dir);
  } catch {
    throw new UsageError(`${dir} is not a wedgetop snapshot directory (no proc/ in it)`);
  }
  if (!src.reader.isDir('/proc')) throw new UsageError(`${dir} is not a wedgetop snapshot directory (no proc/ in it)`);
  return src;
}

/** The snapshot source every mode uses: a recorded directory, or the live collector child. */
export class SnapshotSource {
  readonly client?: CollectorClient;
  private readonly replaySource?: ReplaySource;
  /** A recording is one moment: read it once, then hand out the same snapshot every refresh. */
  private replayed?: Promise<Snapshot>;
  private killReplay?: () => void;
  /** inChild: read a replayed snapshot in a child process (the TUI: it draws and answers keys meanwhile). */
  constructor(private readonly o: Options, private readonly opts: { inChild?: boolean } = {}) {
    if (o.replay) this.replaySource = openReplay(o.replay);
    else this.client = new CollectorClient();
  }
  get live(): boolean {
    return !this.o.replay;
  }
  async next(record?: RecordTarget): Promise<Snapshot> {
    if (this.replaySource) {
      const src = this.replaySource;
      if (!this.replayed && this.opts.inChild) {
        const c = replayInChild(src.dir);
        this.killReplay = c.kill;
        this.replayed = c.snapshot;
      }
      return (this.replayed ??= Promise.resolve().then(() => collectReplay(src)));
    }
    return this.client!.snapshot({ selfPid: process.pid }, this.o.timeoutMs, record);
  }
  close(): void {
    this.client?.close();
    this.killReplay?.();
  }
}
