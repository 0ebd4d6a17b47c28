/**
 * soc.jumps — steps in the BMS's SOC that the coulomb count of the measured current does not
 * explain.
 *
 * How: between two PACK_STATUS rows the SOC may change by what the current carried,
 * ∫I dt / (3600 · np · cellCapacity_Ah · soh) (INFO capacity, the BMS's own soh, the chemistry's
 * coulombic efficiency on charge). Because a BMS may publish its SOC more slowly than its status
 * (the emulator: every 1 s), each change of the reported SOC is compared with the count since the
 * previous change (internal/count.ts; a SOC unchanged for more than `max_hold_s` restarts the
 * comparison, so a SOC frozen while current flows is left to soc.coulomb_drift). A residual above
 * `tolerance_pct` is a jump; jumps closer
 * than `join_s` are one episode. Nothing is compared across a time gap longer than `max_gap_s` or
 * a device restart (clock step).
 *
 * Why: a SOC that steps by itself (a reset to a default, a wrong recalibration, a glitch in the
 * estimator) misleads range, SOP and balancing, and a driver sees it.
 *
 * Explained jumps: a BMS recalibrates its SOC from the OCV after a rest. A jump while the pack has
 * rested (|I| ≤ `rest_c_rate` × capacity, at least `rest_floor_A`) for at least `rest_min_s`, or at most `after_rest_s`
 * after such a rest ended, is an OCV recalibration. When the chemistry is known it is checked:
 * the new SOC agrees with the rested mean cell voltage (mean over the last `average_rows` rest
 * rows) if |V − OCV(z)| ≤ M(z) + `ocv_tolerance_V` (the hysteresis band; OCV, M, dUdT and the
 * low-temperature capacity from the chemistry) → info; otherwise a warning. Without a chemistry
 * the recalibration cannot be verified and is reported as info, saying so.
 *
 * Severity: warning; error when the episode's unexplained change reaches `error_pct`.
 * `max_findings` caps the findings (then one "and N more").
 *
 * Not evaluable: no INFO (no capacity to count with), or no PACK_STATUS rows with SOC and
 * current to compare.
 */
import { type Finding, finding, round } from '../../findings.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { PCT, chargeEfficiency, meanTemperature, packCapacity_Ah, pct, restThreshold_A, restVoltage } from './internal/common.ts';
import { capFindings } from '../cap.ts';
import { type Jump, findJumpsCached } from './internal/count.ts';
import { OcvModel, judgeRest } from './internal/ocv.ts';

const ID = 'soc.jumps';

