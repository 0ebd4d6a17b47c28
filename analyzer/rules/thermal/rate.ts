/**
 * thermal.rate — how fast each temperature sensor heats (dT/dt), over sliding windows.
 *
 * How: the sensors' readings in bins of `bin_s` (internal/bins.ts: never shorter than the
 * TEMPERATURES period; readings the device flags NTC_OPEN / NTC_SHORT dropped) and the
 * least-squares slope of each sensor over the last `window_short_s` (at every bin) and the last
 * `window_long_s` (12 times per window length). A regression, not a difference of two readings: 0.1 °C noise and resolution at
 * 10 Hz would fake rates of tens of K/min between neighbours, and even over 10 s it stays around
 * 0.7 K/min (1 σ), so the short window's thresholds sit far above that. A window needs
 * `min_coverage` of its bins with data (no rate over a gap), and none reaches back across a device
 * restart (the temperatures moved by an unknown time meanwhile). Only heating is judged; a fast fall
 * is a sensor or a coolant event, not a thermal risk.
 *
 * Thresholds (profile, K/min): `warning_long_K_per_min` 5 and `error_long_K_per_min` 15 over the
 * long window (60 s): at its rated peak current the prismatic Na-ion cell heats at most about
 * 7 K/min even with no cooling at all (I²R + hysteresis heat / heat capacity, sim/chemistry), so
 * 5 K/min sustained for a minute is more than normal use and 15 K/min is a runaway precursor;
 * `warning_short_K_per_min` 20 and `error_short_K_per_min` 60 over the short window (10 s): 60
 * K/min is GB 38031-2025's thermal-runaway warning rate (dT/dt ≥ 1 °C/s). An episode is a run of
 * flagged windows of one sensor (joined over `join_s`), at least `min_duration_s` long; one finding
 * per sensor and episode (warning, error when a window reached an error threshold), the time range
 * from the centre of its first flagged window to the centre of its last (so within half a window
 * of when the heating began and ended). At most `max_findings`, then one "and N more".
 *
 * Metrics: the highest rate of each window length, its sensor and time.
 *
 * Not evaluable: no temperature sensor, or the session (or its data) too short for one short window.
 */
import { type Finding, type Threshold, finding, round } from '../../findings.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { binTime, thermalBins } from './internal/bins.ts';
import { EpisodeTracker } from './internal/episodes.ts';
import { capFindings } from '../cap.ts';

const ID = 'thermal.rate';
const S_PER_MIN = 60;
/** The long window's slope is evaluated this many times per window length (its sums move every bin). */
const LONG_EVALUATIONS_PER_WINDOW = 12;

