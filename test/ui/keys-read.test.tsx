// Several keys in one read of the terminal, through the App (the public stdin's 'data', split by
// src/ui/keysplit.ts): typed ahead while the UI was busy, or pasted. They all act, in order, except
// that a dialog is answered only by a key read after it was drawn: `u` then `y` in one read opens
// the thaw dialog and runs nothing.
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionPlan } from '../../src/actions/remedy.js';
import { fakeExecutor, fixtureAnalysis, remediation, renderApp, tick, type Rendered } from './helpers.js';

type Calls = { plan: ActionPlan; dryRun: boolean }[];
const frozen = fixtureAnalysis('frozen-ext4');
const E = '\u001b';

let open: Rendered[] = [];
afterEach(() => {
  for (const r of open) r.unmount();
  open = [];
});
const app = (calls: Calls = []): Rendered => {
  const r = renderApp({ analysis: frozen, columns: 110, rows: 36, remediator: remediation({ execute: fakeExecutor(calls) }) });
  open.push(r);
  return r;
};

describe('one read, several keys', () => {
  it('moves once per key typed ahead (jjj, or three ↓ in one read), as when pressed apart', async () => {
    const r = app();
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    const at = r.store.getState().cursor;
    r.write('jj');
    r.write(`${E}[B${E}[B`);
    await tick(40);
    expect(r.store.getState().cursor).toBe(at + 4);
  });

  it('opens the filter and types the rest of the read into it, then Enter keeps it', async () => {
    const r = app();
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    r.write('/touch\r');
    await r.waitFor(() => !r.store.getState().filterEditing && r.store.getState().filter === 'touch', 'filter kept');
    const f = await r.waitFor((x) => x.includes('touch') && !x.includes(' mkdir '), 'filtered');
    expect(f).not.toContain(' rm ');
  });

  it('u then y in one read opens the thaw dialog and runs nothing; a y read after it runs the thaw', async () => {
    const calls: Calls = [];
    const r = app(calls);
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    r.write('uy');
    await r.waitFor((x) => x.includes('Thaw /tmp/mnt1?'), 'dialog');
    await tick(40);
    expect(calls).toHaveLength(0);
    expect(r.store.getState().dialog?.choice).toBe('no');
    r.write('y');
    await r.waitFor(() => calls.length === 1, 'y runs it');
    expect(calls[0]!.plan.command).toBe('fsfreeze -u /tmp/mnt1');
  });

  it('→ then Enter in one read moves the dialog to Yes but does not answer it', async () => {
    const calls: Calls = [];
    const r = app(calls);
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    await r.press('u');
    await r.waitFor((x) => x.includes('Thaw /tmp/mnt1?'), 'dialog');
    r.write(`${E}[C\r`);
    await r.waitFor((x) => x.includes('[ Yes ]'), 'Yes highlighted');
    await tick(40);
    expect(calls).toHaveLength(0);
    r.write('\r');
    await r.waitFor(() => calls.length === 1, 'Enter read after it runs it');
  });

  it('a bracketed paste outside a text field is no keys: pasted "q" does not quit, and it says where a paste goes', async () => {
    const r = app();
    await r.waitFor((x) => x.includes('/tmp/mnt1'));
    r.write(`${E}[200~qky${E}[201~`);
    await r.waitFor((x) => x.includes('a paste goes into the filter'), 'the message');
    expect(r.quits()).toBe(0);
    expect(r.store.getState().dialog).toBeUndefined();
    await r.press('/');
    r.write(`${E}[200~touch${E}[201~`);
    await r.waitFor(() => r.store.getState().filter === 'touch', 'pasted into the filter');
  });
});
