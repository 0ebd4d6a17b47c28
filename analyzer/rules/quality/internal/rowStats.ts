/**
 * Per-row statistics of the cell voltages or the temperatures on a decimated grid: the rows
 * where the family's message arrived complete, at least `step_s` apart. The pack-level views
 * the checks need (spread, the pack mean as a reference for "its peers moved", the weakest
 * cell, pack voltage vs the sum of the cells) change slowly next to a 10 Hz log, so a 1 s grid
 * costs a tenth of a full pass and loses nothing they judge. Cached per timeline, family and
 * step: the checks that ask for the same grid share one computation.
 */
import { Present, type Timeline } from '../../../timeline/store.ts';
import type { Family } from './channelScan.ts';

export interface RowStats {
  family: Family;
  step_s: number;
  /** Channels (columns) of the family. */
  channels: number;
  /** Sampled rows and their times. */
  rows: Int32Array;
  t_s: Float64Array;
  /** Over the channels with a value (NaN where none has one). */
  min: Float64Array;
  max: Float64Array;
  mean: Float64Array;
  /** Channels with a value; argmin/argmax -1 where none. */
  count: Int32Array;
  argmin: Int32Array;
  argmax: Int32Array;
}

/** Tolerance on the grid step (row times are decimal fractions held in binary). */
const STEP_EPS_S = 1e-6;
/**
 * Sampled rows whose statistics are accumulated together, a column at a time (a block's
 * accumulators, 512 rows × 40 bytes, stay in the L1 cache).
 */
const GATHER_ROWS = 512;

const statsCache = new WeakMap<Timeline, Map<string, { revision: number; value: RowStats }>>();
const rowsCache = new WeakMap<Timeline, Map<string, { revision: number; value: Int32Array }>>();

/** `make()` for (tl, family, step_s), kept while the timeline has not changed. */
function cached<T>(caches: WeakMap<Timeline, Map<string, { revision: number; value: T }>>, tl: Timeline, family: Family, step_s: number, make: () => T): T {
  const key = `${family}|${step_s}`;
  let m = caches.get(tl);
  if (!m) caches.set(tl, (m = new Map()));
  const hit = m.get(key);
  if (hit && hit.revision === tl.revision) return hit.value;
  const value = make();
  m.set(key, { revision: tl.revision, value });
  return value;
}

/**
 * The rows of the grid alone (cached): those where the family's message arrived, at least
 * `step_s` apart. For a check that reads the values at them itself (cells.outliers).
 */
export function sampledRows(tl: Timeline, family: Family, step_s: number): Int32Array {
  return cached(rowsCache, tl, family, step_s, () => pickRows(tl, family, step_s));
}

/** The row statistics of a family on a step_s grid (cached). */
export function rowStats(tl: Timeline, family: Family, step_s: number): RowStats {
  return cached(statsCache, tl, family, step_s, () => compute(tl, family, step_s));
}

function pickRows(tl: Timeline, family: Family, step_s: number): Int32Array {
  const bit = family === 'cells' ? Present.CELLS : Present.TEMPERATURES;
  const n = tl.length;
  const ts = tl.t_s;
  const present = tl.present;
  const picked: number[] = [];
  let last = -Infinity;
  for (let r = 0; r < n; r++) {
    if ((present[r]! & bit) === 0) continue;
    const t = ts[r]!;
    if (t - last < step_s - STEP_EPS_S) continue;
    picked.push(r);
    last = t;
  }
  return Int32Array.from(picked);
}

function compute(tl: Timeline, family: Family, step_s: number): RowStats {
  const cols = family === 'cells' ? tl.cellVoltage_V : tl.temperature_C;
  const ts = tl.t_s;
  const rows = sampledRows(tl, family, step_s);
  const k = rows.length;
  const t_s = new Float64Array(k);
  const min = new Float64Array(k);
  const max = new Float64Array(k);
  const mean = new Float64Array(k);
  const count = new Int32Array(k);
  const argmin = new Int32Array(k);
  const argmax = new Int32Array(k);
  const nc = cols.length;
  // Column by column over blocks of sampled rows: reading 100 columns row by row would miss the
  // cache (and the TLB) at every value; a block's accumulators stay in the cache while each column
  // is read forward. Per row the values are still taken in column order, so the sums, and the
  // first index of a tie for argmin / argmax, are those of a row-by-row loop.
  const sum = new Float64Array(GATHER_ROWS);
  for (let j0 = 0; j0 < k; j0 += GATHER_ROWS) {
    const j1 = Math.min(k, j0 + GATHER_ROWS);
    for (let j = j0; j < j1; j++) {
      min[j] = Infinity;
      max[j] = -Infinity;
      argmin[j] = -1;
      argmax[j] = -1;
      sum[j - j0] = 0;
    }
    for (let i = 0; i < nc; i++) accumulate(cols[i]!, i, rows, j0, j1, min, max, argmin, argmax, count, sum);
    for (let j = j0; j < j1; j++) {
      const c = count[j]!;
      t_s[j] = ts[rows[j]!]!;
      mean[j] = c > 0 ? sum[j - j0]! / c : NaN;
      if (c === 0) {
        min[j] = NaN;
        max[j] = NaN;
      }
    }
  }
  return { family, step_s, channels: nc, rows, t_s, min, max, mean, count, argmin, argmax };
}

/** Adds column `i` at the sampled rows [j0, j1) to their running statistics (sum indexed from j0). */
function accumulate(
  col: Float32Array,
  i: number,
  rows: Int32Array,
  j0: number,
  j1: number,
  min: Float64Array,
  max: Float64Array,
  argmin: Int32Array,
  argmax: Int32Array,
  count: Int32Array,
  sum: Float64Array,
): void {
  for (let j = j0; j < j1; j++) {
    const v = col[rows[j]!]!;
    if (v !== v) continue;
    sum[j - j0]! += v;
    count[j]!++;
    if (v < min[j]!) {
      min[j] = v;
      argmin[j] = i;
    }
    if (v > max[j]!) {
      max[j] = v;
      argmax[j] = i;
    }
  }
}