export const rate: Rule = {
  id: ID,
  group: 'thermal',
  title: 'Temperature rise rate (dT/dt) per sensor',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    const p = (k: string): number => profile.num(`${ID}.${k}`);
    const bins = thermalBins(tl, p('bin_s'), p('sensor_fault_margin_s'));
    if (bins === null) return notEvaluable('no temperature sensors (no TEMPERATURES received)');
    const { nb, nt, T_C, bin_s } = bins;
    const wS = Math.max(2, Math.round(p('window_short_s') / bin_s));
    const wL = Math.max(2, Math.round(p('window_long_s') / bin_s));
    if (nb < wS) return notEvaluable(`the session (${round(nb * bin_s, 1)} s) is shorter than one ${round(wS * bin_s, 1)} s window`);
    const needS = Math.ceil(p('min_coverage') * wS);
    const needL = Math.ceil(p('min_coverage') * wL);
    const warnS = profile.threshold(`${ID}.warning_short_K_per_min`, 'K/min');
    const errS = profile.threshold(`${ID}.error_short_K_per_min`, 'K/min');
    const warnL = profile.threshold(`${ID}.warning_long_K_per_min`, 'K/min');
    const errL = profile.threshold(`${ID}.error_long_K_per_min`, 'K/min');
    // thresholds as slopes in K per bin
    const perBin = bin_s / S_PER_MIN;
    const wsS = (warnS.value ?? Infinity) * perBin,
      esS = (errS.value ?? Infinity) * perBin;
    const wsL = (warnL.value ?? Infinity) * perBin,
      esL = (errL.value ?? Infinity) * perBin;

    const short = new EpisodeTracker(nt, p('join_s'));
    const long = new EpisodeTracker(nt, p('join_s'));
    const lStep = Math.max(1, Math.round(wL / LONG_EVALUATIONS_PER_WINDOW));
    const best = { maxS: -Infinity, maxSj: -1, maxSb: -1, maxL: -Infinity, maxLj: -1, maxLb: -1, windows: 0 };
    const halfS = ((wS - 1) / 2) * bin_s,
      halfL = ((wL - 1) / 2) * bin_s;
    const tBin0 = binTime(bins, 0);
    const params: RateParams = { wS, wL, needS, needL, lStep, wsS, esS, wsL, esL, t0: tBin0 - halfS, t0L: tBin0 - halfL, bin_s, epochStart: bins.epochStart };
    const res = new Float64Array(5);
    for (let j = 0; j < nt; j++) {
      sensorRates(T_C[j]!, j, nb, params, short, long, res);
      if (res[0]! > best.maxS) {
        best.maxS = res[0]!;
        best.maxSj = j;
        best.maxSb = res[1]!;
      }
      if (res[2]! > best.maxL) {
        best.maxL = res[2]!;
        best.maxLj = j;
        best.maxLb = res[3]!;
      }
      best.windows += res[4]!;
    }
    const { maxS, maxSj, maxSb, maxL, maxLj, maxLb, windows } = best;
    if (windows === 0)
      return notEvaluable(`no ${round(wS * bin_s, 1)} s window with ${Math.round(p('min_coverage') * 100)} % of its bins holding temperatures`);
    const toRate = (slope: number): number => round((slope / bin_s) * S_PER_MIN, 3);
    const metrics: Record<string, number | string | null> = {
      window_short_s: wS * bin_s,
      window_long_s: wL * bin_s,
      max_rate_short_K_per_min: toRate(maxS),
      max_rate_short_sensor: maxSj,
      max_rate_short_t_s: round(binTime(bins, maxSb) - halfS, 1),
      max_rate_long_K_per_min: maxL > -Infinity ? toRate(maxL) : null,
      max_rate_long_sensor: maxL > -Infinity ? maxLj : null,
      max_rate_long_t_s: maxL > -Infinity ? round(binTime(bins, maxLb) - halfL, 1) : null,
    };

    // one episode per sensor: the short and long windows' flags together
    const minDur = p('min_duration_s');
    const merged = mergeEpisodes(short.finish(), long.finish(), p('join_s'));
    const out: Finding[] = [];
    for (const e of merged) {
      if (e.t_end_s - e.t_start_s < minDur) continue;
      const error = e.levelS > 0 || e.levelL > 0;
      // the threshold reported: the one the episode crossed at its worst
      let th: Threshold;
      if (error) th = e.levelL > 0 ? errL : errS;
      else th = e.peakL >= wsL ? warnL : warnS;
      const rS = e.peakS > -Infinity ? toRate(e.peakS) : null;
      const rL = e.peakL > -Infinity ? toRate(e.peakL) : null;
      const parts: string[] = [];
      if (rL !== null) parts.push(`${rL} K/min over ${wL * bin_s} s`);
      if (rS !== null) parts.push(`${rS} K/min over ${wS * bin_s} s`);
      out.push(
        finding({
          check: ID,
          severity: error ? 'error' : 'warning',
          t_start_s: round(e.t_start_s, 3),
          t_end_s: round(e.t_end_s, 3),
          subject: `sensor ${e.subject}`,
          message: `sensor ${e.subject} heated at up to ${parts.join(' and ')} (${error ? 'error' : 'warning'} from ${th.value} K/min)`,
          evidence: {
            max_rate_short_K_per_min: rS,
            max_rate_long_K_per_min: rL,
            t_peak_s: round(e.tPeak_s, 1),
          },
          threshold: th,
        }),
      );
    }
    return { evaluable: true, findings: capFindings(ID, out, p('max_findings')), metrics };
  },
};

interface RateParams {
  wS: number;
  wL: number;
  needS: number;
  needL: number;
  lStep: number;
  /** Warning and error slopes, K per bin. */
  wsS: number;
  esS: number;
  wsL: number;
  esL: number;
  /** Centre time of the window ending at bin 0, short and long, s. */
  t0: number;
  t0L: number;
  bin_s: number;
  /** ThermalBins.epochStart (null without device restarts). */
  epochStart: Int32Array | null;
}

/**
 * One sensor's sliding least-squares slopes (x = bin index) over the short window (every bin) and
 * the long one (every lStep bins): running sums in locals, and no division unless a slope beats
 * the maximum or a threshold (slope ≥ s ⇔ numerator ≥ s · denominator, the denominator > 0).
 * Results go to `out` (max short slope, its bin, max long slope, its bin, windows): no property
 * access after the loop, which would deoptimise its on-stack-replaced code at every call.
 */
