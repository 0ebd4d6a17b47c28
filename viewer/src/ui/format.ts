/** Formatting for the page: device time as the reports print it (analyzer/report/format.ts). */
export { fmtTime } from '../../../analyzer/report/format.ts';

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
  const step = Math.abs(incr) * 100;
  const decimals = step > 0 && Number.isFinite(step) ? Math.min(6, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9))) : 1;
  return splits.map((v) => (v * 100).toFixed(decimals));
}
