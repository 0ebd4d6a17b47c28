/**
 * cells.balancing — does passive balancing work: while a cell bleeds, does its voltage come
 * down towards the cells that do not?
 *
 * Why: balancing that runs for hours without closing the gap is a bleed resistor or switch
 * that is open, a bleed too weak for the pack's imbalance, or a BMS balancing the wrong cells.
 *
 * Measure: at every BALANCING row during settled rest (|I| ≤ `rest_current_C` × 1C for
 * `rest_settle_s`: under load the resistance spread and the OCV slope move the deviations
 * more than a bleed does), a bleeding cell's deviation is its voltage minus the mean of the
 * cells not bleeding. Per cell and continuous bleed run of at least `min_run_s` (30 min), a
 * least-squares slope of that deviation (V/h); the runs' slopes averaged, weighted by their
 * duration, give the metric `deviation_slope_V_per_h` (negative: the gap closes). A warning
 * when balancing was active at settled rest for `long_active_h` (2 h) or more and the weighted
 * slope is at or above `max_slope_V_per_h` (0: not falling); otherwise an info finding with
 * the metric. (The emulator's 33 Ω bleed on 300 Ah groups closes ~0.8 mV/h.)
 *
 * Not evaluable: no BALANCING received; no cell ever balanced; no bleed run at settled rest
 * long enough to fit (balancing only under load or in short bursts).
 */
import { finding, round } from '../../findings.ts';
import { Present } from '../../timeline/store.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { gapsOf, restartBetween } from '../quality/internal/gaps.ts';
import { oneC } from './internal/pack.ts';

const ID = 'cells.balancing';
const S_PER_H = 3600;

