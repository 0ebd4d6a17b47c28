/**
 * Chemistry presets: the JSON format (documented in sim/chemistry/README.md), its
 * validation, and its compiled form for the hot loop.
 *
 * All SOC-indexed 1-D tables are resampled once onto the union of their breakpoints,
 * which leaves every piecewise-linear function unchanged (to rounding) and lets the
 * pack find one segment per cell and step for all of them.
 */
import { InputError } from './errors.ts';
import { type InputFiles, baseName } from './inputs.ts';
import { presetJson, presetLabel } from './presets.ts';
import { Grid, interp1, resample, unionBreakpoints } from './table.ts';
import { Reader, parseJson } from './validate.ts';

export const GAS_CONSTANT = 8.314; // J/(mol K), as written in cell-model.md
export const KELVIN = 273.15;

export type { ArrheniusResistance, ChemistryFile, Envelope, Family, Limits, Table1d, Table2dResistance } from './chemistry/spec.ts';
import type { ArrheniusResistance, ChemistryFile, Envelope, Family, Limits, Table2dResistance } from './chemistry/spec.ts';
export const FAMILIES: readonly Family[] = ['layered-oxide', 'polyanion', 'prussian-white'];

/** The compiled chemistry the engine reads. */
export interface Chemistry {
  readonly file: string;
  readonly spec: ChemistryFile;
  readonly name: string;
  readonly capacity_Ah: number;
  readonly minV: number;
  readonly maxV: number;
  readonly nominalV: number;
  readonly T_ref_C: number;
  readonly etaCharge: number;
  readonly gamma: number;
  readonly nRC: number;
  /** Union SOC grid shared by all SOC tables. */
  readonly soc: Grid;
  readonly ocv: Float64Array;
  readonly dudt: Float64Array;
  readonly m: Float64Array;
  readonly form: 'arrhenius' | 'table2d';
  /** arrhenius: length nSoc; table2d: nSoc * nT row-major (soc, T). */
  readonly r0: Float64Array;
  /**
   * R0 while the cell charges (extension, README "Charge resistance"), laid out as r0;
   * null when the chemistry has none (then r0 in both directions, cell-model.md exactly).
   */
  readonly r0Charge: Float64Array | null;
  readonly rcR: Float64Array[];
  readonly rcC: Float64Array[];
  /** Ea / R for R0 and the RC resistances (arrhenius form; 0 for table2d). */
  readonly r0EaOverR: number;
  readonly rcEaOverR: number;
  /** table2d only: temperature grid. */
  readonly temp: Grid | null;
  readonly heatCapacity_J_per_K: number;
  readonly hA_W_per_K: number;
  /** Low-temperature capacity factor table (null: factor is 1 everywhere). */
  readonly capT: Float64Array | null;
  readonly capF: Float64Array | null;
}

const TOP = [
  'name',
  'description',
  'family',
  'sources',
  'capacity_Ah',
  'voltage',
  'T_ref_C',
  'coulombic_efficiency_charge',
  'ocv',
  'dUdT',
  'hysteresis',
  'resistance',
  'thermal',
  'low_temperature_capacity',
  'limits',
  'envelope',
] as const;

