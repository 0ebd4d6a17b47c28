/**
 * soc.full_accepting — "100 % while still accepting charge": the BMS's SOC at or above
 * `level_pct` while a charge current of at least `min_current_c_rate` × capacity (np ×
 * cellCapacity_Ah from INFO; C/20 by default, the usual end of a CV phase) keeps flowing for
 * longer than `min_duration_s`.
 *
 * Why: a full cell stops taking charge (the charger's CV phase tapers to its termination
 * current). A SOC that reads full while substantial current still goes in has saturated early:
 * its capacity is too small or it counted too much charge, and the driver sees 100 % before the
 * pack is full (and the range estimate is wrong at the other end too).
 *
 * One finding (warning) per episode (rows closer than `join_s` merge; a time gap over
 * `max_gap_s` ends one), with the charge accepted after "full" as evidence; `max_findings` caps
 * them.
 *
 * Not evaluable: no INFO (capacity), or no charging at or above the current threshold at all.
 */
import { type Finding, finding, round } from '../../findings.ts';
import { Present } from '../../timeline/store.ts';
import { mergeRuns, runsWhere } from '../intervals.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { PCT, S_PER_H, packCapacity_Ah } from './internal/common.ts';
import { capFindings } from '../cap.ts';

const ID = 'soc.full_accepting';

export const fullAccepting: Rule = {
  id: ID,
  group: 'soc',
  title: 'SOC full while the pack still accepts charge',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    const Q = packCapacity_Ah(ctx);
    if (Q === null) return notEvaluable('no INFO with the cell capacity: the current threshold is a C-rate');
    const level = profile.threshold(`${ID}.level_pct`, '%');
    const minDur = profile.threshold(`${ID}.min_duration_s`, 's');
    const iMin = profile.num(`${ID}.min_current_c_rate`) * Q;
    const zMin = (level.value ?? Infinity) / PCT;
    const soc = tl.pack.soc;
    const cur = tl.pack.current_A;
    const present = tl.present;
    const n = tl.length;
    let charging = 0;
    let hits = 0;
    for (let r = 0; r < n; r++) {
      if ((present[r]! & Present.STATUS) === 0) continue;
      const I = cur[r]!;
      if (!(I >= iMin)) continue;
      charging++;
      if (soc[r]! >= zMin) hits++;
    }
    const metrics: Record<string, number> = { charging_rows: charging, rows_full_while_charging: hits };
    if (charging === 0) return notEvaluable(`no charging at or above ${iMin.toFixed(1)} A (${profile.num(`${ID}.min_current_c_rate`)}C)`, metrics);
    if (hits === 0) return { evaluable: true, findings: [], metrics };
    const valid = (r: number): boolean => (present[r]! & Present.STATUS) !== 0 && cur[r]! === cur[r]! && soc[r]! === soc[r]!;
    const cond = (r: number): boolean => cur[r]! >= iMin && soc[r]! >= zMin;
    const runs = mergeRuns(runsWhere(tl, valid, cond, profile.num(`${ID}.max_gap_s`)), profile.num(`${ID}.join_s`), tl.t_s);
    const out: Finding[] = [];
    const ts = tl.t_s;
    for (const run of runs) {
      const dur = run.t_end_s - run.t_start_s;
      if (dur <= (minDur.value ?? 0)) continue;
      // charge accepted over the episode (trapezoid over its valid rows), peak SOC, mean current
      let q_As = 0;
      let zMax = -Infinity;
      let prev = -1;
      for (let r = run.r0; r <= run.r1; r++) {
        if (!valid(r)) continue;
        if (soc[r]! > zMax) zMax = soc[r]!;
        if (prev >= 0) q_As += 0.5 * (cur[r]! + cur[prev]!) * (ts[r]! - ts[prev]!);
        prev = r;
      }
      const q_Ah = q_As / S_PER_H;
      out.push(
        finding({
          check: ID,
          severity: 'warning',
          t_start_s: run.t_start_s,
          t_end_s: run.t_end_s,
          subject: 'pack',
          message: `SOC at ${(zMax * PCT).toFixed(2)} % while ${q_Ah.toFixed(2)} Ah (${((q_Ah / Q) * PCT).toFixed(2)} % of capacity) still went in over ${dur.toFixed(0)} s at ${(q_As / Math.max(dur, 1e-9)).toFixed(1)} A on average: the estimate saturated before the pack was full`,
          evidence: {
            soc_max_pct: round(zMax * PCT, 2),
            charge_after_full_Ah: round(q_Ah, 3),
            charge_after_full_pct: round((q_Ah / Q) * PCT, 3),
            mean_current_A: round(q_As / Math.max(dur, 1e-9), 2),
            duration_s: round(dur, 1),
            current_threshold_A: round(iMin, 2),
          },
          threshold: level,
        }),
      );
    }
    return {
      evaluable: true,
      findings: capFindings(ID, out, ctx.profile.threshold(`${ID}.max_findings`, 'findings'), 'full-while-charging episodes'),
      metrics,
    };
  },
};
