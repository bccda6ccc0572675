// README's "Keys" tables are generated from the keymap (scripts/readme-keys.ts): this fails when
// the pasted block differs from what the script prints, so README cannot drift from the keys.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keysMarkdown } from '../../scripts/readme-keys.js';
import { KEYMAP, keyLabel } from '../../src/ui/keymap.js';

const ROOT = path.resolve(__dirname, '../..');

function readmeBlock(): string {
  const text = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const m = /<!-- keys:start -->\n([\s\S]*?)<!-- keys:end -->/.exec(text);
  if (!m) throw new Error('README.md has no <!-- keys:start --> ... <!-- keys:end --> block');
  return m[1]!;
}

describe('README keys', () => {
  it('is exactly what `npm run readme-keys` prints (regenerate and paste it if this fails)', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/readme-keys.ts'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(keysMarkdown());
    expect(readmeBlock()).toBe(r.stdout);
  });

  it('lists every binding of the keymap', () => {
    const block = readmeBlock();
    for (const b of KEYMAP) expect(block, b.action).toContain(`| ${b.keys.map((k) => `\`${keyLabel(k)}\``).join(' ')} | ${b.help} |`);
  });
});
