/**
 * quality.nonphysical — values no pack can have: a decoding or firmware fault, a broken sensor,
 * or a unit mix-up, rather than a pack that misbehaves (the envelope checks judge limits).
 *
 * Bounds (profile): cell voltage `cell_voltage_min_V`..`cell_voltage_max_V` (0..5 V),
 * temperature `temperature_min_C`..`temperature_max_C` (−55..150 °C, the NTC's range), pack
 * voltage 0..ns × the cell maximum, |current| up to `current_msl_factor` (3) × the device's
 * MSL current for its direction (INFO, the set in force at each row: envelope/internal/limits.ts
 * limitEpochs; skipped without INFO), SOC `soc_min`..`soc_max`
 * (−0.05..1.05), SOH `soh_min`..`soh_max` (0..1.2). Any sample outside is a finding (runs closer
 * than `join_s` merged, one per channel and episode): an error for the measured values (cell
 * voltage, temperature, pack voltage, current), a warning for the estimates (SOC, SOH).
 *
 * Pack voltage vs the sum of the cell voltages: on a `sample_s` grid (2 s), where every series
 * group has a value and ns covers the pack (INFO), |V_pack − Σ V_cell| above
 * `pack_vs_cells_rel` (5 %) of the sum for `pack_vs_cells_min_duration_s` (5 s) or longer is a
 * warning (busbar and connection drops stay below 2 % at 3C in the scenario library).
 * At most `max_findings`.
 *
 * Not evaluable: no PACK_STATUS, cell voltages or temperatures.
 */
import { type Finding, type Severity, type Threshold, finding, round } from '../../findings.ts';
import { type PackChannel, Present, type Timeline } from '../../timeline/store.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { capFindings } from '../cap.ts';
import { channelScan } from './internal/channelScan.ts';
import { type Gaps, gapsOf, restartBetween } from './internal/gaps.ts';
import { rowStats } from './internal/rowStats.ts';
import { epochRows, inForce, limitEpochs } from '../envelope/internal/limits.ts';

const ID = 'quality.nonphysical';

interface Bound {
  ch: PackChannel;
  lo: Threshold;
  hi: Threshold;
  unit: string;
  severity: Severity;
  /** The rows it applies to, [from, to) (default: all). */
  rows?: [number, number];
}