export const balancing: Rule = {
  id: ID,
  group: 'cells',
  title: 'Balancing effectiveness',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    if ((tl.received.get(0x05) ?? 0) === 0) return notEvaluable('no BALANCING messages in the input');
    const ns = tl.ns;
    const c1 = oneC(ctx);
    if (!(c1.value_A > 0)) return notEvaluable('no 1C current (no INFO, no chemistry): cannot tell rest');
    const rest_A = profile.num(`${ID}.rest_current_C`) * c1.value_A;
    const settle_s = profile.num(`${ID}.rest_settle_s`);
    const minRun = profile.num(`${ID}.min_run_s`);
    const gaps = gapsOf(tl, profile);
    const cols = tl.cellVoltage_V;
    const bal = tl.balancing;
    const I = tl.pack.current_A;
    const ts = tl.t_s;
    const present = tl.present;
    // per-cell regression sums of the current bleed run (t relative to the run's start, s)
    const n = new Float64Array(ns);
    const sx = new Float64Array(ns);
    const sxx = new Float64Array(ns);
    const sy = new Float64Array(ns);
    const sxy = new Float64Array(ns);
    const t0 = new Float64Array(ns).fill(NaN);
    const tLast = new Float64Array(ns);
    let wSum = 0;
    let swSum = 0;
    let runs = 0;
    let activeRows = 0;
    let activeRest_s = 0;
    let first = NaN;
    let last = NaN;
    let everBalanced = false;
    const close = (i: number): void => {
      const k = n[i]!;
      if (k >= 3 && tLast[i]! - t0[i]! >= minRun) {
        const den = k * sxx[i]! - sx[i]! * sx[i]!;
        if (den > 0) {
          const slope = ((k * sxy[i]! - sx[i]! * sy[i]!) / den) * S_PER_H;
          const w = tLast[i]! - t0[i]!;
          wSum += w;
          swSum += slope * w;
          runs++;
          if (!(first <= t0[i]!)) first = t0[i]!;
          if (!(last >= tLast[i]!)) last = tLast[i]!;
        }
      }
      n[i] = 0;
      sx[i] = 0;
      sxx[i] = 0;
      sy[i] = 0;
      sxy[i] = 0;
      t0[i] = NaN;
    };
    const closeAll = (): void => {
      for (let i = 0; i < ns; i++) if (n[i]! > 0) close(i);
    };
    // imported constants read once: under a CommonJS transform (tsx) each read is a getter call
    const { BALANCING, CELLS, STATUS } = Present;
    let restSince = NaN;
    let prevT = NaN;
    let prevRow = 0;
    let prevActiveT = NaN;
    let prevActiveRow = 0;
    for (let r = 0; r < tl.length; r++) {
      const p = present[r]!;
      if ((p & BALANCING) === 0) continue;
      const t = ts[r]!;
      if (t - prevT > gaps.limit_s || restartBetween(gaps, prevRow, r)) {
        restSince = NaN;
        closeAll();
      }
      prevT = t;
      prevRow = r;
      const i_A = I[r]!;
      if (i_A === i_A && Math.abs(i_A) <= rest_A) {
        if (!(restSince === restSince)) restSince = t;
      } else restSince = NaN;
      const settled = restSince === restSince && t - restSince >= settle_s && (p & CELLS) !== 0;
      // PACK_STATUS's balancingCount (same tick) spares the per-cell look where nothing bleeds
      // or the rest has not settled
      const count = (p & STATUS) !== 0 ? tl.pack.balancingCount[r]! : NaN;
      if (count === 0 || (count > 0 && !settled)) {
        if (count > 0) {
          everBalanced = true;
          activeRows++;
        }
        closeAll();
        continue;
      }
      let nb = 0;
      let sum = 0;
      let c = 0;
      for (let i = 0; i < ns; i++) {
        const b = bal[i]![r]!;
        if (b === 1) nb++;
        else if (b === 0) {
          const v = cols[i]![r]!;
          if (v === v) {
            sum += v;
            c++;
          }
        }
      }
      if (nb > 0) {
        everBalanced = true;
        activeRows++;
        if (settled) {
          if (prevActiveT === prevActiveT && t - prevActiveT <= gaps.limit_s && !restartBetween(gaps, prevActiveRow, r)) activeRest_s += t - prevActiveT;
          prevActiveT = t;
          prevActiveRow = r;
        }
      }
      if (!settled || c === 0 || nb === 0) {
        closeAll();
        continue;
      }
      const ref = sum / c;
      for (let i = 0; i < ns; i++) {
        const v = cols[i]![r]!;
        if (bal[i]![r] !== 1 || v !== v) {
          if (n[i]! > 0) close(i);
          continue;
        }
        if (!(t0[i]! === t0[i]!)) t0[i] = t;
        const x = t - t0[i]!;
        const y = v - ref;
        n[i]!++;
        sx[i]! += x;
        sxx[i]! += x * x;
        sy[i]! += y;
        sxy[i]! += x * y;
        tLast[i] = t;
      }
    }
    closeAll();
    const metrics: Record<string, number | null> = { balancing_rows: activeRows, active_at_rest_h: round(activeRest_s / S_PER_H, 3), runs_fitted: runs };
    if (!everBalanced) return notEvaluable('no cell balanced in the session', metrics);
    if (runs === 0) return notEvaluable(`no bleed run at settled rest of at least ${minRun} s to fit (balancing under load or in short bursts only)`, metrics);
    const slope = swSum / wSum;
    metrics.deviation_slope_V_per_h = round(slope, 6);
    metrics.fitted_h = round(wSum / S_PER_H, 3);
    const longH = profile.num(`${ID}.long_active_h`);
    const maxSlope = profile.threshold(`${ID}.max_slope_V_per_h`, 'V/h');
    const bad = activeRest_s / S_PER_H >= longH && slope >= maxSlope.value!;
    const evidence = {
      deviation_slope_mV_per_h: round(slope * 1000, 3),
      runs,
      fitted_cell_h: round(wSum / S_PER_H, 3),
      active_at_rest_h: round(activeRest_s / S_PER_H, 3),
    };
    return {
      evaluable: true,
      findings: [
        finding({
          check: ID,
          severity: bad ? 'warning' : 'info',
          t_start_s: first,
          t_end_s: last,
          subject: 'balancing',
          message: bad
            ? `balancing ran ${(activeRest_s / S_PER_H).toFixed(1)} h at rest but the bleeding cells did not come down (${(slope * 1000).toFixed(2)} mV/h relative to the others)`
            : `bleeding cells came down by ${(-slope * 1000).toFixed(2)} mV/h relative to the others (${runs} runs, ${(wSum / S_PER_H).toFixed(1)} cell-hours)`,
          evidence,
          threshold: maxSlope,
        }),
      ],
      metrics,
    };
  },
};
