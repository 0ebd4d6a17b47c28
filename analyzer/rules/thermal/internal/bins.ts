/**
 * Time bins of the temperature sensors and the pack current, shared by the thermal checks.
 *
 * Temperatures move over seconds to minutes, and the emulated BMS (like most) reads its NTCs
 * about once a second while telemetry comes at 10 Hz, so the thermal checks work on bins of
 * `bin_s` (never shorter than the TEMPERATURES period) instead of rows. Each sensor's bin holds
 * the last valid reading in it (NaN where it had none): one short look per bin and sensor instead
 * of a read of every row, and the checks' regressions over their windows do the averaging. The
 * pack columns are averaged over all rows of a bin (the current changes within a second): mean
 * I, |I|, I² and SOC. Across the sensors, per bin: valid count, mean, max and min with their
 * sensors, and the median (on many sensors computed every MEDIAN_STEP_S and interpolated; the
 * median of a pack moves slowly). Bins hold no data across a gap (an empty bin is NaN), so
 * nothing built on them bridges one. A device restart leaves no empty bin (the rows after it
 * continue the axis right after the last one), but the time the device was down is unknown and
 * the temperatures may have moved meanwhile: `epochStart` tells where each run of the device
 * begins, and the checks' windows do not reach across one.
 *
 * Readings the device itself flags as invalid are dropped: while an NTC_OPEN or NTC_SHORT EVENT
 * is raised for a sensor (index = sensor; until it is cleared or the device restarts:
 * ../../alarms.ts), and `margin_s` before it was raised (the debounce before the device
 * noticed), the sensor's bins are NaN.
 *
 * The result is cached per Timeline (and its length, bin width and margin), so the three thermal
 * checks bin once.
 */
import { FaultCode } from '../../../../protocol/messages.ts';
import { Present, type Timeline } from '../../../timeline/store.ts';
import { alarmEpisodes } from '../../alarms.ts';
import { medianPeriod } from '../../intervals.ts';
import { median } from '../../select.ts';

export interface ThermalBins {
  /** Bin width, s. */
  bin_s: number;
  /** Time of the start of bin 0 (the first row), s. */
  t0_s: number;
  /** Bins. */
  nb: number;
  /** Sensors. */
  nt: number;
  /** Per sensor: its last valid reading in each bin, °C; NaN where none. */
  T_C: Float32Array[];
  /** Per bin, across the sensors: valid readings, their mean, median, max and min (NaN without any), and which sensors. */
  valid: Uint16Array;
  mean_C: Float64Array;
  median_C: Float64Array;
  max_C: Float64Array;
  min_C: Float64Array;
  maxSensor: Int32Array;
  minSensor: Int32Array;
  /** Pack-level means per bin over the PACK_STATUS rows (NaN without any): I, |I|, I², SOC. */
  current_A: Float64Array;
  absCurrent_A: Float64Array;
  current2_A2: Float64Array;
  soc: Float64Array;
  /**
   * Per bin: the first bin of its run of the device (a bin holding a restart belongs to the run
   * after it: its last readings are that run's); null without restarts.
   */
  epochStart: Int32Array | null;
}

/** The first bin of bin b's run of the device (0 without restarts). */
export function runStart(bins: ThermalBins, b: number): number {
  return bins.epochStart === null ? 0 : bins.epochStart[b]!;
}

/** Centre time of bin b, s. */
export function binTime(bins: ThermalBins, b: number): number {
  return bins.t0_s + (b + 0.5) * bins.bin_s;
}

/** On more sensors than this, the median across them is computed every MEDIAN_STEP_S and interpolated. */
const MEDIAN_EVERY_BIN_MAX_SENSORS = 16;
const MEDIAN_STEP_S = 10;

const NTC_FAULTS: readonly number[] = [FaultCode.NTC_OPEN, FaultCode.NTC_SHORT];

interface CacheEntry {
  revision: number;
  key: string;
  bins: ThermalBins;
}
const cache = new WeakMap<Timeline, CacheEntry[]>();

