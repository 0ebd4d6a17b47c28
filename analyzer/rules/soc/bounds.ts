/**
 * soc.bounds — the BMS's SOC estimate (PACK_STATUS soc, a fraction) outside [0, 1].
 *
 * Why: SOC is defined on 0..1 (0 where the discharge branch meets the cut-off, 1 at full
 * charge); an estimate outside it means the estimator (counting without clamping, a wrong
 * capacity, a bad recalibration) has lost track, and anything fed from it (range, SOP, the
 * driver's display) is wrong.
 *
 * Thresholds (profile soc.bounds): `margin_warning_pct` beyond 0 or 100 % before a warning,
 * `margin_error_pct` before an error (the episode's worst excursion decides); `join_s` merges
 * excursions closer than that into one episode; `max_gap_s` ends an episode at a time gap;
 * `max_findings` caps the findings (one per episode, then one "and N more").
 *
 * Not evaluable: no PACK_STATUS with a SOC (the channel is absent or always NA).
 */
import { type Finding, finding, round } from '../../findings.ts';
import { Present } from '../../timeline/store.ts';
import { mergeRuns, runsWhere } from '../intervals.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { PCT, pct } from './internal/common.ts';
import { capFindings } from '../cap.ts';

const ID = 'soc.bounds';

export const bounds: Rule = {
  id: ID,
  group: 'soc',
  title: 'SOC estimate within 0..100 %',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    const warn = profile.threshold(`${ID}.margin_warning_pct`, '%');
    const err = profile.threshold(`${ID}.margin_error_pct`, '%');
    const join_s = profile.num(`${ID}.join_s`);
    const maxGap_s = profile.num(`${ID}.max_gap_s`);
    const mw = (warn.value ?? 0) / PCT;
    const me = (err.value ?? Infinity) / PCT;
    const soc = tl.pack.soc;
    const present = tl.present;
    const n = tl.length;
    // one pass: extremes, and whether there is anything to judge
    let rows = 0;
    let lo = Infinity;
    let hi = -Infinity;
    let outside = 0;
    for (let r = 0; r < n; r++) {
      if ((present[r]! & Present.STATUS) === 0) continue;
      const z = soc[r]!;
      if (z !== z) continue;
      rows++;
      if (z < lo) lo = z;
      if (z > hi) hi = z;
      if (z < -mw || z > 1 + mw) outside++;
    }
    const metrics = { soc_min_pct: rows ? round(lo * PCT, 2) : null, soc_max_pct: rows ? round(hi * PCT, 2) : null, rows_outside: outside };
    if (rows === 0) return notEvaluable('no PACK_STATUS with a SOC value', metrics);
    if (outside === 0) return { evaluable: true, findings: [], metrics };
    const valid = (r: number): boolean => (present[r]! & Present.STATUS) !== 0 && soc[r]! === soc[r]!;
    const cond = (r: number): boolean => soc[r]! < -mw || soc[r]! > 1 + mw;
    const runs = mergeRuns(runsWhere(tl, valid, cond, maxGap_s), join_s, tl.t_s);
    const out: Finding[] = [];
    for (const run of runs) {
      let worst = 0;
      let worstZ = NaN;
      for (let r = run.r0; r <= run.r1; r++) {
        const z = soc[r]!;
        if (z !== z) continue;
        const x = z < 0 ? -z : z > 1 ? z - 1 : 0;
        if (x > worst) {
          worst = x;
          worstZ = z;
        }
      }
      const high = worstZ > 1;
      const isError = worst > me;
      out.push(
        finding({
          check: ID,
          severity: isError ? 'error' : 'warning',
          t_start_s: run.t_start_s,
          t_end_s: run.t_end_s,
          subject: 'pack',
          message: `SOC estimate ${high ? 'above 100 %' : 'below 0 %'} for ${(run.t_end_s - run.t_start_s).toFixed(1)} s, reaching ${pct(worstZ)}`,
          evidence: { soc_extreme_pct: round(worstZ * PCT, 2), excursion_pct: round(worst * PCT, 2), duration_s: round(run.t_end_s - run.t_start_s, 3) },
          threshold: isError ? err : warn,
        }),
      );
    }
    return { evaluable: true, findings: capFindings(ID, out, ctx.profile.threshold(`${ID}.max_findings`, 'findings'), 'SOC excursions'), metrics };
  },
};
