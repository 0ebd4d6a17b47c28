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

/**
 * Median spacing of the rows with a given present bit (the sampling period), NaN for < 2 rows.
 * On a long timeline a sample is enough: the spacing before every `step`-th row (a row index
 * that is a multiple of `step` and has the bit, to the previous row with the bit). Several
 * checks ask for the same bits: the answer is kept per timeline and revision.
 */
export function medianPeriod(tl: Timeline, bit: number): number {
  let entry = periods.get(tl);
  if (entry === undefined || entry.revision !== tl.revision) {
    entry = { revision: tl.revision, byBit: new Map() };
    periods.set(tl, entry);
  }
  let p = entry.byBit.get(bit);
  if (p === undefined) {
    p = samplePeriod(tl, bit);
    entry.byBit.set(bit, p);
  }
  return p;
}

const periods = new WeakMap<Timeline, { revision: number; byBit: Map<number, number> }>();

function samplePeriod(tl: Timeline, bit: number): number {
  const d: number[] = [];
  const n = tl.length;
  const present = tl.present;
  const t = tl.t_s;
  const step = Math.max(1, Math.floor(n / 20000));
  // rows visited: the multiples of step, each back to the previous row with the bit (the
  // stretches walked back are disjoint, so at most n rows in all, ~n/step on a steady log)
  for (let r = step === 1 ? 1 : step; r < n; r += step) {
    if ((present[r]! & bit) === 0) continue;
    let last = r - 1;
    while (last >= 0 && (present[last]! & bit) === 0) last--;
    if (last >= 0) d.push(t[r]! - t[last]!);
  }
  if (d.length === 0) return NaN;
  d.sort((a, b) => a - b);
  return d[d.length >> 1]!;
}
