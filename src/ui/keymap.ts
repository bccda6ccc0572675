// THE keymap. Dispatch, the help overlay and the footer are all generated from KEYMAP, so a key
// cannot work without being documented, nor be documented without working (test/ui/keymap.test.tsx).
import type { RemedyAction } from '../model.js';

/** Normalised key names: a printable character is itself; the rest are named. */
export type KeyName = string;

/**
 * Where a binding applies. 'filter' is the filter text entry, where printable keys are text;
 * 'main' the task table; 'causes' the root-causes panel (Tab moves the focus there); 'scroll'
 * the detail, graph, actions and help views; 'search' the F3 search entry (printable keys are
 * text there too); 'confirm' the remedy confirmation dialog, where
 * only its own keys and the ways out work; 'global' everywhere else.
 */
export type KeyContext = 'global' | 'main' | 'causes' | 'scroll' | 'filter' | 'search' | 'confirm' | 'columns';

export type ActionId =
  | 'quit' | 'help' | 'close' | 'graph' | 'actions' | 'pause' | 'redraw'
  | 'focus' | 'select-cause'
  | 'up' | 'down' | 'page-up' | 'page-down' | 'home' | 'end'
  | 'details' | 'filter' | 'sort' | 'sort-invert' | 'tag' | 'untag-all' | 'collapse' | 'expand' | 'threads'
  | 'search' | 'search-next' | 'search-prev' | 'search-accept' | 'search-cancel' | 'search-erase'
  | 'remedy-kill' | 'remedy-thaw' | 'remedy-cont' | 'remedy-fuse-abort'
  | 'filter-accept' | 'filter-cancel' | 'filter-erase'
  | 'confirm-yes' | 'confirm-no' | 'confirm-choose' | 'confirm-enter'
  | 'columns' | 'columns-toggle' | 'columns-up' | 'columns-down' | 'columns-close';

export interface Binding {
  action: ActionId;
  keys: KeyName[];
  contexts: KeyContext[];
  help: string;
  /** Shown in the one-line footer, in this order; `label` is the footer word. */
  footer?: { order: number; label: string };
  /** Remediation actions: which RootCause remedy they ask for. */
  remedy?: RemedyAction;
  /** Asked for instead when the root cause has no `remedy` of its own (c: a frozen cgroup's thaw). */
  orElse?: RemedyAction;
  /** The word next to the key in the confirm dialog's key line. */
  hint?: string;
}

