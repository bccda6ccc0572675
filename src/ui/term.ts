// What the terminal can show. Decided once at start-up from the environment and passed down,
// so tests (and screenshots) pick the capabilities instead of inheriting the CI's.

export interface TermCaps {
  /** SGR colours allowed (not NO_COLOR, --no-color, TERM=dumb). */
  color: boolean;
  /** Bold/reverse allowed: false on TERM=dumb, where the selection gets a '>' marker instead. */
  attrs: boolean;
  /** UTF-8 locale on a terminal with a font for braille and box drawing (not the Linux console). */
  unicode: boolean;
}

export function detectCaps(env: NodeJS.ProcessEnv, noColor: boolean): TermCaps {
  const term = env.TERM ?? '';
  const dumb = term === 'dumb';
  // The first of these that is set decides, as in setlocale(3).
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  const utf8 = /utf-?8/i.test(locale);
  return {
    color: !noColor && !dumb && !('NO_COLOR' in env && env.NO_COLOR !== ''),
    attrs: !dumb,
    unicode: utf8 && term !== 'linux' && !dumb,
  };
}

/** Glyphs with an ASCII twin for each. */
export interface Glyphs {
  arrow: string;
  expanded: string;
  collapsed: string;
  tee: string;
  elbow: string;
  pipe: string;
  bullet: string;
  ellipsis: string;
  cycle: string;
  selected: string;
}

export function glyphs(unicode: boolean): Glyphs {
  return unicode
    ? { arrow: '→', expanded: '▾', collapsed: '▸', tee: '├─ ', elbow: '└─ ', pipe: '│  ', bullet: '●', ellipsis: '…', cycle: '↺', selected: '▶' }
    : { arrow: '->', expanded: '-', collapsed: '+', tee: '|- ', elbow: '`- ', pipe: '|  ', bullet: '*', ellipsis: '~', cycle: '<>', selected: '>' };
}
