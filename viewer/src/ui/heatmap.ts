/**
 * The time × cell (or sensor, or balancing group) heatmap, painted into a uPlot's canvas in its
 * draw hook so it shares the panes' time axis, cursor and zoom. Each device pixel column takes
 * the bucket under it (engine/query.ts queryHeat); a column no bucket covers (a time gap) and a
 * cell without a value stay transparent: gaps show as gaps.
 */
import type uPlot from 'uplot';
import type { HeatData } from '../engine/query.ts';

type Rgb = [number, number, number];

const SEQUENTIAL: Rgb[] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];
const DIVERGING: Rgb[] = [
  [33, 102, 172],
  [146, 197, 222],
  [247, 247, 247],
  [244, 165, 130],
  [178, 24, 43],
];

function ramp(stops: Rgb[], f: number, out: Uint8ClampedArray, o: number): void {
  const x = Math.max(0, Math.min(1, f)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const u = x - i;
  const a = stops[i]!;
  const b = stops[i + 1]!;
  out[o] = a[0] + (b[0] - a[0]) * u;
  out[o + 1] = a[1] + (b[1] - a[1]) * u;
  out[o + 2] = a[2] + (b[2] - a[2]) * u;
  out[o + 3] = 255;
}

/** The colour range of a heatmap: symmetric about 0 for deltas. */
export function heatRange(h: HeatData, diverging: boolean): [number, number] {
  if (!(h.hi >= h.lo)) return [0, 1];
  if (diverging) {
    const m = Math.max(Math.abs(h.lo), Math.abs(h.hi)) || 1e-9;
    return [-m, m];
  }
  return h.hi > h.lo ? [h.lo, h.hi] : [h.lo - 0.5, h.hi + 0.5];
}

/** Paints `h` over the plot area of `u` (row 0 at the bottom). */
export function paintHeat(u: uPlot, h: HeatData, diverging: boolean): void {
  const { left, top, width, height } = u.bbox;
  const W = Math.max(1, Math.round(width));
  const rows = h.rows;
  const nb = h.x0.length;
  if (rows === 0 || nb === 0) return;
  const [lo, hi] = heatRange(h, diverging);
  const img = new ImageData(W, rows);
  const px = img.data;
  const min = u.scales.x!.min!;
  const max = u.scales.x!.max!;
  const stops = diverging ? DIVERGING : SEQUENTIAL;
  let k = 0;
  let g = 0;
  for (let c = 0; c < W; c++) {
    const t = min + ((c + 0.5) / W) * (max - min);
    while (k < nb - 1 && h.x1[k]! < t) k++;
    if (t < h.x0[k]! || t > h.x1[k]!) continue;
    while (g < h.gaps.length && h.gaps[g + 1]! <= t) g += 2;
    if (g < h.gaps.length && t > h.gaps[g]!) continue;
    for (let i = 0; i < rows; i++) {
      const v = h.values[k * rows + i]!;
      if (v !== v) continue;
      ramp(stops, (v - lo) / (hi - lo), px, ((rows - 1 - i) * W + c) * 4);
    }
  }
  const off = document.createElement('canvas');
  off.width = W;
  off.height = rows;
  off.getContext('2d')!.putImageData(img, 0, 0);
  const ctx = u.ctx;
  ctx.save();
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, left, top, width, height);
  ctx.restore();
}

/** CSS gradient of the colour scale for the pane's legend. */
export function heatGradient(diverging: boolean): string {
  const stops = diverging ? DIVERGING : SEQUENTIAL;
  return `linear-gradient(to right, ${stops.map((s) => `rgb(${s.join(',')})`).join(', ')})`;
}
