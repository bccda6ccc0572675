// Ink's private API stays out of src/: `internal_eventEmitter`, `internal_exitOnCtrlC` and their
// kin (useStdin's `internal_*` fields) change without notice between Ink releases. Keys come from
// the public stdin (src/ui/keysplit.ts); Ink's useInput would see each of them a second time.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../../scripts/arch.js';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

describe("Ink's private API", () => {
  it('is named nowhere in src/ (no internal_ field of an Ink context), and no useInput reads keys beside the App', () => {
    const files = sourceFiles(src);
    expect(files).toContain('ui/App.tsx');
    const hits: string[] = [];
    for (const f of files) {
      fs.readFileSync(path.join(src, f), 'utf8').split('\n').forEach((l, i) => {
        if (/\binternal_|\buseInput\s*\(|import [^;]*\buseInput\b/.test(l)) hits.push(`src/${f}:${i + 1}: ${l.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });
});
