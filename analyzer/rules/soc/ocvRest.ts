/**
 * soc.ocv_rest — at the end of every long rest, the BMS's SOC against the SOC the chemistry's
 * OCV gives for the rested cell voltage.
 *
 * How: a rest is a run of PACK_STATUS rows with |I| ≤ `rest_c_rate` × capacity (np ×
 * cellCapacity_Ah from INFO; at least `rest_floor_A`, above the current sensor's noise) lasting at least `relaxation_s` (cut at time gaps over `max_gap_s`).
 * At its last row — the most relaxed — the rest voltage is the mean cell voltage (all series
 * groups, averaged over the last `average_rows` rows), the temperature the sensors' mean. A
 * resting cell sits at OCV(z, T) + M(z)·h with hysteresis state h ∈ [−1, 1] (sim/chemistry
 * README: central OCV, hysteresis M, dUdT, low-temperature capacity), so the BMS's SOC z is
 * consistent when |V − OCV(z, T)| ≤ M(z) + `tolerance_V`. Otherwise a warning, an error when
 * z lies `error_soc_pct` or more outside the SOC band the voltage allows (between the charge
 * and discharge branches). One finding per rest, over its relaxed part; `max_findings` caps them.
 *
 * Where the OCV is flat, a voltage says little about SOC (the NVPF polyanion preset's plateaus;
 * a few mV of error would be tens of %): a rest whose voltage implies a SOC where
 * |dOCV/dSOC| < `min_slope_mV_per_pct` is skipped and counted (metrics.rests_on_plateau).
 *
 * Why: the OCV after a long rest is the one direct measurement of SOC a pack offers; a BMS
 * whose SOC disagrees with it has drifted (counting errors, wrong capacity) or recalibrated
 * wrongly.
 *
 * Not evaluable: no chemistry (no OCV table), no INFO (no capacity for the rest current), no
 * rest as long as `relaxation_s`, or every rest on a plateau.
 */
import { type Finding, counted, finding, round } from '../../findings.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { PCT, meanTemperature, packCapacity_Ah, pct, restRuns, restThreshold_A, restVoltage } from './internal/common.ts';
import { capFindings } from '../cap.ts';
import { OcvModel, judgeRest } from './internal/ocv.ts';

const ID = 'soc.ocv_rest';

export const ocvRest: Rule = {
  id: ID,
  group: 'soc',
  title: 'SOC at rest agrees with the OCV',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    if (ctx.chemistry === null) return notEvaluable('chemistry unknown: no OCV table to compare with');
    const Q = packCapacity_Ah(ctx);
    if (Q === null) return notEvaluable('no INFO with the cell capacity: the rest current threshold is a C-rate');
    const relax = profile.threshold(`${ID}.relaxation_s`, 's');
    const tol = profile.threshold(`${ID}.tolerance_V`, 'V');
    const minSlope = profile.threshold(`${ID}.min_slope_mV_per_pct`, 'mV/%');
    const errSoc = profile.threshold(`${ID}.error_soc_pct`, '%');
    const rows = profile.num(`${ID}.average_rows`);
    const restA = restThreshold_A(ctx, ID, Q);
    const rests = restRuns(tl, restA, profile.num(`${ID}.max_gap_s`), relax.value ?? 0);
    const metrics: Record<string, number | string | null> = {
      rests: rests.length,
      rests_evaluated: 0,
      rests_on_plateau: 0,
      max_soc_error_pct: null,
      max_excess_mV: null,
    };
    if (rests.length === 0) {
      return notEvaluable(`no rest of at least ${relax.value} s (|I| ≤ ${restA.toFixed(2)} A)`, metrics);
    }
    const model = new OcvModel(ctx.chemistry);
    const ns = ctx.info?.ns ?? tl.ns;
    const soc = tl.pack.soc;
    const out: Finding[] = [];
    let evaluated = 0;
    let plateau = 0;
    let noData = 0;
    let worstSoc = 0;
    let worstExcess = -Infinity;
    for (const run of rests) {
      let r = run.r1;
      while (r > run.r0 && !(soc[r]! === soc[r]!)) r--;
      const z = soc[r]!;
      const V = restVoltage(tl, run.r0, r, rows, ns);
      const T = meanTemperature(tl, r);
      if (!(z === z) || !(V === V)) {
        noData++;
        continue;
      }
      const zV = model.socFromRest(V, 0, T);
      const slope = model.slope(zV, T) * (1000 / PCT);
      if (slope < (minSlope.value ?? 0)) {
        plateau++;
        continue;
      }
      evaluated++;
      const j = judgeRest(model, z, V, T, tol.value ?? 0);
      if (j.socError > worstSoc) worstSoc = j.socError;
      if (j.excess_V > worstExcess) worstExcess = j.excess_V;
      if (j.excess_V <= 0) continue;
      const isError = j.socError * PCT >= (errSoc.value ?? Infinity);
      const tStart = Math.min(run.t0 + (relax.value ?? 0), run.t1);
      out.push(
        finding({
          check: ID,
          severity: isError ? 'error' : 'warning',
          t_start_s: tStart,
          t_end_s: run.t1,
          subject: 'pack',
          message: `after ${((run.t1 - run.t0) / 60).toFixed(0)} min of rest the BMS reports ${pct(z)} but the rest voltage ${V.toFixed(4)} V (${T.toFixed(1)} °C) allows ${(j.socLow * PCT).toFixed(1)}..${(j.socHigh * PCT).toFixed(1)} %: ${(j.socError * PCT).toFixed(1)} % off, ${(j.excess_V * 1000).toFixed(1)} mV outside the hysteresis band`,
          evidence: {
            soc_pct: round(z * PCT, 2),
            ocv_soc_low_pct: round(j.socLow * PCT, 2),
            ocv_soc_high_pct: round(j.socHigh * PCT, 2),
            soc_error_pct: round(j.socError * PCT, 2),
            rest_voltage_V: round(V, 4),
            ocv_of_soc_V: round(j.ocv_V, 4),
            hysteresis_V: round(j.m_V, 4),
            excess_mV: round(j.excess_V * 1000, 1),
            temperature_C: round(T, 1),
            slope_mV_per_pct: round(slope, 2),
            rest_s: round(run.t1 - run.t0, 1),
          },
          threshold: isError ? errSoc : tol,
        }),
      );
    }
    metrics.rests_evaluated = evaluated;
    metrics.rests_on_plateau = plateau;
    if (noData > 0) metrics.rests_without_data = noData;
    if (evaluated > 0) {
      metrics.max_soc_error_pct = round(worstSoc * PCT, 2);
      metrics.max_excess_mV = round(worstExcess * 1000, 1);
    }
    if (evaluated === 0) {
      const why =
        plateau > 0
          ? `every long rest (${plateau}) was on an OCV plateau (|dOCV/dSOC| < ${minSlope.value} mV/%): the voltage says too little about SOC there`
          : 'no long rest with a SOC and cell voltages';
      return notEvaluable(why, metrics);
    }
    const findings = capFindings(ID, out, ctx.profile.threshold(`${ID}.max_findings`, 'findings'), 'rests off the OCV');
    if (plateau > 0)
      return { evaluable: true, reason: `${counted(plateau, 'rest')} on an OCV plateau (|dOCV/dSOC| < ${minSlope.value} mV/%) not judged`, findings, metrics };
    return { evaluable: true, findings, metrics };
  },
};
