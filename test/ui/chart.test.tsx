// The history chart and sparklines: blessed-contrib's braille canvas and sparkline renderer,
// rendered to text, and the ASCII stand-ins.
import { describe, expect, it } from 'vitest';
import { lineChart, spark } from '../../src/ui/chart.js';
import { stripSgr, width } from '../../src/ui/text.js';

const ramp = Array.from({ length: 60 }, (_, i) => Math.round(Math.abs(Math.sin(i / 6)) * 40));

describe('lineChart', () => {
  it('draws braille, exactly width x height, newest at the right', () => {
    const l = lineChart([{ values: ramp, color: 'red' }], { width: 30, height: 3, unicode: true, color: false });
    expect(l).toHaveLength(3);
    for (const x of l) expect(width(x)).toBe(30);
    expect(l[0]!.startsWith('48┤')).toBe(true);
    expect(l[2]!.startsWith(' 0┤')).toBe(true);
    expect(l.join('')).toMatch(/[\u2801-\u28ff]/);
    // eslint-disable-next-line no-control-regex
    expect(l.join('')).not.toMatch(/\u001b/);
  });

  it('colours each series when colour is allowed', () => {
    const l = lineChart([{ values: ramp, color: 'red' }, { values: ramp.map((v) => v / 2), color: 'yellow' }], { width: 30, height: 3, unicode: true, color: true });
    const all = l.join('\n');
    expect(all).toContain('\u001b[31m');
    expect(all).toContain('\u001b[33m');
    for (const x of l) expect(width(stripSgr(x))).toBe(30);
  });

  it('shows a single sample, and an empty history', () => {
    const one = lineChart([{ values: [5], color: 'red' }], { width: 20, height: 3, unicode: true, color: false });
    expect(one.join('')).toMatch(/[\u2801-\u28ff]/);
    const none = lineChart([{ values: [], color: 'red' }], { width: 20, height: 3, unicode: true, color: false });
    expect(none).toHaveLength(3);
    for (const x of none) expect(width(x)).toBe(20);
  });

  it('falls back to ASCII columns', () => {
    const l = lineChart([{ values: ramp, color: 'red' }], { width: 30, height: 4, unicode: false, color: true });
    expect(l).toHaveLength(4);
    // eslint-disable-next-line no-control-regex
    for (const x of l) expect(x).toMatch(/^[\u0020-\u007e]{30}$/);
    expect(l.join('')).toContain('#');
    expect(l[0]!.startsWith('48|')).toBe(true);
  });
});

describe('spark', () => {
  it('scales to a shared maximum and pads to the width', () => {
    expect(spark([0, 4, 8], 5, 8, true)).toBe('  ▁▄█');
    expect(spark([8, 8], 3, 8, true)).toBe(' ██');
    // Above the maximum is clamped, not undefined.
    expect(spark([20], 1, 8, true)).toBe('█');
    expect(spark([0, 4, 8], 5, 8, false)).toBe('  _+@');
    expect(spark([], 4, 8, true)).toBe('    ');
  });
});
