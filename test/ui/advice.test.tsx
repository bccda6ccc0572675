// A root cause nothing on this box holds (the NFS server of a mount): the detail view prints the
// expert's advice as text, with no key bound to it, next to "none wedgetop can apply".
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureAnalysis, renderApp, type Rendered } from './helpers.js';

let open: Rendered[] = [];
afterEach(() => {
  for (const r of open) r.unmount();
  open = [];
});

describe('advice in the detail view', () => {
  it('shows the NFS advice (umount -f -l of the mount) as text, not as a remedy key', async () => {
    const r = renderApp({ analysis: fixtureAnalysis('nfs-server-gone'), rows: 60, columns: 240 });
    open.push(r);
    await r.waitFor((x) => x.includes('/mnt/home'));
    await r.press('enter');
    const f = await r.waitFor((x) => x.includes('Kernel stack'), 'detail');
    expect(f).toContain('none wedgetop can apply: the chain ends outside its reach');
    expect(f).toContain('advice (not run by wedgetop): Nothing on this box holds it: the NFS server fs01 is not answering for /mnt/home.');
    expect(f).not.toMatch(/\[\w\] \w+: umount/);
  });
});
