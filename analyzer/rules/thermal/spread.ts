/**
 * thermal.spread — the temperature spread across the sensors (max − min) over time, and which
 * sensors run hot relative to the others.
 *
 * How: on the thermal bins (internal/bins.ts: `bin_s`, never shorter than the TEMPERATURES
 * period; readings the device flags NTC_OPEN / NTC_SHORT dropped), per bin with at least two
 * valid sensors: the spread max − min, and the median of the sensors. Each sensor's excess over
 * the median is accumulated (mean excess) and the hottest sensor of each bin is counted.
 *
 * Findings:
 * - spread episodes: runs of bins with spread ≥ `warning_K` (8 K, the MOL tier of natrium's BMS
 *   configuration, sim/bms/config/default.json temperature_spread; a pack whose sensors differ
 *   that much ages unevenly) joined over `join_s` and lasting `min_duration_s` → warning, error
 *   when the spread reached `error_K` (12 K, that configuration's RSL tier, where the BMS cuts the
 *   current limits). Subject "pack".
 * - a sensor consistently hotter than its peers: its excess over the median of all sensors stays
 *   ≥ `hotspot_margin_K` (3 K, above the 1–2 K a healthy liquid-cooled pack shows between its
 *   cells under 3C, sim scenarios fast-charge-3c and hot-city-fast-charge) for at least
 *   `hotspot_min_duration_s` → warning, subject "sensor j": a cell making extra heat (internal
 *   short, a bad connection) or a local cooling problem — or a sensor reading high.
 * - the hotspot ranking: an info finding names the sensor with the highest mean excess when it is
 *   at least `hotspot_info_K`.
 * At most `max_findings`, then one "and N more".
 *
 * Metrics: the largest spread and when; the top `top_n` sensors by mean excess (a ranked string
 * and the first one's fields), each with the share of the time it was the hottest.
 *
 * Not evaluable: fewer than two temperature sensors, or no bin with two valid readings.
 */
import { type Finding, finding, round } from '../../findings.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { binTime, thermalBins } from './internal/bins.ts';
import { EpisodeTracker } from './internal/episodes.ts';
import { capFindings } from '../cap.ts';

const ID = 'thermal.spread';
const PACK = 0;

