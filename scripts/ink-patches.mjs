// wedgetop's edits to Ink, applied to node_modules/ink itself so that the UI tests (vitest loads
// Ink from node_modules) and the bundle (esbuild reads the same files) run the same Ink.
// Applied by `npm install` / `npm ci` (postinstall), and again, idempotently, by scripts/build.mjs
// (vitest's globalSetup builds first), so a node_modules installed before a patch was added is
// patched before anything runs it. Each edit is a literal replacement that must match exactly once
// in Ink's pristine file: when Ink changes, this fails loudly and names the patch.
//
// `node scripts/ink-patches.mjs` applies; `--check` only verifies (exit 1 when not applied).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const INK_DIR = path.join(root, 'node_modules', 'ink');
/** The Ink the patches were written against (package.json pins ^6.8.0; a different one is re-checked). */
export const INK_VERSION = '6.8.0';
const MARK = '// wedgetop-ink-patch ';
const ORIG = '.wedgetop-orig';

/**
 * file (under ink/build/) -> why, the upstream issue/PR it mirrors, and its edits [from, to].
 * @type {Record<string, { why: string; upstream: string; edits: [string, string][] }>}
 */
export const INK_PATCHES = {
  'output.js': {
    why: 'Ink makes a new Output, with empty caches, for every frame, and tokenises every styled line of the screen ' +
      'again (half of a frame\'s cost). Lines rarely change between frames (a cursor move changes two), so one set of ' +
      'caches is kept across frames, emptied once it holds a few screens\' worth (a cached line is ~10 KB: an object ' +
      'per character). Ink never mutates them.',
    upstream: 'vadimdemedes/ink#835 added the per-Output caches; keeping them across frames is ours (no upstream issue)',
    edits: [
      ['    caches = new OutputCaches();', '    caches = wtCaches();'],
      ['export default class Output {', [
        'let wtSharedCaches;',
        'function wtCaches() {',
        '    const c = wtSharedCaches;',
        '    if (c && c.styledChars.size < 300 && c.blockWidths.size < 1000 && c.widths.size < 4000) return c;',
        '    return (wtSharedCaches = new OutputCaches());',
        '}',
        'export default class Output {',
      ].join('\n')],
    ],
  },
  'measure-text.js': {
    why: 'A cache Ink never empties: every distinct line ever drawn stays in memory. A task table whose "blocked for" ' +
      'column changes every second leaks ~50 lines a second, for hours.',
    upstream: 'vadimdemedes/ink#986 (unbounded measureText/wrapText caches), fixed in Ink\'s main by vadimdemedes/ink#987 (bounded LRU)',
    edits: [['    cache.set(text, dimensions);', '    if (cache.size >= 2000) cache.clear();\n    cache.set(text, dimensions);']],
  },
  'wrap-text.js': {
    why: 'The same unbounded cache for wrapped text.',
    upstream: 'vadimdemedes/ink#986, fixed in Ink\'s main by vadimdemedes/ink#987',
    edits: [
      ['const cache = {};', 'let cache = {};\nlet wtCached = 0;'],
      ['    cache[cacheKey] = wrappedText;', '    if (++wtCached > 2000) {\n        cache = {};\n        wtCached = 1;\n    }\n    cache[cacheKey] = wrappedText;'],
    ],
  },
  'render-node-to-output.js': {
    why: 'Layout has just measured the same text (measureText, cached); measuring it again uncached here was a tenth ' +
      'of the TUI\'s CPU time.',
    upstream: 'ours (no upstream issue)',
    edits: [
      ["import widestLine from 'widest-line';", "import measureText from './measure-text.js';"],
      ['const currentWidth = widestLine(text);', 'const currentWidth = measureText(text).width;'],
    ],
  },
  'ink.js': {
    why: 'Ink asks is-in-ci whether to draw frames at all (CI or CONTINUOUS_INTEGRATION set, or any CI_* variable: ' +
      'only the last frame, on exit). wedgetop mounts Ink only when stdin and stdout are terminals, so an admin whose ' +
      'shell exports CI=true (a CI runner being debugged, a build box) must still see the live screen.',
    upstream: 'vadimdemedes/ink#718 (isInCi is overly aggressive); Ink\'s main has render({interactive}) from vadimdemedes/ink#888',
    edits: [["import isInCi from 'is-in-ci';", 'const isInCi = false;']],
  },
  'write-synchronized.js': {
    why: 'The same is-in-ci question, for synchronized output (BSU/ESU).',
    upstream: 'vadimdemedes/ink#718, vadimdemedes/ink#888',
    edits: [["import isInCi from 'is-in-ci';", 'const isInCi = false;']],
  },
};

