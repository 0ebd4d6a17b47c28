/**
 * The analyser's own coulomb count of the measured current, against the BMS's SOC, and the
 * jumps that count cannot explain. One pass over the pack-level columns, no allocation per row.
 *
 * Expected SOC change between rows r' < r: ∫I dt / (3600 · Q · soh), I by the trapezoid rule,
 * times the chemistry's coulombic efficiency while charging, Q = np × cellCapacity_Ah (INFO),
 * soh the BMS's own (1 when NA). The BMS may publish its SOC slower than PACK_STATUS is sent
 * (the emulator's every 1 s slow task, PACK_STATUS at 10 Hz), so a row's change is compared with
 * the count accumulated since the last row where the reported SOC changed, not since the
 * previous row: the residual at a change is `(z(r) − z(last change)) − count(last change → r)`.
 * A SOC that has not changed for more than maxHold_s (a few publication periods) restarts the
 * reference at the current row: a SOC held while current flows is a drift (soc.coulomb_drift),
 * and its catching up later is compared with the count since the restart only. A device whose
 * SOC resolution is coarser than the tolerance then needs a larger tolerance.
 * Nothing is compared across a time gap longer than maxGap_s or a clock step (device restart):
 * the reference restarts after one.
 *
 * Rest: |I| ≤ restThr_A. Each jump records how long the pack had rested when it happened (still
 * resting, or the rest ended at most afterRest_s before it) and the last resting row, so that a
 * check can tell an OCV recalibration from an unexplained step.
 */
import { Present, type Timeline } from '../../../timeline/store.ts';
import { S_PER_H, clockStepRows } from './common.ts';

export interface CountParams {
  /** Pack capacity, Ah. */
  capacity_Ah: number;
  /** Coulombic efficiency applied to charge current. */
  etaCharge: number;
  /** Rows further apart are not compared, s. */
  maxGap_s: number;
  /** |residual| above this (fraction) is a jump. */
  tolerance: number;
  /** |I| at or below this is rest, A. */
  restThreshold_A: number;
  /** A jump this soon after a rest ended still counts as "after the rest", s. */
  afterRest_s: number;
  /** A SOC unchanged for longer restarts the comparison at the current row, s. */
  maxHold_s: number;
}

export interface Jump {
  /** Row of the reference (last SOC change before) and the row where the SOC jumped. */
  rRef: number;
  r: number;
  /** Time of the row before the jump and of the jump, s. */
  tPrev_s: number;
  t_s: number;
  /** Reported change and the count's expectation since the reference, fraction. */
  dz: number;
  expected: number;
  /** dz − expected. */
  residual: number;
  /** Rest before the jump (0 if none), s, and its last resting row (−1 if none). */
  rest_s: number;
  restRow: number;
}

/** Valid rows for the count: PACK_STATUS with a SOC and a current. */
export function countable(tl: Timeline, r: number): boolean {
  return (tl.present[r]! & Present.STATUS) !== 0 && tl.pack.soc[r]! === tl.pack.soc[r]! && tl.pack.current_A[r]! === tl.pack.current_A[r]!;
}

/** Finds the jumps; `compared` counts the SOC changes compared with the count. */
export function findJumps(tl: Timeline, p: CountParams): { jumps: Jump[]; compared: number } {
  const jumps: Jump[] = [];
  const ts = tl.t_s;
  const soc = tl.pack.soc;
  const cur = tl.pack.current_A;
  const soh = tl.pack.soh;
  const present = tl.present;
  const steps = clockStepRows(tl);
  let nextStep = 0;
  const kAs = 1 / (S_PER_H * p.capacity_Ah);
  const maxGap_s = p.maxGap_s;
  const restA = p.restThreshold_A;
  const eta = p.etaCharge;
  const tol = p.tolerance;
  const maxHold_s = p.maxHold_s;
  const n = tl.length;
  let prev = -1;
  let tPrev = 0;
  let iPrev = 0;
  let ref = -1;
  let zRef = 0;
  let tRef = 0;
  let hLast = NaN;
  let kCap = kAs;
  let pending = 0;
  let compared = 0;
  // rest tracking
  let restStart = NaN;
  let restRow = -1;
  let lastRestEnd = NaN;
  let lastRestLen = 0;
  let lastRestRow = -1;
  for (let r = 0; r < n; r++) {
    if ((present[r]! & Present.STATUS) === 0) continue;
    const z = soc[r]!;
    const I = cur[r]!;
    if (z !== z || I !== I) continue;
    const t = ts[r]!;
    let restart = prev < 0 || t - tPrev > maxGap_s;
    while (steps[nextStep]! <= r) {
      if (prev >= 0 && steps[nextStep]! > prev) restart = true;
      nextStep++;
    }
    const resting = I <= restA && I >= -restA;
    if (restart) {
      prev = r;
      tPrev = t;
      iPrev = I;
      ref = r;
      zRef = z;
      tRef = t;
      pending = 0;
      restStart = resting ? t : NaN;
      restRow = resting ? r : -1;
      lastRestEnd = NaN;
      lastRestLen = 0;
      lastRestRow = -1;
      continue;
    }
    const Iavg = 0.5 * (I + iPrev);
    const h = soh[r]!;
    if (h !== hLast) {
      hLast = h;
      kCap = kAs / (h > 0 ? h : 1); // NaN soh: 1
    }
    pending += (Iavg > 0 ? eta : 1) * Iavg * (t - tPrev) * kCap;
    // rest bookkeeping (before judging this row: a recalibration happens while resting)
    if (resting) {
      if (restStart !== restStart) restStart = t;
      restRow = r;
    } else if (restStart === restStart) {
      lastRestEnd = t;
      lastRestLen = ts[restRow]! - restStart;
      lastRestRow = restRow;
      restStart = NaN;
      restRow = -1;
    }
    const dz = z - zRef;
    if (dz === 0 && t - tRef > maxHold_s) {
      // held longer than a publication period: a frozen SOC is drift, not a jump to come
      ref = r;
      tRef = t;
      pending = 0;
    } else if (dz !== 0) {
      compared++;
      const residual = dz - pending;
      if (residual > tol || residual < -tol) {
        let rest_s = 0;
        let rr = -1;
        if (restStart === restStart) {
          rest_s = t - restStart;
          rr = restRow;
        } else if (lastRestEnd === lastRestEnd && t - lastRestEnd <= p.afterRest_s) {
          rest_s = lastRestLen;
          rr = lastRestRow;
        }
        jumps.push({ rRef: ref, r, tPrev_s: tPrev, t_s: t, dz, expected: pending, residual, rest_s, restRow: rr });
      }
      ref = r;
      zRef = z;
      tRef = t;
      pending = 0;
    }
    prev = r;
    tPrev = t;
    iPrev = I;
  }
  return { jumps, compared };
}

const cache = new WeakMap<Timeline, { key: string; revision: number; result: { jumps: Jump[]; compared: number } }>();

/** findJumps, computed once per Timeline revision and parameters (soc.jumps and soc.coulomb_drift share it). */
export function findJumpsCached(tl: Timeline, p: CountParams): { jumps: Jump[]; compared: number } {
  const key = `${p.capacity_Ah} ${p.etaCharge} ${p.maxGap_s} ${p.tolerance} ${p.restThreshold_A} ${p.afterRest_s} ${p.maxHold_s}`;
  const hit = cache.get(tl);
  if (hit && hit.key === key && hit.revision === tl.revision) return hit.result;
  const result = findJumps(tl, p);
  cache.set(tl, { key, revision: tl.revision, result });
  return result;
}
