/**
 * soc.coulomb_drift — the BMS's SOC against the analyser's own coulomb count of the measured
 * current, between recalibrations: how fast the two part, in %/h.
 *
 * How: the session is cut into segments at time gaps longer than soc.jumps `max_gap_s`, device
 * restarts (clock steps), the jumps soc.jumps finds (its tolerance; a recalibration or a reset
 * restarts the comparison) and rests of at least soc.jumps `rest_min_s` (where a BMS may
 * recalibrate from the OCV; rows of such a rest are left out). In a segment the residual
 * c(t) = (z(t) − z(t₀)) − ∫I dt / (3600 · np · cellCapacity_Ah · soh) (internal/count.ts) is
 * fitted by least squares over consecutive windows of `window_s` (the last shorter piece joins
 * the window before; a segment shorter than `min_window_s` is not judged). A window drifts when
 * |slope| ≥ `max_pct_per_h` and the fitted change over it is at least `min_change_pct` (so that
 * the estimator's jitter over a short window is not a drift); adjacent drifting windows are one
 * episode, one finding; warning, error from `error_pct_per_h`. The finding's time range is
 * where the residual's rate over the last `localise_s` is at least half the episode's (see
 * internal/drift.ts localise). `max_findings` caps them.
 *
 * Why: a BMS that counts a wrong current (sensor offset, drift, a frozen reading, a wrong
 * capacity) parts from the charge that really flowed; an estimator that corrects with the
 * voltages (an EKF) then pulls its SOC away from the count, so the two part either way. The
 * sign says which: negative = the BMS's SOC falls faster (or rises slower) than the measured
 * current explains. An EKF's correction of a wrong start also shows here for the minutes it
 * takes (soc.estimator judges the estimate itself when the simulator sends its truth).
 *
 * Not evaluable: no INFO (capacity), no PACK_STATUS with SOC and current, or no segment as
 * long as `min_window_s`.
 */
import { type Finding, finding, round } from '../../findings.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { PCT, S_PER_H, chargeEfficiency, packCapacity_Ah, restThreshold_A } from './internal/common.ts';
import { capFindings } from '../cap.ts';
import { findJumpsCached } from './internal/count.ts';
import { type Window, localise, scanWindows } from './internal/drift.ts';

const ID = 'soc.coulomb_drift';

export const coulombDrift: Rule = {
  id: ID,
  group: 'soc',
  title: 'SOC against the coulomb count of the measured current',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    const Q = packCapacity_Ah(ctx);
    if (Q === null) return notEvaluable('no INFO with the cell capacity: the coulomb count needs it');
    const maxRate = profile.threshold(`${ID}.max_pct_per_h`, '%/h');
    const errRate = profile.threshold(`${ID}.error_pct_per_h`, '%/h');
    const minChange = profile.num(`${ID}.min_change_pct`) / PCT;
    const window_s = profile.num(`${ID}.window_s`);
    const minWindow_s = profile.num(`${ID}.min_window_s`);
    const lag_s = profile.num(`${ID}.localise_s`);
    const maxGap_s = profile.num('soc.jumps.max_gap_s');
    const restMin_s = profile.num('soc.jumps.rest_min_s');
    const restA = restThreshold_A(ctx, 'soc.jumps', Q);
    const eta = chargeEfficiency(ctx);
    const { jumps } = findJumpsCached(tl, {
      capacity_Ah: Q,
      etaCharge: eta,
      maxGap_s,
      tolerance: profile.num('soc.jumps.tolerance_pct') / PCT,
      restThreshold_A: restA,
      afterRest_s: profile.num('soc.jumps.after_rest_s'),
      maxHold_s: profile.num('soc.jumps.max_hold_s'),
    });
    const jumpRows = new Int32Array(jumps.length + 1);
    for (let k = 0; k < jumps.length; k++) jumpRows[k] = jumps[k]!.r;
    jumpRows[jumps.length] = 0x7fffffff;
    const kAs = 1 / (S_PER_H * Q);
    const { windows, seg, short, evaluated_s } = scanWindows(tl, { jumpRows, eta, kAs, maxGap_s, restA, restMin_s, window_s, minWindow_s });
    const metrics: Record<string, number | null> = { segments: seg + 1, segments_too_short: short, evaluated_h: round(evaluated_s / S_PER_H, 3) };
    let worst = 0;
    for (const w of windows) if (Math.abs(w.slope) > Math.abs(worst)) worst = w.slope;
    metrics.max_drift_pct_per_h = windows.length ? round(worst * PCT * S_PER_H, 3) : null;
    if (windows.length === 0) {
      return notEvaluable(
        seg < 0 ? 'no PACK_STATUS with SOC and current' : `no segment between recalibrations, gaps and rests as long as min_window_s (${minWindow_s} s)`,
        metrics,
      );
    }
    const lim = (maxRate.value ?? Infinity) / (PCT * S_PER_H);
    const errLim = (errRate.value ?? Infinity) / (PCT * S_PER_H);
    const out: Finding[] = [];
    let i = 0;
    while (i < windows.length) {
      const w = windows[i]!;
      const drifting = (x: Window): boolean => Math.abs(x.slope) >= lim && Math.abs(x.slope * (x.t1 - x.t0)) >= minChange;
      if (!drifting(w)) {
        i++;
        continue;
      }
      let j = i;
      while (j + 1 < windows.length && windows[j + 1]!.seg === w.seg && drifting(windows[j + 1]!) && Math.sign(windows[j + 1]!.slope) === Math.sign(w.slope))
        j++;
      let d = 0,
        s = 0,
        qAh = 0;
      for (let k = i; k <= j; k++) {
        const x = windows[k]!;
        d += x.t1 - x.t0;
        s += x.slope * (x.t1 - x.t0);
        qAh += x.charge_Ah;
      }
      const rate = s / d;
      const isError = Math.abs(rate) >= errLim;
      // a window only partly over the drift may not be flagged itself: look one window further each way
      const before = windows[i - 1];
      const after = windows[j + 1];
      const rFrom = before && before.seg === w.seg ? before.r0 : w.r0;
      const rTo = after && after.seg === w.seg ? after.r1 : windows[j]!.r1;
      const [t0, t1, change] = localise(tl, rFrom, rTo, eta, kAs, lag_s, rate);
      const local = change / Math.max(t1 - t0, 1e-9);
      out.push(
        finding({
          check: ID,
          severity: isError ? 'error' : 'warning',
          t_start_s: t0,
          t_end_s: t1,
          subject: 'pack',
          message: `SOC parts from the coulomb count of the measured current by ${(change * PCT).toFixed(2)} % in ${((t1 - t0) / 60).toFixed(1)} min (${(local * PCT * S_PER_H).toFixed(1)} %/h): the BMS's SOC ${rate < 0 ? 'falls faster or rises slower' : 'rises faster or falls slower'} than the current explains`,
          evidence: {
            drift_pct_per_h: round(local * PCT * S_PER_H, 3),
            change_pct: round(change * PCT, 3),
            duration_s: round(t1 - t0, 1),
            window_drift_pct_per_h: round(rate * PCT * S_PER_H, 3),
            window_s: round(d, 1),
            measured_charge_Ah: round(qAh, 2),
            capacity_Ah: round(Q, 2),
          },
          threshold: isError ? errRate : maxRate,
        }),
      );
      i = j + 1;
    }
    return { evaluable: true, findings: capFindings(ID, out, ctx.profile.threshold(`${ID}.max_findings`, 'findings'), 'drift episodes'), metrics };
  },
};
