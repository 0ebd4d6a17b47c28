/**
 * The firmware's copy of the cell model (the datasheet model a real BMS is flashed with),
 * for the EKF, the OCV recalibration, SOP and SOE. Built once from `cellParams` (sim/cell.ts)
 * on the chemistry's SOC grid × a temperature grid; evaluated without allocation by bilinear
 * interpolation. Values are per cell; a group of np cells has R/np. Its R0 includes the
 * connection resistance between a cell and its group's sense point (configured,
 * `cell_model.connection_ohm`): the AFE measures the group node, so at current that drop is part
 * of every voltage the firmware reads.
 */
import { capacityFactor, lookupSoc, type Chemistry } from '../../chemistry.ts';
import { cellParams } from '../../cell.ts';

const T_MIN_C = -40;
const T_STEP_C = 5;
const T_COUNT = 29; // -40 .. 100 °C

/** Scratch output of `eval` (reused by the caller). */
export interface ModelPoint {
  /** OCV including the entropic term, V. */
  ocv_V: number;
  /** dOCV/dSOC, V per unit SOC. */
  dOcv: number;
  M_V: number;
  dM: number;
  r0_ohm: number;
  /** R0 while charging (the chemistry's charge resistance, else R0), with the connection, Ω. */
  r0_charge_ohm: number;
  r1_ohm: number;
  tau1_s: number;
  r2_ohm: number;
  tau2_s: number;
}

export function newModelPoint(): ModelPoint {
  return { ocv_V: 0, dOcv: 0, M_V: 0, dM: 0, r0_ohm: 0, r0_charge_ohm: 0, r1_ohm: 0, tau1_s: 1, r2_ohm: 0, tau2_s: 1 };
}

const cache = new WeakMap<Chemistry, Map<string, CellModel>>();

/** The cell model of a chemistry, built once per chemistry and options (it is read-only). */
export function cellModelOf(chem: Chemistry, lowTemperatureCapacity: boolean, connection_ohm = 0): CellModel {
  let m = cache.get(chem);
  if (!m) {
    m = new Map();
    cache.set(chem, m);
  }
  const key = `${lowTemperatureCapacity} ${connection_ohm}`;
  let model = m.get(key);
  if (!model) {
    model = new CellModel(chem, lowTemperatureCapacity, connection_ohm);
    m.set(key, model);
  }
  return model;
}

export class CellModel {
  readonly chem: Chemistry;
  readonly capacity_Ah: number;
  readonly gamma: number;
  readonly etaCharge: number;
  readonly nRC: number;
  /** Connection resistance included in R0, Ω per cell. */
  readonly connection_ohm: number;
  private readonly lowT: boolean;
  private readonly nz: number;
  private readonly r0: Float64Array;
  private readonly r0c: Float64Array;
  private readonly r1: Float64Array;
  private readonly tau1: Float64Array;
  private readonly r2: Float64Array;
  private readonly tau2: Float64Array;
  /** Cumulative ∫OCV dz from SOC 0 at each grid point, V (per unit SOC), at T_ref. */
  private readonly energy: Float64Array;

  constructor(chem: Chemistry, lowTemperatureCapacity: boolean, connection_ohm = 0) {
    this.chem = chem;
    this.connection_ohm = connection_ohm;
    this.capacity_Ah = chem.capacity_Ah;
    this.gamma = chem.gamma;
    this.etaCharge = chem.etaCharge;
    this.nRC = chem.nRC;
    this.lowT = lowTemperatureCapacity && chem.capF !== null;
    const xs = chem.soc.x;
    const nz = xs.length;
    this.nz = nz;
    const f = () => new Float64Array(nz * T_COUNT);
    this.r0 = f();
    this.r0c = f();
    this.r1 = f();
    this.tau1 = f();
    this.r2 = f();
    this.tau2 = f();
    for (let i = 0; i < nz; i++) {
      for (let j = 0; j < T_COUNT; j++) {
        const p = cellParams(chem.spec, xs[i]!, T_MIN_C + j * T_STEP_C);
        const k = i * T_COUNT + j;
        this.r0[k] = p.r0_ohm + connection_ohm;
        this.r0c[k] = p.r0_charge_ohm + connection_ohm;
        this.r1[k] = p.r_ohm[0] ?? 0;
        this.tau1[k] = p.r_ohm[0] !== undefined ? p.r_ohm[0] * p.c_F[0]! : 1;
        this.r2[k] = p.r_ohm[1] ?? 0;
        this.tau2[k] = p.r_ohm[1] !== undefined ? p.r_ohm[1] * p.c_F[1]! : 1;
      }
    }
    this.energy = new Float64Array(nz);
    for (let i = 1; i < nz; i++) {
      this.energy[i] = this.energy[i - 1]! + 0.5 * (chem.ocv[i]! + chem.ocv[i - 1]!) * (xs[i]! - xs[i - 1]!);
    }
  }

