/**
 * quality.stuck — a measurement channel that holds one bit-identical reading while its peers
 * move: a frozen AFE channel, a stuck NTC input or a frozen current sensor (the emulator's
 * CELL_VOLTAGE_PLAUSIBILITY fault, scenarios fault-stuck-cell-voltage and fault-stuck-sensor).
 *
 * Why: a live channel is never bit-identical for long while the pack moves: the AFE's noise
 * (about 0.8 mV RMS on 0.1 mV steps) changes a cell reading within a few samples, and a
 * current sensor's reading follows the load. At rest, real values are constant-ish but noise
 * still moves them; a quiet channel at rest is not flagged, because "its peers moved" is part
 * of the test.
 *
 * - A cell voltage bit-identical for `cell_min_duration_s` (10 s) or longer while the mean of
 *   the other cells moved by `cell_peer_move_V` (10 mV) or more: a warning; an error when they
 *   moved by `cell_peer_move_error_V` (50 mV, the BMS's MSL for this fault).
 * - A temperature sensor identical for `temperature_min_duration_s` (120 s) while the mean of
 *   the other sensors moved by `temperature_peer_move_C` (2 °C): a warning.
 * - The pack current identical for `current_min_duration_s` (5 s) with the main contactors
 *   closed while the mean cell voltage (the pack voltage / ns without cell voltages) steps by
 *   `current_step_V` (10 mV per cell) or more between two samples of a 2 s grid: only a current
 *   change makes such a step (a constant current, e.g. a CC charge with a coarse sensor, moves
 *   it by well under 1 mV/s), so a steady lab current is not taken for a frozen sensor.
 * The peers' mean is read on a `reference_sample_s` grid (2 s; temperatures
 * `temperature_reference_sample_s`, 5 s), computed only when a run is long enough to ask. One
 * finding per run; at most `max_findings`.
 *
 * Not evaluable: no cell voltages, no temperatures and no PACK_STATUS.
 */
import { type Finding, type Threshold, finding, round } from '../../findings.ts';
import { Present, type Timeline } from '../../timeline/store.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { capFindings } from '../cap.ts';
import { type ChannelRun, type Family, channelScan } from './internal/channelScan.ts';
import { gapsOf, splitAtGaps } from './internal/gaps.ts';
import { type RowStats, rowStats } from './internal/rowStats.ts';

const ID = 'quality.stuck';
/** Both main contactors closed (Contactor.MAIN_POSITIVE | MAIN_NEGATIVE). */
const MAINS = 3;

/** First sample index whose row is >= r. */
function sampleAt(st: RowStats, r: number): number {
  let lo = 0;
  let hi = st.rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (st.rows[mid]! < r) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The mean of a family's columns at row r without channel `except` (NaN when none has a value). */
function meanAt(cols: readonly Float32Array[], r: number, except: number): number {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < cols.length; i++) {
    if (i === except) continue;
    const v = cols[i]![r]!;
    if (v !== v) continue;
    sum += v;
    c++;
  }
  return c > 0 ? sum / c : NaN;
}

/**
 * How far the mean of the other channels moved (max − min) over rows [r0, r1]: the grid's
 * samples inside the run and the exact means at its first and last row (the grid may miss the
 * run's ends by up to a step); NaN without two values.
 */
function peerMove(st: RowStats, cols: readonly Float32Array[], run: ChannelRun): number {
  let lo = Infinity;
  let hi = -Infinity;
  let k = 0;
  const add = (m: number): void => {
    if (m !== m) return;
    if (m < lo) lo = m;
    if (m > hi) hi = m;
    k++;
  };
  add(meanAt(cols, run.r0, run.ch));
  add(meanAt(cols, run.r1, run.ch));
  for (let j = sampleAt(st, run.r0); j < st.rows.length && st.rows[j]! <= run.r1; j++) {
    const c = st.count[j]!;
    if (c < 2) continue;
    // the run's channel holds `value` in these rows: leave it out of the mean
    add((st.mean[j]! * c - run.value) / (c - 1));
  }
  return k >= 2 ? hi - lo : NaN;
}

