/**
 * reaction.gb38031_thermal_runaway — the thermal-runaway condition of GB 38031-2025 (Appendix C,
 * C.5.3.7) and the BMS's alarm: at a temperature sensor (a "monitoring point")
 *   c) dT/dt ≥ rise_rate_C_per_s (1 °C/s) held for more than rise_duration_s (3 s), together with
 *   a) a cell voltage more than voltage_drop_fraction (25 %) below its value before the rise, or
 *   b) the sensor reaching the maximum temperature: max_temperature_C, or when that is null the
 *      larger of INFO's MSL charge and discharge maximum temperatures (the standard says "the
 *      manufacturer's maximum operating temperature"; the MSL is the device's hard maximum), of
 *      the limits in force where the rise began (a capture may hold more than one set:
 *      envelope/internal/limits.ts limitEpochs);
 * a) or b) counting within coincidence_s of the rise. When the condition holds, the BMS must
 * have warned (an EVENT raised at WARNING or FATAL, or a non-zero warning or fault mask) no later
 * than warning_latency_s after it (GB 38031-2025 5.2.7 b) / C.1: a thermal-event alarm no later
 * than 5 min after thermal runaway; GB 38031-2020 asked for 5 min before a hazard).
 *
 * dT/dt is the least-squares slope over the samples of the last slope_window_s (≥ 1 s): at
 * 10 Hz with the emulator's 0.1 °C NTC noise a two-point difference would swing by ±2 °C/s,
 * the 2 s regression by about ±0.04 °C/s. One tight pass per sensor column, on a grid of
 * rise_duration_s / 4, looks for windows of rise_duration_s / 2 that rose by at least half of
 * rate × that (a cheap bound any true 1 °C/s held for 3 s meets); only around them are slopes
 * computed. Neither a slope window, nor a rise, nor the voltage before it reaches across a device
 * restart (the rows after one follow the last on the axis, but the downtime is unknown).
 *
 * Severity when the BMS did not warn in time: warning in the default profile, error in the
 * gb38031 profile (missed_is_error). A condition with a timely warning is an info finding (an
 * event worth seeing); one whose deadline is past the end of the capture without a warning yet
 * is info (not observable). Subject: the sensor; one finding per episode (merge_s).
 *
 * Not evaluable: no temperatures, or neither a) (no cell voltages) nor b) (no INFO and no
 * max_temperature_C) can be told.
 */
import { MessageType } from '../../../protocol/messages.ts';
import { type EvidenceValue, type Finding, finding, round } from '../../findings.ts';
import { Present, type Timeline } from '../../timeline/store.ts';
import type { Rule, RuleContext, RuleOutcome } from '../rule.ts';
import { notEvaluable } from '../rule.ts';
import { firstRise32, firstRise64 } from '../envelope/internal/episodes.ts';
import { epochOf, limitEpochs, periodOf } from '../envelope/internal/limits.ts';
import { capFindings } from '../cap.ts';
import { warningTime } from './internal/bms.ts';
import { gapsOf, runStartOf } from '../quality/internal/gaps.ts';

const ID = 'reaction.gb38031_thermal_runaway';
/** A rise of at least this share of rate × duration makes a window a candidate (a bound, see the header). */
const PREFILTER_SHARE = 0.5;

interface Params {
  window_s: number;
  rate: number;
  hold_s: number;
  drop: number;
  /** Condition b)'s maximum temperature at a row, °C (NaN: b) not judged). */
  tMaxAt: (r: number) => number;
  coincidence_s: number;
  latency_s: number;
  merge_s: number;
  maxGap_s: number;
  /** The device run of each row (quality/internal/gaps.ts), null without restarts. */
  epoch: Int32Array | null;
}

interface Condition {
  sensor: number;
  /** First and last sample of the rise (slope ≥ rate). */
  t_rise_s: number;
  t_rise_end_s: number;
  /** When c) was met (held for more than hold_s) and when the whole condition was. */
  t_c_s: number;
  t_confirm_s: number;
  maxSlope: number;
  how: 'voltage drop' | 'maximum temperature';
  cell: number;
  drop: number;
  peak_C: number;
  /** Condition b)'s maximum temperature where the rise began (NaN: not judged). */
  tMax_C: number;
}

