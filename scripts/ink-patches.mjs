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
 * Code points string-width counts one column each and that never join a neighbour into one grapheme
 * (no combining marks, joiners, variation selectors, emoji-presentation symbols): ASCII, Latin-1 (not
 * the soft hyphen), general punctuation (not its spaces and invisible marks), arrows, mathematical
 * operators, box drawing, block elements, geometric shapes (not the two emoji squares), and ⚠ ✓.
 */
export const WT_NARROW_RANGES = [[0x20, 0x7e], [0xa0, 0xac], [0xae, 0xff], [0x2010, 0x2027], [0x2030, 0x205e], [0x2190, 0x2319], [0x2500, 0x25fc], [0x26a0, 0x26a0], [0x2713, 0x2713]];
const hex = (c) => `\\u${c.toString(16).padStart(4, '0')}`;
const WT_NARROW = [
  '// wedgetop: a line of one-column characters is as wide as it is long, without SGR codes (scripts/ink-patches.mjs).',
  `const wtNarrow = /^[${WT_NARROW_RANGES.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join('')}]*$/;`,
  'function wtNarrowWidth(text) {',
  "    if (text.includes('\\n')) return undefined;",
  "    const plain = text.includes('\\u001b') ? text.replace(/\\u001b\\[[0-9;]*m/g, '') : text;",
  '    return wtNarrow.test(plain) ? plain.length : undefined;',
  '}',
].join('\n');

/** The row cache of the output.js patch (Ink's own per-cell loop, one row at a time). */
const WT_ROWS = String.raw`// wedgetop: each row from the writes that land on it, remembered by them (width, then x and text of each).
const wtRowCache = new Map();
function wtRow(out, parts) {
    const row = [];
    for (let x = 0; x < out.width; x++) {
        row.push({ type: 'char', value: ' ', fullWidth: false, styles: [] });
    }
    for (let k = 0; k < parts.length; k += 2) {
        let offsetX = parts[k];
        for (const character of out.caches.getStyledChars(parts[k + 1])) {
            row[offsetX] = character;
            const characterWidth = Math.max(1, out.caches.getStringWidth(character.value));
            if (characterWidth > 1) {
                for (let index = 1; index < characterWidth; index++) {
                    row[offsetX + index] = { type: 'char', value: '', fullWidth: false, styles: character.styles };
                }
            }
            offsetX += characterWidth;
        }
    }
    return styledCharsToString(row.filter(item => item !== undefined)).trimEnd();
}
function wtRows(out) {
    const parts = [];
    for (const operation of out.operations) {
        // Clipping, or a position Ink's grid would treat oddly: Ink's own get().
        if (operation.type !== 'write') return undefined;
        const { x, y, text, transformers } = operation;
        if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0) return undefined;
        const lines = text.split('\n');
        for (let index = 0; index < lines.length && y + index < out.height; index++) {
            let line = lines[index];
            for (const transformer of transformers) {
                line = transformer(line, index);
            }
            (parts[y + index] ??= []).push(x, line);
        }
    }
    const rows = [];
    for (let y = 0; y < out.height; y++) {
        const p = parts[y] ?? [];
        let key = String(out.width);
        for (let k = 0; k < p.length; k += 2) key += ' ' + p[k] + ':' + p[k + 1].length + ':' + p[k + 1];
        let row = wtRowCache.get(key);
        if (row === undefined) {
            row = wtRow(out, p);
            if (wtRowCache.size >= 1000) wtRowCache.clear();
            wtRowCache.set(key, row);
        }
        rows.push(row);
    }
    return { output: rows.join('\n'), height: out.height };
}`;

/**
 * file (under ink/build/) -> why, the upstream issue/PR it mirrors, and its edits [from, to].
 * @type {Record<string, { why: string; upstream: string; edits: [string, string][] }>}
 */
export const INK_PATCHES = {
  'output.js': {
    why: 'Ink makes a new Output, with empty caches, for every frame, and tokenises every styled line of the screen ' +
      'again (half of a frame\'s cost). Lines rarely change between frames (a cursor move changes two), so one set of ' +
      'caches is kept across frames, emptied once it holds a few screens\' worth (a cached line is ~10 KB: an object ' +
      'per character). Ink never mutates them. ' +
      'And get() builds a grid of an object per cell of the whole screen and turns every row of it back into a ' +
      'string, every frame (85% of a frame of 50 rows x 160 columns after the caches above, measured with ' +
      'bench/ui-harness.tsx): each row is built alone instead, from the writes that land on it, and remembered by ' +
      'them, so a row drawn as before costs a Map lookup. Exactly Ink\'s loop per row; a frame with clipping takes ' +
      'Ink\'s own get().',
    upstream: 'vadimdemedes/ink#835 added the per-Output caches; keeping them across frames, and the row cache, are ours (no upstream issue)',
    edits: [
      ['    caches = new OutputCaches();', '    caches = wtCaches();'],
      ['export default class Output {', [
        'let wtSharedCaches;',
        'function wtCaches() {',
        '    const c = wtSharedCaches;',
        '    if (c && c.styledChars.size < 300 && c.blockWidths.size < 1000 && c.widths.size < 4000) return c;',
        '    return (wtSharedCaches = new OutputCaches());',
        '}',
        WT_ROWS,
        'export default class Output {',
      ].join('\n')],
      // Ink's get() stays, renamed, for frames with clipping (wedgetop draws none) and for the test
      // that compares the two (test/arch/ink-patches.test.ts).
      ['    get() {\n        // Initialize output array', '    get() {\n        return wtRows(this) ?? this.wtInkGet();\n    }\n    wtInkGet() {\n        // Initialize output array'],
    ],
  },
  'measure-text.js': {
    why: 'A cache Ink never empties: every distinct line ever drawn stays in memory. A task table whose "blocked for" ' +
      'column changes every second leaks ~50 lines a second, for hours. And every new line is measured by ' +
      'string-width, whose fast path is printable ASCII only: a table row with a scrollbar (│) went through its ' +
      'grapheme segmenter, 12 ms of each refresh at 50 rows (bench/ui-harness.tsx). A line whose characters are all ' +
      'one column wide by string-width (WT_NARROW_RANGES, each checked in test/arch/ink-patches.test.ts) is as wide ' +
      'as it is long once its SGR codes are out; any other line is measured as before.',
    upstream: 'vadimdemedes/ink#986 (unbounded measureText/wrapText caches), fixed in Ink\'s main by vadimdemedes/ink#987 (bounded LRU)',
    edits: [
      ['    cache.set(text, dimensions);', '    if (cache.size >= 2000) cache.clear();\n    cache.set(text, dimensions);'],
      ['const cache = new Map();', `${WT_NARROW}\nconst cache = new Map();`],
      ['    const width = widestLine(text);', '    const width = wtNarrowWidth(text) ?? widestLine(text);'],
    ],
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
