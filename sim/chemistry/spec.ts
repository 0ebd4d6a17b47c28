/**
 * The chemistry file's types (sim/chemistry/README.md): isomorphic, with no code, so that the
 * analyser and the viewer can take a chemistry (its OCV, hysteresis, limits) in the browser.
 * sim/chemistry.ts validates and compiles files of this shape.
 */
export type Family = 'layered-oxide' | 'polyanion' | 'prussian-white';

export interface Table1d {
  soc: number[];
  values: number[];
}

export interface ArrheniusResistance {
  form: 'arrhenius';
  soc: number[];
  r0_ohm: number[];
  /**
   * Optional extension (README "Charge resistance"): R0 while the cell charges (I > 0), same
   * axis and Arrhenius factor as r0_ohm. Absent: r0_ohm in both directions (cell-model.md).
   */
  r0_charge_ohm?: number[];
  rc: { r_ohm: number[]; c_F: number[] }[];
  r0_Ea_J_per_mol: number;
  rc_Ea_J_per_mol: number;
}

export interface Table2dResistance {
  form: 'table2d';
  soc: number[];
  temperature_C: number[];
  /** Row per SOC breakpoint, one value per temperature breakpoint. */
  r0_ohm: number[][];
  /** Optional extension: R0 while the cell charges (I > 0), same grid as r0_ohm. */
  r0_charge_ohm?: number[][];
  rc: { r_ohm: number[][]; c_F: number[][] }[];
}

export interface Limits {
  charge_current_A: number;
  discharge_current_A: number;
  peak_discharge_current_A: number;
  peak_duration_s: number;
  charge_temperature_C: { min: number; max: number };
  discharge_temperature_C: { min: number; max: number };
  cutoff_temperature_C: number;
  /** Factor on charge_current_A over temperature (clamped table). */
  charge_derating: { temperature_C: number[]; factor: number[] };
}

/**
 * Where the model's parameters hold (sim/envelope.ts): a cell outside it stops the run (exit 3)
 * unless the user allows abuse.
 */
export interface Envelope {
  /** SOC may go this far below 0 and above 1. */
  soc_margin: number;
  /** Cell terminal voltage abuse limits, V (outside voltage.min_V..max_V). */
  voltage_V: { min: number; max: number };
  /** Temperature range the parameters hold for, °C. */
  temperature_C: { min: number; max: number };
  /** Largest cell current magnitude, charge or discharge (the maximum pulse), A. */
  current_A: number;
}

export interface ChemistryFile {
  name: string;
  description: string;
  family: Family;
  sources: string[];
  capacity_Ah: number;
  voltage: { min_V: number; max_V: number; nominal_V: number };
  T_ref_C: number;
  coulombic_efficiency_charge: number;
  ocv: { soc: number[]; voltage_V: number[] };
  dUdT: { soc: number[]; value_V_per_K: number[] };
  hysteresis: { soc: number[]; M_V: number[]; gamma: number };
  resistance: ArrheniusResistance | Table2dResistance;
  thermal: { heat_capacity_J_per_K: number; hA_W_per_K: number; mass_kg: number };
  /** Discharge capacity fraction available at temperature (extension; see README). */
  low_temperature_capacity?: { temperature_C: number[]; factor: number[] };
  limits: Limits;
  envelope: Envelope;
}