export const gb38031ThermalRunaway: Rule = {
  id: ID,
  group: 'reaction',
  title: 'GB 38031-2025 thermal-runaway condition and the BMS alarm',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    const perSensor = tl.nt > 0 && (tl.received.get(MessageType.TEMPERATURES) ?? 0) > 0;
    const cols: (Float32Array | Float64Array)[] = perSensor ? tl.temperature_C : [tl.pack.temperatureMax_C];
    let anyT = false;
    for (let r = 0; r < tl.length && !anyT; r++) anyT = (tl.present[r]! & (Present.TEMPERATURES | Present.STATUS)) !== 0;
    if (!anyT) return notEvaluable('no temperatures: neither TEMPERATURES nor PACK_STATUS received');
    const maxT = profile.threshold(`${ID}.max_temperature_C`, '°C');
    // b)'s maximum: the profile's, else the MSL of the limits in force at each row
    const epochs = maxT.value === null ? limitEpochs(ctx) : [];
    const mslMax = epochs.map((e) => Math.max(e.limits.msl.chargeTemperatureMax_C, e.limits.msl.dischargeTemperatureMax_C));
    const tMaxAt = maxT.value !== null ? (): number => maxT.value! : (r: number): number => (epochs.length > 0 ? mslMax[epochOf(epochs, r)]! : NaN);
    const tMaxes = maxT.value !== null ? [maxT.value] : mslMax.filter((x, i) => mslMax.indexOf(x) === i);
    const tMax = tMaxes.length === 1 ? tMaxes[0]! : NaN;
    const anyTMax = tMaxes.some((x) => Number.isFinite(x));
    const tMaxSource = maxT.value !== null ? maxT.source : tMaxes.length > 1 ? `${ctx.limitsSource} MSL in force at each rise` : `${ctx.limitsSource} MSL`;
    const perCell = tl.ns > 0 && (tl.received.get(MessageType.CELL_VOLTAGES) ?? 0) > 0;
    const hasVoltage = perCell || (tl.received.get(MessageType.PACK_STATUS) ?? 0) > 0;
    if (!anyTMax && !hasVoltage)
      return notEvaluable('neither cell voltages (condition a) nor a maximum temperature (condition b: no INFO, max_temperature_C null)');
    const gaps = gapsOf(tl, profile);
    const p: Params = {
      window_s: Math.max(1, profile.num(`${ID}.slope_window_s`)),
      rate: profile.num(`${ID}.rise_rate_C_per_s`),
      hold_s: profile.num(`${ID}.rise_duration_s`),
      drop: profile.num(`${ID}.voltage_drop_fraction`),
      tMaxAt,
      coincidence_s: profile.num(`${ID}.coincidence_s`),
      latency_s: profile.num(`${ID}.warning_latency_s`),
      merge_s: profile.num(`${ID}.merge_s`),
      maxGap_s: profile.num(`${ID}.max_gap_s`),
      epoch: gaps.epoch,
    };
    const period_s = periodOf(tl, perSensor ? Present.TEMPERATURES : Present.STATUS);
    const vcols: (Float32Array | Float64Array)[] = perCell ? tl.cellVoltage_V : hasVoltage ? [tl.pack.cellVoltageMin_V] : [];
    const conditions: Condition[] = [];
    let rises = 0;
    // candidates: a rise of half of rate × (hold_s / 2) over hold_s / 2, looked at every hold_s / 4.
    // A rate ≥ 1 °C/s held for more than hold_s contains such a window on that grid, even with noise.
    const k = Math.max(1, Math.round(p.hold_s / 2 / period_s));
    const step = Math.max(1, k >> 1);
    const pre = PREFILTER_SHARE * p.rate * k * period_s;
    const n = tl.length;
    for (let j = 0; j < cols.length; j++) {
      const col = cols[j]!;
      const rise = col instanceof Float32Array ? firstRise32 : firstRise64;
      // one tight pass on a grid of `step` rows: candidate windows
      for (let r = rise(col, 0, n, k, pre, step); r < n; r = rise(col, r, n, k, pre, step)) {
        // a candidate region: extend while candidates keep coming within k rows
        const a = r;
        let b = r;
        for (r = r + 1; r < n && r <= b + k; r++) if (col[r]! - col[r - k]! >= pre) b = r;
        // slopes from before the region (the rise began up to hold_s + the window earlier)
        const from = a - 2 * k - Math.ceil(p.window_s / period_s);
        for (const c of rises_(tl, col, from, Math.min(n - 1, b + 2 * k), p)) {
          rises++;
          const cond = confirm(tl, col, vcols, perCell, j, c, p, runStartOf(tl, gaps, c.r0));
          if (cond !== null) conditions.push(cond);
        }
      }
    }
    // one finding per sensor episode
    conditions.sort((x, y) => x.sensor - y.sensor || x.t_confirm_s - y.t_confirm_s);
    const kept: Condition[] = [];
    for (const c of conditions) {
      const last = kept[kept.length - 1];
      if (last && last.sensor === c.sensor && c.t_rise_s - last.t_rise_end_s <= p.merge_s) {
        last.t_rise_end_s = Math.max(last.t_rise_end_s, c.t_rise_end_s);
        last.maxSlope = Math.max(last.maxSlope, c.maxSlope);
        last.peak_C = Math.max(last.peak_C, c.peak_C);
      } else kept.push(c);
    }
    const tEnd = n > 0 ? tl.t_s[n - 1]! : 0;
    const asError = profile.flag(`${ID}.missed_is_error`);
    const latency = profile.threshold(`${ID}.warning_latency_s`, 's');
    const findings: Finding[] = [];
    let missed = 0;
    let warned = 0;
    for (const c of kept) {
      const tw = warningTime(tl, null, c.t_confirm_s, c.t_confirm_s + p.latency_s, c.t_confirm_s - (c.t_rise_s - p.window_s), 3600);
      const ok = tw === -Infinity || (Number.isFinite(tw) && tw - c.t_confirm_s <= p.latency_s);
      const observable = c.t_confirm_s + p.latency_s <= tEnd;
      if (ok) warned++;
      else if (observable) missed++;
      const severity = ok || !observable ? 'info' : asError ? 'error' : 'warning';
      const lat = tw === -Infinity ? null : Number.isFinite(tw) ? round(tw - c.t_confirm_s, 3) : null;
      const evidence: Record<string, EvidenceValue> = {
        sensor: c.sensor < 0 ? null : c.sensor,
        t_rise_s: round(c.t_rise_s, 3),
        t_c_s: round(c.t_c_s, 3),
        t_confirm_s: round(c.t_confirm_s, 3),
        max_slope_C_per_s: round(c.maxSlope, 3),
        peak_C: round(c.peak_C, 2),
        by: c.how,
        cell: c.cell < 0 ? null : c.cell,
        voltage_drop: round(c.drop, 4),
        max_temperature_C: Number.isFinite(c.tMax_C) ? c.tMax_C : null,
        warned: ok,
        warning_latency_s: lat,
      };
      const subject = c.sensor < 0 ? 'pack temperature' : `sensor ${c.sensor}`;
      const cond = `dT/dt up to ${round(c.maxSlope, 2)} °C/s from ${round(c.t_rise_s, 2)} s, held over ${p.hold_s} s by ${round(c.t_c_s, 2)} s, with ${c.how === 'voltage drop' ? `cell ${c.cell} ${round(c.drop * 100, 1)} % below its voltage before the rise` : `the sensor at ${round(c.peak_C, 1)} °C (maximum ${c.tMax_C} °C)`}`;
      const outcome = ok
        ? lat === null
          ? 'the BMS was already warning'
          : `the BMS warned ${round(lat, 2)} s after`
        : observable
          ? `no BMS warning within ${p.latency_s} s`
          : `no BMS warning before the capture ends (${round(tEnd - c.t_confirm_s, 1)} s < ${p.latency_s} s)`;
      findings.push(
        finding({
          check: ID,
          severity,
          t_start_s: c.t_rise_s,
          t_end_s: Math.max(c.t_rise_end_s, c.t_confirm_s),
          subject,
          message: `GB 38031-2025 thermal-runaway condition at ${subject} (${round(c.t_confirm_s, 2)} s): ${cond}; ${outcome}`,
          evidence,
          threshold:
            ok || !observable ? { value: p.rate, unit: '°C/s', source: profile.source(`${ID}.rise_rate_C_per_s`) } : { ...latency, value: p.latency_s },
        }),
      );
    }
    return {
      evaluable: true,
      findings: capFindings(ID, findings, profile.num(`${ID}.max_findings`)),
      metrics: {
        rises: rises,
        conditions: kept.length,
        warned,
        missed,
        max_temperature_C: Number.isFinite(tMax) ? tMax : null,
        max_temperature_source: anyTMax ? tMaxSource : null,
        condition_a: hasVoltage,
        condition_b: anyTMax,
      },
    };
  },
};

