// Where every mode's snapshots come from: a recorded directory, or the live collector child.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Snapshot } from '../model.js';
import { CollectorClient, type RecordTarget } from '../procfs/collector.js';
import { collect } from '../procfs/collect.js';
import { ReplaySource } from '../procfs/source.js';
import { UsageError, type Options } from './options.js';

export interface ReplayMeta {
  time?: string;
}

export function replayMeta(dir: string): ReplayMeta {
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
  async next(record?: RecordTarget): Promise<Snapshot> {
    if (this.o.replay) return (this.replayed ??= collect(new ReplaySource(path.resolve(this.o.replay)), { now: this.replayNow }));
    return this.client!.snapshot({ selfPid: process.pid }, this.o.timeoutMs, record);
  }
  close(): void {
    this.client?.close();
  }
}
