// The columns slice: F2 shows / hides columns; the choice is saved through the ColumnStore when
// the chooser closes (src/ui/prefs.ts decides where that may be written, and says why not).
import { SORT_KEYS } from '../derive.js';
import type { ColumnsSlice, Message, SliceContext } from '../types.js';

export function columnsSlice(ctx: SliceContext): ColumnsSlice {
  const { set, get } = ctx;
  const say = (text: string, level: Message['level'] = 'info'): void => get().say(text, level);
  return {
    hiddenColumns: new Set(),
    setColumnStore(c) {
      const r = c.load();
      set({ columnStore: c, hiddenColumns: new Set(r.hidden) });
      if (r.warning) say(r.warning, 'warn');
    },
    openColumns() {
      set({ columnsChooser: { cursor: 0, changed: false } });
    },
    closeColumns() {
      const s = get();
      const ch = s.columnsChooser;
      set({ columnsChooser: undefined });
      if (!ch?.changed) return;
      if (!s.columnStore) {
        say('columns changed for this session (no config directory: HOME and XDG_CONFIG_HOME unset)');
        return;
      }
      const r = s.columnStore.save([...s.hiddenColumns], s.analysis);
      say(r.text, r.ok ? 'info' : 'warn');
    },
    moveColumns(delta) {
      const ch = get().columnsChooser;
      if (ch) set({ columnsChooser: { ...ch, cursor: Math.max(0, Math.min(SORT_KEYS.length - 1, ch.cursor + delta)) } });
    },
    toggleColumn() {
      const s = get();
      const ch = s.columnsChooser;
      if (!ch) return;
      const key = SORT_KEYS[ch.cursor]!;
      const hidden = new Set(s.hiddenColumns);
      if (hidden.has(key)) hidden.delete(key);
      else if (SORT_KEYS.length - hidden.size <= 1) {
        say('one column at least stays shown', 'warn');
        return;
      } else hidden.add(key);
      set({ hiddenColumns: hidden, columnsChooser: { ...ch, changed: true } });
    },
  };
}
