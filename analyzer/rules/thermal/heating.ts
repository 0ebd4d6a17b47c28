/**
 * thermal.heating — the measured temperature rise against the heat the current makes.
 *
 * How: over sliding windows of `window_s` (every `hop_s`), on the thermal bins (internal/bins.ts):
 * - the heat one cell should make, Q = Σ q·Δt with q from the chemistry (internal/heat.ts:
 *   I²·(R0 + ΣR_j) + M·|I| + I·T·dU/dT, per cell I = I_pack / np from INFO, R at the bin's SOC
 *   estimate and mean sensor temperature), and the rise it gives with no cooling at all,
 *   ΔT_ad = Q / C (C the chemistry's heat capacity per cell). The chemistry's resistance, not the
 *   DC step resistance summary.resistance measures: that one includes the cell connections (whose
 *   heat stays out of the cell) and misses the RC branches' heat;
 * - the measured rise of each sensor over the window (least-squares slope × window: robust to the
 *   0.1 °C noise), and of the pack (median of the sensors).
 * Cooling only removes heat, so a rise beyond ΔT_ad needs a heat source the current does not
 * explain. Three outcomes:
 * - local excess → warning (subject the sensor): the sensor rose ≥ `excess_factor` × ΔT_ad and
 *   ≥ `excess_min_K` more than both ΔT_ad and the pack's median rise: heat made at that cell —
 *   an internal short or a bad connection — or a sensor reading wrong (fault-cell-internal-short,
 *   fault-ntc-drift).
 * - pack-wide excess → info (subject "pack"): the median rise is ≥ `excess_factor` × ΔT_ad and
 *   ≥ `excess_min_K` above it. The whole pack gaining heat evenly comes from outside: the air or
 *   coolant warmer than the pack (fault-ambient-heat-wave, a hot parking lot). Telemetry carries
 *   no ambient or coolant temperature, so this cannot be told from a failed heater or a hot sink
 *   and is reported, not judged.
 * - no heat removed → warning (subject "pack"): ΔT_ad ≥ `no_cooling_min_rise_K` (the current
 *   really heats), the median rise reached `no_cooling_ratio` × ΔT_ad (nearly adiabatic), and the
 *   pack sat ≥ `no_cooling_above_K` above its coolest temperature so far in the session (so the
 *   sink, which is no warmer than that coolest point unless the surroundings warmed up, should
 *   have been taking heat): cooling failure (fault-cooling-failure). The clean presets remove a
 *   third to a half of their heat in such windows (fast-charge-3c: ratio 0.45–0.63). If the
 *   surroundings warm up during a hard charge this reads as missing cooling too — which, for the
 *   pack, it is.
 * A window that reaches back across a device restart is not judged (the temperatures moved for
 * an unknown time meanwhile). Windows joined over `join_s` are one episode (time range: start of the first window to the end
 * of the last; for a local excess, from where in its first window the sensor began to run away
 * from the median of the sensors, by a flat-then-rising fit, evidence `onset: "fit"`); at most
 * `max_findings`, then one "and N more".
 *
 * Metrics: windows judged, the highest ratio of measured to expected rise (pack median) where
 * the expected rise was at least `no_cooling_min_rise_K`, and the session's total expected heat.
 *
 * Not evaluable: no chemistry (resistance, heat capacity), no INFO (cells in parallel), no
 * temperature sensors, no current, or no window of `window_s` with `min_coverage` of its bins
 * holding both.
 */
import { type Finding, finding, round } from '../../findings.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { binTime, runStart, thermalBins } from './internal/bins.ts';
import { median } from '../select.ts';
import { EpisodeTracker } from './internal/episodes.ts';
import { capFindings } from '../cap.ts';
import { HeatModel } from './internal/heat.ts';

const ID = 'thermal.heating';
/** SOC used for the tables where the BMS sent none (the middle of the tables, where they are flattest). */
const SOC_UNKNOWN = 0.5;
const PACK = 0;

