/**
 * cells.spread — the cell voltage spread (max − min over the series groups) and its trend.
 *
 * Why: the spread is the pack's imbalance as the cells show it; a growing spread at rest is
 * cells drifting apart (unequal self-discharge, a soft short, ineffective balancing). It is
 * naturally larger under load (resistance spread × current) and, on Na-ion's sloped OCV, at
 * low SOC (the same SOC imbalance is 150 mV/% near empty and ~19 mV/% mid-range on the
 * prismatic cell), so it is judged with allowances for both.
 *
 * On a `sample_s` grid (2 s) of the per-cell columns (the PACK_STATUS min/max where no
 * CELL_VOLTAGES arrived), each sample is REST (|I| ≤ `rest_current_C` × 1C for
 * `rest_settle_s`), LOAD (|I| above) or neither (rest not settled: not judged). Its warning
 * threshold is max(`warning_V`, `warning_soc` × the chemistry's OCV slope at the mean cell
 * voltage, over ±`slope_window_soc`), plus `load_allowance_V_per_C` × |I|/1C under load; the
 * error threshold likewise from `error_V`, `error_soc`. Without a chemistry only the volt
 * thresholds apply. Spread above the threshold for `min_duration_s` (10 s) is one finding per
 * episode (episodes closer than `join_s` merged): a warning, an error when the error threshold
 * was exceeded for min_duration_s within it. Defaults: 0.1 V / 5 % SOC, 0.2 V / 10 % SOC,
 * 0.05 V per C.
 *
 * Trend: the drift of the spread within the settled rests, in mV per hour: one least-squares
 * slope for all rest periods, each with its own level (rests at different SOC, hysteresis or
 * temperature differ in level, which is not a trend), on spreads scaled to the OCV slope at
 * the median rest voltage: metric `rest_trend_mV_per_h`; a warning when the rests add up to
 * `trend_min_span_h` (2 h) with `trend_min_samples` or more and the trend exceeds
 * `trend_warning_mV_per_h` (2 mV/h).
 *
 * Not evaluable: no cell voltages and no PACK_STATUS min/max; no 1C current (no INFO and no
 * chemistry) to tell rest from load.
 */
import { type Finding, type Threshold, counted, finding, round } from '../../findings.ts';
import type { Timeline } from '../../timeline/store.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { capFindings } from '../cap.ts';
import { type Gaps, gapsOf, restartBetween } from '../quality/internal/gaps.ts';
import { type RowStats, rowStats } from '../quality/internal/rowStats.ts';
import { Regime, ocvSlope, oneC, regimes } from './internal/pack.ts';

const ID = 'cells.spread';