function sensorRates(y: Float32Array, j: number, nb: number, c: RateParams, short: EpisodeTracker, long: EpisodeTracker, out: Float64Array): void {
  const { wS, wL, needS, needL, lStep, wsS, esS, wsL, esL, bin_s } = c;
  let sN = 0,
    sX = 0,
    sXX = 0,
    sY = 0,
    sXY = 0;
  let lN = 0,
    lX = 0,
    lXX = 0,
    lY = 0,
    lXY = 0;
  // locals only in the loop (a property write on a rare path would deoptimise it)
  let maxS = -Infinity,
    maxSb = -1,
    maxL = -Infinity,
    maxLb = -1,
    windows = 0;
  const es = c.epochStart;
  for (let b = 0; b < nb; b++) {
    // a window reaching back across a device restart is not judged (the sums stay exact)
    const start = es === null ? 0 : es[b]!;
    const v = y[b]!;
    if (v === v) {
      sN++;
      sX += b;
      sXX += b * b;
      sY += v;
      sXY += b * v;
      lN++;
      lX += b;
      lXX += b * b;
      lY += v;
      lXY += b * v;
    }
    if (b >= wS) {
      const yo = y[b - wS]!;
      if (yo === yo) {
        const x = b - wS;
        sN--;
        sX -= x;
        sXX -= x * x;
        sY -= yo;
        sXY -= x * yo;
      }
    }
    if (b >= wL) {
      const yo = y[b - wL]!;
      if (yo === yo) {
        const x = b - wL;
        lN--;
        lX -= x;
        lXX -= x * x;
        lY -= yo;
        lXY -= x * yo;
      }
    }
    if (sN >= needS && b - wS + 1 >= start) {
      windows++;
      const num = sN * sXY - sX * sY;
      const den = sN * sXX - sX * sX;
      if (num > maxS * den) {
        maxS = num / den;
        maxSb = b;
      }
      if (num >= wsS * den) {
        const slope = num / den;
        short.flag(j, c.t0 + b * bin_s, slope, 0, slope >= esS ? 1 : 0);
      }
    }
    if (lN >= needL && b % lStep === 0 && b - wL + 1 >= start) {
      const num = lN * lXY - lX * lY;
      const den = lN * lXX - lX * lX;
      if (num > maxL * den) {
        maxL = num / den;
        maxLb = b;
      }
      if (num >= wsL * den) {
        const slope = num / den;
        long.flag(j, c.t0L + b * bin_s, slope, 0, slope >= esL ? 1 : 0);
      }
    }
  }
  out[0] = maxS;
  out[1] = maxSb;
  out[2] = maxL;
  out[3] = maxLb;
  out[4] = windows;
}

interface Merged {
  subject: number;
  t_start_s: number;
  t_end_s: number;
  tPeak_s: number;
  peakS: number;
  peakL: number;
  levelS: number;
  levelL: number;
}

/** Episodes of the two window lengths, joined per sensor where they overlap or lie within join_s. */
function mergeEpisodes(short: ReturnType<EpisodeTracker['finish']>, long: ReturnType<EpisodeTracker['finish']>, join_s: number): Merged[] {
  const all = [...short.map((e) => ({ e, isShort: true })), ...long.map((e) => ({ e, isShort: false }))].sort(
    (a, b) => a.e.subject - b.e.subject || a.e.t_start_s - b.e.t_start_s,
  );
  const out: Merged[] = [];
  for (const { e, isShort } of all) {
    const prev = out[out.length - 1];
    const m: Merged =
      prev && prev.subject === e.subject && e.t_start_s - prev.t_end_s <= join_s
        ? prev
        : { subject: e.subject, t_start_s: e.t_start_s, t_end_s: e.t_end_s, tPeak_s: e.tPeak_s, peakS: -Infinity, peakL: -Infinity, levelS: 0, levelL: 0 };
    if (m !== prev) out.push(m);
    m.t_start_s = Math.min(m.t_start_s, e.t_start_s);
    m.t_end_s = Math.max(m.t_end_s, e.t_end_s);
    if (isShort) {
      if (e.peak > m.peakS) m.peakS = e.peak;
      m.levelS = Math.max(m.levelS, e.level);
    } else {
      if (e.peak > m.peakL) {
        m.peakL = e.peak;
        m.tPeak_s = e.tPeak_s;
      }
      m.levelL = Math.max(m.levelL, e.level);
    }
  }
  return out.sort((a, b) => a.t_start_s - b.t_start_s || a.subject - b.subject);
}