/** Validate a parsed chemistry JSON value; throws InputError naming file and field. */
export function readChemistry(file: string, value: unknown): ChemistryFile {
  const r = new Reader(file, value).only(TOP);
  const name = r.get('name').string({ nonEmpty: true });
  const description = r.get('description').string();
  const family = r.get('family').string({ oneOf: FAMILIES }) as Family;
  const sources = r
    .get('sources')
    .items()
    .map((s) => s.string({ nonEmpty: true }));
  if (sources.length === 0) r.get('sources').fail('must name at least one source');
  const capacity_Ah = r.get('capacity_Ah').number({ gt: 0 });

  const rv = r.get('voltage').only(['min_V', 'max_V', 'nominal_V']);
  const min_V = rv.get('min_V').number({ gt: 0 });
  const max_V = rv.get('max_V').number({ gt: min_V });
  const nominal_V = rv.get('nominal_V').number({ min: min_V, max: max_V });
  const T_ref_C = r.get('T_ref_C').number({ min: -60, max: 100 });
  const eta = r.get('coulombic_efficiency_charge').number({ gt: 0, max: 1 });

  const ro = r.get('ocv').only(['soc', 'voltage_V']);
  const ocvSoc = socAxis(ro.get('soc'));
  const ocvV = ro.get('voltage_V').numbers({ gt: 0, length: ocvSoc.length });
  for (let i = 1; i < ocvV.length; i++) {
    if (ocvV[i]! < ocvV[i - 1]!) ro.get('voltage_V').fail(`OCV must not fall as SOC rises (index ${i})`);
  }
  const tol = 0.005;
  if (ocvV[0]! > min_V + tol) ro.get('voltage_V').fail(`table starts at ${ocvV[0]} V, above voltage.min_V ${min_V} V: it must cover the window`);
  if (ocvV[ocvV.length - 1]! < max_V - tol)
    ro.get('voltage_V').fail(`table ends at ${ocvV[ocvV.length - 1]} V, below voltage.max_V ${max_V} V: it must cover the window`);

  const rd = r.get('dUdT').only(['soc', 'value_V_per_K']);
  const dSoc = socAxis(rd.get('soc'));
  const dVal = rd.get('value_V_per_K').numbers({ min: -0.01, max: 0.01, length: dSoc.length });

  const rh = r.get('hysteresis').only(['soc', 'M_V', 'gamma']);
  const hSoc = socAxis(rh.get('soc'));
  const hM = rh.get('M_V').numbers({ min: 0, max: 1, length: hSoc.length });
  const gamma = rh.get('gamma').number({ min: 0, max: 10000 });

  const resistance = readResistance(r.get('resistance'));

  const rt = r.get('thermal').only(['heat_capacity_J_per_K', 'hA_W_per_K', 'mass_kg']);
  const thermal = {
    heat_capacity_J_per_K: rt.get('heat_capacity_J_per_K').number({ gt: 0 }),
    hA_W_per_K: rt.get('hA_W_per_K').number({ gt: 0 }),
    mass_kg: rt.get('mass_kg').number({ gt: 0 }),
  };

  let low_temperature_capacity: ChemistryFile['low_temperature_capacity'];
  const rl = r.opt('low_temperature_capacity');
  if (rl) {
    rl.only(['temperature_C', 'factor']);
    const t = rl.get('temperature_C').numbers({ min: -80, max: 120, minLength: 1, ascending: true });
    const f = rl.get('factor').numbers({ gt: 0, max: 1, length: t.length });
    low_temperature_capacity = { temperature_C: t, factor: f };
  }

  const limits = readLimits(r.get('limits'));
  const envelope = readEnvelope(r.get('envelope'), { min_V, max_V }, limits);
  return {
    name,
    description,
    family,
    sources,
    capacity_Ah,
    voltage: { min_V, max_V, nominal_V },
    T_ref_C,
    coulombic_efficiency_charge: eta,
    ocv: { soc: ocvSoc, voltage_V: ocvV },
    dUdT: { soc: dSoc, value_V_per_K: dVal },
    hysteresis: { soc: hSoc, M_V: hM, gamma },
    resistance,
    thermal,
    low_temperature_capacity,
    limits,
    envelope,
  };
}

/** The validity envelope must contain the operating window and the limits. */
function readEnvelope(r: Reader, window: { min_V: number; max_V: number }, limits: Limits): Envelope {
  r.only(['soc_margin', 'voltage_V', 'temperature_C', 'current_A']);
  const rv = r.get('voltage_V').only(['min', 'max']);
  const vMin = rv.get('min').number({ min: 0, max: window.min_V });
  const rt = r.get('temperature_C').only(['min', 'max']);
  const tLow = Math.min(limits.charge_temperature_C.min, limits.discharge_temperature_C.min);
  const tMin = rt.get('min').number({ min: -273.15, max: tLow });
  return {
    soc_margin: r.get('soc_margin').number({ min: 0, max: 0.5 }),
    voltage_V: { min: vMin, max: rv.get('max').number({ min: window.max_V }) },
    temperature_C: { min: tMin, max: rt.get('max').number({ min: limits.cutoff_temperature_C }) },
    current_A: r.get('current_A').number({ min: Math.max(limits.charge_current_A, limits.peak_discharge_current_A) }),
  };
}

function socAxis(r: Reader): number[] {
  return r.numbers({ minLength: 1, ascending: true, min: -0.5, max: 1.5 });
}

