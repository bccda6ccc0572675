// Keeps the TUI's heap near its live size. The young generation is kept small (main.ts), so
// what a frame or a snapshot allocates is promoted early, and V8 lets old-space garbage reach
// two or three times the live data (15-20 MB here) before it collects it: RSS crept from 80 to
// 130 MB in a minute. V8 takes heap-size flags only at start-up, and `node wedgetop.mjs` gives
// it none, so the collector is asked directly, rarely and only when garbage has piled up.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from './log.js';

type Gc = () => void;

function exposeGc(): Gc | undefined {
  try {
    setFlagsFromString('--expose-gc');
    // A new context is created after the flag, so it has the gc global.
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as Gc) : undefined;
  } catch {
    return undefined;
  }
}

/** Checks every `everyMs` and collects when the heap has grown `slackMb` past its last live size. Returns a stop function. */
export function trimHeap(log: Logger, everyMs = 5_000, slackMb = 8): () => void {
  const gc = exposeGc();
  if (!gc) return () => {};
  const used = (): number => getHeapStatistics().used_heap_size / 2 ** 20;
  let live = used();
  const timer = setInterval(() => {
    if (used() - live < slackMb) return;
    const t0 = performance.now();
    gc();
    live = used();
    log(`heap: collected in ${(performance.now() - t0).toFixed(1)} ms, ${live.toFixed(1)} MB live`);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
