/**
 * A min/max-per-bucket (M4-style) pyramid over one column, so a plot of any time range needs
 * about two points per pixel whatever the length of the log, and a one-sample spike survives
 * every level (a bucket keeps its extremes, never an average).
 *
 * Level L groups 2^L consecutive rows into one bucket with its min, its max, whether the min
 * came before the max (so the two points are drawn in time order) and whether the bucket holds
 * a missing value (NaN, or not finite: the wire's NA, a message that did not arrive). Levels
 * below `baseShift` are not stored: they are computed from the rows when asked (a query at
 * those levels covers few rows); stored levels cost about 2^(1 − baseShift) buckets per row.
 * Pure typed-array code, no DOM or Node APIs (it runs in the viewer's worker and in Node tests).
 */

/** Flag bits of a bucket. */
export const Bucket = {
  /** The min came at or before the max. */
  MIN_FIRST: 1,
  /** Some row of the bucket was sent without a value (NaN / not finite), or follows a time gap. */
  HAS_GAP: 2,
  /** The bucket's first row that carries the column has no value or follows a time gap. */
  GAP_START: 4,
  /** The bucket's last row that carries the column has no value. */
  GAP_END: 8,
  /** Some row of the bucket carries the column (with or without a value). */
  ANY: 16,
} as const;

export type Column = Float32Array | Float64Array;

/**
 * Which rows count, and where time gaps are. A row whose `present` byte lacks `bit` did not carry
 * this column (another message's tick): it is skipped, neither a value nor a gap. A row with
 * `breaks[r]` set follows a time gap in this column's message (frames lost, the link down): the
 * bucket holding it has a gap, so the line is broken there and never bridged.
 */
export interface RowMask {
  present?: Uint8Array;
  bit?: number;
  breaks?: Uint8Array;
}

interface Level {
  min: Column;
  max: Column;
  flags: Uint8Array;
}

/** One bucket as read out: min, max (both NaN when no row of it has a value) and its flags. */
export interface BucketValue {
  min: number;
  max: number;
  flags: number;
}

/** Default lowest stored level: buckets of 16 rows. */
export const DEFAULT_BASE_SHIFT = 4;

export class Pyramid {
  /** Stored levels, index 0 is level `baseShift`. */
  private readonly levels: Level[] = [];

  constructor(
    readonly values: Column,
    readonly length: number,
    readonly mask: RowMask = {},
    readonly baseShift = DEFAULT_BASE_SHIFT,
  ) {
    this.build();
  }

  /** Highest level stored (its buckets cover 2^topLevel rows). */
  get topLevel(): number {
    return this.baseShift + this.levels.length - 1;
  }

  /** Bytes held by the stored levels. */
  get bytes(): number {
    let n = 0;
    for (const l of this.levels) n += l.min.byteLength + l.max.byteLength + l.flags.byteLength;
    return n;
  }

  private build(): void {
    const f32 = this.values instanceof Float32Array;
    const make = (n: number): Level => ({
      min: f32 ? new Float32Array(n) : new Float64Array(n),
      max: f32 ? new Float32Array(n) : new Float64Array(n),
      flags: new Uint8Array(n),
    });
    const size = 1 << this.baseShift;
    let n = Math.max(1, Math.ceil(this.length / size));
    const base = make(n);
    const out: BucketValue = { min: NaN, max: NaN, flags: 0 };
    for (let b = 0; b < n; b++) {
      scanRows(this.values, this.mask, b * size, Math.min(this.length, (b + 1) * size), out);
      put(base, b, out);
    }
    this.levels.push(base);
    let prev = base;
    while (n > 1) {
      n = Math.ceil(n / 2);
      const next = make(n);
      const pn = prev.min.length;
      for (let b = 0; b < n; b++) {
        const a = 2 * b;
        if (a + 1 >= pn) {
          next.min[b] = prev.min[a]!;
          next.max[b] = prev.max[a]!;
          next.flags[b] = prev.flags[a]!;
        } else {
          merge(prev, a, a + 1, out);
          put(next, b, out);
        }
      }
      this.levels.push(next);
      prev = next;
    }
  }

  /** Number of buckets at `level` (2^level rows each). */
  buckets(level: number): number {
    return Math.ceil(this.length / 2 ** level);
  }

