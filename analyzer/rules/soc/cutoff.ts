/**
 * soc.cutoff — the BMS's SOC at the ends of the voltage window: near 0 when the pack reaches its
 * discharge cut-off, near 1 at the end of a charge.
 *
 * Empty: a row where the lowest cell is at or below the device's INFO MOL cellVoltageMin_V, or
 * where the BMS has derated the discharge current to about nothing (≤ `derate_fraction` × INFO
 * MOL dischargeCurrentMax_A) with the lowest cell within `derate_window_V` of that minimum (the
 * BMS ends the discharge at low voltage). At the first row of each such episode (rows closer than
 * `join_s` merge, a time gap over `max_gap_s` ends one) the SOC should be within
 * `empty_tolerance_pct` of the expected empty SOC: 0, or with a chemistry that has the
 * low-temperature capacity extension, 1 − f(T) (a cold pack reaches its cut-off with that share
 * of its charge left, which the BMS still counts; sim/chemistry README). A cut-off reached at more
 * than `max_c_rate` × capacity is counted but not judged: the IR drop of a high current reaches
 * the cut-off with charge left (metrics.cutoffs_at_high_current).
 *
 * Full: a row where the highest cell is within `full_margin_V` of INFO MOL cellVoltageMax_V while
 * a small charge current flows (above the rest current — `rest_c_rate` × capacity, at least `rest_floor_A` —, at most `taper_c_rate` × capacity: the CV
 * phase tapering towards its termination, typically C/20). At the last row of each episode (where
 * the charge ends) the SOC should be within `full_tolerance_pct` of 1 (a full cell is full at any
 * temperature; a CC-CV charge to the cut-off voltage ending at C/20 leaves a cell a little short
 * of SOC 1, hence the tolerance).
 *
 * Why: SOC 0 and 1 are defined by these two points; an estimate that reads 15 % at the cut-off
 * strands the driver, one that reads 90 % at the end of a charge never shows the pack full. A
 * pack that reaches its cut-off under a high current leaves charge behind, hence the tolerance.
 *
 * The MOL limits are those in force at each row: a capture whose INFOs change their limits
 * part-way (firmware reconfigured or reflashed) is judged by each set where it held
 * (envelope/internal/limits.ts limitEpochs).
 *
 * Severity: warning per episode; `max_findings` caps them. Not evaluable: no INFO (limits and
 * capacity), or neither a cut-off nor an end of charge happened.
 */
import { type Finding, finding, round } from '../../findings.ts';
import { Present } from '../../timeline/store.ts';
import { epochOf, limitEpochs } from '../envelope/internal/limits.ts';
import { type Run, mergeRuns } from '../intervals.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { PCT, meanTemperature, packCapacity_Ah, pct, restThreshold_A } from './internal/common.ts';
import { capFindings } from '../cap.ts';
import { OcvModel } from './internal/ocv.ts';

const ID = 'soc.cutoff';