interface Rise {
  r0: number;
  r1: number;
  t0: number;
  t1: number;
  t_c: number;
  maxSlope: number;
}

/** Runs of rows in [a, b] whose trailing-window slope is ≥ the rate and that hold it for more than hold_s. */
function rises_(tl: Timeline, col: Float32Array | Float64Array, a: number, b: number, p: Params): Rise[] {
  const out: Rise[] = [];
  const ts = tl.t_s;
  const e = p.epoch;
  let cur: Rise | null = null;
  let lastT = NaN;
  let lastR = -1;
  for (let r = Math.max(0, a); r <= b; r++) {
    const y = col[r]!;
    if (!(y === y)) continue;
    const t = ts[r]!;
    const s = slope(tl, col, r, p.window_s, e);
    // a rise ends at a gap and at a device restart (the downtime is unknown)
    const gap = cur !== null && (t - lastT > p.maxGap_s || (e !== null && e[r] !== e[lastR]));
    if (cur !== null && (gap || !(s >= p.rate))) {
      if (Number.isFinite(cur.t_c)) out.push(cur);
      cur = null;
    }
    if (s >= p.rate) {
      if (cur === null) cur = { r0: r, r1: r, t0: t, t1: t, t_c: NaN, maxSlope: s };
      cur.r1 = r;
      cur.t1 = t;
      if (s > cur.maxSlope) cur.maxSlope = s;
      if (Number.isNaN(cur.t_c) && t - cur.t0 > p.hold_s) cur.t_c = t;
    }
    lastT = t;
    lastR = r;
  }
  if (cur !== null && Number.isFinite(cur.t_c)) out.push(cur);
  return out;
}