export const KEYMAP: readonly Binding[] = [
  { action: 'help', keys: ['f1', '?', 'h'], contexts: ['global'], help: 'this help (any of its keys again, or Esc, closes it)', footer: { order: 1, label: 'Help' } },
  { action: 'filter', keys: ['f4', '/'], contexts: ['main'], help: 'filter tasks: type text matched against pid, user, command, wait site, resource, container', footer: { order: 2, label: 'Filter' } },
  { action: 'search', keys: ['f3', 'n'], contexts: ['main'], help: 'search: type text and the selection jumps to the next task that matches (the list is not filtered); once a search is made, the next match (Esc clears it)', footer: { order: 2.5, label: 'Search' } },
  { action: 'search-prev', keys: ['N'], contexts: ['main'], help: 'jump to the previous task matching the search' },
  { action: 'threads', keys: ['H'], contexts: ['main'], help: 'fold threads into their process (thread count, worst state, longest blocked) / show every thread' },
  { action: 'graph', keys: ['f5', 't'], contexts: ['global'], help: 'waits-on graph: each root cause as a tree down to its waiters (deadlock cycles marked)', footer: { order: 3, label: 'Graph' } },
  { action: 'sort', keys: ['f6', '>'], contexts: ['main'], help: 'sort by the next column (the sorted column header is marked)', footer: { order: 4, label: 'Sort' } },
  { action: 'sort-invert', keys: ['I'], contexts: ['main'], help: 'invert the sort order' },
  { action: 'remedy-kill', keys: ['f9', 'k'], contexts: ['global'], remedy: 'kill', help: 'kill the holder that is the root cause (of the selected task, or selected in the root-causes panel), or every tagged holder: SIGTERM, then SIGKILL', footer: { order: 5, label: 'Kill' } },
  { action: 'remedy-thaw', keys: ['u'], contexts: ['global'], remedy: 'thaw', help: 'thaw the frozen filesystem that is the root cause (fsfreeze -u)', footer: { order: 6, label: 'Thaw' } },
  { action: 'remedy-cont', keys: ['c'], contexts: ['global'], remedy: 'cont', orElse: 'cgroup-thaw', help: 'continue: SIGCONT to a stopped holder; for a frozen cgroup, thaw it (cgroup.freeze 0, every task in it resumes; the dialog names the cgroup and how many)' },
  { action: 'remedy-fuse-abort', keys: ['a'], contexts: ['global'], remedy: 'fuse-abort', help: 'abort the FUSE connection whose daemon does not answer (asks twice: every pending request fails)' },
  { action: 'actions', keys: ['L'], contexts: ['global'], help: 'the actions taken (time, target, command, result) and the steps of the one running', footer: { order: 8, label: 'Log' } },
  { action: 'pause', keys: ['Z'], contexts: ['global'], help: 'pause / resume refreshing (the display freezes; data keeps arriving)', footer: { order: 7, label: 'Pause' } },
  { action: 'quit', keys: ['f10', 'q', 'ctrl-c'], contexts: ['global'], help: 'quit', footer: { order: 9, label: 'Quit' } },
  { action: 'redraw', keys: ['ctrl-l'], contexts: ['global'], help: 'redraw the screen' },
  { action: 'close', keys: ['escape'], contexts: ['global'], help: 'close the detail, graph, actions or help view; in the root-causes panel, back to the task list; in the task list, clear the search, then the filter' },
  { action: 'focus', keys: ['tab'], contexts: ['main', 'causes'], help: 'move the selection between the task list and the root-causes panel' },
  { action: 'select-cause', keys: ['1', '2', '3', '4', '5', '6', '7', '8', '9'], contexts: ['main', 'causes'], help: 'select root cause N in the root-causes panel (the remedy keys then act on it)' },
  { action: 'up', keys: ['up'], contexts: ['main', 'causes', 'scroll'], help: 'move up' },
  { action: 'down', keys: ['down', 'j'], contexts: ['main', 'causes', 'scroll'], help: 'move down' },
  { action: 'page-up', keys: ['pageup'], contexts: ['main', 'scroll'], help: 'one page up' },
  { action: 'page-down', keys: ['pagedown'], contexts: ['main', 'scroll'], help: 'one page down' },
  { action: 'home', keys: ['home'], contexts: ['main', 'causes', 'scroll'], help: 'to the top' },
  { action: 'end', keys: ['end'], contexts: ['main', 'causes', 'scroll'], help: 'to the bottom' },
  { action: 'details', keys: ['enter'], contexts: ['main'], help: 'details of the selected task (kernel stack, syscall, chain, remedy); on a group line, fold or unfold it' },
  { action: 'collapse', keys: ['-', 'left'], contexts: ['main'], help: 'fold the wait-site group of the selected line' },
  { action: 'expand', keys: ['+', 'right'], contexts: ['main'], help: 'unfold the wait-site group of the selected line' },
  { action: 'columns', keys: ['f2', 'C'], contexts: ['main'], help: 'choose the columns shown (htop\'s Setup): Space shows / hides one; kept in $XDG_CONFIG_HOME/wedgetop/columns.json (~/.config/wedgetop/) when that is a local filesystem nothing is frozen or blocked on' },
  { action: 'tag', keys: ['space'], contexts: ['main'], help: 'tag / untag the selected task and move down; with tasks tagged, the kill key acts on every tagged holder (one dialog listing each)' },
  { action: 'untag-all', keys: ['U'], contexts: ['main'], help: 'untag all tasks' },
  { action: 'filter-accept', keys: ['enter'], contexts: ['filter'], help: 'keep the filter and return to the list' },
  { action: 'filter-cancel', keys: ['escape'], contexts: ['filter'], help: 'clear the filter and return to the list' },
  { action: 'filter-erase', keys: ['backspace'], contexts: ['filter'], help: 'erase the last character' },
  { action: 'search-next', keys: ['down', 'tab'], contexts: ['search'], help: 'the next match' },
  { action: 'search-prev', keys: ['up'], contexts: ['search'], help: 'the previous match' },
  { action: 'search-accept', keys: ['enter'], contexts: ['search'], help: 'stay on this match and return to the list (n / N: next / previous match)' },
  { action: 'search-cancel', keys: ['escape'], contexts: ['search'], help: 'end the search and return to the list' },
  { action: 'search-erase', keys: ['backspace'], contexts: ['search'], help: 'erase the last character' },
  { action: 'columns-toggle', keys: ['space'], contexts: ['columns'], help: 'show / hide the highlighted column' },
  { action: 'columns-up', keys: ['up'], contexts: ['columns'], help: 'the column above' },
  { action: 'columns-down', keys: ['down', 'j'], contexts: ['columns'], help: 'the column below' },
  { action: 'columns-close', keys: ['escape', 'enter', 'f2', 'C'], contexts: ['columns'], help: 'close the chooser and save the choice (or say why it was not saved)' },
  { action: 'confirm-yes', keys: ['y'], contexts: ['confirm'], help: 'yes: run it (fuse-abort asks a second time)', hint: 'yes' },
  { action: 'confirm-no', keys: ['n', 'escape'], contexts: ['confirm'], help: 'no: close the dialog, nothing is run', hint: 'no' },
  { action: 'confirm-choose', keys: ['left', 'right', 'tab'], contexts: ['confirm'], help: 'move between No and Yes', hint: 'choose' },
  { action: 'confirm-enter', keys: ['enter'], contexts: ['confirm'], help: 'the highlighted choice: No unless you moved to Yes', hint: 'the highlighted one' },
];