export const heating: Rule = {
  id: ID,
  group: 'thermal',
  title: 'Heating against the I²R expectation',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile, chemistry, info } = ctx;
    const p = (k: string): number => profile.num(`${ID}.${k}`);
    if (chemistry === null) return notEvaluable('no chemistry known for the device: no resistance or heat capacity to expect heat from');
    if (info === null || !(info.np >= 1)) return notEvaluable('no INFO: the cells in parallel (current per cell) are unknown');
    const bins = thermalBins(tl, p('bin_s'), p('sensor_fault_margin_s'));
    if (bins === null) return notEvaluable('no temperature sensors (no TEMPERATURES received)');
    const { nb, nt, T_C, bin_s } = bins;
    const w = Math.max(2, Math.round(p('window_s') / bin_s));
    const hop = Math.max(1, Math.round(p('hop_s') / bin_s));
    if (nb < w) return notEvaluable(`the session (${round(nb * bin_s, 1)} s) is shorter than one ${round(w * bin_s, 1)} s window`);
    const need = Math.ceil(p('min_coverage') * w);
    const model = new HeatModel(chemistry);
    const C = model.heatCapacity_J_per_K;
    const np = info.np;
    const factor = p('excess_factor');
    const excessT = profile.threshold(`${ID}.excess_min_K`, 'K');
    const excessMin = excessT.value ?? Infinity;
    const ncRatioT = profile.threshold(`${ID}.no_cooling_ratio`, '');
    const ncRatio = ncRatioT.value ?? Infinity;
    const ncMin = p('no_cooling_min_rise_K');
    const ncAbove = p('no_cooling_above_K');
    const W_s = w * bin_s;

    // per bin: expected heat of one cell (J), from the pack's mean temperature
    const { valid, mean_C: Tpack } = bins;
    const heat_J = new Float64Array(nb);
    let totalHeat_J = 0;
    for (let b = 0; b < nb; b++) {
      const T = Tpack[b]!;
      const I = bins.current_A[b]!;
      const z = bins.soc[b]! === bins.soc[b]! ? bins.soc[b]! : SOC_UNKNOWN;
      const q = T === T && I === I ? model.heat_W(I / np, bins.absCurrent_A[b]! / np, bins.current2_A2[b]! / (np * np), z, T) * bin_s : NaN;
      heat_J[b] = q;
      if (q === q) totalHeat_J += q;
    }

    // the windows (b - w, b] judged: every hop bins once a whole window lies behind
    const ends: number[] = [];
    for (let b = w - 1; b < nb; b += hop) ends.push(b);
    const nw = ends.length;
    // each sensor's rise over each window (least-squares slope × window), sensor by sensor
    const rises = new Float32Array(nw * nt).fill(NaN);
    for (let j = 0; j < nt; j++) windowRises(T_C[j]!, j, nt, w, hop, need, nb, rises);

    const scratch = new Float64Array(nt);
    const local = new EpisodeTracker(nt, p('join_s'));
    const packWide = new EpisodeTracker(1, p('join_s'));
    const noCooling = new EpisodeTracker(1, p('join_s'));
    let judged = 0;
    let maxRatio = -Infinity,
      maxRatioT = NaN;
    let coolest = Infinity;
    let cursor = 0; // bins before it are in `coolest`
    for (let k = 0; k < nw; k++) {
      const b = ends[k]!;
      const first = b - w + 1;
      if (first < runStart(bins, b)) continue; // across a device restart: the temperatures moved for an unknown time
      for (; cursor < first; cursor++) if (Tpack[cursor]! < coolest) coolest = Tpack[cursor]!;
      let qSum = 0,
        qN = 0,
        tSum = 0,
        tN = 0,
        tFirst = NaN;
      for (let i = first; i <= b; i++) {
        const q = heat_J[i]!;
        if (q === q) {
          qSum += q;
          qN++;
        }
        const T = Tpack[i]!;
        if (T === T && valid[i]! > 0) {
          tSum += T;
          tN++;
          if (tFirst !== tFirst) tFirst = T;
        }
      }
      if (qN < need || tN === 0) continue;
      let m = 0;
      const o = k * nt;
      for (let j = 0; j < nt; j++) {
        const r = rises[o + j]!;
        if (r === r) scratch[m++] = r;
      }
      if (m === 0) continue;
      judged++;
      const t = binTime(bins, b) + bin_s / 2;
      const expected = (qSum * w) / qN / C;
      const med = median(scratch, m);
      const above = tSum / tN - Math.min(coolest, tFirst);
      if (expected >= ncMin && med / expected > maxRatio) {
        maxRatio = med / expected;
        maxRatioT = t;
      }
      const base = Math.max(expected, 0);
      const packExcess = med >= factor * base && med - expected >= excessMin;
      if (packExcess) packWide.flag(PACK, t, med, expected, 0);
      if (!packExcess && expected >= ncMin && med >= ncRatio * expected && above >= ncAbove) noCooling.flag(PACK, t, med / expected, above, 0);
      const ref = Math.max(med, expected);
      for (let j = 0; j < nt; j++) {
        const r = rises[o + j]!;
        if (r === r && r >= factor * base && r - expected >= excessMin && r - ref >= excessMin) local.flag(j, t, r, expected, 0);
      }
    }
    if (judged === 0)
      return notEvaluable(`no ${round(W_s, 1)} s window with ${Math.round(p('min_coverage') * 100)} % of its bins holding current and temperatures`);

    const out: Finding[] = [];
    for (const e of local.finish()) {
      // the first flagged window ends at the episode's start; where in it the sensor left the pack
      const bEnd = Math.round((e.t_start_s - bin_s / 2 - bins.t0_s) / bin_s);
      const onset = onsetBin(T_C[e.subject]!, bins.median_C, Math.max(bEnd - w + 1, runStart(bins, bEnd)), bEnd);
      out.push(
        finding({
          check: ID,
          severity: 'warning',
          t_start_s: round(onset < 0 ? e.t_start_s - W_s : bins.t0_s + onset * bin_s, 3),
          t_end_s: round(e.t_end_s, 3),
          subject: `sensor ${e.subject}`,
          message: `sensor ${e.subject} rose ${round(e.peak, 2)} K in ${W_s} s where the current's heat explains ${round(e.aux, 2)} K even with no cooling, and more than the pack: heat made at that cell (internal short, bad connection) or a sensor reading wrong`,
          evidence: {
            max_rise_K: round(e.peak, 3),
            expected_rise_K: round(e.aux, 3),
            window_s: W_s,
            t_peak_s: round(e.tPeak_s, 1),
            onset: onset < 0 ? 'window' : 'fit',
          },
          threshold: excessT,
        }),
      );
    }
    for (const e of packWide.finish()) {
      out.push(
        finding({
          check: ID,
          severity: 'info',
          t_start_s: round(e.t_start_s - W_s, 3),
          t_end_s: round(e.t_end_s, 3),
          subject: 'pack',
          message: `the whole pack rose up to ${round(e.peak, 2)} K in ${W_s} s where the current's heat explains ${round(e.aux, 2)} K: heat from outside (air or coolant warmer than the pack); the telemetry has no ambient temperature, so this is reported, not judged`,
          evidence: { max_rise_K: round(e.peak, 3), expected_rise_K: round(e.aux, 3), window_s: W_s, t_peak_s: round(e.tPeak_s, 1) },
          threshold: excessT,
        }),
      );
    }
    for (const e of noCooling.finish()) {
      out.push(
        finding({
          check: ID,
          severity: 'warning',
          t_start_s: round(e.t_start_s - W_s, 3),
          t_end_s: round(e.t_end_s, 3),
          subject: 'pack',
          message: `the pack heated as if it had no cooling: up to ${round(e.peak * 100, 1)} % of the rise the current's heat gives with none removed, while ${round(e.aux, 1)} K above its coolest point of the session: cooling failure (pump, fan, blocked flow) or a sink as warm as the pack`,
          evidence: { max_ratio: round(e.peak, 3), above_coolest_K: round(e.aux, 2), window_s: W_s, t_peak_s: round(e.tPeak_s, 1) },
          threshold: ncRatioT,
        }),
      );
    }
    const metrics: Record<string, number | null> = {
      heating_windows: judged,
      heating_window_s: W_s,
      max_heating_ratio: maxRatio > -Infinity ? round(maxRatio, 3) : null,
      max_heating_ratio_t_s: maxRatio > -Infinity ? round(maxRatioT, 1) : null,
      expected_heat_per_cell_kJ: round(totalHeat_J / 1000, 3),
    };
    return { evaluable: true, findings: capFindings(ID, out, p('max_findings')), metrics };
  },
};

