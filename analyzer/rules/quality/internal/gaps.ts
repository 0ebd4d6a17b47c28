/**
 * Time gaps: where two consecutive rows are further apart than max(gap_factor × the median row
 * period, min_gap_s) (profile keys of quality.time). quality.time reports them; the other
 * quality and cells checks split their runs there, so that no episode bridges missing data.
 */
import type { Profile } from '../../../profile.ts';
import type { Timeline } from '../../../timeline/store.ts';
import { medianPeriod } from '../../intervals.ts';

/** Any present bit: the rows of every kind of periodic telemetry. */
export const ANY_PRESENT = 0xff;

export interface Gaps {
  /** The median spacing of the rows, s (NaN for fewer than two rows). */
  period_s: number;
  /** A spacing above this is a gap, s. */
  limit_s: number;
  /** Rows that come after a gap (ascending). */
  rows: Int32Array;
}

const cache = new WeakMap<Timeline, { length: number; factor: number; min: number; gaps: Gaps }>();

/** The gaps of the timeline under the profile's quality.time keys (cached per timeline). */
export function gapsOf(tl: Timeline, profile: Profile): Gaps {
  const factor = profile.num('quality.time.gap_factor');
  const min = profile.num('quality.time.min_gap_s');
  const hit = cache.get(tl);
  if (hit && hit.length === tl.length && hit.factor === factor && hit.min === min) return hit.gaps;
  const period_s = medianPeriod(tl, ANY_PRESENT);
  const limit_s = Math.max(Number.isFinite(period_s) ? factor * period_s : 0, min);
  const ts = tl.t_s;
  const rows: number[] = [];
  for (let r = 1; r < tl.length; r++) if (ts[r]! - ts[r - 1]! > limit_s) rows.push(r);
  const gaps: Gaps = { period_s, limit_s, rows: Int32Array.from(rows) };
  cache.set(tl, { length: tl.length, factor, min, gaps });
  return gaps;
}

/** Index of the first gap row greater than r (rows.length when none). */
function firstGapAfter(rows: Int32Array, r: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]! <= r) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Calls `piece(a, b)` for each part of the row range [r0, r1] between gaps (the row before a
 * gap ends a part, the row after it starts the next). Without a gap inside: once, unchanged.
 */
export function splitAtGaps(gaps: Gaps, r0: number, r1: number, piece: (a: number, b: number) => void): void {
  const rows = gaps.rows;
  let k = firstGapAfter(rows, r0);
  let a = r0;
  while (k < rows.length && rows[k]! <= r1) {
    piece(a, rows[k]! - 1);
    a = rows[k]!;
    k++;
  }
  piece(a, r1);
}
