/**
 * Helpers the rules share: runs of rows where a condition holds, on the Timeline's time axis.
 * A run ends at a row where the condition fails, at a row where the channel is not present, or
 * at a time gap longer than `maxGap_s` (data are never bridged: a run does not span a gap).
 */
import type { Timeline } from '../timeline/store.ts';

export interface Run {
  /** First and last row of the run (inclusive). */
  r0: number;
  r1: number;
  t_start_s: number;
  t_end_s: number;
}

/**
 * Runs of consecutive rows (among those where `valid(r)`) for which `cond(r)` holds. A run is
 * cut where two valid rows are more than maxGap_s apart.
 */
export function runsWhere(tl: Timeline, valid: (r: number) => boolean, cond: (r: number) => boolean, maxGap_s: number): Run[] {
  const out: Run[] = [];
  const ts = tl.t_s;
  let r0 = -1;
  let last = -1;
  for (let r = 0; r < tl.length; r++) {
    if (!valid(r)) continue;
    const gap = last >= 0 && ts[r]! - ts[last]! > maxGap_s;
    if (r0 >= 0 && (gap || !cond(r))) {
      out.push({ r0, r1: last, t_start_s: ts[r0]!, t_end_s: ts[last]! });
      r0 = -1;
    }
    if (r0 < 0 && cond(r)) r0 = r;
    last = r;
  }
  if (r0 >= 0) out.push({ r0, r1: last, t_start_s: ts[r0]!, t_end_s: ts[last]! });
  return out;
}

/** Merges runs closer than `join_s` (a flickering condition is one episode). */
export function mergeRuns(runs: Run[], join_s: number, ts: Float64Array): Run[] {
  const out: Run[] = [];
  for (const r of runs) {
    const prev = out[out.length - 1];
    if (prev && r.t_start_s - prev.t_end_s <= join_s) {
      prev.r1 = r.r1;
      prev.t_end_s = ts[r.r1]!;
    } else out.push({ ...r });
  }
  return out;
}

/** Median spacing of the rows with a given present bit (the sampling period), NaN for < 2 rows. */
export function medianPeriod(tl: Timeline, bit: number): number {
  const d: number[] = [];
  let last = -1;
  const step = Math.max(1, Math.floor(tl.length / 20000)); // a sample is enough for a median
  for (let r = 0; r < tl.length; r += 1) {
    if ((tl.present[r]! & bit) === 0) continue;
    if (last >= 0 && (r % step === 0 || step === 1)) d.push(tl.t_s[r]! - tl.t_s[last]!);
    last = r;
  }
  if (d.length === 0) return NaN;
  d.sort((a, b) => a - b);
  return d[d.length >> 1]!;
}
