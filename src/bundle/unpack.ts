// --replay FILE.tar.gz: a bundle is untrusted input. It is unpacked into a private 0700
// directory on a tmpfs (mkdtemp under /dev/shm), every member checked by the strict reader
// (no "..", absolute names, links, devices, FIFOs, nothing over the caps), files created
// exclusively without following links; the recorder's symlinks come back from
// snapshot-links.json only at the paths where a recording has them. The caller replays
// DIR/snapshot and removes DIR afterwards.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { untarGz, TarError, DEFAULT_LIMITS, type TarLimits } from './tar.js';
import { LINK_PATH } from './tree.js';
import { LINKS_FILE, SNAPSHOT_DIR } from './bundle.js';
import { writeNewFile } from '../safefs/write.js';

export const isBundlePath = (p: string): boolean => /\.(tar\.gz|tgz)$/.test(p);

export interface Unpacked {
  dir: string;
  snapshotDir: string;
  remove(): void;
}

export function unpackBundle(file: string, limits: TarLimits = DEFAULT_LIMITS, tmpRoot = '/dev/shm'): Unpacked {
  const st = fs.statSync(file);
  if (!st.isFile()) throw new TarError(`${file} is not a regular file`);
  if (st.size > limits.maxCompressed) throw new TarError(`${file} is ${st.size} bytes, over the ${limits.maxCompressed}-byte cap`);
  const entries = untarGz(fs.readFileSync(file), limits);
  const dir = fs.mkdtempSync(path.join(tmpRoot, 'wedgetop-replay-'));
  const remove = (): void => fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.chmodSync(dir, 0o700);
    for (const e of entries) {
      const target = path.join(dir, e.name);
      if (!target.startsWith(dir + path.sep)) throw new TarError(`member escapes: ${e.name}`);
      if (e.type === 'dir') fs.mkdirSync(target, { recursive: true, mode: 0o700 });
      else {
        fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
        writeNewFile(target, e.data ?? Buffer.alloc(0));
      }
    }
    const snapshotDir = path.join(dir, SNAPSHOT_DIR);
    if (!fs.existsSync(path.join(snapshotDir, 'proc'))) throw new TarError(`${file} is not a wedgetop bundle (no ${SNAPSHOT_DIR}/proc in it)`);
    const linksFile = entries.find((e) => e.name === LINKS_FILE);
    if (linksFile) {
      let links: unknown;
      try {
        links = JSON.parse(linksFile.data!.toString('utf8'));
      } catch {
        throw new TarError(`${LINKS_FILE} is not JSON`);
      }
      if (!links || typeof links !== 'object' || Array.isArray(links)) throw new TarError(`${LINKS_FILE} is not an object`);
      for (const [rel, t] of Object.entries(links as Record<string, unknown>)) {
        if (!LINK_PATH.test(rel)) throw new TarError(`refusing link at ${JSON.stringify(rel)}: a recording has links only at proc/PID/{fd/N,cwd,ns/mnt}`);
        if (typeof t !== 'string' || t.length > 4096 || t.includes('\0')) throw new TarError(`bad link target for ${rel}`);
        const at = path.join(snapshotDir, rel);
        fs.mkdirSync(path.dirname(at), { recursive: true, mode: 0o700 });
        // symlink(2) fails if anything exists at the name: a link never replaces a file.
        fs.symlinkSync(t, at);
      }
    }
    return { dir, snapshotDir, remove };
  } catch (e) {
    remove();
    throw e;
  }
}
