// The real bundle in a real terminal (tmux, on a private server): the TUI takes the alternate
// screen, shows the frozen mount and the key that thaws it, and gives the terminal back on q,
// on SIGTERM, and follows a resize without drawing past the last row.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const BUNDLE = path.join(ROOT, 'dist/wedgetop.mjs');
// Typed at the shell prompt, whose cwd is ROOT: a relative path keeps the command line short
// whatever the clone's path (a long one wrapped the line and split what the test looks for).
const TYPED = 'dist/wedgetop.mjs';
const hasTmux = ((): boolean => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let n = 0;
let servers: string[] = [];

function tmux(sock: string, ...args: string[]): string {
  return execFileSync('tmux', ['-L', sock, ...args], { encoding: 'utf8' });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A private tmux server with one `cols`x`rows` pane running sh, in the repository. */
function session(cols = 100, rows = 30): {
  sock: string; screen: () => string; joined: () => string; alt: () => string; keys: (...k: string[]) => void;
  until: (pred: (s: string) => boolean, what: string, read?: () => string) => Promise<string>;
} {
  const sock = `wt-test-${process.pid}-${n++}`;
  servers.push(sock);
  // CI=true, as on a CI runner or a build box: the screen must draw all the same (scripts/ink-patches.mjs: Ink's is-in-ci check).
  tmux(sock, '-f', '/dev/null', 'new-session', '-d', '-x', String(cols), '-y', String(rows), '-c', ROOT,
    `env CI=true LANG=C.UTF-8 WEDGETOP_ACTION_LOG_DIR=/dev/shm/wedgetop-tests/action-log PS1='wt$ ' sh`);
  const screen = (): string => tmux(sock, 'capture-pane', '-p');
  // Wrapped lines joined: the shell's lines (prompt, echoed command) may wrap at any width.
  const joined = (): string => tmux(sock, 'capture-pane', '-p', '-J');
  const alt = (): string => tmux(sock, 'display', '-p', '#{alternate_on}').trim();
  const keys = (...k: string[]): void => void tmux(sock, 'send-keys', ...k);
  const until = async (pred: (s: string) => boolean, what: string, read = screen): Promise<string> => {
    const end = Date.now() + 15_000;
    for (;;) {
      const s = read();
      if (pred(s)) return s;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
      await sleep(100);
    }
  };
  return { sock, screen, joined, alt, keys, until };
}

afterEach(() => {
  for (const s of servers) {
    try {
      execFileSync('tmux', ['-L', s, 'kill-server'], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
  servers = [];
});

describe.skipIf(!hasTmux)('in a real terminal (tmux)', () => {
  it('shows /tmp/mnt1 with its thaw key, and q gives the terminal back', async () => {
    expect(fs.existsSync(BUNDLE)).toBe(true);
    const t = session();
    try {
      await t.until((s) => s.includes('wt$'), 'shell prompt');
      t.keys(`node --throw-deprecation ${TYPED} --replay test/fixtures/frozen-ext4`, 'Enter');
      const s = await t.until((x) => x.includes('F10Quit') && x.includes('/tmp/mnt1'), 'the TUI with data');
      expect(t.alt()).toBe('1');
      expect(s).toMatch(/5 blocked \[u\] thaw +frozen filesystem \/tmp\/mnt1/);
      expect(s).toMatch(/percpu_rwsem_wait/);
      // Never drawn on the last row: Ink would otherwise redraw the whole screen every time.
      expect(s.split('\n')[29]).toBe('');
      t.keys('?');
      await t.until((x) => x.includes('Everywhere'), 'help');
      t.keys('Escape');
      await t.until((x) => x.includes('What to do first'), 'back from help');
      t.keys('u');
      await t.until((x) => x.includes('Thaw /tmp/mnt1?') && x.includes('DRY RUN'), 'confirm dialog (a replay: dry run only)');
      t.keys('Escape');
      await t.until((x) => !x.includes('Thaw /tmp/mnt1?') && x.includes('not run: fsfreeze -u /tmp/mnt1'), 'cancelled');
      t.keys('q');
      // The main screen is back as it was (the command line), with the shell's next prompt.
      const back = await t.until((x) => !x.includes('F10Quit') && (x.match(/wt\$/g) ?? []).length >= 2, 'prompt after exit', t.joined);
      expect(t.alt()).toBe('0');
      expect(back).toContain('--replay test/fixtures/frozen-ext4');
      t.keys(`echo back-${process.pid}`, 'Enter');
      const after = await t.until((x) => x.includes(`\nback-${process.pid}`), 'echo works', t.joined);
      expect(after).not.toContain('Error');
    } finally {
      tmux(t.sock, 'kill-server');
    }
  });

  it('gives the terminal back on SIGTERM', async () => {
    const t = session();
    const pidFile = path.join(os.tmpdir(), `wt-tmux-${process.pid}.pid`);
    try {
      await t.until((s) => s.includes('wt$'), 'shell prompt');
      t.keys(`sh -c 'echo $$ > ${pidFile}; exec node ${TYPED} --replay test/fixtures/frozen-ext4'`, 'Enter');
      await t.until((x) => x.includes('F10Quit') && x.includes('/tmp/mnt1'), 'the TUI with data');
      expect(t.alt()).toBe('1');
      const pid = Number(fs.readFileSync(pidFile, 'utf8'));
      process.kill(pid, 'SIGTERM');
      await t.until((x) => x.includes('wt$') && !x.includes('F10Quit'), 'prompt back');
      expect(t.alt()).toBe('0');
      t.keys('echo status=$?', 'Enter');
      await t.until((x) => x.includes('status=143'), 'exit status 143');
    } finally {
      fs.rmSync(pidFile, { force: true });
      tmux(t.sock, 'kill-server');
    }
  });

  it('follows a resize, staying within the new height', async () => {
    const t = session(120, 40);
    try {
      await t.until((s) => s.includes('wt$'), 'shell prompt');
      t.keys(`node ${TYPED} --replay test/fixtures/frozen-ext4`, 'Enter');
      await t.until((x) => x.includes('BLOCKED FOR'), 'wide layout');
      tmux(t.sock, 'resize-window', '-x', '80', '-y', '24');
      const s = await t.until((x) => x.includes('F10Quit') && !x.includes('BLOCKED FOR') && x.includes('BLOCKED'), 'narrow layout');
      const lines = s.split('\n');
      expect(lines.findIndex((l) => l.startsWith('F1Help'))).toBe(22);
      for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
      t.keys('q');
      await t.until((x) => x.includes('wt$') && !x.includes('F10Quit'), 'prompt back');
      expect(t.alt()).toBe('0');
    } finally {
      tmux(t.sock, 'kill-server');
    }
  });

  it('answers the F-keys of xterm (tmux), rxvt and the linux console, and several keys written at once', async () => {
    const t = session();
    // Bytes as another terminal would send them (tmux itself speaks xterm).
    const raw = (seq: string): void => void tmux(t.sock, 'send-keys', '-H', ...[...Buffer.from(seq, 'utf8')].map((b) => b.toString(16)));
    const main = (x: string): boolean => x.includes('What to do first') && !x.includes('Everywhere');
    try {
      await t.until((s) => s.includes('wt$'), 'shell prompt');
      t.keys(`node ${TYPED} --replay test/fixtures/frozen-ext4`, 'Enter');
      await t.until((x) => x.includes('F10Quit') && x.includes('/tmp/mnt1'), 'the TUI with data');
      /** A key (sent by `send`) shows `marker`; Esc goes back to the task list. */
      const visit = async (send: () => void, marker: string, what: string): Promise<void> => {
        send();
        await t.until((x) => x.includes(marker), what);
        t.keys('Escape');
        await t.until((x) => main(x) && !x.includes('Search: '), `back from ${what}`);
      };
      // xterm: F1 opens help and closes it, F5 the graph, F3 search.
      t.keys('F1');
      await t.until((x) => x.includes('Everywhere'), 'help on xterm F1');
      t.keys('F1');
      await t.until(main, 'help closed by F1');
      await visit(() => t.keys('F5'), 'Waits-on graph', 'graph on xterm F5');
      await visit(() => t.keys('F3'), 'Search: ', 'search on xterm F3');
      // The linux console: ESC [ [ A..E for F1..F5.
      await visit(() => raw('\u001b[[A'), 'Everywhere', 'help on linux-console F1');
      await visit(() => raw('\u001b[[E'), 'Waits-on graph', 'graph on linux-console F5');
      // rxvt: ESC [ 11~..14~ for F1..F4.
      await visit(() => raw('\u001b[11~'), 'Everywhere', 'help on rxvt F1');
      await visit(() => raw('\u001b[13~'), 'Search: ', 'search on rxvt F3');
      // One write, several keys: linux-console F4, a word, Enter.
      raw('\u001b[[Dtouch\r');
      const f = await t.until((x) => main(x) && !x.includes('Filter: ') && / touch /.test(x) && !/ mkdir /.test(x), 'filtered on touch, filter kept');
      expect(f).not.toMatch(/ rm /);
      t.keys('F10');
      await t.until((x) => x.includes('wt$') && !x.includes('F10Quit'), 'prompt back after F10');
      expect(t.alt()).toBe('0');
    } finally {
      tmux(t.sock, 'kill-server');
    }
  });

  it('opens the F2 column chooser on the terminal\'s own F2, hides a column with Space, and refuses to save while a filesystem is frozen', async () => {
    const xdg = `/dev/shm/wedgetop-tests/columns-${process.pid}-${Date.now()}`;
    fs.mkdirSync(xdg, { recursive: true });
    const t = session(120, 40);
    try {
      await t.until((s) => s.includes('wt$'), 'shell prompt');
      t.keys(`XDG_CONFIG_HOME=${xdg} node ${TYPED} --replay test/fixtures/frozen-ext4`, 'Enter');
      // The header is drawn before the first analysis arrives; the save is refused only once
      // the frozen mount is known, so wait for it on screen.
      await t.until((x) => x.includes('F10Quit') && /USER +COMM/.test(x) && x.includes('/tmp/mnt1'), 'the TUI with the frozen mount');
      t.keys('F2');
      await t.until((x) => x.includes('Columns shown') && x.includes('[x] USER'), 'the chooser');
      t.keys('Down', 'Down', 'Space');
      await t.until((x) => x.includes('[ ] USER'), 'USER unticked');
      t.keys('Escape');
      const s = await t.until((x) => !x.includes('Columns shown') && x.includes('columns not saved'), 'closed, not saved', t.joined);
      expect(s).toMatch(/TID +COMM/);
      expect(s).toContain('a filesystem is frozen (/tmp/mnt1)');
      expect(fs.existsSync(path.join(xdg, 'wedgetop', 'columns.json'))).toBe(false);
      t.keys('q');
      await t.until((x) => x.includes('wt$') && !x.includes('F10Quit'), 'prompt back');
    } finally {
      tmux(t.sock, 'kill-server');
      fs.rmSync(xdg, { recursive: true, force: true });
    }
  });
});
