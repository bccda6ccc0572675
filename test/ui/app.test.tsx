// The TUI under ink-testing-library on the recorded frozen-ext4 snapshot (a real frozen ext4
// loop mount, /tmp/mnt1, with 5 blocked writers).
import { afterEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/model.js';
import { CollectorCapped, CollectorStalled } from '../../src/collector/collector.js';
import type { Refresher } from '../../src/store/refresher.js';
import type { TermCaps } from '../../src/ui/term.js';
import { detectCaps } from '../../src/ui/term.js';
import { width } from '../../src/ui/text.js';
import { FakeSource, fixtureAnalysis, fixtureSnapshot, makeStore, renderApp, startRefresher, tick, type Rendered } from './helpers.js';

const analysis = fixtureAnalysis('frozen-ext4');
/** TERM=dumb-like: no attributes, so the selection is the '>' marker the frame text shows. */
const MARKED: TermCaps = { color: false, attrs: false, unicode: true };
const selectedLine = (f: string): string | undefined => f.split('\n').find((l) => l.startsWith('>'));

let open: Rendered[] = [];
let refreshers: Refresher[] = [];
const app = (o: Parameters<typeof renderApp>[0] = {}): Rendered => {
  const r = renderApp({ analysis, ...o });
  open.push(r);
  return r;
};
afterEach(() => {
  for (const r of open) r.unmount();
  for (const r of refreshers) r.stop();
  open = [];
  refreshers = [];
});

describe('first frame', () => {
  it('shows header, root cause with its remedy key, chain, table and footer at 80x24', async () => {
    const r = app({ columns: 80, rows: 24 });
    const f = await r.waitFor((x) => x.includes('/tmp/mnt1'));
    const lines = f.split('\n');
    expect(lines.length).toBe(23);
    for (const l of lines) expect(width(l), l).toBeLessThanOrEqual(80);
    expect(lines[0]).toContain('wedgetop vm');
    expect(f).toContain('6.18.44-fc-v669');
    expect(f).toContain('Load 0.98 0.59 0.27');
    expect(f).toMatch(/Blocked: 5 D of 113/);
    expect(f).toContain('Hung-task 120s: 9 reports');
    expect(f).toContain('REPLAY');
    expect(f).toContain('What to do first');
    expect(f).toMatch(/1 .*5 blocked \[u\] thaw +frozen filesystem \/tmp\/mnt1 \(ext4 on \/dev\/loop0\)/);
    expect(f).toContain('5 tasks in percpu_rwsem_wait → frozen filesystem /tmp/mnt1');
    expect(f).toMatch(/PID +TID USER +COMM +S .*BLOCKED WAIT SITE +WAITS ON/);
    // No task runs in a container: no CONTAINER column taking room.
    expect(f).not.toContain('CONTA');
    expect(f).toContain('▾ frozen-fs @ percpu_rwsem_wait+0x15f/0x1d0 — 5 tasks');
    for (const comm of ['bash', 'mkdir', 'rm', 'touch', 'python3']) expect(f).toContain(comm);
    expect(lines[lines.length - 1]).toMatch(/^F1Help +F4Filter ?F3Search ?F5Graph +F6Sort +F9Kill +uThaw +ZPause +LLog +F10Quit/);
  });

  it('uses the wide column titles when there is room', async () => {
    const r = app({ columns: 140, rows: 40 });
    const f = await r.waitFor((x) => x.includes('/tmp/mnt1'));
    expect(f).toMatch(/PID +TID USER +COMM +STATE +▼BLOCKED FOR WAIT SITE +WAITS ON \/ HOLDER/);
    expect(f).toContain('frozen /tmp/mnt1');
    for (const l of f.split('\n')) expect(width(l)).toBeLessThanOrEqual(140);
  });

  it('never draws more lines than the terminal has, whatever its size', async () => {
    for (const [columns, rows] of [[80, 24], [100, 30], [60, 14], [200, 60], [40, 8]] as const) {
      const r = app({ columns, rows });
      const f = await r.waitFor((x) => x.length > 0);
      expect(f.split('\n').length, `${columns}x${rows}`).toBe(rows - 1);
      // The footer is on the last line drawn, whatever fills the screen above it.
      expect(f.split('\n')[rows - 2], `${columns}x${rows}`).toMatch(/^F1Help/);
      for (const l of f.split('\n')) expect(width(l), `${columns}x${rows}: ${l}`).toBeLessThanOrEqual(columns);
    }
  });

  it('draws only ASCII when the terminal has no Unicode', async () => {
    const r = app({ caps: { color: false, attrs: true, unicode: false } });
    const f = await r.waitFor((x) => x.includes('/tmp/mnt1'));
    // eslint-disable-next-line no-control-regex
    expect(f).toMatch(/^[\u0000-\u007f]*$/);
    expect(f).toContain('- frozen-fs @ percpu_rwsem_wait');
  });
});

describe('keys', () => {
  it('starts on the first task and moves with arrows, j, PgDn, Home, End', async () => {
    const r = app({ caps: MARKED });
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    expect(selectedLine(r.frame())).toContain('bash');
    await r.press('down');
    expect(selectedLine(r.frame())).toContain('mkdir');
    await r.press('j');
    expect(selectedLine(r.frame())).toContain('rm');
    await r.press('up');
    expect(selectedLine(r.frame())).toContain('mkdir');
    await r.press('end');
    expect(selectedLine(r.frame())).toContain('python3');
    await r.press('home');
    expect(selectedLine(r.frame())).toContain('frozen-fs @');
    await r.press('pagedown');
    expect(selectedLine(r.frame())).toContain('python3');
    await r.press('pageup');
    expect(selectedLine(r.frame())).toContain('frozen-fs @');
  });

  it('opens the detail view: decoded syscall, mount, chain, remedy, stack with the wait-site frame marked', async () => {
    const r = app({ rows: 50, columns: 110 });
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    await r.press('enter');
    const f = await r.waitFor((x) => x.includes('Kernel stack'), 'detail');
    expect(f).toContain('Task bash:14473');
    expect(f).toContain('D (uninterruptible sleep)');
    expect(f).toContain('write(fd 1 → /tmp/mnt1/f');
    expect(f).toContain('→ /tmp/mnt1/f on mount /tmp/mnt1 (ext4 on /dev/loop0)');
    expect(f).toContain('waits on    frozen filesystem /tmp/mnt1 (ext4 on /dev/loop0)');
    expect(f).toContain('1. frozen filesystem /tmp/mnt1 (ext4 on /dev/loop0) — blocks 5');
    expect(f).toContain('[u] thaw: fsfreeze -u /tmp/mnt1');
    expect(f).toMatch(/▶ #0 +percpu_rwsem_wait\+0x15f\/0x1d0/);
    expect(f).toMatch(/ {3}#1 +vfs_write\+0x3f0\/0x450/);
    await r.press('escape');
    await r.waitFor((x) => x.includes('What to do first'), 'back to the list');
  });

  it('decodes a dirfd syscall and a page fault', async () => {
    const r = app({ rows: 50, columns: 110 });
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    await r.press('/', ...'touch', 'enter', 'enter');
    let f = await r.waitFor((x) => x.includes('Kernel stack'), 'touch detail');
    expect(f).toMatch(/openat\(AT_FDCWD, /);
    await r.press('escape', 'escape', '/', ...'python3', 'enter', 'enter');
    f = await r.waitFor((x) => x.includes('Task python3'), 'python3 detail');
    expect(f).toContain('none: in a page fault or in the kernel');
  });

  it('scrolls a long detail view and keeps the frame height', async () => {
    const r = app({ rows: 24, columns: 80 });
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    await r.press('enter');
    const f = await r.waitFor((x) => x.includes('lines 1-21 of'), 'scroll range');
    expect(f.split('\n').length).toBeLessThanOrEqual(23);
    await r.press('end');
    const g = await r.waitFor((x) => x.includes('entry_SYSCALL_64_after_hwframe'), 'stack bottom');
    expect(g).not.toContain('lines 1-21 of');
    await r.press('home');
    await r.waitFor((x) => x.includes('lines 1-21 of'), 'top again');
  });

  it('shows the waits-on graph as a tree from the root cause to its waiters', async () => {
    const r = app();
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    await r.press('t');
    const f = await r.waitFor((x) => x.includes('Waits-on graph'), 'graph');
    expect(f).toContain('1. frozen filesystem /tmp/mnt1 (ext4 on /dev/loop0)  blocks 5  [u] thaw');
    expect(f).toContain('└─ frozen filesystem /tmp/mnt1 (ext4 on /dev/loop0) — 5 waiting');
    expect(f).toContain('├─ python3:14430 D in percpu_rwsem_wait');
    expect(f).toContain('└─ rm:14476 D in percpu_rwsem_wait');
    expect(f).not.toContain('DEADLOCK');
    await r.press('f5');
    await r.waitFor((x) => x.includes('What to do first'), 'F5 toggles back');
  });

  it('opens help with ?, F1 and h, and closes it with Esc', async () => {
    const r = app();
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    for (const k of ['?', 'f1', 'h']) {
      await r.press(k);
      await r.waitFor((x) => x.includes('Everywhere') && x.includes('pause / resume'), `help by ${k}`);
      await r.press('escape');
      await r.waitFor((x) => x.includes('What to do first'), `closed after ${k}`);
    }
  });

  it('filters with /, keeps it with Enter, clears it with Esc', async () => {
    const r = app();
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    await r.press('/', ...'mkd');
    let f = await r.waitFor((x) => x.includes('Filter: mkd'), 'filter prompt');
    expect(f).toContain('mkdir');
    expect(f).not.toMatch(/\btouch\b/);
    // Keys that are actions elsewhere are text here.
    await r.press('q');
    expect(r.quits()).toBe(0);
    await r.press('backspace', 'enter');
    f = await r.waitFor((x) => x.includes('/mkd '), 'filter kept');
    expect(f).toContain('1 task');
    await r.press('/', ...'zzz', 'enter');
    f = await r.waitFor((x) => x.includes('no task matches "mkdzzz"'), 'empty');
    await r.press('escape');
    f = await r.waitFor((x) => x.includes('5 tasks'), 'filter cleared');
    expect(f).toContain('touch');
  });

  it('folds and unfolds a wait-site group', async () => {
    const r = app({ caps: MARKED });
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    await r.press('-');
    let f = await r.waitFor((x) => x.includes('>▸ frozen-fs'), 'folded, selected');
    expect(f).not.toContain('touch');
    expect(selectedLine(f)).toContain('frozen-fs');
    await r.press('+');
    f = await r.waitFor((x) => x.includes('>▾ frozen-fs'), 'unfolded');
    expect(f).toContain('touch');
    await r.press('home', 'enter');
    await r.waitFor((x) => x.includes('>▸ frozen-fs'), 'Enter on a group folds it');
  });

  it('sorts by the next column with > and F6, inverts with I', async () => {
    const r = app();
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    const order = (f: string): string[] => ['bash', 'mkdir', 'rm', 'touch', 'python3'].sort((x, y) => f.indexOf(` ${x} `) - f.indexOf(` ${y} `));
    expect(r.frame()).toContain('▼BLOCKED');
    await r.press('>');
    await r.waitFor((x) => x.includes('WAIT SITE▲'), 'sorted by site');
    for (let i = 0; i < 6; i++) await r.press('f6');
    const f = await r.waitFor((x) => x.includes('COMM▲'), 'sorted by comm');
    expect(order(f)).toEqual(['bash', 'mkdir', 'python3', 'rm', 'touch']);
    await r.press('I');
    const g = await r.waitFor((x) => x.includes('COMM▼'), 'inverted');
    expect(order(g)).toEqual(['touch', 'rm', 'python3', 'mkdir', 'bash']);
  });

  it('tags with Space (and moves down), untags all with U', async () => {
    const r = app({ caps: MARKED });
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    await r.press('space');
    const f = r.frame();
    expect(f.split('\n').find((l) => l.includes(' bash '))).toMatch(/^\*/);
    expect(selectedLine(f)).toContain('mkdir');
    await r.press('U');
    expect(r.frame().split('\n').find((l) => l.includes(' bash '))).not.toMatch(/^\*/);
  });

  it('says what a remedy would run when no remediation is plugged in', async () => {
    const r = app();
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    await r.press('u');
    await r.waitFor((x) => x.includes('remediation is not available here — u would run: fsfreeze -u /tmp/mnt1'), 'thaw message');
    await r.press('k');
    await r.waitFor((x) => x.includes('k: no kill remedy for "frozen filesystem /tmp/mnt1'), 'no kill remedy');
    await r.press('f9');
    await r.waitFor((x) => x.includes('F9: no kill remedy'), 'F9 is k');
  });

  it('pauses with Z, keeping newer data aside until resumed', async () => {
    const store = makeStore();
    const r = app({ store });
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    await r.press('Z');
    await r.waitFor((x) => x.includes('PAUSED'), 'paused');
    store.getState().setAnalysis({ ...analysis, tasks: [], rootCauses: [] });
    const f = await r.waitFor((x) => x.includes('newer data waiting'), 'stashed');
    expect(f).toContain('mkdir');
    await r.press('Z');
    await r.waitFor((x) => x.includes('Nothing is blocked'), 'resumed with the new data');
  });

  it('quits with q, F10 and Ctrl-C; Ctrl-L redraws', async () => {
    const r = app();
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    await r.press('ctrl-l');
    expect(r.store.getState().redraws).toBe(1);
    await r.press('q', 'f10', 'ctrl-c');
    expect(r.quits()).toBe(3);
  });
});

describe('collector', () => {
  it('keeps answering keys while the collector never answers, and says it stalled', async () => {
    const store = makeStore({ live: true, timeoutMs: 150, clock: Date.now });
    const src = new FakeSource(() => new Promise<Snapshot>(() => {}));
    refreshers.push(startRefresher(store, src, { intervalMs: 30, timeoutMs: 150 }));
    const r = app({ store, analysis: undefined });
    await r.waitFor((x) => x.includes('collecting'), 'collecting');
    await r.press('?');
    await r.waitFor((x) => x.includes('Everywhere'), 'help while pending');
    await r.press('escape');
    store.getState().tick();
    await r.waitFor((x) => { store.getState().tick(); return x.includes('collector stalled'); }, 'stalled', 3000);
    await tick(200);
    // Never a second request while the first is out.
    expect(src.calls).toBe(1);
    await r.press('t');
    await r.waitFor((x) => x.includes('Waits-on graph'), 'graph while stalled');
  });

  it('says the collector is slow, not stalled, while it is past its timeout but still computing', async () => {
    const store = makeStore({ live: true, timeoutMs: 150, clock: Date.now });
    const src = new FakeSource(() => new Promise<Snapshot>(() => {}));
    let computing = true;
    refreshers.push(startRefresher(store, src, { intervalMs: 30, timeoutMs: 150, computing: () => computing }));
    const r = app({ store, analysis: undefined });
    const f = await r.waitFor((x) => { store.getState().tick(); return x.includes('collector slow'); }, 'slow', 3000);
    expect(f).toMatch(/collector slow \d+s: still computing, not stuck/);
    expect(f).not.toContain('collector stalled');
    computing = false;
    await r.waitFor((x) => { store.getState().tick(); return x.includes('collector stalled'); }, 'stalled once it stops computing', 3000);
  });

  it('keeps the last data when the collector times out (CollectorStalled), and recovers', async () => {
    const snap = fixtureSnapshot('frozen-ext4');
    let mode: 'ok' | 'stall' = 'ok';
    const store = makeStore({ live: true, timeoutMs: 1000, clock: Date.now });
    const src = new FakeSource(async () => {
      if (mode === 'stall') throw new CollectorStalled('collector did not answer within 1000 ms');
      return snap;
    });
    refreshers.push(startRefresher(store, src, { intervalMs: 20, timeoutMs: 1000, isStall: (e) => e instanceof CollectorStalled }));
    const r = app({ store, analysis: undefined });
    await r.waitFor((x) => x.includes('/tmp/mnt1') && x.includes('live'), 'data');
    mode = 'stall';
    const f = await r.waitFor((x) => x.includes('collector stalled'), 'stalled');
    expect(f).toContain('/tmp/mnt1');
    expect(f).toMatch(/collector stalled \d+s, showing data from \d\d:\d\d:\d\d/);
    mode = 'ok';
    await r.waitFor((x) => !x.includes('collector stalled') && x.includes('live'), 'recovered');
  });

  it('shows a collector error without losing the data', async () => {
    const snap = fixtureSnapshot('frozen-ext4');
    let fail = false;
    const store = makeStore({ live: true, clock: Date.now });
    const src = new FakeSource(async () => {
      if (fail) throw new Error('EPERM reading /proc');
      return snap;
    });
    refreshers.push(startRefresher(store, src, { intervalMs: 20 }));
    const r = app({ store, analysis: undefined });
    await r.waitFor((x) => x.includes('/tmp/mnt1'), 'data');
    fail = true;
    const f = await r.waitFor((x) => /collector error, showing data from [\d:]+: EPERM/.test(x), 'error');
    expect(f).toContain('/tmp/mnt1');
  });

  it('after stalls, says why no new collector is started (abandoned children capped)', async () => {
    const snap = fixtureSnapshot('frozen-ext4');
    let mode: 'ok' | 'stall' | 'capped' = 'ok';
    const store = makeStore({ live: true, timeoutMs: 1000, clock: Date.now });
    const src = new FakeSource(async () => {
      if (mode === 'stall') throw new CollectorStalled('collector did not answer within 1000 ms');
      if (mode === 'capped') throw new CollectorCapped('2 abandoned collectors are still stuck (pid 11; pid 12): not starting another until one exits');
      return snap;
    });
    refreshers.push(startRefresher(store, src, { intervalMs: 20, timeoutMs: 1000, isStall: (e) => e instanceof CollectorStalled }));
    const r = app({ store, analysis: undefined });
    await r.waitFor((x) => x.includes('/tmp/mnt1') && x.includes('live'), 'data');
    mode = 'stall';
    await r.waitFor((x) => x.includes('collector stalled'), 'stalled');
    mode = 'capped';
    // The header is as wide as its left column: the reason is cut there, and whole in the log.
    const f = await r.waitFor((x) => /collector error, showing data from [\d:]+: 2 abandoned col/.test(x), 'capped');
    expect(f).toContain('/tmp/mnt1');
    expect(f).not.toContain('collector stalled');
  });

  it('keeps first sightings where the analysis runs (the collector stand-in) across refreshes and records history', async () => {
    const snap = fixtureSnapshot('frozen-ext4');
    const store = makeStore({ clock: Date.now });
    const src = new FakeSource(async () => snap);
    const ref = startRefresher(store, src, { intervalMs: 10 });
    refreshers.push(ref);
    await new Promise<void>((res) => {
      const t = setInterval(() => {
        if (store.getState().history.length >= 3) {
          clearInterval(t);
          res();
        }
      }, 5);
    });
    expect(src.analyst.firstSeen.get('14473/14473')).toBe(snap.takenAtMs);
    expect(store.getState().history.at(-1)).toMatchObject({ total: 5, byRoot: { 'frozen-fs:/tmp/mnt1': 5 } });
  });
});

describe('terminal capabilities', () => {
  it('honours NO_COLOR, --no-color, TERM=dumb, TERM=linux and the locale', () => {
    expect(detectCaps({ TERM: 'xterm-256color', LANG: 'en_US.UTF-8' }, false)).toEqual({ color: true, attrs: true, unicode: true });
    expect(detectCaps({ TERM: 'xterm', LANG: 'C.UTF-8', NO_COLOR: '1' }, false).color).toBe(false);
    expect(detectCaps({ TERM: 'xterm', LANG: 'C.UTF-8', NO_COLOR: '' }, false).color).toBe(true);
    expect(detectCaps({ TERM: 'xterm', LANG: 'C.UTF-8' }, true).color).toBe(false);
    expect(detectCaps({ TERM: 'dumb', LANG: 'C.UTF-8' }, false)).toEqual({ color: false, attrs: false, unicode: false });
    expect(detectCaps({ TERM: 'linux', LANG: 'C.UTF-8' }, false).unicode).toBe(false);
    expect(detectCaps({ TERM: 'xterm', LANG: 'C' }, false).unicode).toBe(false);
    expect(detectCaps({ TERM: 'xterm', LANG: 'en_US.UTF-8', LC_ALL: 'POSIX' }, false).unicode).toBe(false);
    expect(detectCaps({ TERM: 'xterm', LC_CTYPE: 'de_DE.utf8' }, false).unicode).toBe(true);
  });
});