export const stuck: Rule = {
  id: ID,
  group: 'quality',
  title: 'Channels stuck while their peers move',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    const hasCells = tl.ns > 0 && (tl.received.get(0x03) ?? 0) > 0;
    const hasTemps = tl.nt > 0 && (tl.received.get(0x04) ?? 0) > 0;
    const hasStatus = (tl.received.get(0x02) ?? 0) > 0;
    if (!hasCells && !hasTemps && !hasStatus) return notEvaluable('no cell voltages, temperatures or PACK_STATUS');
    const step_s = profile.num(`${ID}.reference_sample_s`);
    const tStep_s = profile.num(`${ID}.temperature_reference_sample_s`);
    const out: Finding[] = [];
    const metrics: Record<string, number> = {};
    // the peers' means are computed only when a candidate run needs them
    let cellStats: RowStats | null = null;
    const cellRef = (): RowStats | null => (hasCells ? (cellStats ??= rowStats(tl, 'cells', step_s)) : null);
    if (hasCells) {
      const n = family(ctx, 'cells', () => cellRef()!, out, {
        min: profile.threshold(`${ID}.cell_min_duration_s`, 's'),
        warn: profile.threshold(`${ID}.cell_peer_move_V`, 'V'),
        err: profile.threshold(`${ID}.cell_peer_move_error_V`, 'V'),
        subject: 'cell',
        unit: 'V',
      });
      metrics.stuck_cells = n;
    }
    if (hasTemps) {
      const n = family(ctx, 'temperatures', () => rowStats(tl, 'temperatures', tStep_s), out, {
        min: profile.threshold(`${ID}.temperature_min_duration_s`, 's'),
        warn: profile.threshold(`${ID}.temperature_peer_move_C`, '°C'),
        err: null,
        subject: 'sensor',
        unit: '°C',
      });
      metrics.stuck_sensors = n;
    }
    if (hasStatus) metrics.stuck_current_runs = current(ctx, cellRef, out);
    return { evaluable: true, findings: capFindings(ID, out, profile.threshold(`${ID}.max_findings`, 'findings'), 'stuck runs'), metrics };
  },
};

interface FamilyKeys {
  min: Threshold;
  warn: Threshold;
  err: Threshold | null;
  subject: string;
  unit: string;
}

/** Findings for the identical runs of one family whose peers moved; returns the channels flagged. */
function family(ctx: RuleContext, fam: Family, ref: () => RowStats, out: Finding[], k: FamilyKeys): number {
  const { tl } = ctx;
  const scan = channelScan(tl, ctx.profile, fam);
  const flagged = new Set<number>();
  for (const run of scan.identical) {
    const moved = peerMove(ref(), fam === 'cells' ? tl.cellVoltage_V : tl.temperature_C, run);
    if (!(moved >= k.warn.value!)) continue;
    const isError = k.err !== null && k.err.value !== null && moved >= k.err.value;
    const t0 = tl.t_s[run.r0]!;
    const t1 = tl.t_s[run.r1]!;
    flagged.add(run.ch);
    out.push(
      finding({
        check: ID,
        severity: isError ? 'error' : 'warning',
        t_start_s: t0,
        t_end_s: t1,
        subject: `${k.subject} ${run.ch}`,
        message: `${k.subject} ${run.ch} read ${fmtValue(run.value)} ${k.unit} unchanged for ${(t1 - t0).toFixed(1)} s while the mean of the others moved ${fmtValue(moved)} ${k.unit}`,
        evidence: { value: round(run.value, 4), duration_s: round(t1 - t0, 3), peers_moved: round(moved, 4), min_duration_s: k.min.value },
        threshold: isError ? k.err : k.warn,
      }),
    );
  }
  return flagged.size;
}

