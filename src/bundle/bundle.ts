// The support bundle (--bundle): one .tar.gz with everything a second pair of eyes needs —
// the --record snapshot, the text and JSON reports made from it, the kernel log lines read,
// pressure stall info, block-device and loop states, our mount table, the hung-task sysctls,
// the wedgetop version — and a manifest with the SHA-256 of every file. Never environ or
// cmdline. With --redact, user names, the host name and non-system paths become tokens, and
// the reports are made from the redacted snapshot.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { collect } from '../collector/collect.js';
import { readSmallFile } from '../procfs/source.js';
import { analyze } from '../graph/analyze.js';
import { textReport } from '../report/text.js';
import { toJson } from '../report/json.js';
import { VERSION } from '../version.js';
import { defaultLogDir, isTmpfs } from '../actions/log.js';
import { tarGz, type TarEntry } from './tar.js';
import { TreeSource, type Tree } from './tree.js';
import { Redactor, usersOf } from './redact.js';
import { VerifiedDir } from '../safefs/write.js';
import type { Analysis } from '../model.js';

export const SNAPSHOT_DIR = 'snapshot';
export const LINKS_FILE = 'snapshot-links.json';
export const MANIFEST_JSON = 'manifest.json';
export const MANIFEST_SUMS = 'MANIFEST.sha256';

export interface BundleInput {
  /** The recorded snapshot. */
  tree: Tree;
  /** Read this machine's pressure, block and mount state too (a live bundle, not a replay). */
  live: boolean;
  redact: boolean;
  /** Snapshot time for a replayed recording (its meta.json). */
  now?: number;
}

export interface Bundle {
  archive: Buffer;
  files: { path: string; sha256: string; size: number }[];
  analysis: Analysis;
  host: string;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function tryRead(p: string): string | undefined {
  try {
    return readSmallFile(p);
  } catch {
    return undefined;
  }
}

function tryList(p: string): string[] {
  try {
    return fs.readdirSync(p).sort();
  } catch {
    return [];
  }
}

/**
 * Machine state beside the snapshot, from files that answer without blocking: PSI, the block
 * layer's per-device counters, loop backing files, our own mountinfo and the hung-task sysctls.
 */
export function systemFiles(): Map<string, string> {
  const out = new Map<string, string>();
  const add = (p: string): void => {
    const v = tryRead(p);
    if (v !== undefined) out.set(p.slice(1), v);
  };
  for (const r of tryList('/proc/pressure')) add(`/proc/pressure/${r}`);
  for (const d of tryList('/sys/block')) {
    add(`/sys/block/${d}/inflight`);
    add(`/sys/block/${d}/stat`);
    if (d.startsWith('loop')) add(`/sys/block/${d}/loop/backing_file`);
  }
  add('/proc/self/mountinfo');
  for (const k of tryList('/proc/sys/kernel').filter((n) => n.startsWith('hung_task_'))) add(`/proc/sys/kernel/${k}`);
  return out;
}

export function buildBundle(inp: BundleInput): Bundle {
  const file = (t: Tree, p: string): string | undefined => {
    const n = t.get(p);
    return n?.kind === 'file' ? n.data.toString('utf8') : undefined;
  };
  const meta = ((): { hostname?: string; time?: string } => {
    try {
      return JSON.parse(file(inp.tree, 'meta.json') ?? '{}') as { hostname?: string; time?: string };
    } catch {
      return {};
    }
  })();
  const host = (file(inp.tree, 'proc/sys/kernel/hostname') ?? meta.hostname ?? os.hostname()).trim();
  const redactor = inp.redact ? new Redactor(host, usersOf(file(inp.tree, 'etc/passwd'))) : undefined;
  const tree = redactor ? redactor.tree(inp.tree) : inp.tree;
  const now = inp.now ?? (meta.time ? Date.parse(meta.time) : undefined);
  const analysis = analyze(collect(new TreeSource(tree), { now }));

  const files = new Map<string, Buffer>();
  const dirs: string[] = [SNAPSHOT_DIR];
  const links: Record<string, string> = {};
  for (const [k, n] of [...tree].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (n.kind === 'dir') dirs.push(`${SNAPSHOT_DIR}/${k}`);
    else if (n.kind === 'file') files.set(`${SNAPSHOT_DIR}/${k}`, n.data);
    else links[k] = n.target;
  }
  files.set(LINKS_FILE, Buffer.from(JSON.stringify(links, null, 1) + '\n'));
  files.set('report/once.txt', Buffer.from(textReport(analysis)));
  files.set('report/report.json', Buffer.from(JSON.stringify(toJson(analysis), null, 2) + '\n'));
  files.set('report/kmsg-read.txt', Buffer.from(analysis.snapshot.kmsg.map((k) => `[${(k.usec / 1e6).toFixed(6)}] ${k.text}`).join('\n') + '\n'));
  if (inp.live) for (const [p, v] of systemFiles()) files.set(`system/${p}`, Buffer.from(redactor ? redactor.text(v) : v));

  const list = [...files].map(([p, d]) => ({ path: p, sha256: sha256(d), size: d.length }));
  const manifest = {
    wedgetop: VERSION,
    created: new Date().toISOString(),
    host: redactor ? redactor.text(host) : host,
    kernel: analysis.snapshot.kernel,
    live: inp.live,
    redacted: inp.redact,
    replay: `wedgetop --replay THIS.tar.gz --once`,
    files: list,
  };
  const mj = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
  files.set(MANIFEST_JSON, mj);
  const sums = [...list, { path: MANIFEST_JSON, sha256: sha256(mj), size: mj.length }].map((f) => `${f.sha256}  ${f.path}`).join('\n') + '\n';
  files.set(MANIFEST_SUMS, Buffer.from(sums));

  const entries: TarEntry[] = [];
  const seenDirs = new Set<string>();
  const addDir = (d: string): void => {
    if (!d || seenDirs.has(d)) return;
    const i = d.lastIndexOf('/');
    if (i > 0) addDir(d.slice(0, i));
    seenDirs.add(d);
    entries.push({ name: d, type: 'dir' });
  };
  for (const d of dirs) addDir(d);
  for (const [p, data] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const i = p.lastIndexOf('/');
    if (i > 0) addDir(p.slice(0, i));
    entries.push({ name: p, type: 'file', data });
  }
  return { archive: tarGz(entries), files: [...list, { path: MANIFEST_JSON, sha256: sha256(mj), size: mj.length }], analysis, host: manifest.host };
}

/**
 * Where a bundle goes without an explicit FILE: the action log's tmpfs directory, because a
 * bundle is made on a box that may have a frozen filesystem. An explicit FILE is the admin's
 * choice and is used as given (with a warning when it is not on a tmpfs).
 */
export function defaultBundlePath(host: string, at: Date, mountinfo?: string): string | undefined {
  const dir = defaultLogDir(mountinfo);
  if (!dir) return undefined;
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const safeHost = host.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || 'host';
  return path.join(dir, `wedgetop-bundle-${safeHost}-${stamp}.tar.gz`);
}

export function writeBundle(file: string, archive: Buffer): void {
  // The directory is made by us (mkdir never follows a planted symlink) or, when it is already
  // there, checked by its fd like every directory root writes in; its parent must exist: creating
  // missing parents would follow whatever path a user prepared.
  const { dir } = VerifiedDir.create(path.dirname(path.resolve(file)), { mode: 0o700, policy: { allowSticky: true }, existing: () => undefined });
  try {
    dir.createFile(path.basename(file), archive, 0o600);
  } finally {
    dir.close();
  }
}

export { isTmpfs };
