/**
 * summary.resistance — the DC resistance of each series group, from the current steps of the
 * session, and the groups that stand out.
 *
 * How: a current step is two consecutive rows with PACK_STATUS and CELL_VOLTAGES (no further
 * apart than `gap_factor` × the median period) whose current differs by at least `min_step_C` ×
 * the pack capacity (INFO np × cellCapacity_Ah; `min_step_A` without INFO), with the current
 * steady on both sides (the rows before and after move by at most `steady_fraction` of the step),
 * so that a cell voltage sampled a moment before or after the current does not matter; all four
 * rows in one run of the device (across a restart the voltages also relaxed for as long as the
 * device was down). For each
 * step and group, R = ΔV_cell / ΔI (what the group's voltage tap sees: the cells in parallel,
 * their connections, and within one sample interval mostly the ohmic part). The `max_steps`
 * largest steps are used (the best signal to noise). Per group the median over the steps; over
 * the pack the median of the groups.
 *
 * Findings (subject "cell i", the series group):
 * - a group above `high_factor` × the pack median → warning: a degraded cell, a cell lost from
 *   its parallel group (the group's resistance doubles for 2p: fault-cell-disconnect), or a bad
 *   connection or weld. 1.5: the presets' cells spread by 3 % (σ), and the clean scenarios stay
 *   within ±2 % of the median;
 * - a group below `low_factor` × the pack median → warning: a voltage channel that does not follow
 *   the current (a frozen channel, fault-stuck-cell-voltage; a tap on the wrong node). No real
 *   group is that much better than its peers.
 * Groups are judged only on at least `judge_min_steps` steps (on fewer, the medians are reported:
 * a few small steps leave ±30 % of noise in them). The time range: the first to the last step where the group's own step value was beyond the
 * factor times that step's median over the groups. At most `max_findings`, then "and N more".
 *
 * Metrics: steps used, pack median / min / max in mΩ, the highest-resistance group and its ratio
 * to the median, the lowest.
 *
 * Not evaluable: no per-cell voltages, or fewer than `min_steps` current steps.
 */
import { type EvidenceValue, type Finding, finding, round } from '../../findings.ts';
import { Present } from '../../timeline/store.ts';
import { medianPeriod } from '../intervals.ts';
import { gapsOf, restartBetween } from '../quality/internal/gaps.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { median } from '../select.ts';
import { capFindings } from '../cap.ts';

const ID = 'summary.resistance';
const MOHM_PER_OHM = 1000;
const BOTH = Present.STATUS | Present.CELLS;

