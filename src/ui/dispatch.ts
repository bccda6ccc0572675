// Raw key -> KEYMAP binding -> store action. No Ink here: tests drive it directly too.
import type { UiState, UiStore } from '../store/store.js';
import { decodeKey, isPrintable, keyLabel, lookup, pastedText, type ActionId, type KeyContext } from './keymap.js';
import type { KeyToken } from './keysplit.js';

export interface DispatchHooks {
  quit(): void;
  /** Ctrl-L: repaint the whole terminal. */
  repaint?(): void;
}

type Context = Exclude<KeyContext, 'global'>;

export function contextOf(store: UiStore): Context {
  const s = store.getState();
  if (s.dialog) return 'confirm';
  if (s.columnsChooser) return 'columns';
  if (s.filterEditing) return 'filter';
  if (s.searchEditing) return 'search';
  if (s.view !== 'main') return 'scroll';
  return s.focus === 'causes' ? 'causes' : 'main';
}

/** Handle one raw key sequence. Returns the action taken, if any (for tests and the log). */
export function dispatchKey(store: UiStore, raw: string, hooks: DispatchHooks): ActionId | 'type' | undefined {
  const ctx = contextOf(store);
  const s = store.getState();
  const typing = ctx === 'filter' || ctx === 'search';
  const type = (text: string): 'type' => {
    if (ctx === 'filter') s.typeFilter(text);
    else s.typeSearch(text);
    return 'type';
  };
  const key = decodeKey(raw);
  if (key === undefined) {
    const text = typing ? pastedText(raw) : undefined;
    return text ? type(text) : undefined;
  }
  const b = lookup(key, ctx);
  if (!b) {
    if (typing && isPrintable(key)) return type(key === 'space' ? ' ' : key);
    // htop says nothing and admins press keys again, harder: say what the key is not, once.
    if (ctx !== 'confirm' && ctx !== 'columns') s.say(`${keyLabel(key)} is not used ${ctx === 'scroll' ? 'in this view' : 'here'}; F1 for help`);
    return undefined;
  }
  const main = ctx === 'main' || ctx === 'causes';
  HANDLERS[b.action]({ s, key: keyLabel(key), main, hooks, page: Math.max(1, (main ? s.viewport.tableRows : s.viewport.overlayRows) - 1) });
  return b.action;
}

const isTyping = (ctx: Context): boolean => ctx === 'filter' || ctx === 'search';

/** Text pasted (or typed ahead) goes into the filter or search being edited, nowhere else. */
function typeText(store: UiStore, text: string): boolean {
  const ctx = contextOf(store);
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  if (!isTyping(ctx) || !clean) return false;
  if (ctx === 'filter') store.getState().typeFilter(clean);
  else store.getState().typeSearch(clean);
  return true;
}

/**
 * One read's keys (src/ui/keysplit.ts), in order. A dialog is answered only by a key pressed after
 * it was drawn: once a key of this read opens the confirm dialog or changes it (its second
 * question, the highlighted answer), the rest of the read is dropped, so neither a paste nor keys
 * typed ahead ("ky", F9 then y in one read) can run a remedy unseen.
 */
export function dispatchKeys(store: UiStore, tokens: readonly KeyToken[], hooks: DispatchHooks): void {
  const before = store.getState().dialog;
  const changed = (): boolean => {
    const d = store.getState().dialog;
    return d !== undefined && d !== before;
  };
  for (const t of tokens) {
    if (t.kind === 'key') dispatchKey(store, t.raw, hooks);
    else if (t.kind === 'paste') {
      if (!typeText(store, t.text)) store.getState().say('a paste goes into the filter (F4) or search (F3) only');
    } else {
      // A bare run of characters: keys one by one, until one opens a text field, which takes the rest.
      const chars = [...t.text];
      for (let i = 0; i < chars.length; i++) {
        if (isTyping(contextOf(store)) && typeText(store, chars.slice(i).join(''))) break;
        dispatchKey(store, chars[i]!, hooks);
        if (changed()) return;
      }
    }
    if (changed()) return;
  }
}

