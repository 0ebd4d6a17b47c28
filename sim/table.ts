/**
 * Piecewise-linear tables, clamped at the ends (cell-model.md, "Parameter dependence").
 *
 * `Grid` adds an O(1) segment finder over arbitrary ascending breakpoints: a uniform
 * bucket array maps x to the first segment that can hold it, then at most a few
 * comparisons walk to the exact segment. The interpolated value is computed from the
 * original breakpoints, so it equals a plain binary-search interpolation.
 */

/** Linear interpolation in an ascending table, clamped at both ends. */
export function interp1(xs: ArrayLike<number>, ys: ArrayLike<number>, x: number): number {
  const n = xs.length;
  if (x <= xs[0]!) return ys[0]!;
  if (x >= xs[n - 1]!) return ys[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const x0 = xs[lo]!;
  const t = (x - x0) / (xs[lo + 1]! - x0);
  return ys[lo]! + t * (ys[lo + 1]! - ys[lo]!);
}

/**
 * Bilinear interpolation, clamped at the edges. `values` is row-major over (x, y):
 * values[i * ys.length + j] is the value at (xs[i], ys[j]).
 */
export function interp2(xs: ArrayLike<number>, ys: ArrayLike<number>, values: ArrayLike<number>, x: number, y: number): number {
  const [i, tx] = segment(xs, x);
  const [j, ty] = segment(ys, y);
  const ny = ys.length;
  const i1 = xs.length > 1 ? i + 1 : i;
  const j1 = ny > 1 ? j + 1 : j;
  const v00 = values[i * ny + j]!;
  const v01 = values[i * ny + j1]!;
  const v10 = values[i1 * ny + j]!;
  const v11 = values[i1 * ny + j1]!;
  const a = v00 + ty * (v01 - v00);
  const b = v10 + ty * (v11 - v10);
  return a + tx * (b - a);
}

/** Segment index i (so that xs[i] <= x < xs[i+1]) and fraction in it, clamped. */
export function segment(xs: ArrayLike<number>, x: number): [number, number] {
  const n = xs.length;
  if (n === 1 || x <= xs[0]!) return [0, 0];
  if (x >= xs[n - 1]!) return [n - 2, 1];
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid;
    else hi = mid;
  }
  return [lo, (x - xs[lo]!) / (xs[lo + 1]! - xs[lo]!)];
}

/** Ascending breakpoints with an O(1) segment finder. */
export class Grid {
  readonly x: Float64Array;
  readonly first: number;
  readonly last: number;
  /** Segment to start from for each uniform bucket (see find()). */
  readonly bucket: Int32Array;
  readonly invBucketWidth: number;
  /** 1 / (x[i+1] - x[i]) per segment. */
  readonly invWidth: Float64Array;

  constructor(breakpoints: ArrayLike<number>) {
    const n = breakpoints.length;
    if (n < 1) throw new RangeError('Grid needs at least one breakpoint');
    this.x = Float64Array.from(breakpoints);
    this.first = this.x[0]!;
    this.last = this.x[n - 1]!;
    this.invWidth = new Float64Array(Math.max(1, n - 1));
    for (let i = 0; i + 1 < n; i++) this.invWidth[i] = 1 / (this.x[i + 1]! - this.x[i]!);
    const span = this.last - this.first;
    const nb = Math.max(1, 4 * n);
    this.invBucketWidth = span > 0 ? nb / span : 0;
    this.bucket = new Int32Array(nb + 1);
    let seg = 0;
    for (let b = 0; b <= nb; b++) {
      const xb = this.first + b / this.invBucketWidth;
      while (seg < n - 2 && this.x[seg + 1]! <= xb) seg++;
      this.bucket[b] = seg;
    }
  }

  /**
   * Segment index for x (clamped to [0, n-2]); the caller computes the fraction with
   * `fraction(i, x)`. For one breakpoint, always 0.
   */
  find(x: number): number {
    const xs = this.x;
    const n = xs.length;
    if (n < 2 || x <= this.first) return 0;
    if (x >= this.last) return n - 2;
    let i = this.bucket[((x - this.first) * this.invBucketWidth) | 0]!;
    while (i > 0 && xs[i]! > x) i--; // guards rounding of the bucket index
    while (xs[i + 1]! <= x) i++;
    return i;
  }

  /** Fraction of x within segment i, clamped to [0, 1]. */
  fraction(i: number, x: number): number {
    const xs = this.x;
    if (xs.length < 2 || x <= this.first) return 0;
    if (x >= this.last) return 1;
    const x0 = xs[i]!;
    return (x - x0) / (xs[i + 1]! - x0);
  }
}

/** Sorted union of several ascending breakpoint lists (exact duplicates merged). */
export function unionBreakpoints(lists: ArrayLike<number>[]): number[] {
  const all: number[] = [];
  for (const l of lists) for (let i = 0; i < l.length; i++) all.push(l[i]!);
  all.sort((a, b) => a - b);
  const out: number[] = [];
  for (const v of all) if (out.length === 0 || v !== out[out.length - 1]) out.push(v);
  return out;
}

/** Resample a piecewise-linear table at new breakpoints (exact where they include the old ones). */
export function resample(xs: ArrayLike<number>, ys: ArrayLike<number>, at: ArrayLike<number>): Float64Array {
  const out = new Float64Array(at.length);
  for (let i = 0; i < at.length; i++) out[i] = interp1(xs, ys, at[i]!);
  return out;
}
