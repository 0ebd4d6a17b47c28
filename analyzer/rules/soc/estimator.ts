/**
 * soc.estimator — the BMS's SOC estimate against the simulator's ground truth (SIM_TRUTH
 * socAvg, the charge-weighted mean true SOC of the cells), where a simulator sends it. Truth
 * only scores the estimator; it is never used as a measurement (PROTOCOL.md section 8).
 *
 * Metrics over the rows that carry both: `rms_pct`, `max_pct` (largest |error|) and
 * `convergence_s`: time from the first such row until the error enters ±`band_pct` and then
 * stays inside for at least `hold_s` (or to the end of the session); 0 when the estimate is in
 * the band from the first row (a later excursion is a `max_pct_max` episode, not a convergence);
 * null when it never settles.
 *
 * Findings (warning): RMS above `rms_pct_max` (one, over the session); each episode where
 * |error| exceeds `max_pct_max` (rows closer than `join_s` merge, a gap over `max_gap_s` ends
 * one), with its peak; convergence slower than `convergence_max_s`, or none. `max_findings` caps
 * them. The emulator's EKF stays within about 0.1 % RMS on the clean library scenarios; the
 * default profile judges against a production-style accuracy, the lab profile tighter.
 *
 * Not evaluable: no SIM_TRUTH in the input (real firmware never sends it), or no row with both
 * the estimate and the truth.
 */
import { type Finding, finding, round } from '../../findings.ts';
import { Present } from '../../timeline/store.ts';
import { mergeRuns, runsWhere } from '../intervals.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { PCT, pct } from './internal/common.ts';
import { capFindings } from '../cap.ts';

const ID = 'soc.estimator';
const BOTH = Present.STATUS | Present.TRUTH;

export const estimator: Rule = {
  id: ID,
  group: 'soc',
  title: 'SOC estimator error against the simulator truth',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    if (!tl.hasTruth) return notEvaluable('no SIM_TRUTH in the input (only simulators send the true SOC)');
    const rmsMax = profile.threshold(`${ID}.rms_pct_max`, '%');
    const maxMax = profile.threshold(`${ID}.max_pct_max`, '%');
    const band = profile.threshold(`${ID}.band_pct`, '%');
    const convMax = profile.threshold(`${ID}.convergence_max_s`, 's');
    const hold_s = profile.num(`${ID}.hold_s`);
    const bandF = (band.value ?? Infinity) / PCT;
    const ts = tl.t_s;
    const soc = tl.pack.soc;
    const truth = tl.pack.truthSocAvg;
    const present = tl.present;
    const n = tl.length;
    let rows = 0;
    let sum2 = 0;
    let maxAbs = 0;
    let maxSigned = 0;
    let tMax = NaN;
    let tFirst = NaN;
    let tLast = NaN;
    let streak = NaN; // start of the current in-band streak
    let converged = NaN;
    for (let r = 0; r < n; r++) {
      if ((present[r]! & BOTH) !== BOTH) continue;
      const e = soc[r]! - truth[r]!;
      if (e !== e) continue;
      const t = ts[r]!;
      if (rows === 0) tFirst = t;
      rows++;
      tLast = t;
      sum2 += e * e;
      const a = e < 0 ? -e : e;
      if (a > maxAbs) {
        maxAbs = a;
        maxSigned = e;
        tMax = t;
      }
      if (converged !== converged) {
        if (a <= bandF) {
          if (streak !== streak) streak = t;
          if (t - streak >= hold_s) converged = streak;
        } else if (streak === tFirst)
          converged = tFirst; // in band from the start: nothing to converge
        else streak = NaN;
      }
    }
    if (rows === 0) return notEvaluable('no row carries both the SOC estimate and SIM_TRUTH');
    if (converged !== converged && streak === streak) converged = streak; // in band to the end
    const rms = Math.sqrt(sum2 / rows);
    const convergence_s = converged === converged ? converged - tFirst : null;
    const metrics = {
      rms_pct: round(rms * PCT, 3),
      max_pct: round(maxSigned * PCT, 3),
      max_at_s: round(tMax, 1),
      convergence_s: convergence_s === null ? null : round(convergence_s, 1),
      rows,
    };
    const out: Finding[] = [];
    if (rms * PCT > (rmsMax.value ?? Infinity)) {
      out.push(
        finding({
          check: ID,
          severity: 'warning',
          t_start_s: tFirst,
          t_end_s: tLast,
          subject: 'pack RMS',
          message: `SOC estimate error ${(rms * PCT).toFixed(2)} % RMS against the simulator's truth (limit ${rmsMax.value} %)`,
          evidence: { rms_pct: metrics.rms_pct, max_pct: metrics.max_pct },
          threshold: rmsMax,
        }),
      );
    }
    if (convergence_s === null || convergence_s > (convMax.value ?? Infinity)) {
      out.push(
        finding({
          check: ID,
          severity: 'warning',
          t_start_s: tFirst,
          t_end_s: convergence_s === null ? tLast : converged,
          subject: 'pack convergence',
          message:
            convergence_s === null
              ? `SOC estimate never settled within ±${band.value} % of the truth for ${hold_s} s`
              : `SOC estimate took ${convergence_s.toFixed(0)} s to settle within ±${band.value} % of the truth (limit ${convMax.value} s)`,
          evidence: { convergence_s: metrics.convergence_s, band_pct: band.value, hold_s },
          threshold: convMax,
        }),
      );
    }
    const maxF = (maxMax.value ?? Infinity) / PCT;
    if (maxAbs > maxF) {
      const valid = (r: number): boolean => (present[r]! & BOTH) === BOTH && soc[r]! - truth[r]! === soc[r]! - truth[r]!;
      const cond = (r: number): boolean => Math.abs(soc[r]! - truth[r]!) > maxF;
      const runs = mergeRuns(runsWhere(tl, valid, cond, profile.num(`${ID}.max_gap_s`)), profile.num(`${ID}.join_s`), ts);
      for (const run of runs) {
        let peak = 0;
        let tPeak = run.t_start_s;
        for (let r = run.r0; r <= run.r1; r++) {
          if (!valid(r)) continue;
          const e = soc[r]! - truth[r]!;
          if (Math.abs(e) > Math.abs(peak)) {
            peak = e;
            tPeak = ts[r]!;
          }
        }
        out.push(
          finding({
            check: ID,
            severity: 'warning',
            t_start_s: run.t_start_s,
            t_end_s: run.t_end_s,
            subject: 'pack',
            message: `SOC estimate ${peak > 0 ? 'above' : 'below'} the truth by more than ${maxMax.value} % for ${(run.t_end_s - run.t_start_s).toFixed(1)} s, by ${pct(Math.abs(peak))} at ${tPeak.toFixed(1)} s`,
            evidence: { peak_error_pct: round(peak * PCT, 3), peak_at_s: round(tPeak, 1), duration_s: round(run.t_end_s - run.t_start_s, 1) },
            threshold: maxMax,
          }),
        );
      }
    }
    return { evaluable: true, findings: capFindings(ID, out, ctx.profile.threshold(`${ID}.max_findings`, 'findings'), 'estimator error episodes'), metrics };
  },
};