export const cutoff: Rule = {
  id: ID,
  group: 'soc',
  title: 'SOC near 0 at the discharge cut-off and near 1 at the end of charge',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    const Q = packCapacity_Ah(ctx);
    const epochs = limitEpochs(ctx);
    if (Q === null || epochs.length === 0) return notEvaluable('no INFO: the cut-off voltages and the capacity come from it');
    const emptyTol = profile.threshold(`${ID}.empty_tolerance_pct`, '%');
    const fullTol = profile.threshold(`${ID}.full_tolerance_pct`, '%');
    // each set of limits judges the rows it was in force for
    const ne = epochs.length;
    const molMin = new Float64Array(ne);
    const molMax = new Float64Array(ne);
    const derateA = new Float64Array(ne);
    const derateV = new Float64Array(ne);
    const fullV = new Float64Array(ne);
    for (let e = 0; e < ne; e++) {
      const mol = epochs[e]!.limits.mol;
      molMin[e] = mol.cellVoltageMin_V;
      molMax[e] = mol.cellVoltageMax_V;
      derateA[e] = profile.num(`${ID}.derate_fraction`) * mol.dischargeCurrentMax_A;
      derateV[e] = mol.cellVoltageMin_V + profile.num(`${ID}.derate_window_V`);
      fullV[e] = mol.cellVoltageMax_V - profile.num(`${ID}.full_margin_V`);
    }
    const restA = restThreshold_A(ctx, ID, Q);
    const taperA = profile.num(`${ID}.taper_c_rate`) * Q;
    const maxGap_s = profile.num(`${ID}.max_gap_s`);
    const maxCutA = profile.num(`${ID}.max_c_rate`) * Q;
    const join_s = profile.num(`${ID}.join_s`);
    const p = tl.pack;
    const soc = p.soc;
    const cur = p.current_A;
    const vlo = p.cellVoltageMin_V;
    const vhi = p.cellVoltageMax_V;
    const dlim = p.dischargeCurrentLimit_A;
    const present = tl.present;
    const ts = tl.t_s;
    // one pass: runs of cut-off rows and of end-of-charge rows (a gap over max_gap_s ends a run)
    const emptyRuns: Run[] = [];
    const fullRuns: Run[] = [];
    let e0 = -1,
      f0 = -1,
      last = -1;
    const n = tl.length;
    let e = 0;
    let next = ne > 1 ? epochs[1]!.r0 : n;
    for (let r = 0; r < n; r++) {
      if (r >= next) {
        e = epochOf(epochs, r);
        next = e + 1 < ne ? epochs[e + 1]!.r0 : n;
      }
      if ((present[r]! & Present.STATUS) === 0) continue;
      const gap = last >= 0 && ts[r]! - ts[last]! > maxGap_s;
      const lo = vlo[r]!;
      const I = cur[r]!;
      const isEmpty = lo <= molMin[e]! || (dlim[r]! <= derateA[e]! && lo <= derateV[e]!);
      const isFull = vhi[r]! >= fullV[e]! && I > restA && I <= taperA;
      if (e0 >= 0 && (gap || !isEmpty)) {
        emptyRuns.push({ r0: e0, r1: last, t_start_s: ts[e0]!, t_end_s: ts[last]! });
        e0 = -1;
      }
      if (f0 >= 0 && (gap || !isFull)) {
        fullRuns.push({ r0: f0, r1: last, t_start_s: ts[f0]!, t_end_s: ts[last]! });
        f0 = -1;
      }
      if (e0 < 0 && isEmpty) e0 = r;
      if (f0 < 0 && isFull) f0 = r;
      last = r;
    }
    if (e0 >= 0) emptyRuns.push({ r0: e0, r1: last, t_start_s: ts[e0]!, t_end_s: ts[last]! });
    if (f0 >= 0) fullRuns.push({ r0: f0, r1: last, t_start_s: ts[f0]!, t_end_s: ts[last]! });
    const empties = mergeRuns(emptyRuns, join_s, ts);
    const fulls = mergeRuns(fullRuns, join_s, ts);
    const metrics: Record<string, number | null> = {
      cutoffs: empties.length,
      ends_of_charge: fulls.length,
      cutoff_worst_off_pct: null,
      end_of_charge_worst_soc_pct: null,
    };
    if (empties.length === 0 && fulls.length === 0) {
      return notEvaluable(
        `no discharge cut-off (cell ≤ ${list(molMin, 4)} V or discharge derated to ~0 A) and no end of charge (cell ≥ ${list(fullV, 3)} V at ≤ ${taperA.toFixed(1)} A)`,
        metrics,
      );
    }
    const model = ctx.chemistry ? new OcvModel(ctx.chemistry) : null;
    const out: Finding[] = [];
    const eTol = (emptyTol.value ?? Infinity) / PCT;
    const fTol = (fullTol.value ?? Infinity) / PCT;
    let worstEmpty = NaN;
    let highCurrent = 0;
    for (const run of empties) {
      const r = firstWithSoc(tl, run.r0, run.r1);
      if (r < 0) continue;
      if (Math.abs(cur[r]!) > maxCutA) {
        highCurrent++;
        continue;
      }
      const z = soc[r]!;
      const T = meanTemperature(tl, r);
      const expected = model ? 1 - model.capacityFactor(T) : 0;
      const off = z - expected;
      if (!(Math.abs(off) <= Math.abs(worstEmpty))) worstEmpty = off;
      if (Math.abs(off) <= eTol) continue;
      const derated = vlo[r]! > molMin[epochOf(epochs, r)]!;
      out.push(
        finding({
          check: ID,
          severity: 'warning',
          t_start_s: run.t_start_s,
          t_end_s: run.t_end_s,
          subject: 'pack',
          message: `${derated ? 'discharge derated to ' + dlim[r]!.toFixed(1) + ' A at low voltage' : 'discharge cut-off reached'} (lowest cell ${vlo[r]!.toFixed(3)} V) with the SOC at ${pct(z)}, expected ${pct(expected)}: ${pct(off)} off`,
          evidence: {
            soc_pct: round(z * PCT, 2),
            expected_soc_pct: round(expected * PCT, 2),
            off_pct: round(off * PCT, 2),
            cell_voltage_min_V: round(vlo[r]!, 4),
            current_A: round(cur[r]!, 2),
            discharge_limit_A: round(dlim[r]!, 2),
            temperature_C: round(T, 1),
            cutoff_V: molMin[epochOf(epochs, r)]!,
          },
          threshold: emptyTol,
        }),
      );
    }
    let worstFull = NaN;
    for (const run of fulls) {
      const r = lastWithSoc(tl, run.r0, run.r1);
      if (r < 0) continue;
      const z = soc[r]!;
      const off = z - 1;
      if (!(Math.abs(off) <= Math.abs(worstFull))) worstFull = off;
      if (Math.abs(off) <= fTol) continue;
      out.push(
        finding({
          check: ID,
          severity: 'warning',
          t_start_s: run.t_start_s,
          t_end_s: run.t_end_s,
          subject: 'pack',
          message: `end of charge (highest cell ${vhi[r]!.toFixed(3)} V, current tapered to ${cur[r]!.toFixed(1)} A) with the SOC at ${pct(z)}: ${pct(-off)} short of full`,
          evidence: {
            soc_pct: round(z * PCT, 2),
            off_pct: round(off * PCT, 2),
            cell_voltage_max_V: round(vhi[r]!, 4),
            current_A: round(cur[r]!, 2),
            full_V: molMax[epochOf(epochs, r)]!,
          },
          threshold: fullTol,
        }),
      );
    }
    metrics.cutoffs_at_high_current = highCurrent;
    metrics.cutoff_worst_off_pct = Number.isNaN(worstEmpty) ? null : round(worstEmpty * PCT, 2);
    metrics.end_of_charge_worst_soc_pct = Number.isNaN(worstFull) ? null : round((1 + worstFull) * PCT, 2);
    return { evaluable: true, findings: capFindings(ID, out, ctx.profile.threshold(`${ID}.max_findings`, 'findings'), 'cut-off episodes'), metrics };
  },
};

/** Last row of r0..r1 with a SOC, −1 if none. */
function lastWithSoc(tl: { pack: { soc: Float64Array } }, r0: number, r1: number): number {
  for (let r = r1; r >= r0; r--) if (tl.pack.soc[r]! === tl.pack.soc[r]!) return r;
  return -1;
}

/** First row of r0..r1 with a SOC, −1 if none. */
function firstWithSoc(tl: { pack: { soc: Float64Array } }, r0: number, r1: number): number {
  for (let r = r0; r <= r1; r++) if (tl.pack.soc[r]! === tl.pack.soc[r]!) return r;
  return -1;
}

/** The distinct values of a per-epoch array, in order ("3.1" or "3.1 / 3.2"). */
function list(a: Float64Array, digits: number): string {
  const seen: string[] = [];
  for (const x of a) {
    const t = String(round(x, digits));
    if (!seen.includes(t)) seen.push(t);
  }
  return seen.join(' / ');
}
