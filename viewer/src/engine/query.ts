/**
 * What a plot gets for a time range and a width in pixels: uPlot-aligned columns built from the
 * series' pyramids at the level that gives at most one bucket per pixel (two points per bucket,
 * min and max in time order, so spikes survive), or every row when the rows fit.
 *
 * Gaps are never bridged. A bucket holding a missing value or following a time gap gets a gap
 * slot before its points: NaN there (uPlot null: the line breaks) for the series that have the
 * gap, SKIP for the others (uPlot undefined: an alignment slot, joined across). A series whose
 * message did not come in a bucket at all is SKIP (another message's tick, not a gap).
 */
import { Bucket, type BucketValue, type Pyramid, levelFor } from './pyramid.ts';
import type { Columns } from './columns.ts';
import { Present } from '../../../analyzer/timeline/store.ts';

/** Marks a slot where a series has no point of its own (uPlot undefined). Real values are finite. */
export const SKIP = -Infinity;

export interface PlotQuery {
  t0: number;
  t1: number;
  /** Plot width, px (at most one bucket per pixel). */
  width: number;
  series: readonly string[];
}

/** A series computed per bucket from other series' buckets (the OCV-derived SOC). */
export interface DerivedSeries {
  id: string;
  deps: readonly string[];
  /** The value for a bucket from its deps' buckets (NaN: no point). */
  f(b: readonly BucketValue[]): number;
  /**
   * f's values per stored pyramid level (filled as buckets are read; NOT_YET where not computed),
   * so zooming back and forth does not compute an expensive f (the OCV inversion) again.
   */
  memo?: Map<number, Float64Array>;
}

/** A memo slot not computed yet (f gives finite values or NaN). */
const NOT_YET = Infinity;

export interface PlotData {
  x: Float64Array;
  /** One per requested series, same length as x: finite, NaN (gap) or SKIP. */
  y: Float64Array[];
  /** Pyramid level used (0: every row). */
  level: number;
  /** Rows covered. */
  rows: number;
}

/** Rows [r0, r1) covering [t0, t1], with one row beyond each end so lines enter the view. */
export function rowRange(cols: Columns, t0: number, t1: number): [number, number] {
  const tl = cols.tl;
  return [Math.max(0, tl.rowAt(t0) - 1), Math.min(tl.length, tl.rowAt(t1) + 1)];
}

/** The series of a query, each read bucket by bucket. */
class BucketReader {
  private readonly pyrs: (Pyramid | null)[];
  private readonly der: (DerivedSeries | null)[];
  private readonly depPyrs: (Pyramid | null)[][];
  private readonly depVals: BucketValue[][];
  readonly values: BucketValue[];

  constructor(cols: Columns, series: readonly string[], derived: readonly DerivedSeries[]) {
    this.der = series.map((id) => derived.find((d) => d.id === id) ?? null);
    this.pyrs = series.map((id, s) => (this.der[s] ? null : cols.pyramid(id)));
    this.depPyrs = this.der.map((d) => (d === null ? [] : d.deps.map((id) => cols.pyramid(id))));
    this.depVals = this.depPyrs.map((ps) => ps.map(() => ({ min: NaN, max: NaN, flags: 0 })));
    this.values = series.map(() => ({ min: NaN, max: NaN, flags: 0 }));
  }

  /** Highest stored level of the series (0 when none). */
  get topLevel(): number {
    const any = this.pyrs.find((p) => p !== null) ?? this.depPyrs.flat().find((p) => p !== null) ?? null;
    return any ? any.topLevel : 0;
  }

  /** The memo of derived series s at `level` (null below the stored levels or without a memo). */
  private memoOf(s: number, level: number): Float64Array | null {
    const d = this.der[s]!;
    const p = this.depPyrs[s]!.find((x) => x !== null);
    if (d.memo === undefined || p === undefined || p === null || level < p.baseShift || level > p.topLevel) return null;
    let m = d.memo.get(level);
    if (m === undefined) {
      m = new Float64Array(p.buckets(level)).fill(NOT_YET);
      d.memo.set(level, m);
    }
    return m;
  }

