/**
 * The heat one cell makes, from the chemistry, as sim/MODEL.md writes it (per cell, current per
 * cell I = I_pack / np, positive when charging):
 *
 *   q = I² · (R0 + Σ R_j)  +  M · |I|  +  I · (T + 273.15) · dU/dT
 *
 * - Joule heat with every resistance of the equivalent circuit: in steady current the RC branches
 *   dissipate I²·R_j too; under a changing current they dissipate less, so this is an upper bound
 *   of the resistive heat (the check errs towards expecting more heat, not less);
 * - hysteresis heat M·h·I with the hysteresis state at its bound (h = sign I), again an upper
 *   bound;
 * - the reversible (entropic) heat, signed: on charge it is negative for the presets (dU/dT < 0).
 * R0 and R_j at the bin's SOC (BMS estimate) and temperature (mean sensor), through the
 * chemistry's Arrhenius factor or its (SOC, T) table; M and dU/dT over SOC. Tables are clamped at
 * their ends, as in the model. The SOC tables are resampled once onto a uniform grid of
 * SOC_GRID_STEP (far finer than any preset's breakpoints), so a lookup is an index, not a search.
 */
import { interp1, interp2 } from '../../../../sim/table.ts';
import type { ChemistryFile } from '../../../../sim/chemistry/spec.ts';

const KELVIN = 273.15;
/** Step of the uniform SOC grid the 1-D tables are resampled on. */
const SOC_GRID_STEP = 0.001;

/** A piecewise-linear table over SOC on a uniform grid, clamped at its ends. */
class UniformTable {
  private readonly z0: number;
  private readonly n: number;
  private readonly v: Float64Array;
  constructor(xs: readonly number[], ys: readonly number[]) {
    this.z0 = xs[0]!;
    this.n = Math.max(2, Math.round((xs[xs.length - 1]! - this.z0) / SOC_GRID_STEP) + 1);
    this.v = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) this.v[i] = interp1(xs, ys, this.z0 + i * SOC_GRID_STEP);
  }
  at(z: number): number {
    const x = (z - this.z0) / SOC_GRID_STEP;
    if (!(x > 0)) return this.v[0]!;
    if (x >= this.n - 1) return this.v[this.n - 1]!;
    const i = Math.floor(x);
    const f = x - i;
    return this.v[i]! + f * (this.v[i + 1]! - this.v[i]!);
  }
}
/** J/(mol K), as sim/MODEL.md writes it. */
const GAS_CONSTANT = 8.314;

export class HeatModel {
  private readonly c: ChemistryFile;
  private readonly r0: UniformTable | null;
  private readonly rSum: UniformTable | null;
  private readonly m: UniformTable;
  private readonly dudt: UniformTable;
  private readonly rSum2d: number[] | null;
  private readonly r0Ea: number;
  private readonly rcEa: number;
  private readonly tRef_K: number;
  /** Heat capacity of one cell, J/K. */
  readonly heatCapacity_J_per_K: number;
  /** Heat transfer of one cell to its sink, W/K. */
  readonly hA_W_per_K: number;

  constructor(c: ChemistryFile) {
    this.c = c;
    const res = c.resistance;
    this.tRef_K = c.T_ref_C + KELVIN;
    if (res.form === 'arrhenius') {
      // R0 and the RC resistances have their own activation energies: keep them apart
      this.r0 = new UniformTable(res.soc, res.r0_ohm);
      this.rSum = new UniformTable(
        res.soc,
        res.soc.map((_, i) => res.rc.reduce((s, b) => s + b.r_ohm[i]!, 0)),
      );
      this.rSum2d = null;
      this.r0Ea = res.r0_Ea_J_per_mol / GAS_CONSTANT;
      this.rcEa = res.rc_Ea_J_per_mol / GAS_CONSTANT;
    } else {
      const nT = res.temperature_C.length;
      const flat: number[] = [];
      for (let i = 0; i < res.soc.length; i++) {
        for (let j = 0; j < nT; j++) flat.push(res.r0_ohm[i]![j]! + res.rc.reduce((s, b) => s + b.r_ohm[i]![j]!, 0));
      }
      this.r0 = null;
      this.rSum = null;
      this.rSum2d = flat;
      this.r0Ea = 0;
      this.rcEa = 0;
    }
    this.m = new UniformTable(c.hysteresis.soc, c.hysteresis.M_V);
    this.dudt = new UniformTable(c.dUdT.soc, c.dUdT.value_V_per_K);
    this.heatCapacity_J_per_K = c.thermal.heat_capacity_J_per_K;
    this.hA_W_per_K = c.thermal.hA_W_per_K;
  }

  /** Total cell resistance R0 + Σ R_j at SOC z and temperature T_C, Ω. */
  resistance(z: number, T_C: number): number {
    const res = this.c.resistance;
    if (res.form === 'arrhenius') {
      const inv = 1 / (T_C + KELVIN) - 1 / this.tRef_K;
      return this.r0!.at(z) * Math.exp(this.r0Ea * inv) + this.rSum!.at(z) * Math.exp(this.rcEa * inv);
    }
    return interp2(res.soc, res.temperature_C, this.rSum2d!, z, T_C);
  }

  /**
   * Heat of one cell, W: mean current I, mean |I| and mean I² of the cell over the interval, SOC z,
   * temperature T_C.
   */
  heat_W(I: number, absI: number, I2: number, z: number, T_C: number): number {
    if (I2 === 0 && absI === 0) return 0;
    const joule = I2 * this.resistance(z, T_C);
    const hyst = this.m.at(z) * absI;
    const rev = I * (T_C + KELVIN) * this.dudt.at(z);
    return joule + hyst + rev;
  }
}
