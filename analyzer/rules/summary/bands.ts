/**
 * summary.bands — time the pack spent in SOC bands and in temperature bands (metrics for the
 * report's `summary`; no findings).
 *
 * How: each PACK_STATUS row holds until the next one (left rectangles), never across a gap (the
 * next row further than `gap_factor` × the median PACK_STATUS period: that time is not counted).
 * SOC is the BMS's estimate, in bands of `soc_band_pct` (0–10, 10–20 … 90–100 %; below 0 counts in
 * the first, above 100 in the last). Temperature is the hottest sensor (PACK_STATUS
 * temperatureMax_C, or the hottest TEMPERATURES reading of the row where the status has none), in
 * bands below `temperature_low_C`, every `temperature_step_C` up to `temperature_high_C`, and
 * above it (defaults: < 0, 0–10, 10–20, 20–30, 30–40, 40–45, > 45 °C: 45 °C is where natrium's
 * BMS starts derating the charge current for temperature).
 *
 * Metrics: per band `soc_<lo>_<hi>_pct_s` and `_share`, `temperature_<lo>_<hi>_C_s` and `_share`
 * (`below_<lo>`, `above_<hi>` at the ends, `minus` for a negative edge); soc_time_s and
 * temperature_time_s (the time the shares are of).
 *
 * Not evaluable: no PACK_STATUS row with a SOC or a temperature, or no interval within the gap
 * limit.
 */
import { type EvidenceValue, round } from '../../findings.ts';
import { Present } from '../../timeline/store.ts';
import { medianPeriod } from '../intervals.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';

const ID = 'summary.bands';
const PCT = 100;

/** An edge in a metric name: 10 → "10", -10 → "minus10", 2.5 → "2p5". */
function edge(x: number): string {
  const s = String(round(Math.abs(x), 3)).replace('.', 'p');
  return x < 0 ? `minus${s}` : s;
}

/** The edge an `edge()` name part stands for, as text ("minus10" → "-10", "2p5" → "2.5"); null for any other part. */
export function edgeOfName(part: string): string | null {
  const m = /^(minus)?(\d+)(?:p(\d+))?$/.exec(part);
  return m ? `${m[1] ? '-' : ''}${m[2]}${m[3] ? `.${m[3]}` : ''}` : null;
}

export const bands: Rule = {
  id: ID,
  group: 'summary',
  title: 'Time in SOC and temperature bands',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    const p = (k: string): number => profile.num(`${ID}.${k}`);
    const period = medianPeriod(tl, Present.STATUS);
    if (!(period > 0)) return notEvaluable('fewer than two PACK_STATUS rows');
    const maxGap = p('gap_factor') * period;
    const socStep = p('soc_band_pct') / PCT;
    const nSoc = Math.max(1, Math.ceil(1 / socStep - 1e-9));
    const lo = p('temperature_low_C'),
      hi = p('temperature_high_C'),
      step = p('temperature_step_C');
    // temperature edges lo, lo+step, … < hi, hi; bands: below lo, between edges, above hi
    const edges: number[] = [];
    for (let x = lo; x < hi - 1e-9; x += step) edges.push(x);
    edges.push(hi);
    const nT = edges.length + 1;
    const socTime = new Float64Array(nSoc);
    const tempTime = new Float64Array(nT);
    const ts = tl.t_s;
    const z = tl.pack.soc;
    const tMax = tl.pack.temperatureMax_C;
    let socTotal = 0,
      tempTotal = 0;
    let prev = -1;
    for (let r = 0; r < tl.length; r++) {
      if ((tl.present[r]! & Present.STATUS) === 0) continue;
      if (prev >= 0) {
        const dt = ts[r]! - ts[prev]!;
        if (dt <= maxGap) {
          const s = z[prev]!;
          if (s === s) {
            let k = Math.floor(s / socStep);
            if (k < 0) k = 0;
            else if (k >= nSoc) k = nSoc - 1;
            socTime[k]! += dt;
            socTotal += dt;
          }
          const T = hottest(tl, prev, tMax[prev]!);
          if (T === T) {
            let k = 0;
            while (k < edges.length && T >= edges[k]!) k++;
            tempTime[k]! += dt;
            tempTotal += dt;
          }
        }
      }
      prev = r;
    }
    if (socTotal === 0 && tempTotal === 0) return notEvaluable('no PACK_STATUS interval (within the gap limit) with a SOC or a temperature');
    const metrics: Record<string, EvidenceValue> = { soc_time_s: round(socTotal, 1), temperature_time_s: round(tempTotal, 1) };
    for (let k = 0; k < nSoc; k++) {
      const name = `soc_${edge(round(k * socStep * PCT, 3))}_${edge(round(Math.min(1, (k + 1) * socStep) * PCT, 3))}_pct`;
      metrics[`${name}_s`] = socTotal > 0 ? round(socTime[k]!, 1) : null;
      metrics[`${name}_share`] = socTotal > 0 ? round(socTime[k]! / socTotal, 4) : null;
    }
    for (let k = 0; k < nT; k++) {
      const name =
        k === 0
          ? `temperature_below_${edge(edges[0]!)}_C`
          : k === nT - 1
            ? `temperature_above_${edge(hi)}_C`
            : `temperature_${edge(edges[k - 1]!)}_${edge(edges[k]!)}_C`;
      metrics[`${name}_s`] = tempTotal > 0 ? round(tempTime[k]!, 1) : null;
      metrics[`${name}_share`] = tempTotal > 0 ? round(tempTime[k]! / tempTotal, 4) : null;
    }
    return { evaluable: true, findings: [], metrics };
  },
};

/** The hottest temperature of a row: PACK_STATUS's, else the row's sensors' (NaN without any). */
function hottest(tl: RuleContext['tl'], r: number, status_C: number): number {
  if (status_C === status_C) return status_C;
  if ((tl.present[r]! & Present.TEMPERATURES) === 0) return NaN;
  let m = NaN;
  for (let j = 0; j < tl.nt; j++) {
    const y = tl.temperature_C[j]![r]!;
    if (y === y && !(y <= m)) m = y;
  }
  return m;
}