export const jumps: Rule = {
  id: ID,
  group: 'soc',
  title: 'SOC jumps the coulomb count does not explain',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    const Q = packCapacity_Ah(ctx);
    if (Q === null) return notEvaluable('no INFO with the cell capacity: the coulomb count needs it');
    const tol = profile.threshold(`${ID}.tolerance_pct`, '%');
    const errT = profile.threshold(`${ID}.error_pct`, '%');
    const ocvTol = profile.threshold(`${ID}.ocv_tolerance_V`, 'V');
    const restMin_s = profile.num(`${ID}.rest_min_s`);
    const join_s = profile.num(`${ID}.join_s`);
    const rows = profile.num(`${ID}.average_rows`);
    const { jumps: list, compared } = findJumpsCached(tl, {
      capacity_Ah: Q,
      etaCharge: chargeEfficiency(ctx),
      maxGap_s: profile.num(`${ID}.max_gap_s`),
      tolerance: (tol.value ?? 0) / PCT,
      restThreshold_A: restThreshold_A(ctx, ID, Q),
      afterRest_s: profile.num(`${ID}.after_rest_s`),
      maxHold_s: profile.num(`${ID}.max_hold_s`),
    });
    const metrics: Record<string, number> = { soc_changes_compared: compared, jumps: list.length };
    if (compared === 0) return notEvaluable('no SOC change between PACK_STATUS rows with SOC and current to compare', metrics);
    const errFrac = (errT.value ?? Infinity) / PCT;
    const model = ctx.chemistry ? new OcvModel(ctx.chemistry) : null;
    const ns = ctx.info?.ns ?? tl.ns;
    // episodes: jumps closer than join_s
    const episodes: Jump[][] = [];
    for (const j of list) {
      const e = episodes[episodes.length - 1];
      if (e && j.tPrev_s - e[e.length - 1]!.t_s <= join_s) e.push(j);
      else episodes.push([j]);
    }
    const out: Finding[] = [];
    let recalibrations = 0;
    for (const e of episodes) {
      const first = e[0]!;
      const last = e[e.length - 1]!;
      let net = 0;
      let worst = 0;
      let afterRest = true;
      for (const j of e) {
        net += j.residual;
        if (Math.abs(j.residual) > Math.abs(worst)) worst = j.residual;
        if (!(j.rest_s >= restMin_s && j.restRow >= 0)) afterRest = false;
      }
      const size = Math.max(Math.abs(net), Math.abs(worst));
      const zNew = tl.pack.soc[last.r]!;
      const zOld = tl.pack.soc[first.rRef]!;
      const evidence: Finding['evidence'] = {
        soc_before_pct: round(zOld * PCT, 2),
        soc_after_pct: round(zNew * PCT, 2),
        unexplained_pct: round(net * PCT, 3),
        largest_step_pct: round(worst * PCT, 3),
        expected_pct: round(e.reduce((s, j) => s + j.expected, 0) * PCT, 3),
        steps: e.length,
      };
      const base = { check: ID, t_start_s: first.tPrev_s, t_end_s: last.t_s, subject: 'pack', evidence };
      const what = `SOC ${pct(zOld)} → ${pct(zNew)}, ${pct(net, 2)} more than the coulomb count explains`;
      if (afterRest) {
        recalibrations++;
        evidence.rest_s = round(last.rest_s, 1);
        if (model === null) {
          out.push(
            finding({
              ...base,
              severity: 'info',
              threshold: tol,
              message: `${what}, after ${(last.rest_s / 60).toFixed(0)} min of rest: an OCV recalibration (not verified: chemistry unknown)`,
            }),
          );
          continue;
        }
        const rr = last.restRow;
        const V = restVoltage(tl, Math.max(0, rr - rows + 1), rr, rows, ns);
        const T = meanTemperature(tl, rr);
        const j = judgeRest(model, zNew, V, T, ocvTol.value ?? 0);
        evidence.rest_voltage_V = round(V, 4);
        evidence.ocv_of_soc_V = round(j.ocv_V, 4);
        evidence.hysteresis_V = round(j.m_V, 4);
        evidence.temperature_C = round(T, 1);
        if (!(V === V) || j.excess_V <= 0) {
          const note = V === V ? `agrees with the OCV of the rest voltage ${V.toFixed(3)} V` : 'no cell voltage to verify it';
          out.push(
            finding({
              ...base,
              severity: 'info',
              threshold: ocvTol,
              message: `${what}, after ${(last.rest_s / 60).toFixed(0)} min of rest: an OCV recalibration (${note})`,
            }),
          );
          continue;
        }
        evidence.ocv_soc_band_pct = `${(j.socLow * PCT).toFixed(2)}..${(j.socHigh * PCT).toFixed(2)}`;
        out.push(
          finding({
            ...base,
            severity: size >= errFrac ? 'error' : 'warning',
            threshold: ocvTol,
            message: `${what}, after a rest, but the new SOC disagrees with the OCV: rest voltage ${V.toFixed(3)} V allows ${(j.socLow * PCT).toFixed(1)}..${(j.socHigh * PCT).toFixed(1)} %`,
          }),
        );
        continue;
      }
      const isError = size >= errFrac;
      out.push(finding({ ...base, severity: isError ? 'error' : 'warning', threshold: isError ? errT : tol, message: `SOC jump: ${what}` }));
    }
    metrics.recalibrations = recalibrations;
    return { evaluable: true, findings: capFindings(ID, out, ctx.profile.threshold(`${ID}.max_findings`, 'findings'), 'SOC jumps'), metrics };
  },
};