function readResistance(r: Reader): ArrheniusResistance | Table2dResistance {
  const form = r.get('form').string({ oneOf: ['arrhenius', 'table2d'] });
  if (form === 'arrhenius') {
    r.only(['form', 'soc', 'r0_ohm', 'r0_charge_ohm', 'rc', 'r0_Ea_J_per_mol', 'rc_Ea_J_per_mol']);
    const soc = socAxis(r.get('soc'));
    const n = soc.length;
    const r0_ohm = r.get('r0_ohm').numbers({ gt: 0, length: n });
    const r0_charge_ohm = r.opt('r0_charge_ohm')?.numbers({ gt: 0, length: n });
    const rcItems = r.get('rc').items();
    if (rcItems.length > 2) r.get('rc').fail(`at most 2 RC branches, got ${rcItems.length}`);
    const rc = rcItems.map((b) => {
      b.only(['r_ohm', 'c_F']);
      return { r_ohm: b.get('r_ohm').numbers({ gt: 0, length: n }), c_F: b.get('c_F').numbers({ gt: 0, length: n }) };
    });
    return {
      form,
      soc,
      r0_ohm,
      ...(r0_charge_ohm ? { r0_charge_ohm } : {}),
      rc,
      r0_Ea_J_per_mol: r.get('r0_Ea_J_per_mol').number({ min: 0, max: 200000 }),
      rc_Ea_J_per_mol: r.get('rc_Ea_J_per_mol').number({ min: 0, max: 200000 }),
    };
  }
  r.only(['form', 'soc', 'temperature_C', 'r0_ohm', 'r0_charge_ohm', 'rc']);
  const soc = socAxis(r.get('soc'));
  const temperature_C = r.get('temperature_C').numbers({ minLength: 1, ascending: true, min: -80, max: 150 });
  const grid2 = (g: Reader): number[][] => {
    const rows = g.items();
    if (rows.length !== soc.length) g.fail(`expected ${soc.length} rows (one per soc breakpoint), got ${rows.length}`);
    return rows.map((row) => row.numbers({ gt: 0, length: temperature_C.length }));
  };
  const rcItems = r.get('rc').items();
  if (rcItems.length > 2) r.get('rc').fail(`at most 2 RC branches, got ${rcItems.length}`);
  const rc0 = r.opt('r0_charge_ohm');
  return {
    form: 'table2d',
    soc,
    temperature_C,
    r0_ohm: grid2(r.get('r0_ohm')),
    ...(rc0 ? { r0_charge_ohm: grid2(rc0) } : {}),
    rc: rcItems.map((b) => {
      b.only(['r_ohm', 'c_F']);
      return { r_ohm: grid2(b.get('r_ohm')), c_F: grid2(b.get('c_F')) };
    }),
  };
}

function readLimits(r: Reader): Limits {
  r.only([
    'charge_current_A',
    'discharge_current_A',
    'peak_discharge_current_A',
    'peak_duration_s',
    'charge_temperature_C',
    'discharge_temperature_C',
    'cutoff_temperature_C',
    'charge_derating',
  ]);
  const range = (g: Reader) => {
    g.only(['min', 'max']);
    const min = g.get('min').number();
    return { min, max: g.get('max').number({ gt: min }) };
  };
  const discharge_current_A = r.get('discharge_current_A').number({ gt: 0 });
  const rd = r.get('charge_derating').only(['temperature_C', 'factor']);
  const dt = rd.get('temperature_C').numbers({ minLength: 1, ascending: true });
  const limits: Limits = {
    charge_current_A: r.get('charge_current_A').number({ gt: 0 }),
    discharge_current_A,
    peak_discharge_current_A: r.get('peak_discharge_current_A').number({ min: discharge_current_A }),
    peak_duration_s: r.get('peak_duration_s').number({ gt: 0 }),
    charge_temperature_C: range(r.get('charge_temperature_C')),
    discharge_temperature_C: range(r.get('discharge_temperature_C')),
    cutoff_temperature_C: r.get('cutoff_temperature_C').number(),
    charge_derating: { temperature_C: dt, factor: rd.get('factor').numbers({ min: 0, max: 1, length: dt.length }) },
  };
  if (limits.cutoff_temperature_C < limits.discharge_temperature_C.max) {
    r.get('cutoff_temperature_C').fail(`must be >= discharge_temperature_C.max (${limits.discharge_temperature_C.max})`);
  }
  return limits;
}