/** The bins of a Timeline (cached); null when it has no temperature sensor or fewer than two rows. */
export function thermalBins(tl: Timeline, bin_s: number, margin_s: number): ThermalBins | null {
  if (tl.nt === 0 || tl.length < 2) return null;
  const period = medianPeriod(tl, Present.TEMPERATURES);
  const width = Number.isFinite(period) && period > bin_s ? period : bin_s;
  const key = `${width}/${margin_s}`;
  let entries = cache.get(tl);
  if (entries === undefined) {
    entries = [];
    cache.set(tl, entries);
  }
  for (const e of entries) if (e.key === key && e.revision === tl.revision) return e.bins;
  const bins = build(tl, width, margin_s);
  const stale = entries.findIndex((e) => e.key === key);
  if (stale >= 0) entries.splice(stale, 1);
  entries.push({ revision: tl.revision, key, bins });
  return bins;
}

function build(tl: Timeline, bin_s: number, margin_s: number): ThermalBins {
  const n = tl.length;
  const ts = tl.t_s;
  const t0 = ts[0]!;
  const nb = Math.floor((ts[n - 1]! - t0) / bin_s) + 1;
  const nt = tl.nt;
  // first row of each bin (rowStart[nb] = n)
  const rowStart = new Int32Array(nb + 1);
  let b = 0;
  for (let r = 0; r < n; r++) {
    const k = Math.floor((ts[r]! - t0) / bin_s);
    while (b <= k && b < nb) rowStart[b++] = r;
  }
  while (b <= nb) rowStart[b++] = n;

  const drops = flaggedRanges(tl, nb, nt, t0, bin_s, margin_s);
  const T_C: Float32Array[] = [];
  const valid = new Uint16Array(nb);
  const sum = new Float64Array(nb);
  const max_C = new Float64Array(nb).fill(-Infinity);
  const min_C = new Float64Array(nb).fill(Infinity);
  const maxSensor = new Int32Array(nb).fill(-1);
  const minSensor = new Int32Array(nb).fill(-1);
  for (let j = 0; j < nt; j++) {
    const out = lastReadings(tl.temperature_C[j]!, rowStart, nb);
    for (const [s, b0, b1] of drops) if (s === j) out.fill(NaN, b0, b1 + 1);
    T_C.push(out);
    accumulate(out, j, nb, valid, sum, max_C, min_C, maxSensor, minSensor);
  }
  const across = acrossSensors(T_C, nb, bin_s, valid, sum, max_C, min_C, maxSensor, minSensor);

  const current_A = new Float64Array(nb);
  const absCurrent_A = new Float64Array(nb);
  const current2_A2 = new Float64Array(nb);
  const soc = new Float64Array(nb);
  const I = tl.pack.current_A;
  const z = tl.pack.soc;
  for (let k = 0; k < nb; k++) {
    let si = 0;
    let sa = 0;
    let s2 = 0;
    let c = 0;
    let sz = 0;
    let cz = 0;
    const r1 = rowStart[k + 1]!;
    for (let r = rowStart[k]!; r < r1; r++) {
      const x = I[r]!;
      if (x === x) {
        si += x;
        sa += x < 0 ? -x : x;
        s2 += x * x;
        c++;
      }
      const y = z[r]!;
      if (y === y) {
        sz += y;
        cz++;
      }
    }
    current_A[k] = c > 0 ? si / c : NaN;
    absCurrent_A[k] = c > 0 ? sa / c : NaN;
    current2_A2[k] = c > 0 ? s2 / c : NaN;
    soc[k] = cz > 0 ? sz / cz : NaN;
  }
  return { bin_s, t0_s: t0, nb, nt, T_C, ...across, current_A, absCurrent_A, current2_A2, soc, epochStart: epochStarts(tl, nb, t0, bin_s) };
}

/** ThermalBins.epochStart: from the rows where the device restarted (Timeline.clockSteps). */
function epochStarts(tl: Timeline, nb: number, t0: number, bin_s: number): Int32Array | null {
  let out: Int32Array | null = null;
  for (const s of tl.clockSteps) {
    if (s.row <= 0 || s.row >= tl.length) continue;
    const k = Math.min(nb - 1, Math.floor((tl.t_s[s.row]! - t0) / bin_s));
    out ??= new Int32Array(nb);
    out.fill(k, k);
  }
  return out;
}

type Across = Pick<ThermalBins, 'valid' | 'mean_C' | 'median_C' | 'max_C' | 'min_C' | 'maxSensor' | 'minSensor'>;

