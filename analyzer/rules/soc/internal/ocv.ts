/**
 * The chemistry's resting-voltage model as the SOC checks need it, from the ChemistryFile's own
 * tables (sim/chemistry/README.md): the central OCV, the hysteresis half-gap M, the entropic
 * term dUdT·(T − T_ref) and the low-temperature capacity extension (z_lookup = z − (1 − z)(1/f − 1)
 * replaces z in every lookup). A resting cell with hysteresis state h ∈ [−1, 1] sits at
 * OCV(z, T) + M(z)·h, so its voltage lies in the band OCV ± M. Pure maths, no Node APIs (the
 * analyser runs in the browser); evaluated only at a few rows (rests, cut-offs), so plain
 * binary-search interpolation is enough.
 */
import type { ChemistryFile } from '../../../../sim/chemistry/spec.ts';

/** SOC step of the central difference for dOCV/dSOC (pure maths). */
const SLOPE_STEP = 0.01;
/** Bisection iterations for the inverse OCV (2^-40 of the SOC range). */
const BISECT_STEPS = 40;

/** Linear interpolation in an ascending table, clamped at both ends. */
export function interp(xs: readonly number[], ys: readonly number[], x: number): number {
  const n = xs.length;
  if (n === 0) return NaN;
  if (!(x > xs[0]!)) return ys[0]!;
  if (x >= xs[n - 1]!) return ys[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const x0 = xs[lo]!;
  return ys[lo]! + ((x - x0) / (xs[lo + 1]! - x0)) * (ys[lo + 1]! - ys[lo]!);
}

export class OcvModel {
  readonly chem: ChemistryFile;
  constructor(chem: ChemistryFile) {
    this.chem = chem;
  }

  /** Usable fraction of the 25 °C capacity at T_C (1 without the extension or for NaN T). */
  capacityFactor(T_C: number): number {
    const lt = this.chem.low_temperature_capacity;
    if (!lt || !Number.isFinite(T_C)) return 1;
    return interp(lt.temperature_C, lt.factor, T_C);
  }

  /** SOC used for the table lookups at temperature T_C. */
  lookup(z: number, T_C: number): number {
    const f = this.capacityFactor(T_C);
    return f === 1 ? z : z - (1 - z) * (1 / f - 1);
  }

  /** Central OCV at SOC z and temperature T_C (NaN T: at T_ref), V. */
  ocv(z: number, T_C: number): number {
    const c = this.chem;
    const zl = this.lookup(z, T_C);
    const v = interp(c.ocv.soc, c.ocv.voltage_V, zl);
    if (!Number.isFinite(T_C)) return v;
    return v + interp(c.dUdT.soc, c.dUdT.value_V_per_K, zl) * (T_C - c.T_ref_C);
  }

  /** Hysteresis half-gap M at SOC z, V. */
  hysteresis(z: number, T_C: number): number {
    const h = this.chem.hysteresis;
    return interp(h.soc, h.M_V, this.lookup(z, T_C));
  }

  /** Resting voltage OCV + M·h, V. */
  restVoltage(z: number, h: number, T_C: number): number {
    return this.ocv(z, T_C) + this.hysteresis(z, T_C) * h;
  }

  /** dOCV/dSOC around z (central difference over ±SLOPE_STEP), V per unit SOC. */
  slope(z: number, T_C: number): number {
    return (this.ocv(z + SLOPE_STEP, T_C) - this.ocv(z - SLOPE_STEP, T_C)) / (2 * SLOPE_STEP);
  }

  /** SOC whose resting voltage with hysteresis state h is v_V, by bisection over 0..1 (clamped). */
  socFromRest(v_V: number, h: number, T_C: number): number {
    let lo = 0;
    let hi = 1;
    if (this.restVoltage(lo, h, T_C) >= v_V) return lo;
    if (this.restVoltage(hi, h, T_C) <= v_V) return hi;
    for (let k = 0; k < BISECT_STEPS; k++) {
      const mid = 0.5 * (lo + hi);
      if (this.restVoltage(mid, h, T_C) < v_V) lo = mid;
      else hi = mid;
    }
    return 0.5 * (lo + hi);
  }
}

/** How a SOC agrees with a rest voltage (see OcvModel.judge). */
export interface RestJudgement {
  /** OCV implied by the SOC, and the hysteresis half-gap there, V. */
  ocv_V: number;
  m_V: number;
  /** Measured minus implied, V. */
  dV_V: number;
  /** |dV| beyond the band M + tolerance, V (≤ 0: consistent). */
  excess_V: number;
  /** SOC band the voltage allows: charge branch (h = +1) to discharge branch (h = −1). */
  socLow: number;
  socHigh: number;
  /** Distance of the SOC from that band, fraction (0 inside). */
  socError: number;
  /** dOCV/dSOC at the SOC, mV per %. */
  slope_mV_per_pct: number;
}

/** mV per % from V per unit SOC (unit conversion). */
const MV_PER_PCT = 1000 / 100;

/** Judges SOC z against a rested voltage v_V at T_C: consistent when |v − OCV(z)| ≤ M(z) + tolerance_V. */
export function judgeRest(m: OcvModel, z: number, v_V: number, T_C: number, tolerance_V: number): RestJudgement {
  const ocv_V = m.ocv(z, T_C);
  const m_V = m.hysteresis(z, T_C);
  const dV_V = v_V - ocv_V;
  const socLow = m.socFromRest(v_V, 1, T_C);
  const socHigh = m.socFromRest(v_V, -1, T_C);
  const socError = z < socLow ? socLow - z : z > socHigh ? z - socHigh : 0;
  return {
    ocv_V,
    m_V,
    dV_V,
    excess_V: Math.abs(dV_V) - m_V - tolerance_V,
    socLow,
    socHigh,
    socError,
    slope_mV_per_pct: m.slope(z, T_C) * MV_PER_PCT,
  };
}