  /** Reads bucket b of every series into `values`; returns the OR of their flags. */
  read(level: number, b: number): number {
    let all = 0;
    for (let s = 0; s < this.values.length; s++) {
      const v = this.values[s]!;
      const d = this.der[s];
      const p = this.pyrs[s];
      if (d) {
        const ds = this.depPyrs[s]!;
        const dv = this.depVals[s]!;
        let gaps = 0;
        for (let j = 0; j < ds.length; j++) {
          if (ds[j]) gaps |= ds[j]!.bucket(level, b, dv[j]!).flags;
          else dv[j]!.min = dv[j]!.max = NaN;
        }
        const memo = this.memoOf(s, level);
        let y = memo ? memo[b]! : NOT_YET;
        if (y === NOT_YET) {
          y = d.f(dv);
          if (memo) memo[b] = y;
        }
        v.min = v.max = y;
        v.flags = Bucket.MIN_FIRST | (gaps & (Bucket.HAS_GAP | Bucket.GAP_START | Bucket.GAP_END | Bucket.ANY));
      } else if (p) p.bucket(level, b, v);
      else {
        v.min = v.max = NaN;
        v.flags = 0;
      }
      all |= v.flags;
    }
    return all;
  }
}

/** The plot data of `q`; unknown series give all-SKIP columns. */
export function queryPlot(cols: Columns, q: PlotQuery, derived: readonly DerivedSeries[] = []): PlotData {
  const tl = cols.tl;
  const [r0, r1] = rowRange(cols, q.t0, q.t1);
  const reader = new BucketReader(cols, q.series, derived);
  const level = Math.min(levelFor(r1 - r0, Math.max(1, Math.floor(q.width))), reader.topLevel);
  const size = 2 ** level;
  const b0 = Math.floor(r0 / size);
  const b1 = Math.ceil(r1 / size);
  const cap = Math.max(0, b1 - b0) * (level === 0 ? 2 : 5);
  const x = new Float64Array(cap);
  const y = q.series.map(() => new Float64Array(cap));
  const bv = reader.values;
  let k = 0;
  /** A gap slot at time t: NaN (a break) for the series with `flag`, SKIP for the others. */
  const gapSlot = (t: number, flag: number): void => {
    x[k] = t;
    for (let s = 0; s < y.length; s++) y[s]![k] = bv[s]!.flags & flag ? NaN : SKIP;
    k++;
  };
  let prevX = NaN;
  for (let b = b0; b < b1; b++) {
    const rs = b * size;
    const re = Math.min(tl.length, rs + size) - 1;
    const flags = reader.read(level, b);
    const xFirst = tl.t_s[rs]!;
    const xLast = tl.t_s[re]!;
    if (flags & Bucket.GAP_START) gapSlot(prevX === prevX ? (prevX + xFirst) / 2 : xFirst, Bucket.GAP_START);
    if (level === 0) {
      x[k] = xFirst;
      for (let s = 0; s < y.length; s++) y[s]![k] = valueOr(bv[s]!, bv[s]!.min);
      k++;
    } else {
      x[k] = xFirst;
      for (let s = 0; s < y.length; s++) y[s]![k] = valueOr(bv[s]!, bv[s]!.flags & Bucket.MIN_FIRST ? bv[s]!.min : bv[s]!.max);
      k++;
      if (flags & Bucket.HAS_GAP) gapSlot((xFirst + xLast) / 2, Bucket.HAS_GAP);
      x[k] = xLast;
      for (let s = 0; s < y.length; s++) y[s]![k] = valueOr(bv[s]!, bv[s]!.flags & Bucket.MIN_FIRST ? bv[s]!.max : bv[s]!.min);
      k++;
      if (flags & Bucket.GAP_END) gapSlot((xLast + tl.t_s[Math.min(tl.length - 1, re + 1)]!) / 2, Bucket.GAP_END);
    }
    prevX = xLast;
  }
  return { x: x.subarray(0, k), y: y.map((c) => c.subarray(0, k)), level, rows: r1 - r0 };
}

