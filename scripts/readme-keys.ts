// `npm run readme-keys`: the README's "Keys" tables, printed from the keymap (src/ui/keymap.ts)
// through the same grouping the in-app help uses, so README, help and footer cannot disagree.
// Paste the output between the README's keys:start / keys:end markers; test/ui/readme.test.ts
// fails when they differ.
import { pathToFileURL } from 'node:url';
import { keyLabel } from '../src/ui/keymap.js';
import { helpEntries } from '../src/ui/screens/help.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|');

export function keysMarkdown(): string {
  const out: string[] = [];
  let section: string | undefined;
  for (const e of helpEntries()) {
    if (e.section !== section) {
      if (section) out.push('');
      section = e.section;
      out.push(`**${section}**`, '', '| keys | what it does |', '|---|---|');
    }
    const keys = e.binding.keys.map((k) => `\`${keyLabel(k)}\``).join(' ');
    out.push(`| ${cell(keys)} | ${cell(e.help)} |`);
  }
  return out.join('\n') + '\n';
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.stdout.write(keysMarkdown());