export const nonphysical: Rule = {
  id: ID,
  group: 'quality',
  title: 'Values outside physical bounds',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile, info } = ctx;
    const any = (tl.received.get(0x02) ?? 0) + (tl.received.get(0x03) ?? 0) + (tl.received.get(0x04) ?? 0);
    if (tl.length === 0 || any === 0) return notEvaluable('no PACK_STATUS, cell voltages or temperatures');
    const th = (k: string, unit: string): Threshold => profile.threshold(`${ID}.${k}`, unit);
    const join_s = profile.num(`${ID}.join_s`);
    const ts = tl.t_s;
    const out: Finding[] = [];
    const notes: string[] = [];

    // per-cell and per-sensor values (from the shared column scan)
    const families = [
      { fam: 'cells' as const, lo: th('cell_voltage_min_V', 'V'), hi: th('cell_voltage_max_V', 'V'), subject: 'cell', unit: 'V' },
      { fam: 'temperatures' as const, lo: th('temperature_min_C', '°C'), hi: th('temperature_max_C', '°C'), subject: 'sensor', unit: '°C' },
    ];
    for (const f of families) {
      for (const run of channelScan(tl, profile, f.fam).outOfRange) {
        const below = run.value < f.lo.value!;
        out.push(
          finding({
            check: ID,
            severity: 'error',
            t_start_s: ts[run.r0]!,
            t_end_s: ts[run.r1]!,
            subject: `${f.subject} ${run.ch}`,
            message: `${f.subject} ${run.ch} read ${run.value} ${f.unit}, ${below ? 'below' : 'above'} the physical bound ${below ? f.lo.value : f.hi.value} ${f.unit}`,
            evidence: { value: round(run.value, 4), rows: run.r1 - run.r0 + 1 },
            threshold: below ? f.lo : f.hi,
          }),
        );
      }
    }

    // pack-level values
    const ns = info?.ns ?? tl.ns;
    const cellMax = th('cell_voltage_max_V', 'V');
    const bounds: Bound[] = [
      { ch: 'soc', lo: th('soc_min', ''), hi: th('soc_max', ''), unit: '', severity: 'warning' },
      { ch: 'soh', lo: th('soh_min', ''), hi: th('soh_max', ''), unit: '', severity: 'warning' },
    ];
    if (ns > 0) {
      bounds.push({
        ch: 'packVoltage_V',
        lo: { value: 0, unit: 'V', source: 'a voltage magnitude' },
        hi: { value: round(ns * cellMax.value!, 4), unit: 'V', source: `${ns} series groups × cell_voltage_max_V (${cellMax.source})` },
        unit: 'V',
        severity: 'error',
      });
    }
    // current: by the MSL of the limits in force at each row
    const epochs = limitEpochs(ctx);
    const k = th('current_msl_factor', '');
    for (let e = 0; e < epochs.length; e++) {
      const msl = epochs[e]!.limits.msl;
      const src = `${ctx.limitsSource} MSL × ${k.value} (${k.source})${inForce(epochs, e)}`;
      bounds.push({
        ch: 'current_A',
        lo: { value: round(-k.value! * msl.dischargeCurrentMax_A, 4), unit: 'A', source: src },
        hi: { value: round(k.value! * msl.chargeCurrentMax_A, 4), unit: 'A', source: src },
        unit: 'A',
        severity: 'error',
        rows: epochRows(epochs, e, tl.length),
      });
    }
    if (epochs.length === 0) notes.push('current not judged: no INFO limits');
    const gaps = gapsOf(tl, profile);
    for (const b of bounds) {
      const col = tl.pack[b.ch];
      const lo = b.lo.value!;
      const hi = b.hi.value!;
      const [from, to] = b.rows ?? [0, tl.length];
      for (const run of outside(tl, col, lo, hi, gaps, join_s, from, to)) {
        const below = run.ext < lo;
        out.push(
          finding({
            check: ID,
            severity: b.severity,
            t_start_s: ts[run.r0]!,
            t_end_s: ts[run.r1]!,
            subject: b.ch,
            message: `${b.ch} read ${round(run.ext, 4)}${b.unit ? ' ' + b.unit : ''}, ${below ? 'below' : 'above'} the physical bound ${below ? lo : hi}${b.unit ? ' ' + b.unit : ''}`,
            evidence: { value: round(run.ext, 4), rows: run.r1 - run.r0 + 1 },
            threshold: below ? b.lo : b.hi,
          }),
        );
      }
    }

    // pack voltage vs the sum of the cells
    const metrics: Record<string, number | string | null> = {};
    if ((tl.received.get(0x03) ?? 0) > 0 && ns > 0 && (info === null || info.cellVoltageSensors >= info.ns)) packVsCells(ctx, ns, out, metrics);
    else notes.push('pack voltage vs cells not judged: no cell voltages covering the pack');
    if (notes.length > 0) metrics.note = notes.join('; ');
    return { evaluable: true, findings: capFindings(ID, out, profile.threshold(`${ID}.max_findings`, 'findings'), 'out-of-bound episodes'), metrics };
  },
};

/**
 * Runs of PACK_STATUS rows in [from, to) whose value lies outside [lo, hi] (NaN is not outside),
 * cut at time gaps and restarts, merged when closer than join_s; with the value furthest out.
 */
