/**
 * The time × cell (or sensor, or balancing group) heatmap, drawn into a uPlot's canvas in its
 * draw hook so it shares the panes' time axis, cursor and zoom. Each device pixel column takes
 * the bucket under it (engine/query.ts queryHeat); a column no bucket covers (a time gap) and a
 * cell without a value stay transparent: gaps show as gaps. Colours come from a lookup table.
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

/** Colours of a scale's lookup table (a value maps to one of them). */
const LUT_SIZE = 256;

/** RGBA words (the canvas' byte order) of `stops` interpolated over LUT_SIZE entries. */
function lut(stops: Rgb[]): Uint32Array {
  const bytes = new Uint8ClampedArray(LUT_SIZE * 4);
  for (let j = 0; j < LUT_SIZE; j++) {
    const x = (j / (LUT_SIZE - 1)) * (stops.length - 1);
    const i = Math.min(stops.length - 2, Math.floor(x));
    const u = x - i;
    const a = stops[i]!;
    const b = stops[i + 1]!;
    for (let c = 0; c < 3; c++) bytes[j * 4 + c] = a[c]! + (b[c]! - a[c]!) * u;
    bytes[j * 4 + 3] = 255;
  }
  return new Uint32Array(bytes.buffer);
}

const LUTS = { sequential: lut(SEQUENTIAL), diverging: lut(DIVERGING) };

/** The colour range of a heatmap: symmetric about 0 for deltas. */
export function heatRange(h: HeatData, diverging: boolean): [number, number] {
  if (!(h.hi >= h.lo)) return [0, 1];
  if (diverging) {
    const m = Math.max(Math.abs(h.lo), Math.abs(h.hi)) || 1e-9;
    return [-m, m];
  }
  return h.hi > h.lo ? [h.lo, h.hi] : [h.lo - 0.5, h.hi + 0.5];
}

/**
 * A heatmap rendered once per answer from the worker: one pixel per device pixel column of the
 * plot area and per row, over [t0, t1]. The draw hook only blits it (`blitHeat`), so a redraw
 * for a cursor or a shading costs a drawImage; the canvas and its pixels are reused while the
 * size stays.
 */
export class HeatImage {
  t0 = 0;
  t1 = 0;
  empty = true;
  private readonly canvas = document.createElement('canvas');
  private img: ImageData | null = null;

  /** Renders `h` over [t0, t1] at W pixel columns (row 0 at the bottom). */
  render(h: HeatData, diverging: boolean, t0: number, t1: number, W: number): void {
    const rows = h.rows;
    const nb = h.x0.length;
    this.t0 = t0;
    this.t1 = t1;
    this.empty = rows === 0 || nb === 0 || !(t1 > t0);
    if (this.empty) return;
    if (this.img === null || this.img.width !== W || this.img.height !== rows) {
      this.img = new ImageData(W, rows);
      this.canvas.width = W;
      this.canvas.height = rows;
    }
    const px = new Uint32Array(this.img.data.buffer);
    px.fill(0);
    const [lo, hi] = heatRange(h, diverging);
    const colours = diverging ? LUTS.diverging : LUTS.sequential;
    const k = (LUT_SIZE - 1) / (hi - lo);
    let b = 0;
    let g = 0;
    for (let c = 0; c < W; c++) {
      const t = t0 + ((c + 0.5) / W) * (t1 - t0);
      while (b < nb - 1 && h.x1[b]! < t) b++;
      if (t < h.x0[b]! || t > h.x1[b]!) continue;
      while (g < h.gaps.length && h.gaps[g + 1]! <= t) g += 2;
      if (g < h.gaps.length && t > h.gaps[g]!) continue;
      const o = b * rows;
      for (let i = 0; i < rows; i++) {
        const v = h.values[o + i]!;
        if (v !== v) continue;
        const j = Math.round((v - lo) * k);
        px[(rows - 1 - i) * W + c] = colours[j < 0 ? 0 : j > LUT_SIZE - 1 ? LUT_SIZE - 1 : j]!;
      }
    }
    this.canvas.getContext('2d')!.putImageData(this.img, 0, 0);
  }

  /** Draws the image over the plot area of `u`, placed by its time range (so a scale changed since still lines up). */
  blit(u: uPlot): void {
    if (this.empty) return;
    const { left, top, width, height } = u.bbox;
    const a = u.valToPos(this.t0, 'x', true);
    const b = u.valToPos(this.t1, 'x', true);
    const ctx = u.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.canvas, a, top, b - a, height);
    ctx.restore();
  }
}

/** CSS gradient of the colour scale for the pane's legend. */
export function heatGradient(diverging: boolean): string {
  const stops = diverging ? DIVERGING : SEQUENTIAL;
  return `linear-gradient(to right, ${stops.map((s) => `rgb(${s.join(',')})`).join(', ')})`;
}
