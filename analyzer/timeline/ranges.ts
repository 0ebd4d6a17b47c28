/**
 * Per-row ranges of a per-channel family (the cell voltages or the temperatures): the least and
 * the greatest value of the row over the family's columns (NaN left out) and whether every
 * column, none or only some hold a value. A check that looks for rare things in 100 columns (a
 * value beyond a limit, an NA) reads these two numbers per row and visits the columns only at
 * the rows they single out (`candidateRows`), instead of comparing 86 M values of a day-long log.
 *
 * The values are those of the columns (Float32Array): comparing a limit with `min` / `max` is
 * comparing it with the column's own values. Computed in one pass over the columns (a block of
 * rows at a time, a column at a time within it) and cached per timeline and length.
 */
import type { Timeline } from './store.ts';

export type Family = 'cells' | 'temperatures';

/** What a row holds over the family's columns. */
export const RowFill = { ALL: 0, NONE: 1, SOME: 2 } as const;

export interface RowRanges {
  family: Family;
  /** Rows covered (the timeline's length when computed). */
  rows: number;
  columns: number;
  /** Least / greatest non-NaN value of each row (+Infinity / -Infinity where none). */
  min: Float32Array;
  max: Float32Array;
  /** RowFill per row: every column holds a value, none does, or some do. */
  fill: Uint8Array;
}

/** Rows accumulated together, a column at a time (their accumulators stay in the L1 cache). */
const BLOCK_ROWS = 2048;

const cache = new WeakMap<Timeline, Map<Family, RowRanges>>();

/** The row ranges of a family (cached per timeline and length). */
export function rowRanges(tl: Timeline, family: Family): RowRanges {
  let m = cache.get(tl);
  if (!m) cache.set(tl, (m = new Map()));
  const hit = m.get(family);
  if (hit && hit.rows === tl.length) return hit;
  const ranges = compute(tl, family);
  m.set(family, ranges);
  return ranges;
}

function compute(tl: Timeline, family: Family): RowRanges {
  const cols = family === 'cells' ? tl.cellVoltage_V : tl.temperature_C;
  const n = tl.length;
  const nc = cols.length;
  const min = new Float32Array(n).fill(Infinity);
  const max = new Float32Array(n).fill(-Infinity);
  const fill = new Uint8Array(n);
  const count = new Int32Array(BLOCK_ROWS);
  for (let r0 = 0; r0 < n; r0 += BLOCK_ROWS) {
    const r1 = Math.min(n, r0 + BLOCK_ROWS);
    count.fill(0);
    for (let i = 0; i < nc; i++) accumulate(cols[i]!, r0, r1, min, max, count);
    for (let r = r0; r < r1; r++) {
      const c = count[r - r0]!;
      fill[r] = c === nc ? RowFill.ALL : c === 0 ? RowFill.NONE : RowFill.SOME;
    }
  }
  return { family, rows: n, columns: nc, min, max, fill };
}

function accumulate(col: Float32Array, r0: number, r1: number, min: Float32Array, max: Float32Array, count: Int32Array): void {
  for (let r = r0; r < r1; r++) {
    const v = col[r]!;
    if (v !== v) continue;
    count[r - r0]!++;
    if (v < min[r]!) min[r] = v;
    if (v > max[r]!) max[r] = v;
  }
}

/**
 * The rows where some column of the family may be above `hi` or below `lo` (ascending): every
 * other row has all its values inside [lo, hi] or NaN.
 */
export function candidateRows(ranges: RowRanges, lo: number, hi: number): Int32Array {
  const { min, max, rows } = ranges;
  let k = 0;
  for (let r = 0; r < rows; r++) if (min[r]! < lo || max[r]! > hi) k++;
  const out = new Int32Array(k);
  k = 0;
  for (let r = 0; r < rows; r++) if (min[r]! < lo || max[r]! > hi) out[k++] = r;
  return out;
}