/** The pack current: identical runs with the mains closed, judged by steps of the mean cell voltage between grid samples. */
function current(ctx: RuleContext, cellRef: () => RowStats | null, out: Finding[]): number {
  const { tl, profile } = ctx;
  const minDur = profile.threshold(`${ID}.current_min_duration_s`, 's');
  const stepT = profile.threshold(`${ID}.current_step_V`, 'V');
  const step_s = profile.num(`${ID}.reference_sample_s`);
  const gaps = gapsOf(tl, profile);
  const I = tl.pack.current_A;
  const ts = tl.t_s;
  const present = tl.present;
  const con = tl.contactors;
  const STATUS = Present.STATUS; // read once (an import is a getter call under tsx)
  let runs = 0;
  const judge = (r0: number, r1: number, value: number): void => {
    if (ts[r1]! - ts[r0]! < minDur.value!) return;
    const step = voltageStep(tl, cellRef(), r0, r1, step_s, ctx.info?.ns ?? tl.ns);
    if (!(step >= stepT.value!)) return;
    runs++;
    out.push(
      finding({
        check: ID,
        severity: 'warning',
        t_start_s: ts[r0]!,
        t_end_s: ts[r1]!,
        subject: 'pack current',
        message: `the pack current read ${fmtValue(value)} A unchanged for ${(ts[r1]! - ts[r0]!).toFixed(1)} s with the contactors closed while the mean cell voltage stepped by ${(step * 1000).toFixed(0)} mV`,
        evidence: { value: round(value, 4), duration_s: round(ts[r1]! - ts[r0]!, 3), largest_step_V: round(step, 4), min_duration_s: minDur.value },
        threshold: stepT,
      }),
    );
  };
  // runs of one value: the loop keeps its scalars local; a run is handed to judge() when it ends
  let p = NaN;
  let s = -1;
  let l = -1;
  for (let r = 0; r <= tl.length; r++) {
    const end = r === tl.length;
    if (!end && (present[r]! & STATUS) === 0) continue;
    const v = end ? NaN : I[r]!;
    const closed = !end && (con[r]! & MAINS) === MAINS;
    if (closed && v === p) {
      l = r;
      continue;
    }
    if (s >= 0 && ts[l]! - ts[s]! >= minDur.value!) {
      const value = p;
      splitAtGaps(gaps, s, l, (a, b) => judge(a, b, value));
    }
    s = -1;
    p = NaN;
    if (closed && v === v) {
      p = v;
      s = r;
      l = r;
    }
  }
  return runs;
}

/** The largest change of the mean cell voltage between consecutive samples ≤ 2 steps apart in rows [r0, r1]. */
function voltageStep(tl: Timeline, st: RowStats | null, r0: number, r1: number, step_s: number, ns: number): number {
  let best = NaN;
  if (st !== null && st.rows.length > 0) {
    // the exact mean at the run's first and last row, the grid's samples between
    const cols = tl.cellVoltage_V;
    let prevT = tl.t_s[r0]!;
    let prevV = meanAt(cols, r0, -1);
    const step = (t: number, v: number): void => {
      if (v === v && prevV === prevV && t - prevT <= 2 * step_s) {
        const d = Math.abs(v - prevV);
        if (!(d <= best)) best = d;
      }
      prevT = t;
      prevV = v;
    };
    for (let j = sampleAt(st, r0 + 1); j < st.rows.length && st.rows[j]! < r1; j++) step(st.t_s[j]!, st.mean[j]!);
    step(tl.t_s[r1]!, meanAt(cols, r1, -1));
    if (best === best) return best;
  }
  // no cell voltages: the pack voltage per series group, on the same grid
  if (!(ns > 0)) return NaN;
  const V = tl.pack.packVoltage_V;
  const ts = tl.t_s;
  let prevT = NaN;
  let prevV = NaN;
  for (let r = r0; r <= r1; r++) {
    if (!tl.hasStatus(r)) continue;
    const t = ts[r]!;
    if (prevT === prevT && t - prevT < step_s) continue;
    const v = V[r]! / ns;
    if (v === v && prevV === prevV && t - prevT <= 2 * step_s) {
      const d = Math.abs(v - prevV);
      if (!(d <= best)) best = d;
    }
    prevT = t;
    prevV = v;
  }
  return best;
}

function fmtValue(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(4);
}