interface HandlerArgs {
  s: UiState;
  /** The key as help writes it (for messages: "k: no kill remedy"). */
  key: string;
  /** The task table or the root-causes panel has the selection (else an overlay scrolls). */
  main: boolean;
  page: number;
  hooks: DispatchHooks;
}

/** Every keymap action's handler: the compiler checks none is missing. */
const HANDLERS: Record<ActionId, (h: HandlerArgs) => void> = {
  quit: ({ hooks }) => hooks.quit(),
  help: ({ s }) => s.toggleView('help'),
  graph: ({ s }) => s.toggleView('graph'),
  actions: ({ s }) => s.toggleView('actions'),
  focus: ({ s }) => s.toggleFocus(),
  'select-cause': ({ s, key }) => s.selectCause(Number(key)),
  close: ({ s }) => s.close(),
  pause: ({ s }) => s.togglePause(),
  redraw: ({ s, hooks }) => {
    s.redraw();
    hooks.repaint?.();
  },
  up: ({ s, main }) => (main ? s.move(-1) : s.scrollOverlay(-1)),
  down: ({ s, main }) => (main ? s.move(1) : s.scrollOverlay(1)),
  'page-up': ({ s, main, page }) => (main ? s.move(-page) : s.scrollOverlay(-page)),
  'page-down': ({ s, main, page }) => (main ? s.move(page) : s.scrollOverlay(page)),
  home: ({ s, main }) => (main ? s.moveTo(0) : s.scrollOverlayTo(0)),
  end: ({ s, main }) => (main ? s.moveTo(Number.MAX_SAFE_INTEGER) : s.scrollOverlayTo(Number.MAX_SAFE_INTEGER)),
  details: ({ s }) => s.openDetail(),
  filter: ({ s }) => s.startFilter(),
  sort: ({ s }) => s.cycleSort(),
  'sort-invert': ({ s }) => s.invertSort(),
  tag: ({ s }) => s.toggleTag(),
  'untag-all': ({ s }) => s.untagAll(),
  collapse: ({ s }) => s.setCollapsed(true),
  expand: ({ s }) => s.setCollapsed(false),
  threads: ({ s }) => s.toggleThreads(),
  search: ({ s }) => (s.search && !s.searchEditing ? s.searchJump(1) : s.startSearch()),
  'search-next': ({ s }) => s.searchJump(1),
  'search-prev': ({ s }) => s.searchJump(-1),
  'search-accept': ({ s }) => s.acceptSearch(),
  'search-cancel': ({ s }) => s.cancelSearch(),
  'search-erase': ({ s }) => s.eraseSearch(),
  'remedy-kill': ({ s, key }) => s.requestRemedy('kill', key),
  'remedy-thaw': ({ s, key }) => s.requestRemedy('thaw', key),
  'remedy-cont': ({ s, key }) => s.requestRemedy('cont', key),
  'remedy-fuse-abort': ({ s, key }) => s.requestRemedy('fuse-abort', key),
  'filter-accept': ({ s }) => s.acceptFilter(),
  'filter-cancel': ({ s }) => s.cancelFilter(),
  'filter-erase': ({ s }) => s.eraseFilter(),
  columns: ({ s }) => s.openColumns(),
  'columns-toggle': ({ s }) => s.toggleColumn(),
  'columns-up': ({ s }) => s.moveColumns(-1),
  'columns-down': ({ s }) => s.moveColumns(1),
  'columns-close': ({ s }) => s.closeColumns(),
  'confirm-yes': ({ s }) => s.confirmYes(),
  'confirm-no': ({ s }) => s.confirmNo(),
  'confirm-choose': ({ s }) => s.confirmToggle(),
  'confirm-enter': ({ s }) => s.confirmEnter(),
};
