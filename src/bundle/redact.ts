// --redact: user names, the host name and paths outside system directories become tokens,
// the same token for the same input everywhere in the bundle (so a fd target still lies under
// its mount point, and the replayed diagnosis still holds together).
import type { Tree } from './tree.js';

/** Paths under these stay as they are: they name the OS, not the people or the workload. */
const SYSTEM_PREFIXES = ['/proc/', '/sys/', '/dev/', '/usr/', '/lib/', '/lib32/', '/lib64/', '/libx32/', '/bin/', '/sbin/', '/etc/', '/boot/', '/run/', '/var/log/', '/var/lib/', '/var/cache/', '/var/spool/', '/var/run/', '/var/tmp/systemd-'];
/** First components kept (the rest of such a path is tokenised component by component). */
const TOP_DIRS = new Set(['tmp', 'var', 'home', 'mnt', 'media', 'srv', 'opt', 'data', 'root', 'run', 'dev', 'proc', 'sys']);

export class Redactor {
  private readonly tokens = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  private readonly words: [RegExp, string][] = [];

  constructor(host: string | undefined, users: string[]) {
    if (host) this.addWord(host, 'host');
    // Longest first, so "alice2" is not half-replaced by "alice".
    for (const u of [...new Set(users)].sort((a, b) => b.length - a.length)) this.addWord(u, 'user');
  }

  private token(kind: string, value: string): string {
    const key = `${kind}\0${value}`;
    let t = this.tokens.get(key);
    if (!t) {
      const n = (this.counters.get(kind) ?? 0) + 1;
      this.counters.set(kind, n);
      t = `${kind}-${n}`;
      this.tokens.set(key, t);
    }
    return t;
  }

  private addWord(w: string, kind: string): void {
    if (w.length < 2) return;
    const esc = w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.words.push([new RegExp(`(?<![\\w-])${esc}(?![\\w-])`, 'g'), this.token(kind, w)]);
  }

  path(p: string): string {
    if (p === '/' || SYSTEM_PREFIXES.some((s) => p.startsWith(s))) return p;
    const parts = p.split('/');
    return parts.map((c, i) => (i === 0 || c === '' || (i === 1 && TOP_DIRS.has(c)) ? c : this.token('p', c))).join('/');
  }

  text(s: string): string {
    for (const [re, t] of this.words) s = s.replace(re, t);
    // An absolute path: "/" not preceded by a word char, "/" or "." (that would be "+0x28/0xc0" or "a/b").
    return s.replace(/(?<![\w./\\-])\/[^\s:;,'"()[\]<>=]*/g, (m) => this.path(m));
  }

  tree(t: Tree): Tree {
    const out: Tree = new Map();
    for (const [k, n] of t) {
      if (n.kind === 'file') out.set(k, { kind: 'file', data: Buffer.from(this.text(n.data.toString('utf8'))) });
      else if (n.kind === 'link') out.set(k, { kind: 'link', target: this.text(n.target) });
      else out.set(k, n);
    }
    return out;
  }
}

/** User names worth hiding: every passwd entry with a uid of 1000 or more (people, not daemons). */
export function usersOf(passwd: string | undefined): string[] {
  const out: string[] = [];
  for (const l of (passwd ?? '').split('\n')) {
    const f = l.split(':');
    if (f.length >= 3 && Number(f[2]) >= 1000 && Number(f[2]) !== 65534 && f[0]) out.push(f[0]);
  }
  return out;
}
