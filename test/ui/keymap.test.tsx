// The keymap is the single source: help and footer are generated from it and must agree with it,
// no key means two things in one place, every F-key has a typeable twin, remediation is reserved.
import { describe, expect, it } from 'vitest';
import { CONTEXT_TITLES, decodeKey, KEYMAP, keyLabel, keysLabel, lookup, remedyKey, type KeyContext } from '../../src/ui/keymap.js';
import { footerLine, helpEntries, helpLines, remedyNote } from '../../src/ui/screens/help.js';
import { lineText } from '../../src/ui/line.js';
import { fixtureAnalysis, makeStore, renderApp } from './helpers.js';

describe('keymap', () => {
  it('binds no key to two actions in the same place', () => {
    for (const ctx of ['main', 'causes', 'scroll', 'filter', 'search', 'confirm'] as const) {
      const seen = new Map<string, string>();
      for (const b of KEYMAP) {
        if (!b.contexts.includes(ctx) && !(b.contexts.includes('global'))) continue;
        // Global bindings give way to the context's own (Enter, Esc in the filter).
        if (!b.contexts.includes(ctx) && KEYMAP.some((o) => o.contexts.includes(ctx) && o.keys.some((k) => b.keys.includes(k)))) continue;
        for (const k of b.keys) {
          expect(seen.get(k), `${k} in ${ctx}: ${seen.get(k)} and ${b.action}`).toBeUndefined();
          seen.set(k, b.action);
        }
      }
    }
  });

  it('gives every F-key a typeable twin on the same action', () => {
    for (const b of KEYMAP) {
      if (!b.keys.some((k) => /^f\d+$/.test(k))) continue;
      expect(b.keys.some((k) => [...k].length === 1), `${b.action}: ${b.keys.join(' ')}`).toBe(true);
    }
  });

  it('declares the htop keys the spec asks for', () => {
    const act = (k: string, ctx: Exclude<KeyContext, 'global'> = 'main') => lookup(k, ctx)?.action;
    expect(act('q')).toBe('quit');
    expect(act('f10')).toBe('quit');
    expect(act('ctrl-c')).toBe('quit');
    expect(act('up')).toBe('up');
    expect(act('down')).toBe('down');
    expect(act('j')).toBe('down');
    expect(act('pageup')).toBe('page-up');
    expect(act('pagedown')).toBe('page-down');
    expect(act('home')).toBe('home');
    expect(act('end')).toBe('end');
    expect(act('enter')).toBe('details');
    expect(act('escape', 'scroll')).toBe('close');
    expect(act('/')).toBe('filter');
    expect(act('t')).toBe('graph');
    expect(act('f5')).toBe('graph');
    expect(act('f6')).toBe('sort');
    expect(act('>')).toBe('sort');
    expect(act('space')).toBe('tag');
    expect(act('Z')).toBe('pause');
    expect(act('ctrl-l')).toBe('redraw');
    expect(act('?')).toBe('help');
    expect(act('f1')).toBe('help');
    expect(act('h')).toBe('help');
  });

  it('reserves k / F9 and u for remediation, by action id', () => {
    expect(lookup('k', 'main')?.action).toBe('remedy-kill');
    expect(lookup('f9', 'main')?.action).toBe('remedy-kill');
    expect(lookup('u', 'main')?.action).toBe('remedy-thaw');
    expect(lookup('k', 'main')?.remedy).toBe('kill');
    expect(remedyKey('kill')).toBe('k');
    expect(remedyKey('thaw')).toBe('u');
  });

  it('lets only its own keys and the ways out through the confirm dialog', () => {
    expect(lookup('y', 'confirm')?.action).toBe('confirm-yes');
    expect(lookup('n', 'confirm')?.action).toBe('confirm-no');
    expect(lookup('escape', 'confirm')?.action).toBe('confirm-no');
    expect(lookup('enter', 'confirm')?.action).toBe('confirm-enter');
    for (const k of ['left', 'right', 'tab']) expect(lookup(k, 'confirm')?.action, k).toBe('confirm-choose');
    // Nothing acts behind the dialog, and no other key answers it.
    for (const k of ['k', 'u', 'a', 'q', 't', '?', 'f9', 'f5', 'f1', 'space', 'up', 'Z', 'L']) expect(lookup(k, 'confirm'), k).toBeUndefined();
    expect(lookup('ctrl-c', 'confirm')?.action).toBe('quit');
    expect(lookup('f10', 'confirm')?.action).toBe('quit');
  });

  it('moves between the task list and the root-causes panel with Tab, and selects a root cause with 1-9', () => {
    expect(lookup('tab', 'main')?.action).toBe('focus');
    expect(lookup('tab', 'causes')?.action).toBe('focus');
    expect(lookup('3', 'main')?.action).toBe('select-cause');
    expect(lookup('down', 'causes')?.action).toBe('down');
    expect(lookup('k', 'causes')?.action).toBe('remedy-kill');
    expect(lookup('L', 'main')?.action).toBe('actions');
  });

  it('types printable keys into the filter instead of acting on them', () => {
    for (const k of ['q', 'k', 'u', 't', 'h', '?', '/', 'j']) expect(lookup(k, 'filter'), k).toBeUndefined();
    expect(lookup('ctrl-c', 'filter')?.action).toBe('quit');
    expect(lookup('enter', 'filter')?.action).toBe('filter-accept');
    expect(lookup('escape', 'filter')?.action).toBe('filter-cancel');
  });

  it('decodes raw terminal sequences', () => {
    expect(decodeKey('\u001b[A')).toBe('up');
    expect(decodeKey('\u001bOA')).toBe('up');
    expect(decodeKey('\u001b[1;5B')).toBe('down');
    expect(decodeKey('\u001b[5~')).toBe('pageup');
    expect(decodeKey('\u001bOP')).toBe('f1');
    expect(decodeKey('\u001b[[A')).toBe('f1'); // Linux console
    expect(decodeKey('\u001b[15~')).toBe('f5');
    expect(decodeKey('\u001b[17~')).toBe('f6');
    expect(decodeKey('\u001b[20~')).toBe('f9');
    expect(decodeKey('\u001b[21~')).toBe('f10');
    expect(decodeKey('\r')).toBe('enter');
    expect(decodeKey('\u001b')).toBe('escape');
    expect(decodeKey('\u000c')).toBe('ctrl-l');
    expect(decodeKey('\u0003')).toBe('ctrl-c');
    expect(decodeKey('\u007f')).toBe('backspace');
    expect(decodeKey(' ')).toBe('space');
    expect(decodeKey('Z')).toBe('Z');
    expect(decodeKey('é')).toBe('é');
  });
});