/** A bucket's value, or NaN (gap) / SKIP (nothing sent) when it has none. */
function valueOr(v: BucketValue, value: number): number {
  if (value === value) return value;
  return v.flags & Bucket.HAS_GAP ? NaN : SKIP;
}

export interface HeatQuery {
  t0: number;
  t1: number;
  width: number;
  group: 'cell' | 'temp' | 'bal';
  /** value: the bucket's mid-range; delta: that minus the group mean's mid-range (cells, sensors). */
  mode: 'value' | 'delta';
}

export interface HeatData {
  /** Bucket start and end times, s. */
  x0: Float64Array;
  x1: Float64Array;
  /** Rows of the image: cells or sensors. */
  rows: number;
  /** values[b * rows + i]: bucket b of cell/sensor i (NaN: none). */
  values: Float32Array;
  /** Time gaps of the group's message in the range, as [t_before, t_after] pairs: painted as nothing. */
  gaps: Float64Array;
  /** Colour range: the 0.5 % and 99.5 % quantiles of the values. */
  lo: number;
  hi: number;
  level: number;
}

/** Buckets × cells (or sensors) image of a time range, from the per-channel pyramids. */
export function queryHeat(cols: Columns, q: HeatQuery): HeatData {
  const tl = cols.tl;
  const nrows = q.group === 'cell' ? tl.ns : q.group === 'temp' ? tl.nt : tl.balancing.length;
  const pyrs: Pyramid[] = [];
  for (let i = 0; i < nrows; i++) pyrs.push(cols.pyramid(`${q.group}.${i}`)!);
  const meanP = q.mode === 'delta' && q.group !== 'bal' ? cols.pyramid(`${q.group}.mean`) : null;
  const [r0, r1] = rowRange(cols, q.t0, q.t1);
  const top = pyrs[0]?.topLevel ?? 0;
  const level = Math.min(levelFor(r1 - r0, Math.max(1, Math.floor(q.width))), top);
  const size = 2 ** level;
  const b0 = Math.floor(r0 / size);
  const nb = Math.max(0, Math.ceil(r1 / size) - b0);
  const x0 = new Float64Array(nb);
  const x1 = new Float64Array(nb);
  const values = new Float32Array(nb * nrows);
  const v: BucketValue = { min: NaN, max: NaN, flags: 0 };
  const base = new Float64Array(nb);
  for (let k = 0; k < nb; k++) {
    const b = b0 + k;
    const rs = b * size;
    x0[k] = tl.t_s[rs]!;
    x1[k] = tl.t_s[Math.min(tl.length - 1, rs + size)]!;
    if (meanP) {
      meanP.bucket(level, b, v);
      base[k] = (v.min + v.max) / 2;
    }
  }
  // one channel at a time, straight from its stored level when there is one
  for (let i = 0; i < nrows; i++) {
    const p = pyrs[i]!;
    const arr = p.stored(level);
    for (let k = 0; k < nb; k++) {
      let mid: number;
      if (arr) mid = (arr.min[b0 + k]! + arr.max[b0 + k]!) / 2;
      else {
        p.bucket(level, b0 + k, v);
        mid = (v.min + v.max) / 2;
      }
      values[k * nrows + i] = mid - base[k]!;
    }
  }
  const [qlo, qhi] = quantiles(values, HEAT_QUANTILE);
  const bit = q.group === 'cell' ? Present.CELLS : q.group === 'temp' ? Present.TEMPERATURES : Present.BALANCING;
  return { x0, x1, rows: nrows, values, gaps: gapsIn(cols, bit, r0, r1), lo: qlo, hi: qhi, level };
}

/** [t_before, t_after] of every time gap of a message between rows r0 and r1. */
export function gapsIn(cols: Columns, bit: number, r0: number, r1: number): Float64Array {
  const tl = cols.tl;
  const breaks = cols.breaksOf(bit);
  const out: number[] = [];
  for (let r = r0; r < r1; r++) {
    if (breaks[r] === 0) continue;
    let p = r - 1;
    while (p >= 0 && (tl.present[p]! & bit) === 0) p--;
    if (p >= 0) out.push(tl.t_s[p]!, tl.t_s[r]!);
  }
  return Float64Array.from(out);
}