/** Fewest bins on each side of an onset for the fit to place it. */
const ONSET_MIN_BINS = 3;

/**
 * Where in bins [b0, b1] a sensor began to run away from the pack: the hinge of the best
 * least-squares fit of "flat, then a straight rise" to the sensor's excess over the median of the
 * sensors (the common heating of the pack taken out), as the bin where the rise starts; -1 when
 * the bins are too few or the best fit does not rise. Used for the start of a local-excess
 * episode, which otherwise is the start of its first flagged window: a whole window (120 s) before
 * the data showed anything (fault-ntc-drift's drift from 60 s was reported from 0 s).
 */
function onsetBin(y: Float32Array, med: Float64Array, b0: number, b1: number): number {
  const n = b1 - b0 + 1;
  if (n < 2 * ONSET_MIN_BINS) return -1;
  const e = new Float64Array(n).fill(NaN);
  let valid = 0;
  for (let i = 0; i < n; i++) {
    const v = y[b0 + i]! - med[b0 + i]!;
    if (v === v) {
      e[i] = v;
      valid++;
    }
  }
  if (valid < 2 * ONSET_MIN_BINS) return -1;
  let best = -1;
  let bestSse = Infinity;
  for (let h = ONSET_MIN_BINS; h <= n - ONSET_MIN_BINS; h++) {
    // e ≈ a + s·max(0, i − h): least squares in (a, s)
    let m = 0,
      sx = 0,
      sxx = 0,
      sy = 0,
      sxy = 0,
      syy = 0;
    for (let i = 0; i < n; i++) {
      const v = e[i]!;
      if (v !== v) continue;
      const x = i > h ? i - h : 0;
      m++;
      sx += x;
      sxx += x * x;
      sy += v;
      sxy += x * v;
      syy += v * v;
    }
    const det = m * sxx - sx * sx;
    if (!(det > 0)) continue;
    const slope = (m * sxy - sx * sy) / det;
    if (!(slope > 0)) continue;
    const a = (sy - slope * sx) / m;
    const sse = syy - a * sy - slope * sxy;
    if (sse < bestSse) {
      bestSse = sse;
      best = h;
    }
  }
  return best < 0 ? -1 : b0 + best;
}

/**
 * One sensor's rise over each judged window (the windows ending at bins w-1, w-1+hop, …): the
 * least-squares slope over the window's valid bins × the window length, when at least `need` of
 * them are valid (else NaN). Running sums in locals, moved every bin.
 */
function windowRises(y: Float32Array, j: number, nt: number, w: number, hop: number, need: number, nb: number, rises: Float32Array): void {
  let n = 0,
    sx = 0,
    sxx = 0,
    sy = 0,
    sxy = 0;
  for (let b = 0, k = 0; b < nb; b++) {
    const v = y[b]!;
    if (v === v) {
      n++;
      sx += b;
      sxx += b * b;
      sy += v;
      sxy += b * v;
    }
    if (b >= w) {
      const yo = y[b - w]!;
      if (yo === yo) {
        const x = b - w;
        n--;
        sx -= x;
        sxx -= x * x;
        sy -= yo;
        sxy -= x * yo;
      }
    }
    if (b + 1 >= w && (b + 1 - w) % hop === 0) {
      if (n >= need) rises[k * nt + j] = ((n * sxy - sx * sy) / (n * sxx - sx * sx)) * w;
      k++;
    }
  }
}
