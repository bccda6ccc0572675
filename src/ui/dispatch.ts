// Raw key -> KEYMAP binding -> store action. No Ink here: tests drive it directly too.
import type { UiStore } from '../store/store.js';
import { decodeKey, isPrintable, keyLabel, lookup, pastedText, type ActionId, type KeyContext } from './keymap.js';

export interface DispatchHooks {
  quit(): void;
  /** Ctrl-L: repaint the whole terminal. */
  repaint?(): void;
}

export function contextOf(store: UiStore): Exclude<KeyContext, 'global'> {
  const s = store.getState();
  if (s.dialog) return 'confirm';
  if (s.filterEditing) return 'filter';
  if (s.view !== 'main') return 'scroll';
  return s.focus === 'causes' ? 'causes' : 'main';
}

/** Handle one raw key sequence. Returns the action taken, if any (for tests and the log). */
export function dispatchKey(store: UiStore, raw: string, hooks: DispatchHooks): ActionId | 'type' | undefined {
  const ctx = contextOf(store);
  const s = store.getState();
  const key = decodeKey(raw);
  if (key === undefined) {
    const text = ctx === 'filter' ? pastedText(raw) : undefined;
    if (text) {
      s.typeFilter(text);
      return 'type';
    }
    return undefined;
  }
  const b = lookup(key, ctx);
  if (!b) {
    if (ctx === 'filter' && isPrintable(key)) {
      s.typeFilter(key === 'space' ? ' ' : key);
      return 'type';
    }
    return undefined;
  }
  perform(store, b.action, keyLabel(key), ctx, hooks);
  return b.action;
}

function perform(store: UiStore, action: ActionId, key: string, ctx: Exclude<KeyContext, 'global'>, hooks: DispatchHooks): void {
  const s = store.getState();
  // The task table and the root-causes panel move their own selection; the overlays scroll.
  const main = ctx === 'main' || ctx === 'causes';
  const page = Math.max(1, (main ? s.viewport.tableRows : s.viewport.overlayRows) - 1);
  switch (action) {
    case 'quit': hooks.quit(); return;
    case 'help': s.toggleView('help'); return;
    case 'graph': s.toggleView('graph'); return;
    case 'actions': s.toggleView('actions'); return;
    case 'focus': s.toggleFocus(); return;
    case 'select-cause': s.selectCause(Number(key)); return;
    case 'close': s.close(); return;
    case 'pause': s.togglePause(); return;
    case 'redraw': s.redraw(); hooks.repaint?.(); return;
    case 'up': return main ? s.move(-1) : s.scrollOverlay(-1);
    case 'down': return main ? s.move(1) : s.scrollOverlay(1);
    case 'page-up': return main ? s.move(-page) : s.scrollOverlay(-page);
    case 'page-down': return main ? s.move(page) : s.scrollOverlay(page);
    case 'home': return main ? s.moveTo(0) : s.scrollOverlayTo(0);
    case 'end': return main ? s.moveTo(Number.MAX_SAFE_INTEGER) : s.scrollOverlayTo(Number.MAX_SAFE_INTEGER);
    case 'details': s.openDetail(); return;
    case 'filter': s.startFilter(); return;
    case 'sort': s.cycleSort(); return;
    case 'sort-invert': s.invertSort(); return;
    case 'tag': s.toggleTag(); return;
    case 'untag-all': s.untagAll(); return;
    case 'collapse': s.setCollapsed(true); return;
    case 'expand': s.setCollapsed(false); return;
    case 'remedy-kill': s.requestRemedy('kill', key); return;
    case 'remedy-thaw': s.requestRemedy('thaw', key); return;
    case 'remedy-cont': s.requestRemedy('cont', key); return;
    case 'remedy-fuse-abort': s.requestRemedy('fuse-abort', key); return;
    case 'filter-accept': s.acceptFilter(); return;
    case 'filter-cancel': s.cancelFilter(); return;
    case 'filter-erase': s.eraseFilter(); return;
    case 'confirm-yes': s.confirmYes(); return;
    case 'confirm-no': s.confirmNo(); return;
    case 'confirm-choose': s.confirmToggle(); return;
    case 'confirm-enter': s.confirmEnter(); return;
  }
}
