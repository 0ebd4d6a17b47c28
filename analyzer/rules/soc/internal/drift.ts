/**
 * The machinery of soc.coulomb_drift: one pass that cuts the session into segments (gaps,
 * restarts, jumps, long rests) and fits the residual c(t) = (z(t) − z(t₀)) − counted change per
 * window by least squares, and the localisation of a drift episode inside its windows. Pure
 * TypeScript over the pack columns, no allocation per row.
 */
import { Present, type Timeline } from '../../../timeline/store.ts';
import { S_PER_H, clockStepRows } from './common.ts';
import { countable } from './count.ts';

/** One fitted window. */
export interface Window {
  seg: number;
  /** First and last row, and their times. */
  r0: number;
  r1: number;
  t0: number;
  t1: number;
  /** Fitted slope, fraction per s, and the measured charge through it, Ah. */
  slope: number;
  charge_Ah: number;
}

/**
 * Fits a window's sums and keeps it; a piece shorter than `joinBelow_s` joins the window before
 * it in the same segment (slopes weighted by duration: two windows' sums do not refit).
 */
function pushWindow(
  windows: Window[],
  seg: number,
  r0: number,
  r1: number,
  t0: number,
  t1: number,
  n: number,
  St: number,
  Sc: number,
  Stt: number,
  Stc: number,
  charge_As: number,
  joinBelow_s: number,
  maxGap_s: number,
): void {
  const den = n * Stt - St * St;
  if (n < 2 || !(den > 0)) return;
  const slope = (n * Stc - St * Sc) / den;
  const dur = t1 - t0;
  const before = windows[windows.length - 1];
  if (dur < joinBelow_s && before && before.seg === seg && before.t1 >= t0 - maxGap_s) {
    const d0 = before.t1 - before.t0;
    before.slope = (before.slope * d0 + slope * dur) / (d0 + dur);
    before.t1 = t1;
    before.r1 = r1;
    before.charge_Ah += charge_As / S_PER_H;
    return;
  }
  windows.push({ seg, r0, r1, t0, t1, slope, charge_Ah: charge_As / S_PER_H });
}

/**
 * Where in an episode (rows r0..r1: the flagged windows and one neighbour each side) the drift
 * is. The residual's local rate over the last `lag_s`, (c(t) − c(t − lag_s)) / lag_s, first and
 * last reaches half the episode's rate somewhere after the drift starts and after it ends; a slow
 * baseline (estimator jitter, a small capacity mismatch) stays below that. The start is then the
 * last row of that first lag interval where c is still within a tenth of the interval's change
 * (at least the 0.0001 SOC resolution) of its value at the interval's start — a ramp and a step
 * both start there; the end, symmetrically, the row of the last lag interval after which c stays
 * that close to its final value (the range's end while the drift is still going at it). Returns
 * the interval and c's change over it; the windows' bounds when the rate is never reached.
 */
