// Types for the parts of blessed-contrib's renderers used off-screen (src/ui/chart.ts). These
// packages ship no types; only what chart.ts touches is declared.

declare module 'drawille-blessed-contrib' {
  /** A braille-dot bitmap: 2x4 dots per character cell. */
  class BrailleCanvas {
    constructor(width: number, height: number);
    width: number;
    height: number;
    content: Uint8Array;
    colors: (string | undefined)[];
    chars: (string | null | undefined)[];
    color: string | number | [number, number, number];
    fontFg: string;
    fontBg: string;
    set(x: number, y: number): void;
    unset(x: number, y: number): void;
    clear(): void;
    /** The bitmap as text: rows joined by `delimiter` (default "\n"), with SGR colour codes. */
    frame(delimiter?: string): string;
  }
  export = BrailleCanvas;
}

declare module 'drawille-canvas-blessed-contrib' {
  import type BrailleCanvas from 'drawille-blessed-contrib';
  /** The HTML-canvas-like 2D context blessed-contrib's line chart draws with. */
  class Context {
    constructor(width: number, height: number, canvasClass?: new (width: number, height: number) => object);
    readonly _canvas: BrailleCanvas;
    strokeStyle: string | number | [number, number, number];
    fillStyle: string;
    beginPath(): void;
    moveTo(x: number, y: number): void;
    lineTo(x: number, y: number): void;
    stroke(): void;
    fillText(text: string, x: number, y: number): void;
    clearRect(x: number, y: number, w: number, h: number): void;
  }
  export = Context;
}

declare module 'sparkline' {
  /** blessed-contrib's sparkline widget renders with this: ▁▂▃▄▅▆▇█ scaled between min and max. */
  function sparkline(values: number[], opts?: { min?: number; max?: number }): string;
  export = sparkline;
}

declare module 'systeminformation/lib/memory.js' {
  import type { Systeminformation } from 'systeminformation';
  /** Linux: reads /proc/meminfo only. */
  export function mem(): Promise<Systeminformation.MemData>;
  const memory: { mem: typeof mem };
  export default memory;
}
