/**
 * The current limit a load may follow at a row: the BMS reports its SOP limit in every
 * PACK_STATUS, and a load (charger, inverter) acts on a limit after a response time, so at row r
 * it may still run at any limit reported within the last `response_s`: the effective limit is
 * the largest one reported in [t_r − response_s, t_r]. Called only for rows already over the
 * row's own limit, so the backward look costs nothing on clean data.
 */
import type { Timeline } from '../../../timeline/store.ts';

/** The largest finite limit of `col` in rows with t in [t_r − response_s, t_r] (NaN when none). */
export function effectiveLimit(tl: Timeline, col: Float64Array, r: number, response_s: number): number {
  const ts = tl.t_s;
  const t0 = ts[r]! - response_s - 1e-9;
  let best = NaN;
  for (let k = r; k >= 0 && ts[k]! >= t0; k--) {
    const v = col[k]!;
    if (v === v && !(v <= best)) best = v;
  }
  return best;
}

/** The allowance over a limit: limit × (1 + pct / 100) + abs_A. */
export function allowed(limit: number, pct: number, abs_A: number): number {
  return limit * (1 + pct / 100) + abs_A;
}
