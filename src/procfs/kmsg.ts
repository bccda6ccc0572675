// Reading /dev/kmsg without blocking. Each read() returns one record ("prio,seq,usec,flags;text"
// plus continuation lines); O_NONBLOCK makes the read past the last one fail with EAGAIN instead
// of waiting for the next. Two ways in: all the records available now through a fresh fd (a
// one-shot scan), or the records since the last call through one fd kept open (the live
// collector, which would otherwise re-read and re-filter the whole ring every second).
import * as fs from 'node:fs';
import { parseKmsg } from './parse.js';

function openKmsg(): number | undefined {
  try {
    return fs.openSync('/dev/kmsg', fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
}

/** The records an fd on /dev/kmsg has now, at most max, each without its final newline. */
function drain(fd: number, buf: Buffer, max: number, each: (rec: string) => void): void {
  for (let i = 0; i < max; i++) {
    let n: number;
    try {
      n = fs.readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      // EAGAIN: no more records. EPIPE: records were overwritten before this fd got to them
      // (the fd skips to the oldest one left); go on.
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') continue;
      break;
    }
    if (n <= 0) break;
    each(buf.toString('utf8', 0, n).replace(/\n$/, ''));
  }
}

/** Read every record /dev/kmsg has now. */
export function readKmsgNonBlocking(maxRecords = 20000): string | undefined {
  const fd = openKmsg();
  if (fd === undefined) return undefined;
  const out: string[] = [];
  try {
    drain(fd, Buffer.alloc(8192), maxRecords, (r) => out.push(r));
  } finally {
    fs.closeSync(fd);
  }
  return out.join('\n');
}

/**
 * Tails /dev/kmsg through one fd kept open, keeping only the records `keep` wants (by their text)
 * and at most the last 500 to 1000 of them: a record read once is gone from this fd.
 */
export class KmsgTail {
  private fd?: number;
  private failed = false;
  private records: string[] = [];
  private readonly buf = Buffer.alloc(8192);

  constructor(private readonly keep: (text: string) => boolean) {}

  read(): string | undefined {
    if (this.fd === undefined && !this.failed) {
      this.fd = openKmsg();
      this.failed = this.fd === undefined;
    }
    if (this.fd === undefined) return undefined;
    drain(this.fd, this.buf, 20000, (rec) => {
      const r = parseKmsg(rec)[0];
      if (r && this.keep(r.text)) this.records.push(rec);
    });
    if (this.records.length > 1000) this.records = this.records.slice(-500);
    return this.records.join('\n');
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
