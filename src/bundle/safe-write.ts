// Creating a file root writes where others may have planted a symlink: exclusive, no-follow
// creation (O_CREAT|O_EXCL|O_NOFOLLOW), so an existing file or link at the name is an error,
// never something written through. Mode 0600: a bundle holds stacks and file names.
import * as fs from 'node:fs';

export function writeNewFile(file: string, data: Buffer | string, mode = 0o600): void {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, mode);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    for (let off = 0; off < buf.length; ) off += fs.writeSync(fd, buf, off, buf.length - off);
  } finally {
    fs.closeSync(fd);
  }
}
