/**
 * The reference single-cell model: cell-model.md written out as plainly as possible,
 * reading the chemistry file's own tables (not the compiled ones). It is the door for
 * external validation (`natrium sim cell`) and the yardstick the fast pack model is
 * tested against.
 *
 * Current is positive when charging. One step from k to k+1 holds the current constant.
 */
import { GAS_CONSTANT, KELVIN, type ChemistryFile, capacityFactor, lookupSoc } from './chemistry.ts';
import { interp1, interp2 } from './table.ts';

/** Parameters of the cell at one (SOC, temperature) point. */
export interface CellParams {
  ocv_V: number;
  dUdT_V_per_K: number;
  M_V: number;
  r0_ohm: number;
  /** R0 while charging (I > 0): the chemistry's r0_charge_ohm, else r0_ohm (README "Charge resistance"). */
  r0_charge_ohm: number;
  r_ohm: number[];
  c_F: number[];
}

/** Evaluate every table of a chemistry at SOC z (lookup SOC) and temperature T_C. */
export function cellParams(spec: ChemistryFile, z: number, T_C: number): CellParams {
  const res = spec.resistance;
  let r0: number;
  let r0c: number;
  let r: number[];
  let c: number[];
  if (res.form === 'arrhenius') {
    const x = 1 / (T_C + KELVIN) - 1 / (spec.T_ref_C + KELVIN);
    const f0 = Math.exp((res.r0_Ea_J_per_mol / GAS_CONSTANT) * x);
    const fr = Math.exp((res.rc_Ea_J_per_mol / GAS_CONSTANT) * x);
    r0 = interp1(res.soc, res.r0_ohm, z) * f0;
    r0c = res.r0_charge_ohm ? interp1(res.soc, res.r0_charge_ohm, z) * f0 : r0;
    r = res.rc.map((b) => interp1(res.soc, b.r_ohm, z) * fr);
    c = res.rc.map((b) => interp1(res.soc, b.c_F, z));
  } else {
    const flat = (rows: number[][]) => rows.flat();
    r0 = interp2(res.soc, res.temperature_C, flat(res.r0_ohm), z, T_C);
    r0c = res.r0_charge_ohm ? interp2(res.soc, res.temperature_C, flat(res.r0_charge_ohm), z, T_C) : r0;
    r = res.rc.map((b) => interp2(res.soc, res.temperature_C, flat(b.r_ohm), z, T_C));
    c = res.rc.map((b) => interp2(res.soc, res.temperature_C, flat(b.c_F), z, T_C));
  }
  return {
    ocv_V: interp1(spec.ocv.soc, spec.ocv.voltage_V, z),
    dUdT_V_per_K: interp1(spec.dUdT.soc, spec.dUdT.value_V_per_K, z),
    M_V: interp1(spec.hysteresis.soc, spec.hysteresis.M_V, z),
    r0_ohm: r0,
    r0_charge_ohm: r0c,
    r_ohm: r,
    c_F: c,
  };
}

/** R0 for current I_A: the charge resistance while charging (extension; equal to r0_ohm without one). */
export function ohmic(p: CellParams, I_A: number): number {
  return I_A > 0 ? p.r0_charge_ohm : p.r0_ohm;
}

export interface CellState {
  /** SOC, fraction (not clamped). */
  z: number;
  /** Voltage over each RC branch, V. */
  v: number[];
  /** Hysteresis state, -1..1. */
  h: number;
  /** Lumped cell temperature, °C. */
  T_C: number;
}

/** What one step reports about step k (states at k, current at k). */
export interface StepReport {
  voltage_V: number;
  heat_W: number;
}

export class Cell {
  readonly spec: ChemistryFile;
  readonly state: CellState;
  /** Capacity used in the SOC update, Ah (the chemistry's unless overridden). */
  readonly capacity_Ah: number;
  /** Apply the low-temperature capacity extension (README); off reduces to cell-model.md. */
  readonly lowTemperatureCapacity: boolean;

  constructor(spec: ChemistryFile, init: { soc: number; T_C: number; h?: number }, opts: { capacity_Ah?: number; lowTemperatureCapacity?: boolean } = {}) {
    this.spec = spec;
    this.capacity_Ah = opts.capacity_Ah ?? spec.capacity_Ah;
    this.lowTemperatureCapacity = opts.lowTemperatureCapacity ?? true;
    this.state = { z: init.soc, v: spec.resistance.rc.map(() => 0), h: init.h ?? 0, T_C: init.T_C };
  }

  /** SOC used for the table lookups at the present state. */
  lookupSoc(): number {
    const { z, T_C } = this.state;
    return this.lowTemperatureCapacity ? lookupSoc(z, capacityFactor(this.spec, T_C)) : z;
  }

  params(): CellParams {
    return cellParams(this.spec, this.lookupSoc(), this.state.T_C);
  }

  /** Terminal voltage at the present state for current I_A. */
  voltage(I_A: number, p: CellParams = this.params()): number {
    const s = this.state;
    let V = p.ocv_V + p.dUdT_V_per_K * (s.T_C - this.spec.T_ref_C) + p.M_V * s.h + ohmic(p, I_A) * I_A;
    for (let j = 0; j < s.v.length; j++) V += s.v[j]!;
    return V;
  }

  /** Heat generated during a step at current I_A from the present state, W. */
  heat(I_A: number, p: CellParams = this.params()): number {
    const s = this.state;
    let q = ohmic(p, I_A) * I_A * I_A;
    for (let j = 0; j < s.v.length; j++) q += (s.v[j]! * s.v[j]!) / p.r_ohm[j]!;
    q += p.M_V * s.h * I_A;
    q += I_A * (s.T_C + KELVIN) * p.dUdT_V_per_K;
    return q;
  }

  /**
   * Advance one step of dt_s seconds at current I_A with ambient T_amb_C and heat
   * transfer hA (defaults to the chemistry's). Returns V_k and q_k of the step.
   */
  step(I_A: number, dt_s: number, T_amb_C: number, hA_W_per_K = this.spec.thermal.hA_W_per_K): StepReport {
    const s = this.state;
    const p = this.params();
    const voltage_V = this.voltage(I_A, p);
    const q = this.heat(I_A, p);
    const Q = this.capacity_Ah;
    const eta = I_A > 0 ? this.spec.coulombic_efficiency_charge : 1;

    const zNext = s.z + (eta * I_A * dt_s) / (3600 * Q);
    for (let j = 0; j < s.v.length; j++) {
      const a = Math.exp(-dt_s / (p.r_ohm[j]! * p.c_F[j]!));
      s.v[j] = a * s.v[j]! + p.r_ohm[j]! * (1 - a) * I_A;
    }
    const b = Math.exp(-Math.abs((eta * I_A * this.spec.hysteresis.gamma * dt_s) / (3600 * Q)));
    s.h = b * s.h + (1 - b) * Math.sign(I_A);
    const tau = this.spec.thermal.heat_capacity_J_per_K / hA_W_per_K;
    s.T_C = T_amb_C + q / hA_W_per_K + (s.T_C - T_amb_C - q / hA_W_per_K) * Math.exp(-dt_s / tau);
    s.z = zNext;
    return { voltage_V, heat_W: q };
  }
}
