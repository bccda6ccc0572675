// Where every mode's analyses come from: a recorded directory (analysed here: there is no
// child), or the live collector child, which ships the Analysis it made (the UI process runs no
// kernel analysis).
import * as fs from 'node:fs';
import type { Analysis, Snapshot } from '../model.js';
import { CollectorClient, type RecordTarget } from '../collector/collector.js';
import { Analyst } from '../collector/analyst.js';
import { ReplaySource } from '../procfs/source.js';
import { collectReplay, replayInChild } from '../collector/replay.js';
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

/** The analyses every mode uses: of a recorded directory, or made by the live collector child. */
export class SnapshotSource {
  readonly client?: CollectorClient;
  private readonly replaySource?: ReplaySource;
  /** A recording is one moment: read it once, then analyse the same snapshot every refresh. */
  private replayed?: Promise<Snapshot>;
  private killReplay?: () => void;
  private readonly analyst = new Analyst();
  /** The first request, sent before the TUI's modules load (prefetch). */
  private first?: Promise<Analysis>;
  /** inChild: read a replayed snapshot in a child process (the TUI: it draws and answers keys meanwhile). */
  constructor(private readonly o: Options, private readonly opts: { inChild?: boolean } = {}) {
    if (o.replay) this.replaySource = openReplay(o.replay);
    else this.client = new CollectorClient();
  }
  get live(): boolean {
    return !this.o.replay;
  }
  /**
   * Send the first live request now: the collector child (a whole node process) starts and
   * scans while the TUI's modules (Ink, React, yoga) are evaluated, instead of after them.
   */
  prefetch(): void {
    if (!this.client || this.first) return;
    this.first = this.client.analysis({ selfPid: process.pid }, this.o.timeoutMs, undefined, { killGraceMs: this.o.graceMs });
    // Taken by the first next(); until then a failure must not count as unhandled.
    this.first.catch(() => undefined);
  }
  async next(record?: RecordTarget): Promise<Analysis> {
    if (this.first && !record) {
      const f = this.first;
      this.first = undefined;
      return f;
    }
    const analysis = { killGraceMs: this.o.graceMs };
    if (this.replaySource) {
      const src = this.replaySource;
      if (!this.replayed && this.opts.inChild) {
        const c = replayInChild(src.dir);
        this.killReplay = c.kill;
        this.replayed = c.snapshot;
      }
      const snap = await (this.replayed ??= Promise.resolve().then(() => collectReplay(src)));
      return this.analyst.analyze(snap, analysis);
    }
    return this.client!.analysis({ selfPid: process.pid }, this.o.timeoutMs, record, analysis);
  }
  close(): void {
    this.client?.close();
    this.killReplay?.();
  }
}
