// A snapshot directory (the --record layout) held in memory: files, directories and the
// symlinks the recorder makes for fd links, cwd and ns/mnt. The bundle is built from it and
// replayed from it, so a redacted bundle's reports come from exactly the redacted data.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RecordedSource } from '../procfs/source.js';
import { SnapshotDir } from '../procfs/snapshot-dir.js';

export type TreeNode = { kind: 'file'; data: Buffer } | { kind: 'dir' } | { kind: 'link'; target: string };
/** Relative POSIX path ("proc/1/stat") -> node. */
export type Tree = Map<string, TreeNode>;

/** What a recording never needs and a bundle must never carry (they hold secrets). */
const NEVER = new Set(['environ', 'cmdline']);

/**
 * The only places a recording has symlinks (collect.ts reads exactly these with readlink).
 * Anything else is refused when a bundle is unpacked: a link elsewhere could redirect a read.
 */
export const LINK_PATH = /^proc\/\d+\/(fd\/\d+|cwd|ns\/mnt)$/;

/**
 * A snapshot directory read into memory. It may be a replayed, untrusted one: every read goes
 * through SnapshotDir (no symlink followed, regular files only, size caps); the links the recorder
 * writes are read as links, and anything it refused is left out, named in `refused`.
 */
export function readTree(dir: string, maxFiles = 500_000, refused: string[] = []): Tree {
  const out: Tree = new Map();
  const reader = new SnapshotDir(dir);
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(reader.root, rel), { withFileTypes: true })) {
      if (NEVER.has(e.name)) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (out.size >= maxFiles) throw new Error(`${dir}: more than ${maxFiles} files`);
      if (e.isSymbolicLink()) {
        const target = reader.readlink(`/${r}`);
        if (target !== undefined) out.set(r, { kind: 'link', target });
      } else if (e.isDirectory()) {
        if (!reader.isDir(`/${r}`)) continue;
        out.set(r, { kind: 'dir' });
        walk(r);
      } else {
        const data = reader.readBytes(`/${r}`);
        if (data !== undefined) out.set(r, { kind: 'file', data });
      }
    }
  };
  walk('');
  refused.push(...reader.takeWarnings());
  return out;
}

/** A ProcSource over a Tree: replay without writing the tree anywhere. */
export class TreeSource extends RecordedSource {
  readonly errors = new Map<string, number>();
  private readonly children = new Map<string, string[]>();
  constructor(private readonly tree: Tree) {
    super();
    for (const k of tree.keys()) {
      const i = k.lastIndexOf('/');
      const parent = i < 0 ? '' : k.slice(0, i);
      const l = this.children.get(parent);
      if (l) l.push(k.slice(i + 1));
      else this.children.set(parent, [k.slice(i + 1)]);
    }
  }
  private node(p: string): TreeNode | undefined {
    const n = this.tree.get(p.replace(/^\/+/, ''));
    if (!n) this.errors.set('ENOENT', (this.errors.get('ENOENT') ?? 0) + 1);
    return n;
  }
  read(p: string): string | undefined {
    const n = this.node(p);
    return n?.kind === 'file' ? n.data.toString('utf8') : undefined;
  }
  readlink(p: string): string | undefined {
    const n = this.node(p);
    return n?.kind === 'link' ? n.target : undefined;
  }
  list(p: string): string[] {
    const rel = p.replace(/^\/+/, '');
    return this.tree.get(rel)?.kind === 'dir' ? [...(this.children.get(rel) ?? [])] : [];
  }
}
