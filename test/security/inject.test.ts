// Issue 12, item 6: any user names their task (prctl(PR_SET_NAME)) and, with FUSE or a user
// namespace, their mount points. Printed raw, an ESC sequence retitled and cleared the admin's
// terminal, a newline forged a `fix:` line, and `fsfreeze -u /tmp/mnt1 x;reboot` was one paste
// away from a reboot. Every such string is shown escaped, and every printed command, pasted into
// a POSIX shell, runs exactly what wedgetop would run.
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { wedgetop } from '../support/wedge.js';
import { writeSnapshotDir } from '../support/snapdir.js';
import { frozenWriterScene } from './scene.js';
import { escapeText } from '../../src/text/escape.js';
import { shellCommand, shellQuote } from '../../src/text/shell.js';
import { openReplay } from '../../src/cli.js';
import { collectReplay } from '../../src/collector/replay.js';
import { analyze } from '../../src/graph/analyze.js';
import { renderApp } from '../ui/helpers.js';

const made: string[] = [];
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'wt-inj-'));
  made.push(d);
  return d;
};

/** A directory with a fake `fsfreeze` (and `wedgetop`) that print their argv, NUL-terminated. */
function fakeBin(): string {
  const bin = path.join(tmp(), 'bin');
  fs.mkdirSync(bin);
  for (const name of ['fsfreeze', 'wedgetop']) {
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\nprintf '%s\\0' "${name}" "$@"\n`, { mode: 0o755 });
  }
  return bin;
}

/** Run a printed command line in sh with the fake tools first on PATH: the argv each received. */
function runPrinted(cmdline: string, bin: string): string[][] {
  const out = execFileSync('sh', ['-c', cmdline], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: 'utf8' });
  return out.split(/\0(?=fsfreeze\0|wedgetop\0)/).map((s) => s.replace(/\0$/, '').split('\0'));
}

const ESC_COMM = 'x\u001b]0;owned\u0007\u001b[2J\u001b[H';
const FORGED = '\nfix:   reboot';
const MOUNTS = ['/tmp/mnt1 x;reboot', "/tmp/it's \"here\" $(reboot)", `/tmp/m${FORGED}`, '/tmp/\u001b[31mred\u202e'];

describe('untrusted strings are shown escaped; printed commands run as printed', () => {
  const once = (mount: string): string => {
    const dir = tmp();
    writeSnapshotDir(dir, frozenWriterScene({ mount, comm: `${ESC_COMM}${FORGED}` }));
    const r = wedgetop(['--replay', dir, '--once']);
    expect(r.code, r.stderr).toBe(1);
    return r.stdout;
  };

  it.each(MOUNTS)('--once on a writer named with escape sequences, blocked on %j: nothing raw, no forged line', (mount) => {
    const out = once(mount);
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);
    // The comm and the mount are there, escaped; no line was forged by a newline in them.
    expect(out).toContain('x\\x1b]0;owned\\x07\\x1b[2J');
    expect(out.split('\n').filter((l) => /^\s*fix:/.test(l))).toHaveLength(1);
  });

  it.each(MOUNTS)('the printed fix for %j, pasted into sh, gives fsfreeze exactly the mount', (mount) => {
    const fixLine = once(mount).split('\n').find((l) => /^\s*fix:/.test(l))!;
    const m = /^\s*fix:\s+(.*?)\s{4}\((.*)\)$/.exec(fixLine);
    expect(m, fixLine).not.toBeNull();
    const bin = fakeBin();
    expect(runPrinted(m![1]!, bin)).toEqual([['fsfreeze', '-u', mount]]);
    expect(runPrinted(m![2]!, bin)).toEqual([['wedgetop', '--fix', `frozen-fs:${mount}`, '--yes']]);
  });

  it('--json keeps the raw strings (JSON escaping is enough) and the thaw argv', () => {
    const dir = tmp();
    const mount = MOUNTS[0]!;
    writeSnapshotDir(dir, frozenWriterScene({ mount, comm: ESC_COMM }));
    const j = JSON.parse(wedgetop(['--replay', dir, '--json']).stdout) as { tasks: { comm: string }[]; rootCauses: { remedies: { mount?: string; argv?: string[] }[] }[] };
    expect(j.tasks[0]!.comm).toBe(ESC_COMM);
    expect(j.rootCauses[0]!.remedies[0]).toMatchObject({ mount, argv: ['fsfreeze', '-u', mount] });
  });

  it('the TUI shows the comm escaped: no ESC reaches the terminal from a task name', async () => {
    const dir = tmp();
    writeSnapshotDir(dir, frozenWriterScene({ mount: '/tmp/mnt1', comm: ESC_COMM }));
    const ui = renderApp({ analysis: analyze(collectReplay(openReplay(dir))), columns: 140 });
    try {
      const f = await ui.waitFor((x) => x.includes('x\\x1b]0;'), 'the escaped comm');
      expect(f).not.toContain('\u0007');
      expect(f).not.toContain('\u001b]0;');
    } finally {
      ui.unmount();
    }
  });
});

describe('shellQuote / shellCommand', () => {
  const words = ['', 'plain', 'a b', "it's", '"$(id)"', '`id`', 'a;b|c&d', '\\n%s%b', '-u', '/tmp/a\nb', 'end\n', '\n\n',
    '\u001b]0;t\u0007', '\u202eevil', 'é ü 日本', '\t', '*?[a]', '~root', '#x', '!x'];
  it.each(['sh', 'bash'])('every word comes back exactly from %s', (sh) => {
    const cmd = shellCommand(['printf', '%s\\0', ...words]);
    expect(escapeText(cmd)).toBe(cmd); // printable: shown as is, so what is shown is what runs
    expect(execFileSync(sh, ['-c', cmd], { encoding: 'utf8' })).toBe(words.map((w) => `${w}\0`).join(''));
  });

  it('leaves plain words bare and refuses a one-word form it cannot give', () => {
    expect(shellCommand(['fsfreeze', '-u', '/tmp/mnt1'])).toBe('fsfreeze -u /tmp/mnt1');
    expect(shellQuote('/tmp/mnt1 x;reboot')).toBe("'/tmp/mnt1 x;reboot'");
    expect(() => shellQuote('trailing\n')).toThrow(RangeError);
  });

  it('escapeText: controls as \\xNN, invisible formatting as \\u{...}, the rest untouched', () => {
    expect(escapeText('a\u001b[2Jb\nc\u009bd\u202ee\u200bf')).toBe('a\\x1b[2Jb\\x0ac\\x9bd\\u{202e}e\\u{200b}f');
    expect(escapeText('日本 é /tmp/x')).toBe('日本 é /tmp/x');
  });
});
