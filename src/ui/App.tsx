// The Ink root: subscribes to the store, composes the frame for the terminal's size, and feeds
// raw keys to the dispatcher. Everything drawn comes from composeFrame (pure).
import { memo, useEffect, useState, type ReactElement } from 'react';
import { Box, Text, useStdin, useStdout } from 'ink';
import type { UiStore } from '../store/store.js';
import { composeFrame, type Frame } from './frame.js';
import { dispatchKeys } from './dispatch.js';
import { keyReader } from './keysplit.js';
import { sameLine, type Line } from './line.js';
import type { TermCaps } from './term.js';
import { barStyle, styleOf } from './theme.js';
import { asciify, stripSgr } from './text.js';

export interface AppProps {
  store: UiStore;
  caps: TermCaps;
  /** A fixed size (tests, screenshots); otherwise the terminal's, following resizes. */
  size?: { columns: number; rows: number };
  onQuit: () => void;
}

/** Clear the terminal and home the cursor: written through Ink, which then repaints its frame. */
export const CLEAR_SCREEN = '\u001b[2J\u001b[3J\u001b[H';

function useTermSize(fixed: AppProps['size']): { columns: number; rows: number } {
  const { stdout, write } = useStdout();
  const read = (): { columns: number; rows: number } => fixed ?? { columns: stdout.columns || 80, rows: stdout.rows || 24 };
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return;
    const onResize = (): void => {
      // A resize reflows what is on screen; Ink's relative redraw would leave debris.
      write(CLEAR_SCREEN);
      setSize(read());
    };
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, fixed?.columns, fixed?.rows]);
  return fixed ?? size;
}

// Unchanged lines (most of them, on a cursor move) are not re-rendered.
const ScreenLine = memo(ScreenLineImpl, (a, b) => a.caps === b.caps && sameLine(a.l, b.l));

function ScreenLineImpl({ l, caps }: { l: Line; caps: TermCaps }): ReactElement {
  const text = (t: string, raw: boolean): string => (raw ? (caps.color ? t : stripSgr(t)) : caps.unicode ? t : asciify(t));
  if (l.bar) {
    // The selection bar is one style across the row, as htop draws it.
    return <Text wrap="truncate" {...barStyle(caps)}>{l.segs.map((s) => text(s.role === 'raw' ? stripSgr(s.text) : s.text, false)).join('')}</Text>;
  }
  return (
    <Text wrap="truncate">
      {l.segs.map((s, i) => (
        <Text key={i} {...styleOf(s.role, caps)}>{text(s.text, s.role === 'raw')}</Text>
      ))}
    </Text>
  );
}

function sameFrame(a: Frame, b: Frame): boolean {
  if (a.lines.length !== b.lines.length || a.tableRows !== b.tableRows || a.overlayRows !== b.overlayRows || a.overlayTotal !== b.overlayTotal) return false;
  for (let i = 0; i < a.lines.length; i++) if (!sameLine(a.lines[i]!, b.lines[i]!)) return false;
  return true;
}

/**
 * The frame for the store's state, re-rendered only when it looks different. Every React commit
 * makes Ink lay out and re-tokenise the whole screen (~20 ms on a small VM); most store changes
 * (a request going out, a refresh that changed nothing visible) change nothing on screen.
 */
function useFrame(store: UiStore, caps: TermCaps, columns: number, rows: number): Frame {
  const compose = (): Frame => composeFrame(store.getState(), caps, columns, rows);
  const [frame, setFrame] = useState(compose);
  useEffect(() => {
    let last = compose();
    setFrame((prev) => (sameFrame(prev, last) ? prev : last));
    return store.subscribe(() => {
      const f = compose();
      if (sameFrame(f, last)) return;
      last = f;
      setFrame(f);
    });
  }, [store, caps, columns, rows]);
  return frame;
}

export function App({ store, caps, size: fixed, onQuit }: AppProps): ReactElement {
  const { columns, rows } = useTermSize(fixed);
  const { stdin, setRawMode, isRawModeSupported } = useStdin();
  const { write } = useStdout();

  useEffect(() => {
    // Ink reads only a terminal (raw mode); so do we.
    if (!isRawModeSupported) return;
    // Raw mode makes Ink read stdin ('readable' + read()); each chunk it reads is also a 'data'
    // event on the same public stream (keysplit.ts says why not useInput), split into keys here.
    setRawMode(true);
    const hooks = { quit: onQuit, repaint: () => write(CLEAR_SCREEN) };
    const reader = keyReader((keys) => dispatchKeys(store, keys, hooks));
    stdin.on('data', reader.data);
    return () => {
      stdin.off('data', reader.data);
      reader.close();
      setRawMode(false);
    };
  }, [store, stdin, isRawModeSupported, setRawMode, onQuit, write]);

  const frame = useFrame(store, caps, columns, rows);

  useEffect(() => {
    store.getState().setViewport({ tableRows: frame.tableRows, overlayRows: frame.overlayRows, overlayTotal: frame.overlayTotal });
  }, [store, frame.tableRows, frame.overlayRows, frame.overlayTotal]);

  return (
    <Box flexDirection="column" width={columns} height={frame.lines.length}>
      {frame.lines.map((l, i) => (
        <ScreenLine key={i} l={l} caps={caps} />
      ))}
    </Box>
  );
}