  /** SOC used for table lookups (the low-temperature extension, as the pack model uses it). */
  lookup(z: number, T_C: number): number {
    return this.lowT ? lookupSoc(z, capacityFactor(this.chem.spec, T_C)) : z;
  }

  /** Every parameter at (z, T_C) into `out`. */
  eval(z: number, T_C: number, out: ModelPoint): ModelPoint {
    const chem = this.chem;
    const zl = this.lookup(z, T_C);
    const grid = chem.soc;
    const xs = grid.x;
    const s = grid.find(zl);
    const s1 = xs.length > 1 ? s + 1 : s;
    const t = grid.fraction(s, zl);
    const dx = xs.length > 1 ? xs[s1]! - xs[s]! : 1;
    const o0 = chem.ocv[s]!;
    const o1 = chem.ocv[s1]!;
    const m0 = chem.m[s]!;
    const m1 = chem.m[s1]!;
    const du = chem.dudt[s]! + t * (chem.dudt[s1]! - chem.dudt[s]!);
    out.ocv_V = o0 + t * (o1 - o0) + du * (T_C - chem.T_ref_C);
    out.dOcv = (o1 - o0) / dx;
    out.M_V = m0 + t * (m1 - m0);
    out.dM = (m1 - m0) / dx;
    let u = (T_C - T_MIN_C) / T_STEP_C;
    if (!(u > 0)) u = 0;
    if (u > T_COUNT - 1) u = T_COUNT - 1;
    let j = Math.floor(u);
    if (j > T_COUNT - 2) j = T_COUNT - 2;
    const w = u - j;
    out.r0_ohm = this.bilinear(this.r0, s, s1, t, j, w);
    out.r0_charge_ohm = this.bilinear(this.r0c, s, s1, t, j, w);
    out.r1_ohm = this.bilinear(this.r1, s, s1, t, j, w);
    out.tau1_s = this.bilinear(this.tau1, s, s1, t, j, w);
    out.r2_ohm = this.bilinear(this.r2, s, s1, t, j, w);
    out.tau2_s = this.bilinear(this.tau2, s, s1, t, j, w);
    return out;
  }

  private bilinear(tab: Float64Array, s: number, s1: number, t: number, j: number, w: number): number {
    const a = tab[s * T_COUNT + j]! + w * (tab[s * T_COUNT + j + 1]! - tab[s * T_COUNT + j]!);
    const b = tab[s1 * T_COUNT + j]! + w * (tab[s1 * T_COUNT + j + 1]! - tab[s1 * T_COUNT + j]!);
    return a + t * (b - a);
  }

  /** Resting voltage OCV(z, T) + M(z) * h, V. */
  restVoltage(z: number, h: number, T_C: number, scratch: ModelPoint): number {
    this.eval(z, T_C, scratch);
    return scratch.ocv_V + scratch.M_V * h;
  }

  /**
   * SOC whose resting voltage with hysteresis state h at T_C is v_V (bisection over the
   * table's SOC range; the result is clamped to it).
   */
  socFromRestVoltage(v_V: number, h: number, T_C: number, scratch: ModelPoint): number {
    const xs = this.chem.soc.x;
    let lo = Math.max(xs[0]!, 0);
    let hi = Math.min(xs[xs.length - 1]!, 1);
    if (this.restVoltage(lo, h, T_C, scratch) >= v_V) return lo;
    if (this.restVoltage(hi, h, T_C, scratch) <= v_V) return hi;
    for (let k = 0; k < 40; k++) {
      const mid = 0.5 * (lo + hi);
      if (this.restVoltage(mid, h, T_C, scratch) < v_V) lo = mid;
      else hi = mid;
    }
    return 0.5 * (lo + hi);
  }

  /** Resistance a group of np cells shows to a current step held for horizon_s (charging: R0 while charging), Ω. */
  stepResistance(p: ModelPoint, horizon_s: number, np: number, charging = false): number {
    let r = charging ? p.r0_charge_ohm : p.r0_ohm;
    if (this.nRC > 0) r += p.r1_ohm * (1 - Math.exp(-horizon_s / p.tau1_s));
    if (this.nRC > 1) r += p.r2_ohm * (1 - Math.exp(-horizon_s / p.tau2_s));
    return r / np;
  }

  /** Energy of one nominal cell from SOC 0 to z at T_ref, Wh (z clamped to 0..1). */
  energyTo_Wh(z: number): number {
    return (this.cumulative(z < 0 ? 0 : z > 1 ? 1 : z) - this.cumulative(0)) * this.capacity_Ah;
  }

  private cumulative(z: number): number {
    const grid = this.chem.soc;
    const s = grid.find(z);
    const t = grid.fraction(s, z);
    const s1 = Math.min(s + 1, this.nz - 1);
    return this.energy[s]! + t * (this.energy[s1]! - this.energy[s]!);
  }
}
