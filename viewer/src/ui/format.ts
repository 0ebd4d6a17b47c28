/** Formatting for the page: device time as the reports print it (analyzer/report/format.ts). */
export { fmtTime } from '../../../analyzer/report/format.ts';

/** A value with up to `digits` significant digits, '' for NaN. */
export function fmtValue(v: number, digits = 5): string {
  if (v !== v) return '';
  if (v === 0) return '0';
  return String(Number(v.toPrecision(digits)));
}
