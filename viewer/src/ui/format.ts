/** Formatting for the page: device time as the reports print it (analyzer/report/format.ts). */
import { fmtTime } from '../../../analyzer/report/format.ts';

export { fmtTime };

/** Decimals that tell apart values `incr` apart (0 for 1 and more, at most `max`). */
function decimalsFor(incr: number, max: number, fallback: number): number {
  const step = Math.abs(incr);
  return step > 0 && Number.isFinite(step) ? Math.min(max, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9))) : fallback;
}

/**
 * Tick labels of the time axis (device time, `origin` added) with the decimals of a second their
 * spacing `incr` (s) needs: 0:20, 0:40 for 20 s apart, 0:12.35, 0:12.40 zoomed in on a 100 Hz log.
 */
export function timeTicks(splits: readonly number[], incr: number, origin = 0): string[] {
  const d = decimalsFor(incr, 3, 1);
  return splits.map((v) => fmtTime(v + origin, d));
}

/** A value with up to `digits` significant digits, '' for NaN. */
export function fmtValue(v: number, digits = 5): string {
  if (v !== v) return '';
  if (v === 0) return '0';
  return String(Number(v.toPrecision(digits)));
}

/**
 * Tick labels of a SOC axis, whose scale is a fraction (0.9 → "90"), with as many decimals as
 * the spacing of its ticks (`incr`, a fraction) needs: zoomed in on a SOC that moves by 0.05 %, the
 * ticks read 89.96, 89.98, 90.00, not 90, 90, 90.
 */
export function percentTicks(splits: readonly number[], incr: number): string[] {
  const decimals = decimalsFor(incr * 100, 6, 1);
  return splits.map((v) => (v * 100).toFixed(decimals));
}
