/**
 * Time gaps: where two consecutive rows are further apart than max(gap_factor × the median row
 * period, min_gap_s) (profile keys of quality.time). quality.time reports them; the other
 * quality and cells checks split their runs there, so that no episode bridges missing data.
 * They split them at device restarts too (Timeline.clockSteps: the rows after one continue the
 * axis right after the last row, but they are another run of the device, which starts again in
 * INIT): `breaks` holds both, `epoch` tells the rows of one run of the device.
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
  /** Rows that come after a gap or a device restart (ascending, each once): where runs are cut. */
  breaks: Int32Array;
  /** The device run of each row (0 up to the first restart, +1 at each); null without restarts. */
  epoch: Int32Array | null;
}

const cache = new WeakMap<Timeline, { revision: number; factor: number; min: number; gaps: Gaps }>();

/** The gaps of the timeline under the profile's quality.time keys (cached per timeline). */
export function gapsOf(tl: Timeline, profile: Profile): Gaps {
  const factor = profile.num('quality.time.gap_factor');
  const min = profile.num('quality.time.min_gap_s');
  const hit = cache.get(tl);
  if (hit && hit.revision === tl.revision && hit.factor === factor && hit.min === min) return hit.gaps;
  const period_s = medianPeriod(tl, ANY_PRESENT);
  const limit_s = Math.max(Number.isFinite(period_s) ? factor * period_s : 0, min);
  const ts = tl.t_s;
  const n = tl.length;
  const rows: number[] = [];
  for (let r = 1; r < n; r++) if (ts[r]! - ts[r - 1]! > limit_s) rows.push(r);
  const gapRows = Int32Array.from(rows);
  const restarts = restartRows(tl);
  let breaks = gapRows;
  let epoch: Int32Array | null = null;
  if (restarts.length > 0) {
    breaks = Int32Array.from(new Set([...rows, ...restarts])).sort();
    epoch = new Int32Array(n);
    for (let k = 0; k < restarts.length; k++) epoch.fill(k + 1, restarts[k]!, k + 1 < restarts.length ? restarts[k + 1]! : n);
  }
  const gaps: Gaps = { period_s, limit_s, rows: gapRows, breaks, epoch };
  cache.set(tl, { revision: tl.revision, factor, min, gaps });
  return gaps;
}

/** The first row of each device run after the first (ascending, each once, inside the timeline). */
function restartRows(tl: Timeline): number[] {
  const out: number[] = [];
  for (const s of tl.clockSteps) if (s.row > 0 && s.row < tl.length && s.row !== out[out.length - 1]) out.push(s.row);
  return out;
}

/** The first row of row r's run of the device (0 without restarts). */
export function runStartOf(tl: Timeline, gaps: Gaps, r: number): number {
  const e = gaps.epoch;
  return e === null || e[r]! === 0 ? 0 : restartRows(tl)[e[r]! - 1]!;
}

/** True when rows a < b belong to different runs of the device (a restart between them). */
export function restartBetween(gaps: Gaps, a: number, b: number): boolean {
  const e = gaps.epoch;
  return e !== null && e[a] !== e[b];
}

/** Index of the first break row greater than r (rows.length when none). */
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
 * Calls `piece(a, b)` for each part of the row range [r0, r1] between gaps and restarts (the
 * row before a break ends a part, the row after it starts the next). Without a break inside:
 * once, unchanged.
 */
export function splitAtGaps(gaps: Gaps, r0: number, r1: number, piece: (a: number, b: number) => void): void {
  const rows = gaps.breaks;
  let k = firstGapAfter(rows, r0);
  let a = r0;
  while (k < rows.length && rows[k]! <= r1) {
    piece(a, rows[k]! - 1);
    a = rows[k]!;
    k++;
  }
  piece(a, r1);
}