export const spread: Rule = {
  id: ID,
  group: 'cells',
  title: 'Cell voltage spread and its trend at rest',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile, chemistry } = ctx;
    const c1 = oneC(ctx);
    if (!(c1.value_A > 0)) return notEvaluable('no 1C current (no INFO, no chemistry): cannot tell rest from load');
    const step_s = profile.num(`${ID}.sample_s`);
    let st = rowStats(tl, 'cells', step_s);
    let from = 'CELL_VOLTAGES';
    if (countValid(st) === 0) {
      st = statusStats(tl, step_s);
      from = 'PACK_STATUS min/max';
    }
    if (countValid(st) === 0) return notEvaluable('no cell voltages (neither CELL_VOLTAGES nor the PACK_STATUS min/max)');
    const g = (k: string, unit: string): Threshold => profile.threshold(`${ID}.${k}`, unit);
    const warnV = g('warning_V', 'V');
    const errV = g('error_V', 'V');
    const warnSoc = g('warning_soc', 'fraction');
    const errSoc = g('error_soc', 'fraction');
    const allowance = g('load_allowance_V_per_C', 'V/C');
    const minDur = profile.num(`${ID}.min_duration_s`);
    const join_s = profile.num(`${ID}.join_s`);
    const gaps = gapsOf(tl, profile);
    const maxStep = Math.max(gaps.limit_s, 2 * step_s);
    const rest_A = profile.num(`${ID}.rest_current_C`) * c1.value_A;
    const reg = regimes(ctx, st, rest_A, profile.num(`${ID}.rest_settle_s`), maxStep, gaps);
    const slope = chemistry ? ocvSlope(chemistry, profile.num(`${ID}.slope_window_soc`)) : null;
    const I = tl.pack.current_A;
    const k = st.rows.length;
    // thresholds per sample (NaN: not judged)
    const thW = new Float64Array(k).fill(NaN);
    const thE = new Float64Array(k).fill(NaN);
    const sp = new Float64Array(k);
    const { OTHER, LOAD, REST } = Regime; // read once (an import is a getter call under tsx)
    let maxRest = 0;
    let maxLoad = 0;
    for (let j = 0; j < k; j++) {
      sp[j] = st.max[j]! - st.min[j]!;
      const rg = reg[j]!;
      if (rg === OTHER || !(sp[j]! >= 0)) continue;
      const s = slope ? slope(st.mean[j]!) : NaN;
      const extra = rg === LOAD ? allowance.value! * (Math.abs(I[st.rows[j]!]!) / c1.value_A) : 0;
      thW[j] = Math.max(warnV.value!, s === s ? warnSoc.value! * s : 0) + extra;
      thE[j] = Math.max(errV.value!, s === s ? errSoc.value! * s : 0) + extra;
      if (rg === REST) maxRest = Math.max(maxRest, sp[j]!);
      else maxLoad = Math.max(maxLoad, sp[j]!);
    }
    const srcW = `${ID}.warning_V (${warnV.source}) or warning_soc × OCV slope${chemistry ? ` of ${chemistry.name}` : ' (no chemistry: not applied)'}, + load_allowance_V_per_C × |I|/1C under load (1C from ${c1.source})`;
    const srcE = `${ID}.error_V (${errV.source}) or error_soc × OCV slope, + the load allowance`;
    const out: Finding[] = [];
    episodes(st, sp, thW, thE, minDur, join_s, maxStep, gaps, (a, b, worst, isError) => {
      const r = st.rows[worst]!;
      out.push(
        finding({
          check: ID,
          severity: isError ? 'error' : 'warning',
          t_start_s: st.t_s[a]!,
          t_end_s: st.t_s[b]!,
          subject: 'pack',
          message: `cell voltage spread up to ${(sp[worst]! * 1000).toFixed(0)} mV (cell ${st.argmax[worst]} high, cell ${st.argmin[worst]} low) ${reg[worst] === Regime.REST ? 'at rest' : `under ${round(I[r]!, 1)} A`}, above ${(thW[worst]! * 1000).toFixed(0)} mV`,
          evidence: {
            spread_V: round(sp[worst]!, 4),
            at_s: st.t_s[worst]!,
            mean_V: round(st.mean[worst]!, 4),
            current_A: round(I[r]!, 2),
            regime: reg[worst] === Regime.REST ? 'rest' : 'load',
            cell_max: st.argmax[worst]!,
            cell_min: st.argmin[worst]!,
            error_threshold_V: round(thE[worst]!, 4),
            source: from,
          },
          threshold: isError ? { value: round(thE[worst]!, 4), unit: 'V', source: srcE } : { value: round(thW[worst]!, 4), unit: 'V', source: srcW },
        }),
      );
    });
    const metrics: Record<string, number | string | null> = { max_rest_spread_V: round(maxRest, 4), max_load_spread_V: round(maxLoad, 4), source: from };
    trend(ctx, st, sp, reg, slope, maxStep, gaps, out, metrics);
    return { evaluable: true, findings: capFindings(ID, out, profile.threshold(`${ID}.max_findings`, 'findings'), 'spread episodes'), metrics };
  },
};

