// `npm run screenshots`: PNG pictures of the TUI for the README, from the recorded fixtures.
// Each view is run for real (the bundle, in a private tmux server), captured with its colours
// (capture-pane -e), turned into an SVG of terminal cells here, and rasterised by rsvg-convert.
//
// Needs: tmux, rsvg-convert (Debian: librsvg2-bin) and a monospace font (fonts-dejavu-core).
// Not part of `npm test`.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'screenshots');
const BUNDLE = path.join(ROOT, 'dist', 'wedgetop.mjs');

interface Shot {
  name: string;
  fixture: string;
  /** tmux send-keys arguments, sent one by one after the first frame. */
  keys: string[];
  cols: number;
  rows: number;
  /** Text that must be on screen before capturing. */
  expect: string;
}

const SHOTS: Shot[] = [
  { name: 'main', fixture: 'frozen-ext4', keys: [], cols: 110, rows: 30, expect: '/tmp/mnt1' },
  { name: 'detail', fixture: 'frozen-ext4', keys: ['Down', 'Enter'], cols: 110, rows: 58, expect: 'Kernel stack' },
  { name: 'graph', fixture: 'seed-000', keys: ['t'], cols: 110, rows: 30, expect: 'Deadlock cycles' },
  { name: 'help', fixture: 'frozen-ext4', keys: ['?'], cols: 110, rows: 66, expect: 'Everywhere' },
  // A replay: the dialog says it will only dry-run (the PIDs describe another moment).
  { name: 'confirm', fixture: 'seed-000', keys: ['k'], cols: 110, rows: 30, expect: 'Kill auditbeat' },
  { name: 'main-seed-000', fixture: 'seed-000', keys: [], cols: 110, rows: 30, expect: 'DEADLOCK' },
  { name: 'main-seed-004', fixture: 'seed-004', keys: [], cols: 110, rows: 30, expect: '/var' },
  { name: 'main-80x24', fixture: 'frozen-ext4', keys: [], cols: 80, rows: 24, expect: '/tmp/mnt1' },
  // A real 2,000-thread wedge (4 processes x 500 threads on a frozen mount): every thread, then H.
  { name: 'threads-2000-80x24', fixture: 'threads-2000', keys: [], cols: 80, rows: 24, expect: 'md-wr' },
  { name: 'threads-2000-80x24-folded', fixture: 'threads-2000', keys: ['H'], cols: 80, rows: 24, expect: '500thr' },
  { name: 'threads-2000-200x50', fixture: 'threads-2000', keys: [], cols: 200, rows: 50, expect: 'md-wr' },
  { name: 'threads-2000-200x50-folded', fixture: 'threads-2000', keys: ['H'], cols: 200, rows: 50, expect: '500thr' },
  { name: 'threads-2000-graph', fixture: 'threads-2000', keys: ['t'], cols: 110, rows: 30, expect: '500 threads' },
];