export const CONTEXT_TITLES: Record<KeyContext, string> = {
  global: 'Everywhere',
  main: 'Task list',
  causes: 'Root-causes panel',
  scroll: 'Detail, graph, actions and help views',
  filter: 'While typing a filter',
  search: 'While typing a search',
  confirm: 'Confirm dialog',
  columns: 'Column chooser (F2)',
};

/** Global actions that still work under the confirm dialog: the ways out, which run nothing. */
const THROUGH_DIALOG: ReadonlySet<ActionId> = new Set<ActionId>(['quit', 'redraw']);

/** Printable keys type text in the filter; only control keys reach the global bindings there. */
export function isPrintable(k: KeyName): boolean {
  return k === 'space' || [...k].length === 1;
}

/** The binding for a key in a context, or undefined. */
export function lookup(key: KeyName, context: Exclude<KeyContext, 'global'>): Binding | undefined {
  const own = KEYMAP.find((b) => b.contexts.includes(context) && b.keys.includes(key));
  if (own) return own;
  if ((context === 'filter' || context === 'search') && isPrintable(key)) return undefined;
  const global = KEYMAP.find((b) => b.contexts.includes('global') && b.keys.includes(key));
  // A stray key under the dialog must neither act behind it nor answer it: only F10 / Ctrl-C / ^L.
  if (context === 'confirm' || context === 'columns') return global && THROUGH_DIALOG.has(global.action) && !isPrintable(key) ? global : undefined;
  return global;
}

export function bindingFor(action: ActionId): Binding {
  const b = KEYMAP.find((x) => x.action === action);
  if (!b) throw new Error(`no binding for ${action}`);
  return b;
}