function countValid(st: RowStats): number {
  let n = 0;
  for (let j = 0; j < st.rows.length; j++) if (st.count[j]! >= 2) n++;
  return n;
}

/** Episodes of samples above their warning threshold, lasting min_dur, merged within join_s. */
function episodes(
  st: RowStats,
  sp: Float64Array,
  thW: Float64Array,
  thE: Float64Array,
  minDur: number,
  join_s: number,
  maxStep: number,
  gaps: Gaps,
  emit: (a: number, b: number, worst: number, isError: boolean) => void,
): void {
  const t = st.t_s;
  let ea = -1; // current episode
  let eb = -1;
  let eWorst = -1;
  let eErr = false;
  const flush = (): void => {
    if (ea >= 0) emit(ea, eb, eWorst, eErr);
    ea = -1;
  };
  let a = -1; // current run above the warning threshold
  let b = -1;
  let worst = -1;
  let errA = -1; // current run above the error threshold (inside a)
  let err = false;
  const closeRun = (): void => {
    if (a >= 0 && t[b]! - t[a]! >= minDur) {
      if (ea >= 0 && (t[a]! - t[eb]! > join_s || restartBetween(gaps, st.rows[eb]!, st.rows[a]!))) flush();
      if (ea < 0) {
        ea = a;
        eWorst = worst;
        eErr = false;
      }
      eb = b;
      if (sp[worst]! - thW[worst]! > sp[eWorst]! - thW[eWorst]!) eWorst = worst;
      eErr = eErr || err;
    }
    a = -1;
    errA = -1;
    err = false;
  };
  for (let j = 0; j < sp.length; j++) {
    if (a >= 0 && (t[j]! - t[b]! > maxStep || restartBetween(gaps, st.rows[b]!, st.rows[j]!))) closeRun();
    const w = thW[j]!;
    if (!(sp[j]! > w)) {
      closeRun(); // below, or not judged (rest not settled): the run ends
      continue;
    }
    if (a < 0) {
      a = j;
      worst = j;
    }
    b = j;
    if (sp[j]! - w > sp[worst]! - thW[worst]!) worst = j;
    if (sp[j]! > thE[j]!) {
      if (errA < 0) errA = j;
      if (t[j]! - t[errA]! >= minDur) err = true;
    } else errA = -1;
  }
  closeRun();
  flush();
}

/**
 * The rest-spread trend: one slope for all rest periods, each period with its own level (a
 * least-squares fit of the drift within the rests, so that rests at different SOC, hysteresis
 * or temperature do not make a trend between them), on spreads scaled to the OCV slope at the
 * median rest voltage. A metric, and a finding above the threshold.
 */