/**
 * Least-squares slope of the valid samples with t in (t_r − window_s, t_r] of r's run of the
 * device (`epoch`), °C/s (NaN for < 3 samples).
 */
function slope(tl: Timeline, col: Float32Array | Float64Array, r: number, window_s: number, epoch: Int32Array | null): number {
  const ts = tl.t_s;
  const tr = ts[r]!;
  let n = 0;
  let st = 0;
  let sy = 0;
  let stt = 0;
  let sty = 0;
  for (let k = r; k >= 0 && ts[k]! > tr - window_s - 1e-9 && (epoch === null || epoch[k] === epoch[r]); k--) {
    const y = col[k]!;
    if (!(y === y)) continue;
    const t = ts[k]! - tr;
    n++;
    st += t;
    sy += y;
    stt += t * t;
    sty += t * y;
  }
  if (n < 3) return NaN;
  const d = n * stt - st * st;
  return d > 0 ? (n * sty - st * sy) / d : NaN;
}

/** Condition a) or b) with a rise: when it holds, the full condition; null when neither does. */
function confirm(
  tl: Timeline,
  col: Float32Array | Float64Array,
  vcols: (Float32Array | Float64Array)[],
  perCell: boolean,
  sensor: number,
  c: Rise,
  p: Params,
  runStart: number,
): Condition | null {
  const ts = tl.t_s;
  const n = tl.length;
  const start = c.t0 - p.window_s;
  const end = c.t1 + p.coincidence_s;
  // rows of the rise's own run of the device (`runStart` on)
  const r0 = Math.max(runStart, tl.rowAt(start));
  let r1 = tl.rowAt(end);
  while (r1 < n && ts[r1]! <= end) r1++;
  const e = p.epoch;
  if (e !== null) while (r1 > r0 && e[r1 - 1] !== e[c.r0]) r1--;
  // b) the sensor at the maximum temperature (of the limits in force where the rise began)
  const tMax = p.tMaxAt(c.r0);
  let tb = NaN;
  let peak = -Infinity;
  for (let r = r0; r < r1; r++) {
    const y = col[r]!;
    if (y > peak) peak = y;
    if (Number.isNaN(tb) && y >= tMax) tb = ts[r]!;
  }
  // a) a cell more than `drop` below its voltage before the rise
  let ta = NaN;
  let cell = -1;
  let worst = 0;
  for (let i = 0; i < vcols.length; i++) {
    const v = vcols[i]!;
    let v0 = NaN;
    for (let r = Math.min(r0, n - 1); r >= runStart && Number.isNaN(v0); r--) if (v[r]! === v[r]!) v0 = v[r]!;
    if (!(v0 > 0)) continue;
    const floor = (1 - p.drop) * v0;
    for (let r = r0; r < r1; r++) {
      const x = v[r]!;
      if (x < floor) {
        const d = 1 - x / v0;
        if (Number.isNaN(ta) || ts[r]! < ta) {
          ta = ts[r]!;
          cell = perCell ? i : -1;
        }
        if (d > worst) worst = d;
        break;
      }
    }
  }
  if (Number.isNaN(ta) && Number.isNaN(tb)) return null;
  const useA = !Number.isNaN(ta) && (Number.isNaN(tb) || ta <= tb);
  const tab = useA ? ta : tb;
  return {
    sensor: col === tl.pack.temperatureMax_C ? -1 : sensor,
    t_rise_s: c.t0,
    t_rise_end_s: c.t1,
    t_c_s: c.t_c,
    t_confirm_s: Math.max(c.t_c, tab),
    maxSlope: c.maxSlope,
    how: useA ? 'voltage drop' : 'maximum temperature',
    cell: useA ? cell : -1,
    drop: worst,
    peak_C: peak,
    tMax_C: tMax,
  };
}