/** Compile a validated chemistry for the engine. */
export function compileChemistry(spec: ChemistryFile, file = spec.name): Chemistry {
  const res = spec.resistance;
  const grid = new Grid(unionBreakpoints([spec.ocv.soc, spec.dUdT.soc, spec.hysteresis.soc, res.soc]));
  const at = grid.x;
  const nRC = res.rc.length;
  let r0: Float64Array;
  let r0Charge: Float64Array | null = null;
  let rcR: Float64Array[];
  let rcC: Float64Array[];
  let temp: Grid | null = null;
  if (res.form === 'arrhenius') {
    r0 = resample(res.soc, res.r0_ohm, at);
    if (res.r0_charge_ohm) r0Charge = resample(res.soc, res.r0_charge_ohm, at);
    rcR = res.rc.map((b) => resample(res.soc, b.r_ohm, at));
    rcC = res.rc.map((b) => resample(res.soc, b.c_F, at));
  } else {
    temp = new Grid(res.temperature_C);
    const nT = res.temperature_C.length;
    const to2d = (rows: number[][]): Float64Array => {
      const out = new Float64Array(at.length * nT);
      for (let j = 0; j < nT; j++) {
        const col = rows.map((row) => row[j]!);
        const rs = resample(res.soc, col, at);
        for (let i = 0; i < at.length; i++) out[i * nT + j] = rs[i]!;
      }
      return out;
    };
    r0 = to2d(res.r0_ohm);
    if (res.r0_charge_ohm) r0Charge = to2d(res.r0_charge_ohm);
    rcR = res.rc.map((b) => to2d(b.r_ohm));
    rcC = res.rc.map((b) => to2d(b.c_F));
  }
  const lt = spec.low_temperature_capacity;
  return {
    file,
    spec,
    name: spec.name,
    capacity_Ah: spec.capacity_Ah,
    minV: spec.voltage.min_V,
    maxV: spec.voltage.max_V,
    nominalV: spec.voltage.nominal_V,
    T_ref_C: spec.T_ref_C,
    etaCharge: spec.coulombic_efficiency_charge,
    gamma: spec.hysteresis.gamma,
    nRC,
    soc: grid,
    ocv: resample(spec.ocv.soc, spec.ocv.voltage_V, at),
    dudt: resample(spec.dUdT.soc, spec.dUdT.value_V_per_K, at),
    m: resample(spec.hysteresis.soc, spec.hysteresis.M_V, at),
    form: res.form,
    r0,
    r0Charge,
    rcR,
    rcC,
    r0EaOverR: res.form === 'arrhenius' ? res.r0_Ea_J_per_mol / GAS_CONSTANT : 0,
    rcEaOverR: res.form === 'arrhenius' ? res.rc_Ea_J_per_mol / GAS_CONSTANT : 0,
    temp,
    heatCapacity_J_per_K: spec.thermal.heat_capacity_J_per_K,
    hA_W_per_K: spec.thermal.hA_W_per_K,
    capT: lt ? Float64Array.from(lt.temperature_C) : null,
    capF: lt ? Float64Array.from(lt.factor) : null,
  };
}

/** Low-temperature capacity factor f(T) (1 when the chemistry has no table). */
export function capacityFactor(spec: ChemistryFile, T_C: number): number {
  const lt = spec.low_temperature_capacity;
  return lt ? interp1(lt.temperature_C, lt.factor, T_C) : 1;
}

/**
 * SOC used for table lookups (extension, README "Low-temperature capacity"):
 * z_lookup = z - (1 - z) * (1/f - 1). Equals z exactly when f = 1.
 */
export function lookupSoc(z: number, f: number): number {
  return z - (1 - z) * (1 / f - 1);
}

/** Names of the chemistry presets shipped in sim/chemistry/ (JSON modules: sim/presets.ts). */
export const PRESETS = ['naion-18650-layered', 'naion-32140-layered', 'naion-prismatic-150ah', 'naion-nvpf-polyanion'] as const;

/** A chemistry from its JSON text; `label` names the file in errors. */
export function parseChemistry(label: string, text: string): Chemistry {
  return compileChemistry(readChemistry(label, parseJson(label, text)), baseName(label));
}

/** A shipped chemistry preset by name (no file access: it is a JSON module). */
export function chemistryPreset(name: string): Chemistry {
  const value = presetJson('chemistry', name);
  const label = presetLabel('chemistry', name);
  if (value === undefined) throw new InputError(name, '(file)', `no such chemistry preset (presets: ${PRESETS.join(', ')})`);
  return compileChemistry(readChemistry(label, value), baseName(label));
}

/**
 * A chemistry by preset name, or by path to a JSON file read through `files` (in Node:
 * loadChemistry in sim/node/load.ts). Errors name the file.
 */
export function resolveChemistry(nameOrPath: string, files: InputFiles): Chemistry {
  if ((PRESETS as readonly string[]).includes(nameOrPath)) return chemistryPreset(nameOrPath);
  return parseChemistry(nameOrPath, files.read(nameOrPath, nameOrPath, `no such file (presets: ${PRESETS.join(', ')})`));
}
