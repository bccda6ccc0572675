// Memory for the header, from systeminformation — only si.mem(), which on Linux reads
// /proc/meminfo and nothing else. Everything in systeminformation that runs df, ps or other
// commands (fsSize, processes, time, osInfo...) can hang on a wedged box and is never called.
// Polled on its own timer with a timeout, never on the refresh path.
// Its memory module alone: the package's index requires every module it has (700 KB of code
// compiled and run at start, and ~10 MB of heap) for one function.
import siMemory from 'systeminformation/lib/memory.js';
import type { MemInfo } from '../store/store.js';

export type MemReader = () => Promise<MemInfo>;

export const siMem: MemReader = async () => {
  const m = await siMemory.mem();
  return { total: m.total, available: m.available };
};

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    t.unref?.();
    p.then((v) => {
      clearTimeout(t);
      resolve(v);
    }, (e: unknown) => {
      clearTimeout(t);
      reject(e);
    });
  });
}

/** Calls onMem every intervalMs; an unanswered read is not repeated until it settles. */
export function pollMem(read: MemReader, onMem: (m: MemInfo | undefined) => void, intervalMs = 5000, timeoutMs = 1000, log?: (m: string) => void): () => void {
  let busy = false;
  let stopped = false;
  const once = (): void => {
    if (busy || stopped) return;
    busy = true;
    const p = read();
    withTimeout(p, timeoutMs).then((m) => !stopped && onMem(m), (e: unknown) => {
      log?.(`mem: ${e instanceof Error ? e.message : String(e)}`);
      if (!stopped) onMem(undefined);
    });
    // `busy` follows the real read, not the timeout: a stuck read is not stacked up.
    p.then(() => (busy = false), () => (busy = false));
  };
  once();
  const t = setInterval(once, intervalMs);
  t.unref?.();
  return () => {
    stopped = true;
    clearInterval(t);
  };
}