export function localise(tl: Timeline, r0: number, r1: number, eta: number, kAs: number, lag_s: number, rate: number): [number, number, number] {
  const ts = tl.t_s;
  const soc = tl.pack.soc;
  const cur = tl.pack.current_A;
  const soh = tl.pack.soh;
  const half = Math.abs(rate) / 2;
  const sign = rate < 0 ? -1 : 1;
  let count = 0;
  let prev = r0;
  let lag = r0;
  let lagPrev = r0;
  let lagCount = 0;
  let first = -1;
  let firstLag = -1;
  let last = -1;
  let lastLag = -1;
  let lastRow = r0;
  for (let r = r0 + 1; r <= r1; r++) {
    if (!countable(tl, r)) continue;
    const t = ts[r]!;
    count += step(cur, ts, soh, prev, r, eta, kAs);
    prev = r;
    lastRow = r;
    // the lagging row: the latest countable row at or before t − lag_s
    for (let k = lag + 1; k < r && ts[k]! <= t - lag_s; k++) {
      if (!countable(tl, k)) continue;
      lagCount += step(cur, ts, soh, lagPrev, k, eta, kAs);
      lagPrev = k;
      lag = k;
    }
    if (t - ts[lag]! < lag_s) continue;
    const local = (soc[r]! - count - (soc[lag]! - lagCount)) / (t - ts[lag]!);
    if (local * sign >= half) {
      if (first < 0) {
        first = r;
        firstLag = lag;
      }
      last = r;
      lastLag = lag;
    }
  }
  if (first < 0) return [ts[r0]!, ts[r1]!, residuals(tl, r0, r0, r1, eta, kAs, r1, NaN, 0).value];
  // start: the last row of [firstLag, first] still near c(firstLag)
  const cRef = residuals(tl, r0, firstLag, firstLag, eta, kAs, firstLag, NaN, 0).value;
  const cFirst = residuals(tl, r0, first, first, eta, kAs, first, NaN, 0).value;
  const eps0 = Math.max(0.1 * Math.abs(cFirst - cRef), SOC_LSB);
  const start = residuals(tl, r0, firstLag, first, eta, kAs, -1, cRef, eps0).lastNear;
  // end: after the last row of [lastLag, last] away from c(last); the range's end if still drifting there
  let end = lastRow;
  if (last !== lastRow) {
    const cLast = residuals(tl, r0, last, last, eta, kAs, last, NaN, 0).value;
    const cLag = residuals(tl, r0, lastLag, lastLag, eta, kAs, lastLag, NaN, 0).value;
    const eps1 = Math.max(0.1 * Math.abs(cLast - cLag), SOC_LSB);
    end = residuals(tl, r0, lastLag, last, eta, kAs, -1, cLast, eps1).afterLastFar;
  }
  const t0 = ts[start]!;
  const t1 = Math.max(ts[end]!, t0);
  const c0 = residuals(tl, r0, start, start, eta, kAs, start, NaN, 0).value;
  const c1 = residuals(tl, r0, end, end, eta, kAs, end, NaN, 0).value;
  return [t0, t1, c1 - c0];
}

/** SOC resolution of PACK_STATUS (0.0001, PROTOCOL.md 9.2). */
const SOC_LSB = 0.0001;

/**
 * Walks the residual c (from row r0) over the countable rows of [ra, rb]: its value at row `at`,
 * the last row within eps of `ref` and the first row after the last one farther than eps from it.
 */
function residuals(
  tl: Timeline,
  r0: number,
  ra: number,
  rb: number,
  eta: number,
  kAs: number,
  at: number,
  ref: number,
  eps: number,
): { value: number; lastNear: number; afterLastFar: number } {
  const ts = tl.t_s;
  const soc = tl.pack.soc;
  const z0 = soc[r0]!;
  let count = 0;
  let prev = r0;
  let value = 0;
  let lastNear = ra;
  let afterLastFar = ra;
  for (let r = r0; r <= rb; r++) {
    if (r > r0) {
      if (!countable(tl, r)) continue;
      count += step(tl.pack.current_A, ts, tl.pack.soh, prev, r, eta, kAs);
      prev = r;
    }
    if (r < ra) continue;
    const c = soc[r]! - z0 - count;
    if (r === at) value = c;
    if (ref === ref) {
      if (Math.abs(c - ref) <= eps) {
        lastNear = r;
        if (afterLastFar < 0) afterLastFar = r;
      } else afterLastFar = -1;
    }
  }
  return { value, lastNear, afterLastFar: afterLastFar < 0 ? rb : afterLastFar };
}

/** Counted SOC change from row a to row b (trapezoid), fraction. */
function step(cur: Float64Array, ts: Float64Array, soh: Float64Array, a: number, b: number, eta: number, kAs: number): number {
  const Iavg = 0.5 * (cur[b]! + cur[a]!);
  const h = soh[b]!;
  return ((Iavg > 0 ? eta : 1) * Iavg * (ts[b]! - ts[a]!) * kAs) / (h > 0 && h === h ? h : 1);
}

/** Parameters of the segment and window scan. */
export interface ScanParams {
  /** Rows of the jumps (ascending, ending with a sentinel above any row). */
  jumpRows: Int32Array;
  eta: number;
  /** 1 / (3600 · capacity). */
  kAs: number;
  maxGap_s: number;
  restA: number;
  restMin_s: number;
  window_s: number;
  minWindow_s: number;
}

/**
 * One pass: segments between gaps, restarts, jumps and long rests; in each, the residual's
 * least-squares sums per window, fitted by pushWindow. Kept out of evaluate so that its hot loop
 * has only its own locals.
 */