function trend(
  ctx: RuleContext,
  st: RowStats,
  sp: Float64Array,
  reg: Uint8Array,
  slope: ((v: number) => number) | null,
  maxStep: number,
  gaps: Gaps,
  out: Finding[],
  metrics: Record<string, number | string | null>,
): void {
  const { profile } = ctx;
  const idx: number[] = [];
  const REST = Regime.REST;
  for (let j = 0; j < sp.length; j++) if (reg[j] === REST && sp[j]! >= 0) idx.push(j);
  metrics.rest_samples = idx.length;
  metrics.rest_trend_mV_per_h = null;
  if (idx.length < 2) return;
  let ref = NaN;
  if (slope) {
    const vs = idx.map((j) => st.mean[j]!).sort((x, y) => x - y);
    ref = slope(vs[vs.length >> 1]!);
  }
  // per rest period: centred sums; pooled slope = Σ Sxy / Σ Sxx
  let pooledXY = 0;
  let pooledXX = 0;
  let rest_s = 0;
  let periods = 0;
  let q = 0;
  while (q < idx.length) {
    let e = q + 1;
    while (
      e < idx.length &&
      idx[e] === idx[e - 1]! + 1 &&
      st.t_s[idx[e]!]! - st.t_s[idx[e - 1]!]! <= maxStep &&
      !restartBetween(gaps, st.rows[idx[e - 1]!]!, st.rows[idx[e]!]!)
    )
      e++;
    const m = e - q;
    if (m >= 2) {
      let sx = 0,
        sy = 0,
        sxx = 0,
        sxy = 0;
      const t0 = st.t_s[idx[q]!]!;
      for (let u = q; u < e; u++) {
        const j = idx[u]!;
        const x = (st.t_s[j]! - t0) / 3600;
        const s = slope ? slope(st.mean[j]!) : NaN;
        const y = sp[j]! * 1000 * (ref > 0 && s > 0 ? ref / s : 1);
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
      }
      pooledXX += sxx - (sx * sx) / m;
      pooledXY += sxy - (sx * sy) / m;
      rest_s += st.t_s[idx[e - 1]!]! - t0;
      periods++;
    }
    q = e;
  }
  const span_h = rest_s / 3600;
  metrics.rest_h = round(span_h, 3);
  metrics.rest_periods = periods;
  if (!(pooledXX > 0)) return;
  const b = pooledXY / pooledXX;
  metrics.rest_trend_mV_per_h = round(b, 3);
  const minSpan = profile.num(`${ID}.trend_min_span_h`);
  const minSamples = profile.num(`${ID}.trend_min_samples`);
  const warn = profile.threshold(`${ID}.trend_warning_mV_per_h`, 'mV/h');
  if (span_h < minSpan || idx.length < minSamples || !(b > warn.value!)) return;
  out.push(
    finding({
      check: ID,
      severity: 'warning',
      t_start_s: st.t_s[idx[0]!]!,
      t_end_s: st.t_s[idx[idx.length - 1]!]!,
      subject: 'pack trend',
      message: `the cell voltage spread at rest grows by ${b.toFixed(1)} mV per hour over ${span_h.toFixed(1)} h of rest in ${counted(periods, 'period')}`,
      evidence: { trend_mV_per_h: round(b, 3), rest_h: round(span_h, 3), rest_periods: periods, samples: idx.length, normalised_to_ocv_slope: ref > 0 },
      threshold: warn,
    }),
  );
}

/** Row statistics from the PACK_STATUS cell min/max where no CELL_VOLTAGES arrived. */
function statusStats(tl: Timeline, step_s: number): RowStats {
  const rows: number[] = [];
  let last = -Infinity;
  for (let r = 0; r < tl.length; r++) {
    if (!tl.hasStatus(r)) continue;
    if (tl.t_s[r]! - last < step_s - 1e-6) continue;
    rows.push(r);
    last = tl.t_s[r]!;
  }
  const k = rows.length;
  const st: RowStats = {
    family: 'cells',
    step_s,
    channels: 0,
    rows: Int32Array.from(rows),
    t_s: new Float64Array(k),
    min: new Float64Array(k),
    max: new Float64Array(k),
    mean: new Float64Array(k),
    count: new Int32Array(k),
    argmin: new Int32Array(k),
    argmax: new Int32Array(k),
  };
  const p = tl.pack;
  for (let j = 0; j < k; j++) {
    const r = rows[j]!;
    st.t_s[j] = tl.t_s[r]!;
    st.min[j] = p.cellVoltageMin_V[r]!;
    st.max[j] = p.cellVoltageMax_V[r]!;
    st.mean[j] = (st.min[j]! + st.max[j]!) / 2;
    st.count[j] = st.min[j]! === st.min[j]! && st.max[j]! === st.max[j]! ? 2 : 0;
    st.argmin[j] = p.cellVoltageMinIndex[r]! >= 0 ? p.cellVoltageMinIndex[r]! : -1;
    st.argmax[j] = p.cellVoltageMaxIndex[r]! >= 0 ? p.cellVoltageMaxIndex[r]! : -1;
  }
  return st;
}
