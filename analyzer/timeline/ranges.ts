/**
 * Per-row ranges of a per-channel family (the cell voltages or the temperatures): the least and
 * the greatest value of the row over the family's columns (NaN left out) and whether every
 * column, none or only some hold a value. A check that looks for rare things in 100 columns (a
 * value beyond a limit, an NA) reads these two numbers per row and visits the columns only at
 * the rows they single out (`candidateRows`), instead of comparing 86 M values of a day-long log.
 *
 * The values are those of the columns (Float32Array): comparing a limit with `min` / `max` is
 * comparing it with the column's own values. The snapshot assembler keeps them as it fills each
 * row (`RangeColumns`, in the store, through `RowRange` below), while the values are in the
 * cache; rows it has not closed yet, and timelines filled otherwise (sim traces, tests), are
 * computed here in one pass over the columns (a block of rows at a time, a column at a time
 * within it). Cached per timeline and revision.
 */
import type { Timeline } from './store.ts';

export type Family = 'cells' | 'temperatures';

/** What a row holds over the family's columns. */
export const RowFill = { ALL: 0, NONE: 1, SOME: 2 } as const;

export interface RowRanges {
  family: Family;
  /** Rows covered (the timeline's length when computed). */
  rows: number;
  /** The timeline's revision when computed. */
  revision: number;
  columns: number;
  /** Least / greatest non-NaN value of each row (+Infinity / -Infinity where none). */
  min: Float32Array;
  max: Float32Array;
  /** RowFill per row: every column holds a value, none does, or some do. */
  fill: Uint8Array;
}

/**
 * The row ranges of a family kept by the writer of a timeline (the snapshot assembler): rows
 * [0, closed) are final. `valid` is false unless the writer keeps them (then they are computed).
 */
export class RangeColumns {
  min = new Float32Array(0);
  max = new Float32Array(0);
  fill = new Uint8Array(0);
  /** Rows final (the writer has closed them). */
  closed = 0;
  /** The family's column count the closed rows were made with. */
  columns = 0;
  valid = false;

  /** Makes room for `cap` rows (the store's capacity). */
  grow(cap: number): void {
    if (cap <= this.min.length) return;
    const a = new Float32Array(cap);
    a.set(this.min);
    const b = new Float32Array(cap);
    b.set(this.max);
    const c = new Uint8Array(cap);
    c.set(this.fill);
    this.min = a;
    this.max = b;
    this.fill = c;
  }

  /** Bytes held. */
  get byteLength(): number {
    return this.min.byteLength + this.max.byteLength + this.fill.byteLength;
  }
}

/** Rows accumulated together, a column at a time (their accumulators stay in the L1 cache). */
const BLOCK_ROWS = 2048;

const cache = new WeakMap<Timeline, Map<Family, RowRanges>>();

/** The row ranges of a family (cached per timeline and revision). */
export function rowRanges(tl: Timeline, family: Family): RowRanges {
  let m = cache.get(tl);
  if (!m) cache.set(tl, (m = new Map()));
  const hit = m.get(family);
  if (hit && hit.revision === tl.revision) return hit;
  const ranges = compute(tl, family);
  m.set(family, ranges);
  return ranges;
}

function compute(tl: Timeline, family: Family): RowRanges {
  const cols = family === 'cells' ? tl.cellVoltage_V : tl.temperature_C;
  const n = tl.length;
  const nc = cols.length;
  const kept = tl.ranges[family];
  if (kept.valid && kept.columns === nc && kept.min.length >= n) {
    // the writer's rows, and the ones it has not closed yet
    if (kept.closed < n) computeRows(cols, kept.closed, n, kept.min, kept.max, kept.fill);
    return { family, rows: n, revision: tl.revision, columns: nc, min: kept.min, max: kept.max, fill: kept.fill };
  }
  const min = new Float32Array(n);
  const max = new Float32Array(n);
  const fill = new Uint8Array(n);
  computeRows(cols, 0, n, min, max, fill);
  return { family, rows: n, revision: tl.revision, columns: nc, min, max, fill };
}

/** The ranges of rows [from, to) from the columns. */
export function computeRows(cols: readonly Float32Array[], from: number, to: number, min: Float32Array, max: Float32Array, fill: Uint8Array): void {
  const nc = cols.length;
  min.fill(Infinity, from, to);
  max.fill(-Infinity, from, to);
  const count = new Int32Array(BLOCK_ROWS);
  for (let r0 = from; r0 < to; r0 += BLOCK_ROWS) {
    const r1 = Math.min(to, r0 + BLOCK_ROWS);
    count.fill(0);
    for (let i = 0; i < nc; i++) accumulate(cols[i]!, r0, r1, min, max, count);
    for (let r = r0; r < r1; r++) {
      const c = count[r - r0]!;
      fill[r] = c === nc ? RowFill.ALL : c === 0 ? RowFill.NONE : RowFill.SOME;
    }
  }
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

/**
 * The writer's side (the snapshot assembler): the range of the current row of one family, from
 * its chunks as they arrive: exact while they come in order, each once (offset 0, then each where
 * the last ended); otherwise the row's range is read back from its columns when it closes. Min
 * and max are taken over the decoded values: their float32 roundings (the columns) are in the
 * same order.
 */
export class RowRange {
  min = Infinity;
  max = -Infinity;
  count = 0;
  next = 0;
  inOrder = true;

  reset(): void {
    this.min = Infinity;
    this.max = -Infinity;
    this.count = 0;
    this.next = 0;
    this.inOrder = true;
  }

  add(offset: number, n: number, min: number, max: number, count: number): void {
    if (offset !== this.next) this.inOrder = false;
    this.next = offset + n;
    this.min = min;
    this.max = max;
    this.count += count;
  }

  /** Row r is complete: its range into `rc` (rows before r must have been closed). */
  close(rc: RangeColumns, cols: readonly Float32Array[], r: number): void {
    if (!rc.valid) return;
    const nc = cols.length;
    if (rc.closed === r + 1 && rc.columns === nc) {
      computeRows(cols, r, r + 1, rc.min, rc.max, rc.fill); // closed again (finish twice)
      return;
    }
    if (rc.closed !== r || (r > 0 && rc.columns !== nc)) {
      // a row skipped, or columns added after earlier rows were closed: those rows are stale
      rc.valid = false;
      return;
    }
    rc.columns = nc;
    if (!this.inOrder) computeRows(cols, r, r + 1, rc.min, rc.max, rc.fill);
    else {
      const c = this.count;
      rc.min[r] = this.min;
      rc.max[r] = this.max;
      rc.fill[r] = c === nc ? RowFill.ALL : c === 0 ? RowFill.NONE : RowFill.SOME;
    }
    rc.closed = r + 1;
  }
}

/** A late frame wrote into closed row r: its range again from the columns. */
export function lateRange(rc: RangeColumns, cols: readonly Float32Array[], r: number): void {
  if (!rc.valid) return;
  if (rc.columns !== cols.length) rc.valid = false;
  else if (r < rc.closed) computeRows(cols, r, r + 1, rc.min, rc.max, rc.fill);
}
