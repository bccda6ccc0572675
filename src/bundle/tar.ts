// A minimal ustar writer and a strict reader, gzip through node's zlib: the support bundle needs
// regular files and directories only, and a bundle from someone else's box is untrusted input.
// The reader refuses everything a hostile archive uses to escape or exhaust: `..` and absolute
// names, symlinks, hardlinks, devices, FIFOs, pax/GNU extension headers, duplicate names, and
// members or totals over the size caps. Gunzip is bounded too (a gzip bomb stops at the cap).
import * as zlib from 'node:zlib';

export interface TarEntry {
  /** Relative POSIX path, no leading "/", no "..". Directories end without "/". */
  name: string;
  type: 'file' | 'dir';
  data?: Buffer;
  mode?: number;
}

export interface TarLimits {
  /** Largest gzip file accepted. */
  maxCompressed: number;
  /** Largest single member. */
  maxMember: number;
  /** Sum of all member sizes (and the gunzip output cap). */
  maxTotal: number;
  maxMembers: number;
}

export const DEFAULT_LIMITS: TarLimits = {
  maxCompressed: 64 << 20,
  maxMember: 16 << 20,
  maxTotal: 256 << 20,
  maxMembers: 200_000,
};

export class TarError extends Error {}

const BLOCK = 512;

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function splitName(name: string): { name: string; prefix: string } {
  if (Buffer.byteLength(name) <= 100) return { name, prefix: '' };
  // ustar: a longer name is prefix (<=155) + "/" + name (<=100), split at a slash.
  for (let i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest) return { name: rest, prefix };
  }
  throw new TarError(`name too long for ustar: ${name}`);
}

function header(e: TarEntry, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  const { name, prefix } = splitName(e.name);
  const size = e.type === 'file' ? e.data?.length ?? 0 : 0;
  h.write(name, 0, 100, 'utf8');
  h.write(octal(e.mode ?? (e.type === 'dir' ? 0o700 : 0o600), 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii');
  h.write(octal(0, 8), 116, 8, 'ascii');
  h.write(octal(size, 12), 124, 12, 'ascii');
  h.write(octal(mtime, 12), 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii');
  h.write(e.type === 'dir' ? '5' : '0', 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write('root', 265, 32, 'ascii');
  h.write('root', 297, 32, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 8, 'ascii');
  return h;
}

/** The entries as a .tar.gz (dirs before their contents is the caller's order). */
export function tarGz(entries: TarEntry[], mtimeSec = Math.floor(Date.now() / 1000)): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    checkName(e.name);
    parts.push(header(e, mtimeSec));
    if (e.type === 'file' && e.data?.length) {
      parts.push(e.data);
      const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad, 0));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return zlib.gzipSync(Buffer.concat(parts), { level: 9 });
}

/** A member name must be relative and stay inside the directory it is unpacked into. */
export function checkName(name: string): void {
  if (!name || name.includes('\0')) throw new TarError('empty member name');
  if (name.startsWith('/')) throw new TarError(`absolute member name: ${JSON.stringify(name)}`);
  const parts = name.split('/');
  if (parts.some((p) => p === '..')) throw new TarError(`member name with "..": ${JSON.stringify(name)}`);
  if (parts.some((p) => p === '' || p === '.')) throw new TarError(`member name not normalised: ${JSON.stringify(name)}`);
}

function field(h: Buffer, off: number, len: number): string {
  const end = h.indexOf(0, off);
  return h.toString('utf8', off, end >= 0 && end < off + len ? end : off + len);
}

function num(h: Buffer, off: number, len: number, what: string): number {
  const s = field(h, off, len).trim();
  if (!/^[0-7]*$/.test(s)) throw new TarError(`bad ${what} field`);
  return s ? parseInt(s, 8) : 0;
}

const TYPE_NAMES: Record<string, string> = {
  '1': 'hardlink', '2': 'symlink', '3': 'character device', '4': 'block device', '6': 'FIFO', '7': 'contiguous file',
  x: 'pax header', g: 'pax global header', L: 'GNU long name', K: 'GNU long link name',
};

/** Parse a .tar.gz into its entries, refusing anything but plain files and directories. */
export function untarGz(gz: Buffer, limits: TarLimits = DEFAULT_LIMITS): TarEntry[] {
  if (gz.length > limits.maxCompressed) throw new TarError(`archive is ${gz.length} bytes, over the ${limits.maxCompressed}-byte cap`);
  let tar: Buffer;
  try {
    tar = zlib.gunzipSync(gz, { maxOutputLength: limits.maxTotal + 1024 * 1024 });
  } catch (e) {
    throw new TarError(`not a gzip file, or it unpacks past the size cap: ${(e as Error).message}`);
  }
  const out: TarEntry[] = [];
  const seen = new Set<string>();
  let total = 0;
  for (let off = 0; off + BLOCK <= tar.length; ) {
    const h = tar.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    if (sum !== num(h, 148, 8, 'checksum')) throw new TarError(`bad header checksum at offset ${off}`);
    if (!field(h, 257, 6).startsWith('ustar')) throw new TarError(`not a ustar header at offset ${off}`);
    const type = String.fromCharCode(h[156]!);
    const prefix = field(h, 345, 155);
    const base = field(h, 0, 100);
    const name = (prefix ? `${prefix}/${base}` : base).replace(/\/$/, '');
    const size = num(h, 124, 12, 'size');
    if (type !== '0' && type !== '\0' && type !== '5') throw new TarError(`refusing ${TYPE_NAMES[type] ?? `type ${JSON.stringify(type)}`} member ${JSON.stringify(name)}`);
    checkName(name);
    if (seen.has(name)) throw new TarError(`duplicate member ${JSON.stringify(name)}`);
    seen.add(name);
    if (out.length >= limits.maxMembers) throw new TarError(`more than ${limits.maxMembers} members`);
    if (size > limits.maxMember) throw new TarError(`member ${JSON.stringify(name)} is ${size} bytes, over the ${limits.maxMember}-byte cap`);
    total += size;
    if (total > limits.maxTotal) throw new TarError(`members add up to more than ${limits.maxTotal} bytes`);
    off += BLOCK;
    if (off + size > tar.length) throw new TarError(`member ${JSON.stringify(name)} is truncated`);
    if (type === '5') out.push({ name, type: 'dir' });
    else out.push({ name, type: 'file', data: Buffer.from(tar.subarray(off, off + size)) });
    off += Math.ceil(size / BLOCK) * BLOCK;
  }
  return out;
}