/** A sensor's last valid reading in each bin (NaN where none): usually one read per bin. */
function lastReadings(col: Float32Array, rowStart: Int32Array, nb: number): Float32Array {
  const out = new Float32Array(nb);
  for (let k = 0; k < nb; k++) {
    const r0 = rowStart[k]!;
    let v = NaN;
    for (let r = rowStart[k + 1]! - 1; r >= r0; r--) {
      const x = col[r]!;
      if (x === x) {
        v = x;
        break;
      }
    }
    out[k] = v;
  }
  return out;
}

/** Adds sensor j's bins to the per-bin count, sum, max and min. */
function accumulate(
  y: Float32Array,
  j: number,
  nb: number,
  valid: Uint16Array,
  sum: Float64Array,
  max_C: Float64Array,
  min_C: Float64Array,
  maxSensor: Int32Array,
  minSensor: Int32Array,
): void {
  for (let k = 0; k < nb; k++) {
    const v = y[k]!;
    if (v !== v) continue;
    valid[k]!++;
    sum[k]! += v;
    if (v > max_C[k]!) {
      max_C[k] = v;
      maxSensor[k] = j;
    }
    if (v < min_C[k]!) {
      min_C[k] = v;
      minSensor[k] = j;
    }
  }
}

/** Mean and median per bin (NaN without a reading); the median every bin on few sensors, else every MEDIAN_STEP_S, interpolated. */
function acrossSensors(
  T_C: Float32Array[],
  nb: number,
  bin_s: number,
  valid: Uint16Array,
  sum: Float64Array,
  max_C: Float64Array,
  min_C: Float64Array,
  maxSensor: Int32Array,
  minSensor: Int32Array,
): Across {
  const nt = T_C.length;
  const mean_C = new Float64Array(nb);
  const median_C = new Float64Array(nb).fill(NaN);
  const scratch = new Float64Array(nt);
  const step = nt <= MEDIAN_EVERY_BIN_MAX_SENSORS ? 1 : Math.max(1, Math.round(MEDIAN_STEP_S / bin_s));
  let prev = -1;
  for (let k = 0; k < nb; k++) {
    const c = valid[k]!;
    if (c === 0) {
      mean_C[k] = NaN;
      max_C[k] = NaN;
      min_C[k] = NaN;
      continue;
    }
    mean_C[k] = sum[k]! / c;
    if (prev >= 0 && k - prev < step && k + 1 < nb) continue;
    median_C[k] = medianOf(T_C, k, scratch);
    prev = k;
  }
  // fill the bins between computed medians: interpolated where no gap lies between, else their own
  let a = -1;
  for (let k = 0; k < nb; k++) {
    if (median_C[k]! !== median_C[k]!) continue;
    if (a >= 0 && k - a > 1) {
      let whole = true;
      for (let i = a + 1; i < k; i++) if (valid[i]! === 0) whole = false;
      for (let i = a + 1; i < k; i++) {
        if (valid[i]! === 0) continue;
        median_C[i] = whole ? median_C[a]! + ((median_C[k]! - median_C[a]!) * (i - a)) / (k - a) : medianOf(T_C, i, scratch);
      }
    }
    a = k;
  }
  return { valid, mean_C, median_C, max_C, min_C, maxSensor, minSensor };
}

function medianOf(T_C: Float32Array[], k: number, scratch: Float64Array): number {
  let m = 0;
  for (let j = 0; j < T_C.length; j++) {
    const y = T_C[j]![k]!;
    if (y === y) scratch[m++] = y;
  }
  return median(scratch, m);
}

/** Bin ranges [sensor, first, last] the device flagged NTC_OPEN / NTC_SHORT (from margin_s before the raise to the clear). */
function flaggedRanges(tl: Timeline, nb: number, nt: number, t0: number, bin_s: number, margin_s: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (const ep of alarmEpisodes(tl, (e) => NTC_FAULTS.includes(e.code) && e.index >= 0 && e.index < nt, Infinity)) {
    const j = ep.raise.index;
    const b0 = Math.max(0, Math.floor((ep.t_start_s - margin_s - t0) / bin_s));
    const b1 = Math.min(nb - 1, Math.floor((ep.t_end_s - t0) / bin_s));
    if (b1 >= b0) out.push([j, b0, b1]);
  }
  return out;
}