function outside(
  tl: Timeline,
  col: Float64Array,
  lo: number,
  hi: number,
  gaps: Gaps,
  join_s: number,
  from: number,
  to: number,
): { r0: number; r1: number; ext: number }[] {
  const gap_s = gaps.limit_s;
  const out: { r0: number; r1: number; ext: number }[] = [];
  const ts = tl.t_s;
  const present = tl.present;
  const STATUS = Present.STATUS; // read once (an import is a getter call under tsx)
  const mid = (lo + hi) / 2;
  let cur: { r0: number; r1: number; ext: number } | null = null;
  let last = -1; // last STATUS row
  for (let r = from; r < to; r++) {
    if ((present[r]! & STATUS) === 0) continue;
    const v = col[r]!;
    if (cur !== null && last >= 0 && (ts[r]! - ts[last]! > gap_s || restartBetween(gaps, last, r))) cur = null; // never across a gap
    last = r;
    if (!(v < lo || v > hi)) {
      cur = null;
      continue;
    }
    if (cur === null) {
      const prev = out[out.length - 1];
      if (prev && ts[r]! - ts[prev.r1]! <= join_s && !restartBetween(gaps, prev.r1, r) && !gapBetween(ts, prev.r1, r, gap_s, present, STATUS)) cur = prev;
      else out.push((cur = { r0: r, r1: r, ext: v }));
    }
    cur.r1 = r;
    if (Math.abs(v - mid) > Math.abs(cur.ext - mid)) cur.ext = v;
  }
  return out;
}

/** True when the STATUS rows between a and b (a < b) have a time gap. */
function gapBetween(ts: Float64Array, a: number, b: number, gap_s: number, present: Uint8Array, bit: number): boolean {
  let prev = a;
  for (let r = a + 1; r <= b; r++) {
    if ((present[r]! & bit) === 0) continue;
    if (ts[r]! - ts[prev]! > gap_s) return true;
    prev = r;
  }
  return false;
}

function packVsCells(ctx: RuleContext, ns: number, out: Finding[], metrics: Record<string, number | string | null>): void {
  const { tl, profile } = ctx;
  const rel = profile.threshold(`${ID}.pack_vs_cells_rel`, 'fraction');
  const minDur = profile.num(`${ID}.pack_vs_cells_min_duration_s`);
  const st = rowStats(tl, 'cells', profile.num(`${ID}.sample_s`));
  const gaps = gapsOf(tl, profile);
  const V = tl.pack.packVoltage_V;
  let worst = 0;
  let a = -1; // first sample of the current run
  let b = -1;
  let ext = 0;
  const maxStep = Math.max(gaps.limit_s, 2 * st.step_s);
  const close = (): void => {
    if (a >= 0 && st.t_s[b]! - st.t_s[a]! >= minDur) {
      const r0 = st.rows[a]!;
      const r1 = st.rows[b]!;
      out.push(
        finding({
          check: ID,
          severity: 'warning',
          t_start_s: st.t_s[a]!,
          t_end_s: st.t_s[b]!,
          subject: 'pack voltage vs cells',
          message: `the pack voltage differs from the sum of the cell voltages by up to ${(ext * 100).toFixed(1)} % for ${(st.t_s[b]! - st.t_s[a]!).toFixed(0)} s`,
          evidence: { largest_rel: round(ext, 5), pack_V: round(V[r0]!, 3), cells_sum_V: round(st.mean[a]! * st.count[a]!, 3), rows: r1 - r0 + 1 },
          threshold: rel,
        }),
      );
    }
    a = -1;
  };
  for (let j = 0; j < st.rows.length; j++) {
    const r = st.rows[j]!;
    if (st.count[j]! < ns || !tl.hasStatus(r)) continue;
    const sum = st.mean[j]! * st.count[j]!;
    const v = V[r]!;
    if (!(v === v) || !(sum > 0)) continue;
    const e = Math.abs(v - sum) / sum;
    if (e > worst) worst = e;
    if (e > rel.value!) {
      if (a >= 0 && (st.t_s[j]! - st.t_s[b]! > maxStep || restartBetween(gaps, st.rows[b]!, r))) close();
      if (a < 0) {
        a = j;
        ext = 0;
      }
      b = j;
      if (e > ext) ext = e;
    } else close();
  }
  close();
  metrics.pack_vs_cells_largest_rel = round(worst, 5);
}
