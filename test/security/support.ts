// The attacker of the security tests: an unprivileged user (nobody, via setpriv) planting things in a
// /tmp-like directory (world-writable and sticky) while root runs wedgetop. The kernel's own
// protections are switched off for the duration (fs.protected_symlinks, _hardlinks, _regular and
// _fifos = 0, as on many boxes) and restored after, so what stops each attack is wedgetop, not
// the kernel.
import { spawnSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WEDGE_ROOT } from '../support/wedge.js';

export const NOBODY = 65534;

const SYSCTLS = ['/proc/sys/fs/protected_symlinks', '/proc/sys/fs/protected_hardlinks', '/proc/sys/fs/protected_regular', '/proc/sys/fs/protected_fifos'];

/** Sysctls off, a sticky world-writable playground, and a root-only corner for the victims. */
export class Playground {
  readonly base: string;
  /** Only root can write here: victims live here, nobody can only point at them. */
  readonly safe: string;
  private saved = new Map<string, string>();
  private rootMode?: number;
  private attackers: ChildProcess[] = [];

  constructor(name: string) {
    for (const s of SYSCTLS) {
      try {
        this.saved.set(s, fs.readFileSync(s, 'utf8').trim());
        fs.writeFileSync(s, '0');
      } catch {
        /* an older kernel without it */
      }
    }
    fs.mkdirSync(WEDGE_ROOT, { recursive: true, mode: 0o755 });
    // nobody has to reach the playground through WEDGE_ROOT.
    const m = fs.statSync(WEDGE_ROOT).mode & 0o7777;
    if ((m & 0o001) === 0) {
      this.rootMode = m;
      fs.chmodSync(WEDGE_ROOT, m | 0o001);
    }
    this.base = path.join(WEDGE_ROOT, `${name}-${process.pid}-${Date.now()}`);
    fs.mkdirSync(this.base);
    fs.chmodSync(this.base, 0o1777);
    this.safe = path.join(this.base, 'root-only');
    fs.mkdirSync(this.safe, { mode: 0o755 });
  }

  /** Run a shell script as nobody; throws when it fails (the attack must really be in place). */
  asNobody(script: string): string {
    const r = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'sh', '-ec', script], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`attacker script failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  }

  /** A Node script as nobody (for what a shell loop would take seconds to do). */
  nodeAsNobody(js: string): void {
    const r = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, '-e', js], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`attacker script failed (${r.status}): ${r.stderr}`);
  }

  /** The same, in the background (an attacker racing root); killed by stopAttackers(). */
  nobodyInBackground(script: string): ChildProcess {
    const c = spawn('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'sh', '-c', script], { stdio: 'ignore' });
    this.attackers.push(c);
    return c;
  }

  stopAttackers(): void {
    for (const c of this.attackers.splice(0)) {
      try {
        c.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
  }

  /** A victim file only root may write, with its content and mode remembered. */
  victimFile(name: string, content = 'precious: not to be overwritten by wedgetop\n'): Victim {
    const p = path.join(this.safe, name);
    fs.writeFileSync(p, content, { mode: 0o644 });
    fs.chmodSync(p, 0o644);
    return new Victim(p);
  }

  victimDir(name: string): Victim {
    const p = path.join(this.safe, name);
    fs.mkdirSync(p);
    fs.chmodSync(p, 0o755);
    return new Victim(p);
  }

  cleanup(): void {
    this.stopAttackers();
    fs.rmSync(this.base, { recursive: true, force: true });
    if (this.rootMode !== undefined) fs.chmodSync(WEDGE_ROOT, this.rootMode);
    for (const [s, v] of this.saved) fs.writeFileSync(s, v);
  }
}

/** What an attack must not change: a file's content and mode, a directory's entries and mode. */
export class Victim {
  readonly before: string;
  constructor(readonly path: string) {
    this.before = Victim.state(path);
  }
  static state(p: string): string {
    const st = fs.lstatSync(p);
    const what = st.isDirectory() ? JSON.stringify(fs.readdirSync(p).sort()) : fs.readFileSync(p, 'utf8');
    return `mode ${(st.mode & 0o7777).toString(8)} uid ${st.uid} ${what}`;
  }
  get now(): string {
    return Victim.state(this.path);
  }
}
