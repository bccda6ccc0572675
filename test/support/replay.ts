// Load a snapshot directory exactly as `wedgetop --replay DIR` does.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { collect } from '../../src/collector/collect.js';
import { ReplaySource } from '../../src/procfs/source.js';
import { analyze } from '../../src/graph/analyze.js';
import type { Analysis, Snapshot } from '../../src/model.js';
import { writeSnapshotDir, type SnapshotSpec } from './snapdir.js';

export function replay(dir: string): Snapshot {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { time: string };
  return collect(new ReplaySource(path.resolve(dir)), { now: Date.parse(meta.time) });
}

export function analyzeDir(dir: string): Analysis {
  return analyze(replay(dir));
}

export function specDir(spec: SnapshotSpec): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wedgetop-spec-'));
  writeSnapshotDir(dir, spec);
  return dir;
}

/** Every file and symlink under dir, relative path -> content or "-> target". */
export function treeOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const rel = path.relative(dir, p);
      if (e.isSymbolicLink()) out[rel] = `-> ${fs.readlinkSync(p)}`;
      else if (e.isDirectory()) walk(p);
      else out[rel] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}