  /** The min and max arrays of a stored level (null below `baseShift` or above the top). */
  stored(level: number): { min: Column; max: Column } | null {
    const l = this.levels[level - this.baseShift];
    return level >= this.baseShift && l !== undefined ? l : null;
  }

  /** Bucket `b` of `level` into `out` (computed from the rows below the stored levels). */
  bucket(level: number, b: number, out: BucketValue): BucketValue {
    if (level < this.baseShift) {
      const size = 2 ** level;
      return scanRows(this.values, this.mask, b * size, Math.min(this.length, (b + 1) * size), out);
    }
    if (level > this.topLevel) throw new RangeError(`level ${level} above the top level ${this.topLevel}`);
    const l = this.levels[level - this.baseShift]!;
    out.min = l.min[b]!;
    out.max = l.max[b]!;
    out.flags = l.flags[b]!;
    return out;
  }
}

function put(l: Level, b: number, v: BucketValue): void {
  l.min[b] = v.min;
  l.max[b] = v.max;
  l.flags[b] = v.flags;
}

/** min/max/flags of rows [r0, r1) under a mask; the first of equal extremes is the one kept. */
export function scanRows(v: Column, mask: RowMask, r0: number, r1: number, out: BucketValue): BucketValue {
  const { present, breaks } = mask;
  const bit = mask.bit ?? 0;
  let min = Infinity;
  let max = -Infinity;
  let iMin = -1;
  let iMax = -1;
  let flags = 0;
  let lastNa = false;
  for (let r = r0; r < r1; r++) {
    if (present !== undefined && (present[r]! & bit) === 0) continue;
    const x = v[r]!;
    const na = !(x - x === 0);
    const gap = na || (breaks !== undefined && breaks[r] !== 0);
    if ((flags & Bucket.ANY) === 0 && gap) flags |= Bucket.GAP_START;
    flags |= Bucket.ANY;
    lastNa = na;
    if (gap) flags |= Bucket.HAS_GAP;
    if (na) continue;
    if (x < min) {
      min = x;
      iMin = r;
    }
    if (x > max) {
      max = x;
      iMax = r;
    }
  }
  if (lastNa) flags |= Bucket.GAP_END;
  if (iMin < 0) {
    out.min = NaN;
    out.max = NaN;
    out.flags = flags | Bucket.MIN_FIRST;
    return out;
  }
  out.min = min;
  out.max = max;
  out.flags = flags | (iMin <= iMax ? Bucket.MIN_FIRST : 0);
  return out;
}

/** Merges buckets a (earlier) and b (later) of one level. */
function merge(l: Level, a: number, b: number, out: BucketValue): void {
  const fa = l.flags[a]!;
  const fb = l.flags[b]!;
  let flags = ((fa | fb) & (Bucket.HAS_GAP | Bucket.ANY)) | ((fa & Bucket.ANY ? fa : fb) & Bucket.GAP_START) | ((fb & Bucket.ANY ? fb : fa) & Bucket.GAP_END);
  const minA = l.min[a]!;
  const minB = l.min[b]!;
  if (minA !== minA || minB !== minB) {
    const from = minA !== minA ? b : a;
    out.min = l.min[from]!;
    out.max = l.max[from]!;
    out.flags = flags | (l.flags[from]! & Bucket.MIN_FIRST);
    return;
  }
  // ties go to the earlier bucket, as scanRows keeps the first extreme
  const minFromA = minA <= minB;
  const maxFromA = l.max[a]! >= l.max[b]!;
  out.min = minFromA ? minA : minB;
  out.max = maxFromA ? l.max[a]! : l.max[b]!;
  const first = minFromA === maxFromA ? ((minFromA ? fa : fb) & Bucket.MIN_FIRST) !== 0 : minFromA;
  if (first) flags |= Bucket.MIN_FIRST;
  out.flags = flags;
}

/**
 * The level whose buckets put at most `maxBuckets` buckets over `rows` rows: 0 (every row) when
 * the rows fit.
 */
export function levelFor(rows: number, maxBuckets: number): number {
  if (rows <= maxBuckets) return 0;
  return Math.ceil(Math.log2(rows / Math.max(1, maxBuckets)));
}
