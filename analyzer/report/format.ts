/** Number and time formatting shared by the report renderers. */

/** Device time as h:mm:ss.s (or m:ss.s under an hour); `decimals` of the second (default 1). */
export function fmtTime(t_s: number, decimals = 1): string {
  if (!Number.isFinite(t_s)) return String(t_s);
  const neg = t_s < 0;
  // rounded first, so that 59.96 s reads 1:00.0 and not 0:60.0
  const k = 10 ** decimals;
  let t = Math.round(Math.abs(t_s) * k) / k;
  const h = Math.floor(t / 3600);
  t -= h * 3600;
  const m = Math.floor(t / 60);
  const s = t - m * 60;
  const ss = s.toFixed(decimals).padStart(decimals > 0 ? decimals + 3 : 2, '0');
  return `${neg ? '-' : ''}${h > 0 ? `${h}:${String(m).padStart(2, '0')}` : String(m)}:${ss}`;
}

/** A value with at most 4 significant decimals, no trailing noise. */
export function fmtValue(x: number | string | boolean | null): string {
  if (typeof x !== 'number') return String(x);
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  const d = a >= 100 ? 1 : a >= 1 ? 3 : 4;
  return String(Number(x.toFixed(d)));
}

/** A threshold's value with its unit ("0.85" when it has none, not "0.85 "). */
export function fmtLimit(value: number | string | boolean | null, unit: string): string {
  return unit === '' ? fmtValue(value) : `${fmtValue(value)} ${unit}`;
}

/** ", 1 device restart" / ", 3 device restarts" for a link line; "" for none. */
export function restarts(n: number): string {
  return n > 0 ? `, ${n} device restart${n === 1 ? '' : 's'}` : '';
}
