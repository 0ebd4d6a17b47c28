/**
 * Helpers the SOC checks share: the pack capacity from INFO, the charge efficiency, rest
 * detection, mean cell voltage and temperature at a row, clock-step breaks. Pure TypeScript on the Timeline (no Node APIs).
 */
import { Present, type Timeline } from '../../../timeline/store.ts';
import type { RuleContext } from '../../rule.ts';

/** Seconds per hour (unit conversion). */
export const S_PER_H = 3600;
/** Fraction → percent (unit conversion). */
export const PCT = 100;

/** The pack capacity (np × cellCapacity_Ah from INFO), or null when INFO is missing or NA. */
export function packCapacity_Ah(ctx: RuleContext): number | null {
  const info = ctx.info;
  if (info === null) return null;
  const q = info.np * info.cellCapacity_Ah;
  return Number.isFinite(q) && q > 0 ? q : null;
}

/** Coulombic efficiency on charge: the chemistry's when known, else 1 (no loss). */
export function chargeEfficiency(ctx: RuleContext): number {
  const e = ctx.chemistry?.coulombic_efficiency_charge;
  return e !== undefined && e > 0 && e <= 1 ? e : 1;
}

/** Rows of a clock step (device restart): the store shifted them; no SOC is compared across one. */
export function clockStepRows(tl: Timeline): Int32Array {
  const rows = new Int32Array(tl.clockSteps.length + 1);
  for (let k = 0; k < tl.clockSteps.length; k++) rows[k] = tl.clockSteps[k]!.row;
  rows[tl.clockSteps.length] = 0x7fffffff; // sentinel
  rows.sort();
  return rows;
}

/** Mean of the finite cell voltages at row r, or packVoltage_V / ns when no cell is present; NaN when neither. */
export function meanCellVoltage(tl: Timeline, r: number, ns: number): number {
  const cols = tl.cellVoltage_V;
  let s = 0;
  let n = 0;
  for (let i = 0; i < cols.length; i++) {
    const v = cols[i]![r]!;
    if (v === v) {
      s += v;
      n++;
    }
  }
  if (n > 0) return s / n;
  const pv = tl.pack.packVoltage_V[r]!;
  return ns > 0 && pv === pv ? pv / ns : NaN;
}

/** Mean of the mean cell voltages over up to `rows` rows ending at r1 (not before r0) that carry cells. */
export function restVoltage(tl: Timeline, r0: number, r1: number, rows: number, ns: number): number {
  let s = 0;
  let n = 0;
  for (let r = r1; r >= r0 && n < rows; r--) {
    const v = meanCellVoltage(tl, r, ns);
    if (v === v) {
      s += v;
      n++;
    }
  }
  return n > 0 ? s / n : NaN;
}

/** Mean of the finite sensor temperatures at row r, else the mean of PACK_STATUS min and max, else NaN. */
export function meanTemperature(tl: Timeline, r: number): number {
  const cols = tl.temperature_C;
  let s = 0;
  let n = 0;
  for (let j = 0; j < cols.length; j++) {
    const v = cols[j]![r]!;
    if (v === v) {
      s += v;
      n++;
    }
  }
  if (n > 0) return s / n;
  const a = tl.pack.temperatureMin_C[r]!;
  const b = tl.pack.temperatureMax_C[r]!;
  return a === a && b === b ? 0.5 * (a + b) : NaN;
}

/** Formats a fraction as percent text with `digits` decimals. */
export function pct(x: number, digits = 2): string {
  return `${(x * PCT).toFixed(digits)} %`;
}

/** A run of rows (inclusive) and its times. */
export interface RowRun {
  r0: number;
  r1: number;
  t0: number;
  t1: number;
}

/**
 * Rests: runs of PACK_STATUS rows with |I| ≤ restThreshold_A lasting at least minDuration_s,
 * cut at time gaps longer than maxGap_s. One tight pass over the pack columns.
 */
export function restRuns(tl: Timeline, restThreshold_A: number, maxGap_s: number, minDuration_s: number): RowRun[] {
  const out: RowRun[] = [];
  const ts = tl.t_s;
  const cur = tl.pack.current_A;
  const present = tl.present;
  const n = tl.length;
  let r0 = -1;
  let last = -1;
  for (let r = 0; r < n; r++) {
    if ((present[r]! & Present.STATUS) === 0) continue;
    const I = cur[r]!;
    if (I !== I) continue;
    const gap = last >= 0 && ts[r]! - ts[last]! > maxGap_s;
    const rest = I <= restThreshold_A && I >= -restThreshold_A;
    if (r0 >= 0 && (gap || !rest)) {
      if (ts[last]! - ts[r0]! >= minDuration_s) out.push({ r0, r1: last, t0: ts[r0]!, t1: ts[last]! });
      r0 = -1;
    }
    if (r0 < 0 && rest) r0 = r;
    last = r;
  }
  if (r0 >= 0 && ts[last]! - ts[r0]! >= minDuration_s) out.push({ r0, r1: last, t0: ts[r0]!, t1: ts[last]! });
  return out;
}

/** The rest current of a check: `rest_c_rate` × capacity, at least `rest_floor_A` (the sensor's noise on a small pack), A. */
export function restThreshold_A(ctx: RuleContext, check: string, capacity_Ah: number): number {
  return Math.max(ctx.profile.num(`${check}.rest_c_rate`) * capacity_Ah, ctx.profile.num(`${check}.rest_floor_A`));
}
