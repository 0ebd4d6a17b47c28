/**
 * cells.weakest — which series group is the pack's weakest, and whether it stands out.
 *
 * Why: under discharge the group with the least capacity or the most resistance sits at the
 * bottom and sets the end of discharge (and the pack's usable capacity); a group that is
 * consistently far below its peers is a cell to look at (a disconnected cell in a parallel
 * group, fault-cell-disconnect, draws the group down under load).
 *
 * On a `sample_s` grid (5 s) of complete CELL_VOLTAGES rows while discharging (I <
 * −`discharge_current_C` × 1C, default C/20), each group's share of samples as the minimum and
 * its mean deviation from the pack mean are counted. The weakest group is the one most often
 * the minimum; an info finding names it with both rankings as evidence. A warning when the
 * group with the lowest mean deviation lies more than `margin_V` (30 mV) below the median of
 * the groups' mean deviations and is the minimum in at least `min_share` (50 %) of the samples.
 *
 * Not evaluable: no complete cell voltages, fewer than three groups, no 1C current (no INFO,
 * no chemistry), or less than `min_discharge_s` (60 s) of discharge samples.
 */
import { finding, round } from '../../findings.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { rowStats } from '../quality/internal/rowStats.ts';
import { oneC } from './internal/pack.ts';

const ID = 'cells.weakest';
/** Cells listed in the rankings of the evidence. */
const RANKED = 3;

export const weakest: Rule = {
  id: ID,
  group: 'cells',
  title: 'The weakest series group under discharge',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    const ns = tl.ns;
    if (ns < 3) return notEvaluable('fewer than three series groups with cell voltages');
    const c1 = oneC(ctx);
    if (!(c1.value_A > 0)) return notEvaluable('no 1C current (no INFO, no chemistry): cannot tell discharge');
    const step_s = profile.num(`${ID}.sample_s`);
    const st = rowStats(tl, 'cells', step_s);
    const limit_A = -profile.num(`${ID}.discharge_current_C`) * c1.value_A;
    const I = tl.pack.current_A;
    const cols = tl.cellVoltage_V;
    const minCount = new Float64Array(ns);
    const devSum = new Float64Array(ns);
    let samples = 0;
    let first = -1;
    let last = -1;
    for (let j = 0; j < st.rows.length; j++) {
      const r = st.rows[j]!;
      if (st.count[j]! < ns || !(I[r]! < limit_A)) continue;
      const mean = st.mean[j]!;
      minCount[st.argmin[j]!]!++;
      for (let i = 0; i < ns; i++) devSum[i]! += cols[i]![r]! - mean;
      samples++;
      if (first < 0) first = j;
      last = j;
    }
    const discharge_s = samples * step_s;
    const minDis = profile.num(`${ID}.min_discharge_s`);
    if (discharge_s < minDis)
      return notEvaluable(`${round(discharge_s, 1)} s of discharge with complete cell voltages (at least ${minDis} s needed)`, {
        discharge_s: round(discharge_s, 1),
      });
    const byMin = [...minCount.keys()].sort((a, b) => minCount[b]! - minCount[a]! || devSum[a]! - devSum[b]!);
    const byDev = [...devSum.keys()].sort((a, b) => devSum[a]! - devSum[b]!);
    const meanDev = (i: number): number => devSum[i]! / samples;
    const sortedDev = [...devSum].map((d) => d / samples).sort((a, b) => a - b);
    const medianDev = ns % 2 === 1 ? sortedDev[ns >> 1]! : (sortedDev[ns / 2 - 1]! + sortedDev[ns / 2]!) / 2;
    const w = byMin[0]!;
    const low = byDev[0]!;
    const share = (i: number): number => minCount[i]! / samples;
    const margin = profile.threshold(`${ID}.margin_V`, 'V');
    const minShare = profile.num(`${ID}.min_share`);
    const below = medianDev - meanDev(low);
    const outlier = below > margin.value! && share(low) >= minShare;
    const evidence = {
      weakest_cell: w,
      min_share: round(share(w), 4),
      mean_deviation_mV: round(meanDev(w) * 1000, 2),
      weakest_below_median_mV: round((medianDev - meanDev(w)) * 1000, 2),
      lowest_mean_deviation_cell: low,
      below_median_mV: round(below * 1000, 2),
      ranking_by_min_share: byMin
        .slice(0, RANKED)
        .map((i) => `${i}:${round(share(i), 3)}`)
        .join(' '),
      ranking_by_mean_deviation_mV: byDev
        .slice(0, RANKED)
        .map((i) => `${i}:${round(meanDev(i) * 1000, 1)}`)
        .join(' '),
      discharge_samples: samples,
    };
    const t0 = st.t_s[first]!;
    const t1 = st.t_s[last]!;
    const f = outlier
      ? finding({
          check: ID,
          severity: 'warning',
          t_start_s: t0,
          t_end_s: t1,
          subject: `cell ${low}`,
          message: `cell ${low} is consistently the weakest under discharge: the minimum in ${(share(low) * 100).toFixed(0)} % of the samples, ${(below * 1000).toFixed(0)} mV below the median cell on average`,
          evidence,
          threshold: margin,
        })
      : finding({
          check: ID,
          severity: 'info',
          t_start_s: t0,
          t_end_s: t1,
          subject: `cell ${w}`,
          message: `cell ${w} is the weakest under discharge: the minimum in ${(share(w) * 100).toFixed(0)} % of the samples, ${relToMedian(medianDev - meanDev(w))} on average`,
          evidence,
          threshold: margin,
        });
    return {
      evaluable: true,
      findings: [f],
      metrics: {
        weakest_cell: w,
        weakest_min_share: round(share(w), 4),
        weakest_mean_deviation_mV: round(meanDev(w) * 1000, 2),
        discharge_s: round(discharge_s, 1),
      },
    };
  },
};

/** "14.7 mV below the median cell" for a cell `below_V` under the median (negative: above it). */
function relToMedian(below_V: number): string {
  return `${(Math.abs(below_V) * 1000).toFixed(1)} mV ${below_V >= 0 ? 'below' : 'above'} the median cell`;
}