/** The colour scale covers the values between these quantiles (a lone spike does not wash out the rest). */
const HEAT_QUANTILE = 0.005;

/** Bins of the histogram that `quantiles` reads (its resolution: 1/4096 of the value range). */
const QUANTILE_BINS = 4096;

/** The q and 1 − q quantiles of the finite values to within a histogram bin (NaN, NaN when none). One pass for the range, one for the histogram. */
export function quantiles(values: Float32Array, q: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    n++;
  }
  if (n === 0) return [NaN, NaN];
  if (hi === lo) return [lo, hi];
  const bins = new Uint32Array(QUANTILE_BINS);
  const k = (QUANTILE_BINS - 1) / (hi - lo);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === v) bins[Math.floor((v - lo) * k)]!++;
  }
  const edge = (target: number): number => {
    let c = 0;
    for (let b = 0; b < QUANTILE_BINS; b++) {
      c += bins[b]!;
      if (c > target) return lo + b / k;
    }
    return hi;
  };
  return [edge(Math.floor(q * n)), Math.min(hi, edge(Math.ceil((1 - q) * n) - 1) + 1 / k)];
}

/** min / mean / max of a series' rows in [t0, t1] (only rows that carry it, NaN skipped). */
export interface RangeStats {
  min: number;
  mean: number;
  max: number;
  n: number;
}

export function queryStats(cols: Columns, t0: number, t1: number, ids: readonly string[]): RangeStats[] {
  const tl = cols.tl;
  const r0 = tl.rowAt(t0);
  const r1 = tl.rowAt(t1 + 1e-9);
  return ids.map((id) => {
    const s = cols.source(id);
    if (s === null) return { min: NaN, mean: NaN, max: NaN, n: 0 };
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let n = 0;
    const c = s.column;
    for (let r = r0; r < r1; r++) {
      if ((tl.present[r]! & s.bit) === 0) continue;
      const v = c[r]!;
      if (v !== v) continue;
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      n++;
    }
    return n === 0 ? { min: NaN, mean: NaN, max: NaN, n } : { min, mean: sum / n, max, n };
  });
}

/** Each series' value at the row nearest t that carries it (NaN: none within `reach` rows), and that row's time. */
export function valuesAt(cols: Columns, t: number, ids: readonly string[], reach = 64): { t_s: number; values: number[] } {
  const tl = cols.tl;
  if (tl.length === 0) return { t_s: NaN, values: ids.map(() => NaN) };
  let r = Math.min(tl.length - 1, tl.rowAt(t));
  if (r > 0 && Math.abs(tl.t_s[r - 1]! - t) < Math.abs(tl.t_s[r]! - t)) r--;
  const values = ids.map((id) => {
    const s = cols.source(id);
    if (s === null) return NaN;
    for (let d = 0; d <= reach; d++) {
      for (const q of d === 0 ? [r] : [r - d, r + d]) {
        if (q >= 0 && q < tl.length && (tl.present[q]! & s.bit) !== 0) return s.column[q]!;
      }
    }
    return NaN;
  });
  return { t_s: tl.t_s[r]!, values };
}

/** A series' largest value over the buckets that a plot of [t0, t1] at `width` px covers (NaN: none). */
export function rangeMax(cols: Columns, id: string, t0: number, t1: number, width: number): number {
  const p = cols.pyramid(id);
  if (p === null) return NaN;
  const [r0, r1] = rowRange(cols, t0, t1);
  const level = Math.min(levelFor(r1 - r0, Math.max(1, Math.floor(width))), p.topLevel);
  const size = 2 ** level;
  const v: BucketValue = { min: NaN, max: NaN, flags: 0 };
  let m = -Infinity;
  for (let b = Math.floor(r0 / size); b < Math.ceil(r1 / size); b++) {
    p.bucket(level, b, v);
    if (v.max > m) m = v.max;
  }
  return m === -Infinity ? NaN : m;
}
