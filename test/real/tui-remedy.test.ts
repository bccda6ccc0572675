// The remedy keys end to end: the real program, live on this kernel, in a real terminal (a
// private tmux server), against real wedges. The admin's path: the root cause appears with its
// key, one key and a confirmation fix it, the screen says how many tasks came free, and q gives
// the terminal back. Root only (wedges need it); every wedge is torn down even on failure.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditDeadlockUp, frozenFsUp, isRoot, untilNoneInD, WEDGE_ROOT, type AuditDeadlockWedge, type FrozenWedge } from '../support/wedge.js';

const ROOT = path.resolve(__dirname, '../..');
const hasTmux = ((): boolean => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const reEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Term {
  screen(): string;
  alt(): string;
  keys(...k: string[]): void;
  until(pred: (s: string) => boolean, what: string, ms?: number): Promise<string>;
  kill(): void;
}

/** A private tmux server (never the user's), one pane running sh in the repository. */
function terminal(cols = 160, rows = 45): Term {
  const sock = `wt-e2e-${process.pid}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', sock, ...args], { encoding: 'utf8' });
  // The action log goes where the other tests' goes: tmpfs, swept by the global teardown.
  tmux('-f', '/dev/null', 'new-session', '-d', '-x', String(cols), '-y', String(rows), '-c', ROOT,
    `env LANG=C.UTF-8 WEDGETOP_ACTION_LOG_DIR=${path.join(WEDGE_ROOT, 'action-log')} PS1='wt$ ' sh`);
  const screen = (): string => tmux('capture-pane', '-p');
  return {
    screen,
    alt: () => tmux('display', '-p', '#{alternate_on}').trim(),
    keys: (...k) => void tmux('send-keys', ...k),
    async until(pred, what, ms = 20_000) {
      const end = Date.now() + ms;
      for (;;) {
        const s = screen();
        if (pred(s)) return s;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
        await sleep(20);
      }
    },
    kill() {
      try {
        tmux('kill-server');
      } catch {
        /* already gone */
      }
    },
  };
}

/** The number of the root-cause panel line matching `re` (other wedges may be up on this machine). */
function causeNumber(screen: string, re: RegExp): string | undefined {
  const l = screen.split('\n').find((x) => re.test(x));
  return l ? /^.(\d+) /.exec(l)?.[1] : undefined;
}

/** A task row of the table: gutter, then the PID right-aligned, then the TID. */
const rowOf = (pid: number): RegExp => new RegExp(`^. {0,6}${pid} +\\d+ `, 'm');

async function quitAndCheckTerminal(t: Term): Promise<void> {
  t.keys('q');
  await t.until((x) => !x.includes('F10Quit') && (x.match(/wt\$/g) ?? []).length >= 2, 'the prompt after q');
  expect(t.alt()).toBe('0');
  t.keys(`echo back-${process.pid}`, 'Enter');
  await t.until((x) => x.includes(`\nback-${process.pid}`), 'echo works');
}

describe.skipIf(!isRoot || !hasTmux)('remedy keys on a live frozen filesystem (real kernel, tmux)', () => {
  let w: FrozenWedge | undefined;
  afterAll(() => w?.down());

  it('shows the mount with its u key, thaws it on u + confirm, and every writer completes', async () => {
    w = frozenFsUp();
    const pids = w.writers.map((x) => x.pid);
    const t = terminal();
    try {
      await t.until((s) => s.includes('wt$'), 'shell prompt');
      const line = new RegExp(`\\[u\\] thaw +frozen filesystem ${reEscape(w.mount)} `);
      const t0 = performance.now();
      t.keys('node dist/wedgetop.mjs', 'Enter');
      await t.until((x) => x.includes('F10Quit'), 'the first frame');
      const first = performance.now() - t0;
      let s = await t.until((x) => line.test(x), 'the mount as a root cause with its u key');
      const ms = performance.now() - t0;
      // The issue asks for <= 1 s on this machine; printed, not asserted (it depends on the load).
      console.log(`time to root cause, live frozen mount: ${Math.round(ms)} ms from Enter to the mount shown with [u] (first frame after ${Math.round(first)} ms)`);
      expect(t.alt()).toBe('1');

      // Select that root cause in the panel: the first task in the table may be another wedge's.
      const n = causeNumber(s, line);
      expect(n, s).toBeDefined();
      t.keys(n!);
      await t.until((x) => new RegExp(`▶${n} .*frozen filesystem ${reEscape(w!.mount)} `).test(x), 'our root cause selected');
      t.keys('u');
      s = await t.until((x) => x.includes(`Thaw ${w!.mount}?`), 'the confirm dialog');
      expect(s).toContain(`command     fsfreeze -u ${w.mount}`);
      expect(s).toContain(`target      mount ${w.mount}`);
      const free = Number(/should free (\d+) blocked task/.exec(s)?.[1]);
      expect(free).toBeGreaterThanOrEqual(pids.length);
      expect(s).toContain('[ No ]');
      // Move to Yes, then Enter (Enter alone would be No).
      t.keys('Right');
      await t.until((x) => x.includes('[ Yes ]'), 'Yes highlighted');
      t.keys('Enter');

      expect(await untilNoneInD(pids, 15_000)).toEqual([]);
      s = await t.until((x) => /Last action .*thaw mount .*: (\d+) of \1 blocked tasks came free in \d+\.\d s; thawed /.test(x), 'the screen reporting them freed');
      s = await t.until((x) => pids.every((p) => !rowOf(p).test(x)), 'the table emptied of the writers');
      expect(s).not.toMatch(line);
      await quitAndCheckTerminal(t);
    } finally {
      t.kill();
      w.down();
      w = undefined;
    }
  });
});

describe.skipIf(!isRoot || !hasTmux)('remedy keys on a live audit netlink deadlock (real kernel, tmux)', () => {
  let w: AuditDeadlockWedge | undefined;
  afterAll(() => w?.down());

  it('names the holder and the cycle, kills it on k + y, and the senders come free', async () => {
    w = auditDeadlockUp();
    const t = terminal();
    try {
      await t.until((s) => s.includes('wt$'), 'shell prompt');
      t.keys('node dist/wedgetop.mjs --grace 1', 'Enter');
      const line = new RegExp(`\\[k\\] kill DEADLOCK +auditbeat-sim:${w.holderPid}/`);
      let s = await t.until((x) => line.test(x), 'the holder with its k key and the deadlock mark');
      const n = causeNumber(s, line);
      expect(n, s).toBeDefined();
      t.keys(n!);
      await t.until((x) => new RegExp(`▶${n} .*auditbeat-sim:${w!.holderPid}/`).test(x), 'the holder selected');
      t.keys('k');
      s = await t.until((x) => x.includes(`Kill auditbeat-sim (pid ${w!.holderPid}, user `), 'the confirm dialog');
      expect(s).toContain(`target      auditbeat-sim (pid ${w.holderPid}, user root)`);
      expect(s).toContain(`kill -TERM ${w.holderPid}; sleep 1; kill -KILL ${w.holderPid}`);
      expect(s).toContain('[DEADLOCK CYCLE]');
      expect(Number(/should free (\d+) blocked task/.exec(s)?.[1])).toBeGreaterThanOrEqual(w.senderPids.length);
      t.keys('y');

      // Freed senders may pass through the audit backlog penalty (a short D sleep) on the way out.
      expect(await untilNoneInD(w.senderPids, 15_000)).toEqual([]);
      await t.until((x) => /Last action .*kill .*: (\d+) of \1 blocked tasks came free in \d+\.\d s; pid \d+ exited after SIGTERM/.test(x), 'the screen reporting them freed');
      await quitAndCheckTerminal(t);
    } finally {
      t.kill();
      w.down();
      w = undefined;
    }
  });
});