const NAMES: Record<string, string> = {
  up: '↑', down: '↓', left: '←', right: '→', pageup: 'PgUp', pagedown: 'PgDn', home: 'Home', end: 'End',
  enter: 'Enter', escape: 'Esc', space: 'Space', backspace: 'Backspace', tab: 'Tab',
};

/** How a key is written in help and footer: F10, ^L, PgUp, q. */
export function keyLabel(k: KeyName): string {
  if (/^f\d+$/.test(k)) return k.toUpperCase();
  if (k.startsWith('ctrl-')) return `^${k.slice(5).toUpperCase()}`;
  return NAMES[k] ?? k;
}

export function keysLabel(b: Binding): string {
  return b.keys.map(keyLabel).join(' ');
}

/** The key shown for a remedy next to a root cause: its letter (what one types). */
export function remedyKey(action: RemedyAction): string | undefined {
  const b = KEYMAP.find((x) => x.remedy === action) ?? KEYMAP.find((x) => x.orElse === action);
  return b?.keys.find((k) => [...k].length === 1);
}

const SEQUENCES: Record<string, KeyName> = {
  '\u001b[A': 'up', '\u001bOA': 'up', '\u001b[B': 'down', '\u001bOB': 'down',
  '\u001b[C': 'right', '\u001bOC': 'right', '\u001b[D': 'left', '\u001bOD': 'left',
  '\u001b[5~': 'pageup', '\u001b[6~': 'pagedown',
  '\u001b[H': 'home', '\u001bOH': 'home', '\u001b[1~': 'home', '\u001b[7~': 'home',
  '\u001b[F': 'end', '\u001bOF': 'end', '\u001b[4~': 'end', '\u001b[8~': 'end',
  '\u001bOP': 'f1', '\u001b[11~': 'f1', '\u001b[[A': 'f1',
  '\u001bOQ': 'f2', '\u001b[12~': 'f2', '\u001b[[B': 'f2',
  '\u001bOR': 'f3', '\u001b[13~': 'f3', '\u001b[[C': 'f3',
  '\u001bOS': 'f4', '\u001b[14~': 'f4', '\u001b[[D': 'f4',
  '\u001b[15~': 'f5', '\u001b[[E': 'f5', '\u001b[17~': 'f6', '\u001b[18~': 'f7', '\u001b[19~': 'f8',
  '\u001b[20~': 'f9', '\u001b[21~': 'f10', '\u001b[23~': 'f11', '\u001b[24~': 'f12',
  '\u001b[3~': 'delete', '\u001b[2~': 'insert',
  '\r': 'enter', '\n': 'enter', '\u001b': 'escape', ' ': 'space', '\t': 'tab',
  '\u007f': 'backspace', '\b': 'backspace',
};

/**
 * One key's raw sequence (keysplit.ts has split the stream into keys) to a key name.
 * Ink's own useInput drops the F-keys' identity, hence our own table.
 */
export function decodeKey(raw: string): KeyName | undefined {
  const named = SEQUENCES[raw];
  if (named) return named;
  if (raw.length === 1) {
    const c = raw.charCodeAt(0);
    if (c >= 1 && c <= 26) return `ctrl-${String.fromCharCode(c + 96)}`;
    if (c < 32) return undefined;
    return raw;
  }
  // Modified cursor keys (ESC[1;5A) count as the plain key.
  const mod = /^\u001b\[1;\d+([ABCDHF])$/.exec(raw);
  if (mod) return SEQUENCES[`\u001b[${mod[1]}`];
  if (!raw.startsWith('\u001b') && [...raw].length === 1) return raw;
  return undefined;
}

/** Pasted text (several printable characters in one read): for the filter only. */
export function pastedText(raw: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  return raw.length > 1 && !/[\u0000-\u001f\u007f]/.test(raw) ? raw : undefined;
}
