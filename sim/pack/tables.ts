/**
 * The pack's tables: the chemistry's SOC tables laid out for the JS step (interleaved value
 * and slope per breakpoint) and for the kernel (layout.ts TAB_ROW), and the small lookups both
 * share (low-temperature capacity factor, bilinear 'table2d' resistances).
 */
import type { Chemistry } from '../chemistry.ts';
import { TAB_ROW } from '../kernel/layout.ts';

/**
 * The SOC tables of an Arrhenius-form chemistry, interleaved: for breakpoint s, value and
 * slope to the next breakpoint of OCV, dU/dT, M, R0, R1, C1, R2, C2.
 */
export const T_OCV = 0;
export const T_DU = 2;
export const T_M = 4;
export const T_R0 = 6;
export const T_R1 = 8;
export const T_C1 = 10;
export const T_R2 = 12;
export const T_C2 = 14;
export const TW = 16;

export function interleaveTables(chem: Chemistry): Float64Array {
  const nx = chem.soc.x.length;
  const out = new Float64Array(nx * TW);
  const put = (off: number, ys: Float64Array | undefined) => {
    if (!ys) return;
    for (let s = 0; s < nx; s++) {
      out[s * TW + off] = ys[s]!;
      out[s * TW + off + 1] = s + 1 < nx ? ys[s + 1]! - ys[s]! : 0;
    }
  };
  put(T_OCV, chem.ocv);
  put(T_DU, chem.dudt);
  put(T_M, chem.m);
  if (chem.form === 'arrhenius') {
    put(T_R0, chem.r0);
    put(T_R1, chem.rcR[0]);
    put(T_C1, chem.rcC[0]);
    put(T_R2, chem.rcR[1]);
    put(T_C2, chem.rcC[1]);
  }
  return out;
}

/** One SOC table interleaved as interleaveTables does: value and slope to the next breakpoint. */
export function interleaveColumn(ys: Float64Array): Float64Array {
  const nx = ys.length;
  const out = new Float64Array(2 * nx);
  for (let s = 0; s < nx; s++) {
    out[2 * s] = ys[s]!;
    out[2 * s + 1] = s + 1 < nx ? ys[s + 1]! - ys[s]! : 0;
  }
  return out;
}

/**
 * The SOC tables for the kernel: per breakpoint, the values of OCV, dU/dT, M, R0, R1, C1,
 * R2, C2, then their slopes to the next breakpoint (layout.ts TAB_ROW).
 */
export function kernelTables(chem: Chemistry): Float64Array {
  const nx = chem.soc.x.length;
  const out = new Float64Array(nx * TAB_ROW);
  const cols = [chem.ocv, chem.dudt, chem.m, chem.r0, chem.rcR[0], chem.rcC[0], chem.rcR[1], chem.rcC[1]];
  cols.forEach((ys, c) => {
    if (!ys) return;
    for (let s = 0; s < nx; s++) {
      out[s * TAB_ROW + c] = ys[s]!;
      out[s * TAB_ROW + 8 + c] = s + 1 < nx ? ys[s + 1]! - ys[s]! : 0;
    }
  });
  return out;
}

/** Lowest temperature from which the capacity factor stays exactly 1 (Infinity if never). */
export function capacityTop(ts: Float64Array, fs: Float64Array): number {
  let top = Infinity;
  for (let j = ts.length - 1; j >= 0 && fs[j] === 1; j--) top = ts[j]!;
  return top;
}

export function capacityFactorAt(ts: Float64Array, fs: Float64Array, T: number): number {
  const n = ts.length;
  if (T <= ts[0]!) return fs[0]!;
  if (T >= ts[n - 1]!) return fs[n - 1]!;
  let j = 0;
  while (ts[j + 1]! <= T) j++;
  return fs[j]! + ((T - ts[j]!) / (ts[j + 1]! - ts[j]!)) * (fs[j + 1]! - fs[j]!);
}

export function bilinear(tab: Float64Array, nT: number, s: number, t: number, j: number, j1: number, u: number): number {
  const v00 = tab[s * nT + j]!;
  const v01 = tab[s * nT + j1]!;
  const v10 = tab[(s + 1) * nT + j]!;
  const v11 = tab[(s + 1) * nT + j1]!;
  const a = v00 + u * (v01 - v00);
  const b = v10 + u * (v11 - v10);
  return a + t * (b - a);
}