function need(cmd: string, pkg: string): void {
  const r = spawnSync(cmd, ['--version'], { stdio: 'ignore' });
  if (r.error) {
    process.stderr.write(`screenshots: ${cmd} not found (Debian: apt-get install -y ${pkg})\n`);
    process.exit(2);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function capture(shot: Shot): Promise<string> {
  const sock = `wt-shots-${process.pid}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', sock, ...args], { encoding: 'utf8' });
  try {
    tmux('-f', '/dev/null', 'new-session', '-d', '-x', String(shot.cols), '-y', String(shot.rows), '-c', ROOT,
      `env LANG=C.UTF-8 TERM=tmux-256color node ${BUNDLE} --replay test/fixtures/${shot.fixture} --interval 0.5`);
    const screen = (): string => tmux('capture-pane', '-p');
    const wait = async (text: string): Promise<void> => {
      const end = Date.now() + 15_000;
      while (!screen().includes(text)) {
        if (Date.now() > end) throw new Error(`${shot.name}: "${text}" never appeared:\n${screen()}`);
        await sleep(100);
      }
    };
    await wait('F10Quit');
    // A few refreshes, so the history chart has points.
    await sleep(3000);
    for (const k of shot.keys) {
      tmux('send-keys', k);
      await sleep(300);
    }
    await wait(shot.expect);
    await sleep(300);
    // -N: keep trailing cells, which carry the selection bar's background.
    return tmux('capture-pane', '-p', '-e', '-N');
  } finally {
    try {
      tmux('kill-server');
    } catch {
      /* already gone */
    }
  }
}

/* ---------- ANSI (as tmux captures it) to SVG ---------- */

const PALETTE = [
  '#1d1f21', '#e0565b', '#8fc060', '#e8c35b', '#5f9ee6', '#c585cf', '#4fbfc4', '#c5c8c6',
  '#666666', '#ff6e6e', '#b5e57a', '#ffe07a', '#84b9ff', '#e2a2ec', '#7ee4e8', '#ffffff',
];
const BG = '#14161a';
const FG = '#c5c8c6';

function color256(n: number): string {
  if (n < 16) return PALETTE[n]!;
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const c = (x: number): number => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${c(Math.floor(i / 36))},${c(Math.floor(i / 6) % 6)},${c(i % 6)})`;
}

interface Pen {
  fg?: string;
  bg?: string;
  bold: boolean;
  dim: boolean;
  inverse: boolean;
}

interface Cell {
  ch: string;
  pen: Pen;
}

function applySgr(pen: Pen, params: number[]): Pen {
  const p = { ...pen };
  const ps = params.length ? params : [0];
  for (let i = 0; i < ps.length; i++) {
    const n = ps[i]!;
    if (n === 0) Object.assign(p, { fg: undefined, bg: undefined, bold: false, dim: false, inverse: false });
    else if (n === 1) p.bold = true;
    else if (n === 2) p.dim = true;
    else if (n === 22) Object.assign(p, { bold: false, dim: false });
    else if (n === 7) p.inverse = true;
    else if (n === 27) p.inverse = false;
    else if (n >= 30 && n <= 37) p.fg = PALETTE[n - 30];
    else if (n >= 90 && n <= 97) p.fg = PALETTE[n - 90 + 8];
    else if (n === 39) p.fg = undefined;
    else if (n >= 40 && n <= 47) p.bg = PALETTE[n - 40];
    else if (n >= 100 && n <= 107) p.bg = PALETTE[n - 100 + 8];
    else if (n === 49) p.bg = undefined;
    else if ((n === 38 || n === 48) && ps[i + 1] === 5) {
      const c = color256(ps[i + 2] ?? 0);
      if (n === 38) p.fg = c;
      else p.bg = c;
      i += 2;
    } else if ((n === 38 || n === 48) && ps[i + 1] === 2) {
      const c = `rgb(${ps[i + 2]},${ps[i + 3]},${ps[i + 4]})`;
      if (n === 38) p.fg = c;
      else p.bg = c;
      i += 4;
    }
  }
  return p;
}

function parseAnsi(text: string, cols: number): Cell[][] {
  const grid: Cell[][] = [];
  let pen: Pen = { bold: false, dim: false, inverse: false };
  for (const raw of text.replace(/\n$/, '').split('\n')) {
    const row: Cell[] = [];
    const re = /\u001b\[([0-9;]*)m|\u001b\[[0-9;?]*[A-Za-z]|([^\u001b])/gu;
    let m: RegExpExecArray | null;
    while ((m = re.exec(raw))) {
      if (m[1] !== undefined) pen = applySgr(pen, m[1] === '' ? [] : m[1].split(';').map(Number));
      else if (m[2] !== undefined) row.push({ ch: m[2], pen });
    }
    while (row.length < cols) row.push({ ch: ' ', pen: { bold: false, dim: false, inverse: false } });
    grid.push(row.slice(0, cols));
  }
  return grid;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function toSvg(grid: Cell[][], cols: number, title: string): string {
  const fs_ = 15;
  const cw = fs_ * 0.6021;
  const lh = Math.round(fs_ * 1.3);
  const pad = 14;
  const bar = 26;
  const w = Math.ceil(cols * cw + pad * 2);
  const h = grid.length * lh + pad * 2 + bar;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`,
    `<rect width="${w}" height="${h}" rx="8" fill="${BG}"/>`,
    `<rect width="${w}" height="${bar}" rx="8" fill="#2b2e33"/><rect y="${bar - 8}" width="${w}" height="8" fill="#2b2e33"/>`,
    ...['#ff5f57', '#febc2e', '#28c840'].map((c, i) => `<circle cx="${16 + i * 18}" cy="${bar / 2}" r="5.5" fill="${c}"/>`),
    `<text x="${w / 2}" y="${bar / 2 + 4}" fill="#9a9ea5" font-family="DejaVu Sans" font-size="12" text-anchor="middle">${esc(title)}</text>`,
    `<g font-family="DejaVu Sans Mono" font-size="${fs_}">`,
  ];
  grid.forEach((row, y) => {
    const top = bar + pad + y * lh;
    const base = top + Math.round(lh * 0.78);
    // Backgrounds first, in runs.
    let x = 0;
    while (x < row.length) {
      const c = row[x]!;
      const bg = c.pen.inverse ? c.pen.fg ?? FG : c.pen.bg;
      let end = x + 1;
      while (end < row.length) {
        const d = row[end]!;
        if ((d.pen.inverse ? d.pen.fg ?? FG : d.pen.bg) !== bg) break;
        end++;
      }
      if (bg) out.push(`<rect x="${(pad + x * cw).toFixed(2)}" y="${top}" width="${((end - x) * cw + 0.5).toFixed(2)}" height="${lh}" fill="${bg}"/>`);
      x = end;
    }
    // Then glyphs, each at its own cell: braille falls back to a proportional font.
    x = 0;
    while (x < row.length) {
      const c = row[x]!;
      const key = (p: Pen): string => `${p.inverse ? p.bg ?? BG : p.fg ?? FG}|${p.bold}|${p.dim}`;
      const k = key(c.pen);
      let end = x + 1;
      while (end < row.length && key(row[end]!.pen) === k) end++;
      const chars = row.slice(x, end);
      if (chars.some((ch) => ch.ch !== ' ')) {
        const xs = chars.map((_, i) => (pad + (x + i) * cw).toFixed(2)).join(' ');
        const [fill, bold, dim] = k.split('|');
        out.push(`<text x="${xs}" y="${base}" fill="${fill}"${bold === 'true' ? ' font-weight="bold"' : ''}${dim === 'true' ? ' fill-opacity="0.6"' : ''} xml:space="preserve">${esc(chars.map((ch) => ch.ch).join(''))}</text>`);
      }
      x = end;
    }
  });
  out.push('</g></svg>');
  return out.join('\n');
}

async function main(): Promise<void> {
  need('tmux', 'tmux');
  need('rsvg-convert', 'librsvg2-bin fonts-dejavu-core');
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--if-stale'], { stdio: 'inherit' });
  fs.mkdirSync(OUT, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wt-shots-'));
  try {
    for (const shot of SHOTS) {
      const ansi = await capture(shot);
      const svg = toSvg(parseAnsi(ansi, shot.cols), shot.cols, `wedgetop --replay test/fixtures/${shot.fixture} — ${shot.cols}x${shot.rows}`);
      const svgPath = path.join(tmp, `${shot.name}.svg`);
      fs.writeFileSync(svgPath, svg);
      const png = path.join(OUT, `${shot.name}.png`);
      execFileSync('rsvg-convert', ['-o', png, svgPath]);
      process.stdout.write(`screenshots/${shot.name}.png\n`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
