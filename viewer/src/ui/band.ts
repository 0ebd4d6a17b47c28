/**
 * The envelope band (the area between a pane's max and min series), filled as one simple polygon
 * per unbroken run: per device pixel column the highest value of the upper series and the lowest
 * of the lower one, the upper edge forward and the lower one back. uPlot's own bands clip the fill
 * with the lower series' area (an anti-aliased clip path: a coverage mask per draw) and follow
 * every min/max zig-zag of the buckets; this fill has one vertex per pixel column and edge.
 *
 * Gaps are not bridged: a null (a gap slot) in either series ends the run; an undefined (an
 * alignment slot of another message's tick) is passed over, as the lines join across it.
 */
import type uPlot from 'uplot';

/** Per pixel column of a run: x, the upper edge's y, the lower edge's y (device px); reused. */
let cols = new Float64Array(3 * 1024);

/** Fills between series `upper` and `lower` (uPlot indices) over the plot area of `u`. */
export function fillBand(u: uPlot, upper: number, lower: number, fill: string): void {
  const xs = u.data[0];
  const hi = u.data[upper];
  const lo = u.data[lower];
  if (hi === undefined || lo === undefined) return;
  const scale = u.series[upper]?.scale ?? 'y';
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.fillStyle = fill;
  ctx.beginPath();
  let n = 0;
  const flush = (): void => {
    if (n === 0) return;
    ctx.moveTo(cols[0]!, cols[1]!);
    for (let k = 1; k < n; k++) ctx.lineTo(cols[3 * k]!, cols[3 * k + 1]!);
    for (let k = n - 1; k >= 0; k--) ctx.lineTo(cols[3 * k]!, cols[3 * k + 2]!);
    ctx.closePath();
    n = 0;
  };
  for (let i = 0; i < xs.length; i++) {
    const a = hi[i];
    const b = lo[i];
    if (a === null || b === null) {
      flush();
      continue;
    }
    if (a === undefined || b === undefined) continue;
    const x = Math.round(u.valToPos(xs[i]!, 'x', true));
    // canvas y grows downwards: the upper edge is the smallest y of the column
    const ya = u.valToPos(a, scale, true);
    const yb = u.valToPos(b, scale, true);
    if (n > 0 && cols[3 * (n - 1)] === x) {
      const o = 3 * (n - 1);
      if (ya < cols[o + 1]!) cols[o + 1] = ya;
      if (yb > cols[o + 2]!) cols[o + 2] = yb;
      continue;
    }
    if (3 * n + 3 > cols.length) {
      const grown = new Float64Array(2 * cols.length);
      grown.set(cols);
      cols = grown;
    }
    cols[3 * n] = x;
    cols[3 * n + 1] = ya;
    cols[3 * n + 2] = yb;
    n++;
  }
  flush();
  ctx.fill();
  ctx.restore();
}