describe('help and footer are generated from the keymap', () => {
  const help = helpLines(undefined).map(lineText);

  it('lists every binding with all its keys and its text, and nothing else', () => {
    const entries = helpEntries();
    expect(entries.map((e) => e.binding)).toEqual(expect.arrayContaining([...KEYMAP]));
    expect(entries).toHaveLength(KEYMAP.length);
    for (const b of KEYMAP) {
      const l = help.find((x) => x.trimStart().startsWith(keysLabel(b) + ' ') && x.includes(b.help));
      expect(l, `help line for ${b.action}`).toBeDefined();
    }
    // Every key-looking line of the help is a binding.
    const keyLines = help.filter((l) => /^ {2}\S/.test(l) && / {2,}/.test(l.trim()));
    for (const l of keyLines) {
      expect(KEYMAP.some((b) => l.trimStart().startsWith(keysLabel(b) + ' ') && l.includes(b.help)), l).toBe(true);
    }
    for (const ctx of Object.keys(CONTEXT_TITLES) as KeyContext[]) expect(help.some((l) => l.toLowerCase().includes(CONTEXT_TITLES[ctx].toLowerCase())), ctx).toBe(true);
  });

  it('notes on the remedy keys when they cannot act or only dry-run', () => {
    const note = (o: Parameters<typeof makeStore>[0]): string => remedyNote(makeStore(o).getState());
    expect(note({ readOnly: true })).toContain('--read-only');
    expect(note({})).toContain('not available');
    const lines = helpLines(undefined, note({ readOnly: true })).map(lineText);
    expect(lines.find((l) => l.includes(bindingHelp('remedy-kill')))).toContain('(off: --read-only)');
    expect(lines.find((l) => l.includes(bindingHelp('quit')))).not.toContain('read-only');
  });

  it('builds the footer from the bindings that have a footer entry, in order', () => {
    const s = makeStore().getState();
    const text = lineText(footerLine(s, 200));
    const want = KEYMAP.filter((b) => b.footer).sort((a, b) => a.footer!.order - b.footer!.order);
    let at = -1;
    for (const b of want) {
      const item = keyLabel(b.keys[0]!) + b.footer!.label;
      const i = text.indexOf(item);
      expect(i, item).toBeGreaterThan(at);
      at = i;
    }
    expect(text).toContain('F1Help');
    expect(text).toContain('F10Quit');
    expect(text).toContain('F9Kill');
    // Nothing in the footer that is not a binding.
    const words = text.trim().split(/\s+/);
    for (const w of words) expect(want.some((b) => w.startsWith(keyLabel(b.keys[0]!)) || w === b.footer!.label), w).toBe(true);
  });

  it('shows the same help in the running app', async () => {
    const r = renderApp({ analysis: fixtureAnalysis('frozen-ext4'), rows: 80, columns: 120 });
    await r.waitFor((f) => f.includes('/tmp/mnt1'));
    await r.press('?');
    const f = await r.waitFor((x) => x.includes('Everywhere'), 'help');
    for (const b of KEYMAP) expect(f, b.action).toContain(keysLabel(b));
    r.unmount();
  });
});

function bindingHelp(action: string): string {
  return KEYMAP.find((b) => b.action === action)!.help;
}
