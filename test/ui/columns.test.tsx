// Issue 13 item 6: "htop's F2-style column choice saved in ~/.config/wedgetop/ (XDG, never on a
// frozen fs: skip saving if that fs is frozen or slow)". F2 / C opens the chooser, Space shows or
// hides a column, closing saves it through the safe-write module when the config directory is on
// a local filesystem nothing is frozen or blocked on; it is read back at start, bad JSON ignored.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { columnPrefs, mountOf, unsafeBecause } from '../../src/ui/prefs.js';
import { fixtureAnalysis, renderApp, type Rendered } from './helpers.js';

const frozen = fixtureAnalysis('frozen-ext4');
const threads = fixtureAnalysis('threads-2000');
// A config home on tmpfs, this test's own (swept with the rest of /dev/shm/wedgetop-tests).
const XDG = `/dev/shm/wedgetop-tests/columns-${process.pid}-${Date.now()}`;
const FILE = path.join(XDG, 'wedgetop', 'columns.json');

let r: Rendered | undefined;
afterEach(() => {
  r?.unmount();
  r = undefined;
});
afterAll(() => fs.rmSync(XDG, { recursive: true, force: true }));

/** No frozen filesystem and nothing blocked on /dev/shm: the 2,000 threads' analysis minus its root. */
const calm = { ...threads, resources: [], rootCauses: [] };

describe('the F2 column chooser', () => {
  it('hides a column with Space, saves the choice on close, and a new start reads it back', async () => {
    fs.mkdirSync(XDG, { recursive: true });
    const store = columnPrefs({ XDG_CONFIG_HOME: XDG })!;
    r = renderApp({ analysis: calm, columns: 120, rows: 35 });
    r.store.getState().setColumnStore(store);
    expect(r.frame()).toMatch(/USER +COMM/);
    await r.press('f2');
    const f = await r.waitFor((x) => x.includes('Columns shown'), 'the chooser');
    expect(f).toMatch(/▶ \[x\] PID/);
    // PID, TID, USER: hide USER.
    await r.press('down', 'down', 'space');
    await r.waitFor((x) => /\[ \] USER/.test(x), 'USER unticked');
    await r.press('escape');
    const g = await r.waitFor((x) => x.includes(`columns saved in ${FILE}`), 'saved');
    expect(g).not.toMatch(/USER +COMM/);
    expect(JSON.parse(fs.readFileSync(FILE, 'utf8'))).toEqual({ hidden: ['user'] });
    r.unmount();
    r = renderApp({ analysis: calm, columns: 120, rows: 35 });
    r.store.getState().setColumnStore(columnPrefs({ XDG_CONFIG_HOME: XDG })!);
    expect(r.store.getState().hiddenColumns).toEqual(new Set(['user']));
    await r.waitFor((x) => /TID +COMM/.test(x), 'USER hidden from the start');
    // C is F2's typeable twin.
    await r.press('C');
    await r.waitFor((x) => /\[ \] USER/.test(x), 'the chooser again');
  });

  it('does not save while a filesystem is frozen, and says so', async () => {
    fs.mkdirSync(XDG, { recursive: true });
    fs.rmSync(FILE, { force: true });
    r = renderApp({ analysis: frozen, columns: 120, rows: 35 });
    r.store.getState().setColumnStore(columnPrefs({ XDG_CONFIG_HOME: XDG })!);
    await r.press('f2', 'space', 'escape');
    await r.waitFor((x) => x.includes('columns not saved (this session only)') && x.includes('a filesystem is frozen (/tmp/mnt1)'), 'the refusal');
    expect(fs.existsSync(FILE)).toBe(false);
  });

  it('ignores bad JSON with a warning', async () => {
    fs.mkdirSync(path.dirname(FILE), { recursive: true });
    fs.writeFileSync(FILE, '{"hidden": [');
    r = renderApp({ analysis: calm, columns: 120, rows: 35 });
    r.store.getState().setColumnStore(columnPrefs({ XDG_CONFIG_HOME: XDG })!);
    await r.waitFor((x) => x.includes('columns.json: not JSON'), 'the warning');
    expect(r.store.getState().hiddenColumns.size).toBe(0);
  });

  it('finds the filesystem from mountinfo text and refuses network and FUSE homes, reading too', () => {
    const mi = [
      '22 1 8:1 / / rw - ext4 /dev/sda1 rw',
      '30 22 0:40 / /home rw - nfs4 srv:/home rw',
      '31 30 0:41 / /home/me/.config rw - fuse.sshfs me@x: rw',
      '32 22 0:42 / /run rw - tmpfs tmpfs rw',
    ].join('\n');
    expect(mountOf('/home/me/.config/wedgetop', mi)?.fsType).toBe('fuse.sshfs');
    expect(mountOf('/home/other/.config/wedgetop', mi)?.fsType).toBe('nfs4');
    expect(mountOf('/root/.config/wedgetop', mi)?.mountPoint).toBe('/');
    expect(unsafeBecause('/home/other/.config/wedgetop', mi)).toMatch(/nfs4/);
    expect(unsafeBecause('/run/cfg/wedgetop', mi)).toBeUndefined();
    const prefs = columnPrefs({ HOME: '/home/me' }, () => mi)!;
    expect(prefs.file).toBe('/home/me/.config/wedgetop/columns.json');
    expect(prefs.load().warning).toMatch(/not read: \/home\/me\/.config\/wedgetop is on fuse.sshfs/);
  });
});