export function scanWindows(tl: Timeline, p: ScanParams): { windows: Window[]; seg: number; short: number; evaluated_s: number } {
  const { jumpRows, eta, kAs, maxGap_s, restA, restMin_s, window_s, minWindow_s } = p;
  const ts = tl.t_s;
  const soc = tl.pack.soc;
  const cur = tl.pack.current_A;
  const soh = tl.pack.soh;
  const present = tl.present;
  const len = tl.length;
  const steps = clockStepRows(tl);
  const windows: Window[] = [];
  let seg = -1;
  let nextStep = 0;
  let nextJump = 0;
  let prev = -1;
  let tPrev = 0;
  let iPrev = 0;
  let hLast = NaN;
  let kCap = kAs;
  let z0 = 0;
  let count = 0;
  let restStart = NaN;
  let longRest = false;
  let segStart = NaN;
  let short = 0;
  let evaluated_s = 0;
  // the window's least-squares sums, x = t − tw0
  let tw0 = NaN;
  let n = 0,
    St = 0,
    Sc = 0,
    Stt = 0,
    Stc = 0,
    wCharge = 0;
  let tLast = NaN;
  let cLast = 0;
  let rw0 = -1;
  let rLast = -1;
  for (let r = 0; r <= len; r++) {
    let z = NaN;
    let I = NaN;
    let t = Infinity;
    let restart = true;
    if (r < len) {
      if ((present[r]! & Present.STATUS) === 0) continue;
      z = soc[r]!;
      I = cur[r]!;
      if (z !== z || I !== I) continue;
      t = ts[r]!;
      restart = prev < 0 || t - tPrev > maxGap_s;
      while (steps[nextStep]! <= r) {
        if (prev >= 0 && steps[nextStep]! > prev) restart = true;
        nextStep++;
      }
      while (jumpRows[nextJump]! < r) nextJump++;
      if (jumpRows[nextJump] === r) restart = true;
      // a long rest ends the segment; the next one starts when the current flows again
      if (I <= restA && I >= -restA) {
        if (restStart !== restStart || restart) restStart = t;
        if (t - restStart >= restMin_s) {
          if (!longRest) restart = true;
          longRest = true;
        }
      } else {
        restStart = NaN;
        if (longRest) {
          longRest = false;
          restart = true;
        }
      }
    }
    if (restart || longRest) {
      if (seg >= 0 && n > 0) {
        // end of a segment: judge it if long enough (a short last piece joins the window before)
        if (tLast - segStart >= minWindow_s) {
          pushWindow(windows, seg, rw0, rLast, tw0, tLast, n, St, Sc, Stt, Stc, wCharge, window_s / 2, maxGap_s);
          evaluated_s += tLast - segStart;
        } else short++;
      }
      n = 0;
      prev = r;
      tPrev = t;
      iPrev = I;
      if (longRest || r >= len) continue;
      seg++;
      z0 = z;
      count = 0;
      segStart = t;
      tw0 = t;
      n = 1;
      St = 0;
      Sc = 0;
      Stt = 0;
      Stc = 0;
      wCharge = 0;
      tLast = t;
      cLast = 0;
      rw0 = r;
      rLast = r;
      continue;
    }
    const Iavg = 0.5 * (I + iPrev);
    const dt = t - tPrev;
    const h = soh[r]!;
    if (h !== hLast) {
      hLast = h;
      kCap = kAs / (h > 0 ? h : 1); // NaN soh: 1
    }
    count += (Iavg > 0 ? eta : 1) * Iavg * dt * kCap;
    const c = z - z0 - count;
    if (t - tw0 > window_s) {
      // close the window; the boundary row starts the next one
      pushWindow(windows, seg, rw0, rLast, tw0, tLast, n, St, Sc, Stt, Stc, wCharge, 0, maxGap_s);
      tw0 = tLast;
      rw0 = rLast;
      n = 1;
      St = 0;
      Sc = cLast;
      Stt = 0;
      Stc = 0;
      wCharge = 0;
    }
    const x = t - tw0;
    n++;
    St += x;
    Sc += c;
    Stt += x * x;
    Stc += x * c;
    wCharge += Iavg * dt;
    tLast = t;
    cLast = c;
    rLast = r;
    prev = r;
    tPrev = t;
    iPrev = I;
  }
  return { windows, seg, short, evaluated_s };
}
