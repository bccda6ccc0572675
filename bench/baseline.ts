// The wedgetop of an older commit, built apart so the bench can measure it beside the current
// bundle in the same run (issue 10: "keys while refreshing no worse than before the re-seam").
// The tree is taken from git (git archive: no work tree, no change to the repository's state),
// installed from its own package-lock.json and built by its own scripts, in a fresh private
// directory under os.tmpdir() that is removed again, also when a step fails.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './live.js';

/**
 * The last commit before the re-seam: eeb1e38b (2026-12-03 20:07, "collect: one sleeping-task scan
 * limit ...") ends the session before issue 10's; its parent 7661f8d2 is one commit older. The
 * first issue 10 commits (signature rows owning their holder rules, the syscall table, the
 * analysis shipped by the collector child, the arch test) are from 2026-12-04 01:42 on.
 */
export const BASELINE_REF = 'eeb1e38b5f91fcfbf75a2cf5bbdaa03a4ae65716';

export interface Baseline {
  ref: string;
  commit: string;
  subject: string;
  /** The baseline's dist bundle, runnable with plain node. */
  bundle: string;
  /** Seconds the install and the build took. */
  buildSeconds: number;
  remove(): void;
}

export type BaselineResult = { ok: true; baseline: Baseline } | { ok: false; reason: string };

function git(...args: string[]): string {
  return execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Why REF cannot be built from this clone, or undefined when it can. */
function missing(ref: string): string | undefined {
  try {
    git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
    return undefined;
  } catch {
    let shallow = false;
    try {
      shallow = git('rev-parse', '--is-shallow-repository') === 'true';
    } catch {
      /* not a git checkout at all */
    }
    return shallow
      ? `baseline ${ref} is not in this clone's history: the clone is shallow (git fetch --unshallow, then run again)`
      : `baseline ${ref} is not a commit of this repository (git rev-parse found none)`;
  }
}

function run(cmd: string, args: string[], cwd: string, log: (m: string) => void): void {
  log(`baseline: ${cmd} ${args.join(' ')}`);
  // Output kept for the error: npm's own progress would bury the bench's lines.
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15 * 60_000, maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n${tail}`);
  }
}

/** Build the bundle of `ref` in a new temp directory: git archive | tar -x, npm ci, its own build. */
export function buildBaseline(ref: string, log: (m: string) => void): BaselineResult {
  const why = missing(ref);
  if (why) return { ok: false, reason: why };
  const commit = git('rev-parse', `${ref}^{commit}`);
  const subject = git('log', '-1', '--format=%cd %s', '--date=format:%Y-%m-%d %H:%M', commit);
  // mkdtemp: a name nobody could have planted, made 0700 by us.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wt-bench-baseline-'));
  const remove = (): void => fs.rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  try {
    const tar = path.join(dir, 'tree.tar');
    execFileSync('git', ['-C', ROOT, 'archive', '--format=tar', '-o', tar, commit], { stdio: ['ignore', 'ignore', 'pipe'] });
    const tree = path.join(dir, 'tree');
    fs.mkdirSync(tree);
    execFileSync('tar', ['-x', '-f', tar, '-C', tree], { stdio: ['ignore', 'ignore', 'pipe'] });
    fs.rmSync(tar);
    const pkg = JSON.parse(fs.readFileSync(path.join(tree, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    // Its own lockfile, pristine packages from the registry (or npm's cache): that commit's
    // scripts/build.mjs patched Ink by text while bundling, which needs Ink's original files;
    // the current tree's node_modules has Ink edited in place and would fail that build.
    run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], tree, log);
    if (!pkg.scripts?.build) throw new Error(`${commit.slice(0, 8)}'s package.json has no build script`);
    run('npm', ['run', 'build'], tree, log);
    const bundle = path.join(tree, 'dist/wedgetop.mjs');
    if (!fs.existsSync(bundle)) throw new Error(`${commit.slice(0, 8)}'s build made no dist/wedgetop.mjs`);
    const v = spawnSync(process.execPath, [bundle, '--version'], { encoding: 'utf8', timeout: 30_000 });
    if (v.status !== 0) throw new Error(`${bundle} --version failed: ${v.stderr}`);
    const buildSeconds = (performance.now() - t0) / 1000;
    log(`baseline: ${commit.slice(0, 8)} (${subject}) built in ${buildSeconds.toFixed(0)} s: ${v.stdout.trim()}`);
    return { ok: true, baseline: { ref, commit, subject, bundle, buildSeconds, remove } };
  } catch (e) {
    remove();
    throw e;
  }
}