export const resistance: Rule = {
  id: ID,
  group: 'summary',
  title: 'DC resistance per series group from current steps',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile, info } = ctx;
    const p = (k: string): number => profile.num(`${ID}.${k}`);
    const ns = tl.ns;
    if (ns === 0) return notEvaluable('no per-cell voltages (no CELL_VOLTAGES received)');
    const period = medianPeriod(tl, Present.CELLS);
    if (!(period > 0)) return notEvaluable('fewer than two rows with all cell voltages');
    const maxGap = p('gap_factor') * period;
    const capacity_Ah = info !== null && info.np > 0 && info.cellCapacity_Ah > 0 ? info.np * info.cellCapacity_Ah : NaN;
    const minStep = capacity_Ah > 0 ? p('min_step_C') * capacity_Ah : p('min_step_A');
    const steady = p('steady_fraction');
    const ts = tl.t_s;
    const I = tl.pack.current_A;
    const gaps = gapsOf(tl, profile);
    const ok = (r: number): boolean => r >= 0 && r < tl.length && (tl.present[r]! & BOTH) === BOTH && I[r]! === I[r]!;

    // the steps: row r against the previous row with both messages
    const stepRow: number[] = [];
    const stepSize: number[] = [];
    let a = -1,
      b = -1; // the two rows before r with both messages
    for (let r = 0; r < tl.length; r++) {
      if (!ok(r)) continue;
      if (b >= 0 && ts[r]! - ts[b]! <= maxGap) {
        const dI = I[r]! - I[b]!;
        const m = dI < 0 ? -dI : dI;
        if (m >= minStep && a >= 0 && ts[b]! - ts[a]! <= maxGap && Math.abs(I[b]! - I[a]!) <= steady * m) {
          const n = nextOk(tl, r, ok);
          if (n >= 0 && ts[n]! - ts[r]! <= maxGap && Math.abs(I[n]! - I[r]!) <= steady * m && !restartBetween(gaps, a, n)) {
            stepRow.push(r);
            stepSize.push(dI);
          }
        }
      }
      a = b;
      b = r;
    }
    // the largest steps, at most max_steps, in time order
    let order = stepRow.map((_, k) => k);
    const maxSteps = Math.max(1, Math.floor(p('max_steps')));
    if (order.length > maxSteps)
      order = order
        .sort((x, y) => Math.abs(stepSize[y]!) - Math.abs(stepSize[x]!) || x - y)
        .slice(0, maxSteps)
        .sort((x, y) => x - y);
    const K = order.length;
    const metrics: Record<string, EvidenceValue> = { resistance_steps: K, resistance_min_step_A: round(minStep, 3) };
    if (K < p('min_steps'))
      return notEvaluable(
        `${K} current step${K === 1 ? '' : 's'} of at least ${round(minStep, 2)} A with the current steady around it (need ${p('min_steps')})`,
        metrics,
      );

    // per step and group: ΔV / ΔI (NaN where a voltage is missing)
    const rows = Int32Array.from(order, (k) => stepRow[k]!);
    const prevRows = Int32Array.from(rows, (r) => prevOk(tl, r, ok));
    const dI = Float64Array.from(order, (k) => stepSize[k]!);
    const R = new Float64Array(ns * K); // group-major
    const cellMedian = new Float64Array(ns).fill(NaN);
    const scratch = new Float64Array(Math.max(ns, K));
    for (let i = 0; i < ns; i++) {
      const v = tl.cellVoltage_V[i]!;
      let m = 0;
      for (let k = 0; k < K; k++) {
        const x = (v[rows[k]!]! - v[prevRows[k]!]!) / dI[k]!;
        R[i * K + k] = x;
        if (x === x) scratch[m++] = x;
      }
      cellMedian[i] = median(scratch, m);
    }
    let m = 0;
    for (let i = 0; i < ns; i++) if (cellMedian[i]! === cellMedian[i]!) scratch[m++] = cellMedian[i]!;
    if (m === 0) return notEvaluable('no group had valid voltages at the current steps', metrics);
    const packMedian = median(scratch, m);
    let hi = -Infinity,
      iHi = -1,
      lo = Infinity,
      iLo = -1;
    for (let i = 0; i < ns; i++) {
      const x = cellMedian[i]!;
      if (x !== x) continue;
      if (x > hi) {
        hi = x;
        iHi = i;
      }
      if (x < lo) {
        lo = x;
        iLo = i;
      }
    }
    Object.assign(metrics, {
      resistance_median_mOhm: round(packMedian * MOHM_PER_OHM, 5),
      resistance_min_mOhm: round(lo * MOHM_PER_OHM, 5),
      resistance_max_mOhm: round(hi * MOHM_PER_OHM, 5),
      resistance_highest_cell: iHi,
      resistance_highest_ratio: packMedian > 0 ? round(hi / packMedian, 4) : null,
      resistance_lowest_cell: iLo,
      resistance_lowest_ratio: packMedian > 0 ? round(lo / packMedian, 4) : null,
    });
    if (!(packMedian > 0))
      return notEvaluable(
        `the median resistance over the groups is ${round(packMedian * MOHM_PER_OHM, 4)} mΩ: the cell voltages do not follow the current`,
        metrics,
      );

    const judgeMin = p('judge_min_steps');
    if (K < judgeMin) {
      return { evaluable: true, reason: `${K} current steps: resistances reported, groups judged from ${judgeMin} steps on`, findings: [], metrics };
    }
    const highT = profile.threshold(`${ID}.high_factor`, '× median');
    const lowT = profile.threshold(`${ID}.low_factor`, '× median');
    const high = highT.value ?? Infinity,
      low = lowT.value ?? -Infinity;
    const out: Finding[] = [];
    let stepMedian: Float64Array | null = null;
    for (let i = 0; i < ns; i++) {
      const x = cellMedian[i]!;
      const isHigh = x > high * packMedian;
      const isLow = x < low * packMedian;
      if (!isHigh && !isLow) continue;
      stepMedian ??= medians(R, ns, K, scratch);
      let k0 = -1,
        k1 = -1;
      for (let k = 0; k < K; k++) {
        const y = R[i * K + k]!;
        const ref = stepMedian[k]!;
        if (isHigh ? y > high * ref : y < low * ref) {
          if (k0 < 0) k0 = k;
          k1 = k;
        }
      }
      if (k0 < 0) {
        k0 = 0;
        k1 = K - 1;
      }
      const ratio = round(x / packMedian, 3);
      out.push(
        finding({
          check: ID,
          severity: 'warning',
          t_start_s: round(ts[rows[k0]!]!, 3),
          t_end_s: round(ts[rows[k1]!]!, 3),
          subject: `cell ${i}`,
          message: isHigh
            ? `cell ${i} has ${ratio} × the pack's median DC resistance (${round(x * MOHM_PER_OHM, 4)} against ${round(packMedian * MOHM_PER_OHM, 4)} mΩ): a degraded cell, a cell lost from its parallel group, or a bad connection`
            : `cell ${i} shows ${ratio} × the pack's median DC resistance (${round(x * MOHM_PER_OHM, 4)} against ${round(packMedian * MOHM_PER_OHM, 4)} mΩ): its voltage channel does not follow the current (frozen, or on the wrong node)`,
          evidence: { resistance_mOhm: round(x * MOHM_PER_OHM, 5), median_mOhm: round(packMedian * MOHM_PER_OHM, 5), ratio, steps: K },
          threshold: isHigh ? highT : lowT,
        }),
      );
    }
    return { evaluable: true, findings: capFindings(ID, out, p('max_findings')), metrics };
  },
};

/** The median over the groups of each step's resistance. */
function medians(R: Float64Array, ns: number, K: number, scratch: Float64Array): Float64Array {
  const out = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let m = 0;
    for (let i = 0; i < ns; i++) {
      const x = R[i * K + k]!;
      if (x === x) scratch[m++] = x;
    }
    out[k] = median(scratch, m);
  }
  return out;
}

function nextOk(tl: RuleContext['tl'], r: number, ok: (r: number) => boolean): number {
  for (let q = r + 1; q < tl.length; q++) if (ok(q)) return q;
  return -1;
}

function prevOk(tl: RuleContext['tl'], r: number, ok: (r: number) => boolean): number {
  for (let q = r - 1; q >= 0; q--) if (ok(q)) return q;
  return -1;
}