const hashOf = (file) => createHash('sha256').update(JSON.stringify([file, INK_PATCHES[file].edits])).digest('hex').slice(0, 16);

export class InkPatchError extends Error {}

/** The pristine text with one file's edits applied; throws when an edit does not match exactly once. */
export function applyEdits(file, pristine) {
  let text = pristine;
  for (const [from, to] of INK_PATCHES[file].edits) {
    const at = text.indexOf(from);
    if (at < 0 || text.indexOf(from, at + 1) >= 0) {
      throw new InkPatchError(`ink-patches: ${file}: "${from.trim()}" ${at < 0 ? 'not found' : 'found more than once'}: Ink changed, update scripts/ink-patches.mjs`);
    }
    text = text.slice(0, at) + to + text.slice(at + from.length);
  }
  return `${MARK}${hashOf(file)} (scripts/ink-patches.mjs; pristine copy in ${file}${ORIG})\n${text}`;
}

/** Ink's file as published: the saved original when patched, else the file itself. */
export function pristineOf(inkDir, file) {
  const p = path.join(inkDir, 'build', file);
  if (fs.existsSync(p + ORIG)) return fs.readFileSync(p + ORIG, 'utf8');
  const text = fs.readFileSync(p, 'utf8');
  if (text.startsWith(MARK)) throw new InkPatchError(`ink-patches: ${p} is patched but its pristine copy is gone: reinstall Ink (npm ci)`);
  return text;
}

/** Which files are not patched as INK_PATCHES says (empty: all are). */
export function unpatched(inkDir = INK_DIR) {
  return Object.keys(INK_PATCHES).filter((f) => {
    const p = path.join(inkDir, 'build', f);
    return !fs.existsSync(p) || !fs.readFileSync(p, 'utf8').startsWith(`${MARK}${hashOf(f)} `);
  });
}

function writeReplacing(p, text) {
  const tmp = `${p}.wedgetop-tmp-${process.pid}`;
  fs.writeFileSync(tmp, text, { flag: 'wx' });
  fs.renameSync(tmp, p);
}

/** Patch node_modules/ink in place (idempotent); returns the files it (re)wrote. */
export function patchInk(inkDir = INK_DIR) {
  const version = JSON.parse(fs.readFileSync(path.join(inkDir, 'package.json'), 'utf8')).version;
  const wrote = [];
  for (const file of unpatched(inkDir)) {
    const p = path.join(inkDir, 'build', file);
    if (!fs.existsSync(p)) throw new InkPatchError(`ink-patches: ${p} does not exist (Ink ${version}; written against ${INK_VERSION}): update scripts/ink-patches.mjs`);
    const pristine = pristineOf(inkDir, file);
    const patched = applyEdits(file, pristine);
    if (!fs.existsSync(p + ORIG)) fs.writeFileSync(p + ORIG, pristine, { flag: 'wx' });
    writeReplacing(p, patched);
    wrote.push(file);
  }
  return wrote;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    if (process.argv.includes('--check')) {
      const left = unpatched();
      if (left.length) {
        process.stderr.write(`ink-patches: not applied to ${left.join(', ')} (run: node scripts/ink-patches.mjs)\n`);
        process.exitCode = 1;
      }
    } else {
      const wrote = patchInk();
      if (wrote.length) process.stderr.write(`ink-patches: patched ${wrote.join(', ')} in ${INK_DIR}\n`);
    }
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