export const spread: Rule = {
  id: ID,
  group: 'thermal',
  title: 'Temperature spread and hotspots',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    const p = (k: string): number => profile.num(`${ID}.${k}`);
    if (tl.nt < 2) return notEvaluable(tl.nt === 0 ? 'no temperature sensors (no TEMPERATURES received)' : 'one temperature sensor: no spread');
    const bins = thermalBins(tl, p('bin_s'), p('sensor_fault_margin_s'));
    if (bins === null) return notEvaluable('no temperature sensors (no TEMPERATURES received)');
    const { nb, nt, T_C, bin_s } = bins;
    const warnT = profile.threshold(`${ID}.warning_K`, 'K');
    const errT = profile.threshold(`${ID}.error_K`, 'K');
    const marginT = profile.threshold(`${ID}.hotspot_margin_K`, 'K');
    const warn = warnT.value ?? Infinity,
      err = errT.value ?? Infinity,
      margin = marginT.value ?? Infinity;
    const join_s = p('join_s');

    const { valid, max_C, min_C, maxSensor, minSensor, median_C } = bins;
    const hottest = new Float64Array(nt);
    const spreadEp = new EpisodeTracker(1, join_s);
    let evaluated = 0;
    let maxSpread = -Infinity,
      maxSpreadB = -1,
      maxHot = -1,
      maxCold = -1;
    for (let b = 0; b < nb; b++) {
      if (valid[b]! < 2) continue;
      evaluated++;
      const s = max_C[b]! - min_C[b]!;
      const jHi = maxSensor[b]!;
      if (s > maxSpread) {
        maxSpread = s;
        maxSpreadB = b;
        maxHot = jHi;
        maxCold = minSensor[b]!;
      }
      if (s >= warn) spreadEp.flag(PACK, binTime(bins, b), s, jHi, s >= err ? 1 : 0);
      hottest[jHi]!++;
    }
    // each sensor's excess over the median, sensor by sensor
    const excessSum = new Float64Array(nt);
    const excessN = new Float64Array(nt);
    const hotEp = new EpisodeTracker(nt, join_s);
    const tBin0 = binTime(bins, 0);
    for (let j = 0; j < nt; j++) {
      const col = T_C[j]!;
      let sum = 0,
        cnt = 0;
      for (let b = 0; b < nb; b++) {
        const y = col[b]!;
        if (y !== y || valid[b]! < 2) continue;
        const x = y - median_C[b]!;
        sum += x;
        cnt++;
        if (x >= margin) hotEp.flag(j, tBin0 + b * bin_s, x, y, 0);
      }
      excessSum[j] = sum;
      excessN[j] = cnt;
    }
    if (evaluated === 0) return notEvaluable('no time with two valid temperature readings');

    const out: Finding[] = [];
    const minDur = p('min_duration_s');
    for (const e of spreadEp.finish()) {
      if (e.t_end_s - e.t_start_s + bin_s < minDur) continue;
      const error = e.level > 0;
      out.push(
        finding({
          check: ID,
          severity: error ? 'error' : 'warning',
          t_start_s: round(e.t_start_s, 3),
          t_end_s: round(e.t_end_s, 3),
          subject: 'pack',
          message: `temperature spread up to ${round(e.peak, 2)} K across the sensors (sensor ${e.aux} hottest at the peak; ${error ? 'error' : 'warning'} from ${error ? err : warn} K)`,
          evidence: { max_spread_K: round(e.peak, 3), t_peak_s: round(e.tPeak_s, 1), hottest_sensor_at_peak: e.aux },
          threshold: error ? errT : warnT,
        }),
      );
    }
    const hotMin = p('hotspot_min_duration_s');
    for (const e of hotEp.finish()) {
      if (e.t_end_s - e.t_start_s + bin_s < hotMin) continue;
      out.push(
        finding({
          check: ID,
          severity: 'warning',
          t_start_s: round(e.t_start_s, 3),
          t_end_s: round(e.t_end_s, 3),
          subject: `sensor ${e.subject}`,
          message: `sensor ${e.subject} ran ${round(e.peak, 2)} K above the median of the sensors at most, at least ${margin} K above for ${round(e.t_end_s - e.t_start_s + bin_s, 1)} s: a cell making extra heat (internal short, bad connection), a local cooling problem or a sensor reading high`,
          evidence: { max_excess_K: round(e.peak, 3), t_peak_s: round(e.tPeak_s, 1), temperature_at_peak_C: round(e.aux, 2) },
          threshold: marginT,
        }),
      );
    }

    // ranking by mean excess over the median
    const order: number[] = [];
    for (let j = 0; j < nt; j++) if (excessN[j]! > 0) order.push(j);
    order.sort((a, b) => excessSum[b]! / excessN[b]! - excessSum[a]! / excessN[a]! || a - b);
    const topN = Math.max(0, Math.floor(p('top_n')));
    const mean = (j: number): number => round(excessSum[j]! / excessN[j]!, 3);
    const share = (j: number): number => round(hottest[j]! / evaluated, 4);
    const ranking = order.slice(0, topN).map((j) => `sensor ${j} ${mean(j) >= 0 ? '+' : ''}${mean(j)} K (hottest ${round(share(j) * 100, 1)} %)`);
    const top = order[0]!;
    const metrics: Record<string, number | string | null> = {
      max_spread_K: round(maxSpread, 3),
      max_spread_t_s: round(binTime(bins, maxSpreadB), 1),
      max_spread_hottest_sensor: maxHot,
      max_spread_coldest_sensor: maxCold,
      hotspot_ranking: ranking.join('; '),
      hotspot_sensor: top,
      hotspot_mean_excess_K: mean(top),
      hotspot_hottest_share: share(top),
    };
    const infoT = profile.threshold(`${ID}.hotspot_info_K`, 'K');
    if (mean(top) >= (infoT.value ?? Infinity)) {
      out.push(
        finding({
          check: ID,
          severity: 'info',
          t_start_s: round(bins.t0_s, 3),
          t_end_s: round(binTime(bins, nb - 1), 3),
          subject: `sensor ${top}`,
          message: `hotspot: sensor ${top} ran ${mean(top)} K above the median of the sensors on average and was the hottest ${round(share(top) * 100, 1)} % of the time`,
          evidence: { mean_excess_K: mean(top), hottest_share: share(top), ranking: ranking.join('; ') },
          threshold: infoT,
        }),
      );
    }
    return { evaluable: true, findings: capFindings(ID, out, p('max_findings')), metrics };
  },
};
