// How one thread's two small files are read at every look: schedstat (has it run since?) and stat
// (its state). On the live /proc through fds kept open, parsed from the bytes; on any other
// source (a replayed directory in the tests) by plain reads.
import * as fs from 'node:fs';
import type { ProcSource } from '../../procfs/source.js';
import { parseSchedstat } from '../../procfs/parse.js';
import { readFile } from '../../procfs/files.js';
import type { HeldFds } from './held-fds.js';

/** What the I/O needs of a thread (the table's entry). */
export interface ThreadHandle {
  pid: number;
  tid: number;
  /** Held schedstat fd, -1 when none. */
  fd: number;
  /** Held stat fd while the task is shown (re-read every refresh), -1 when none. */
  statFd: number;
  /** Wall ms when the state was last verified (0: never). */
  readAt: number;
}

export interface ThreadIO {
  /** Read schedstat into run/runs; false when there is none to read. */
  schedstat(e: ThreadHandle): boolean;
  run: number;
  runs: number;
  /** hold: keep the stat fd open (a shown task, read every refresh). */
  stat(e: ThreadHandle, hold: boolean): string | undefined;
  /** Close the stat fd of a task no longer shown. */
  releaseStat(e: ThreadHandle): void;
  release(e: ThreadHandle): void;
  readonly held: number;
}

export class SourceThreadIO implements ThreadIO {
  readonly held = 0;
  run = NaN;
  runs = NaN;
  constructor(private readonly src: ProcSource) {}
  schedstat(e: ThreadHandle): boolean {
    const t = this.src.read(`/proc/${e.pid}/task/${e.tid}/schedstat`);
    if (t === undefined) return false;
    const s = parseSchedstat(t);
    this.run = s?.runNs ?? NaN;
    this.runs = s?.runs ?? NaN;
    return true;
  }
  stat(e: ThreadHandle): string | undefined {
    return readFile(this.src, { kind: 'task-stat', pid: e.pid, tid: e.tid });
  }
  releaseStat(): void {}
  release(): void {}
}

export class LiveThreadIO implements ThreadIO {
  run = NaN;
  runs = NaN;
  private readonly buf = Buffer.allocUnsafe(1024);
  constructor(private readonly src: ProcSource, private readonly fds: HeldFds) {}

  get held(): number {
    return this.fds.held;
  }

  schedstat(e: ThreadHandle): boolean {
    // The first look at a thread reads stat only (a fast first snapshot); the fd is opened at
    // the second, which also sets the baseline.
    if (e.fd < 0) {
      if (e.readAt === 0) return false;
      e.fd = this.fds.open(`/proc/${e.pid}/task/${e.tid}/schedstat`);
      if (e.fd < 0) return false;
    }
    let n: number;
    try {
      // pread at 0: a seq_file regenerates its text when read from the start.
      n = fs.readSync(e.fd, this.buf, 0, 256, 0);
    } catch {
      // ESRCH: the thread is gone (the fd names the task, not the number).
      this.release(e);
      return false;
    }
    // "RUN_NS DELAY_NS RUNS\n" (parseSchedstat's format), parsed from the bytes: a thread that
    // did not run then costs no allocation at all.
    const b = this.buf;
    let i = 0;
    let run = 0;
    for (; i < n && b[i] !== 0x20; i++) run = run * 10 + (b[i]! - 0x30);
    for (i++; i < n && b[i] !== 0x20; i++);
    let runs = 0;
    for (i++; i < n && b[i]! >= 0x30 && b[i]! <= 0x39; i++) runs = runs * 10 + (b[i]! - 0x30);
    this.run = run;
    this.runs = i > 0 ? runs : NaN;
    return true;
  }

  stat(e: ThreadHandle, hold: boolean): string | undefined {
    if (e.statFd < 0 && hold) e.statFd = this.fds.open(`/proc/${e.pid}/task/${e.tid}/stat`);
    if (e.statFd < 0) return readFile(this.src, { kind: 'task-stat', pid: e.pid, tid: e.tid });
    try {
      const n = fs.readSync(e.statFd, this.buf, 0, this.buf.length, 0);
      // A stat line is ~300 bytes; a longer one (it cannot be) would need the general path.
      if (n === this.buf.length) return readFile(this.src, { kind: 'task-stat', pid: e.pid, tid: e.tid });
      return this.buf.toString('utf8', 0, n);
    } catch {
      this.releaseStat(e);
      return undefined;
    }
  }

  releaseStat(e: ThreadHandle): void {
    if (e.statFd < 0) return;
    this.fds.close(e.statFd);
    e.statFd = -1;
  }

  release(e: ThreadHandle): void {
    this.releaseStat(e);
    if (e.fd < 0) return;
    this.fds.close(e.fd);
    e.fd = -1;
  }
}
