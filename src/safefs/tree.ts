// A directory tree written under one verified root directory (--record DIR): every directory on
// the way made by us with mkdir, each opened relative to its verified parent fd with
// O_NOFOLLOW|O_DIRECTORY (so a symlink or file found where a directory should be is refused, not
// followed), every file O_CREAT|O_EXCL|O_NOFOLLOW. See write.ts for why /proc/self/fd/N/name is
// an openat().
import { checkName, SafeWriteError, VerifiedDir } from './write.js';

/** Directory fds kept open at once: a recording walks /proc task by task, so a few suffice. */
const CACHE_MAX = 64;

export class SafeTree {
  private readonly dirs = new Map<string, VerifiedDir>();
  /** What could not be written (first few, with why), and how many in all. */
  readonly refusals: string[] = [];
  refused = 0;

  constructor(readonly root: VerifiedDir) {}

  /** "/proc/1/stat" -> ["proc", "1", "stat"]; any ".", ".." or empty component is refused. */
  static split(rel: string): string[] {
    const parts = rel.split('/').filter((p, i) => !(i === 0 && p === ''));
    for (const p of parts) checkName(p);
    if (!parts.length) throw new SafeWriteError(`refusing the path ${JSON.stringify(rel)}`);
    return parts;
  }

  private dir(parts: string[]): VerifiedDir {
    if (!parts.length) return this.root;
    const key = parts.join('/');
    const hit = this.dirs.get(key);
    if (hit) return hit;
    const parent = this.dir(parts.slice(0, -1));
    const d = parent.subdir(parts[parts.length - 1]!, 0o700);
    if (this.dirs.size >= CACHE_MAX) this.flush();
    this.dirs.set(key, d);
    return d;
  }

  private flush(): void {
    for (const d of this.dirs.values()) d.close();
    this.dirs.clear();
  }

  private attempt(rel: string, f: () => void, quietIfExists: boolean): void {
    try {
      f();
    } catch (e) {
      // The same file read twice in one scan: recorded already, not a refusal.
      if (quietIfExists && e instanceof SafeWriteError && e.code === 'EEXIST') return;
      if (quietIfExists && (e as NodeJS.ErrnoException)?.code === 'EEXIST') return;
      this.refused++;
      if (this.refusals.length < 3) this.refusals.push(`${rel}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** A directory at rel (and every one above it). */
  mkdirs(rel: string): void {
    this.attempt(rel, () => void this.dir(SafeTree.split(rel)), false);
  }

  /** A new file at rel; an existing name is left alone. */
  writeFile(rel: string, data: string): void {
    this.attempt(rel, () => {
      const parts = SafeTree.split(rel);
      this.dir(parts.slice(0, -1)).createFile(parts[parts.length - 1]!, data, 0o600);
    }, true);
  }

  /** A symlink at rel pointing to target (recorded as text; never followed by us). */
  symlink(rel: string, target: string): void {
    this.attempt(rel, () => {
      const parts = SafeTree.split(rel);
      this.dir(parts.slice(0, -1)).createSymlink(target, parts[parts.length - 1]!);
    }, true);
  }

  /** One warning line for the snapshot, or undefined when everything was written. */
  warning(): string | undefined {
    if (!this.refused) return undefined;
    return `record: ${this.refused} path${this.refused === 1 ? '' : 's'} not saved (${this.refusals.join('; ')}${this.refused > this.refusals.length ? '; …' : ''})`;
  }

  close(): void {
    this.flush();
    this.root.close();
  }
}
