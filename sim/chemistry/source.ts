/**
 * The source data the chemistry presets derive from, parsed from text (no file access, so
 * sim/chemistry/cycles.ts and the browser can use it): the project's CSV files and the 18650's
 * fitted charge side. sim/chemistry/build.ts reads the files and builds the presets.
 */

export const HAKADI_CSV = 'naion-18650-nfm-pseudo-ocv.csv';
export const NVPF_CSV = 'naion-ocv.csv';
/** The charge side of the 18650 fitted to measured recharges by tools/fit-charge-branch.ts. */
export const CHARGE_FIT_JSON = 'naion-18650-charge-fit.json';

export interface Csv {
  columns: string[];
  /** Column name -> values; an empty cell is NaN. */
  data: Record<string, number[]>;
}

/** Parse one of the project's CSV files: '#' lines are comments, the first other line the header. */
export function parseCsv(text: string, label: string): Csv {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const header = lines.shift();
  if (header === undefined) throw new Error(`${label}: no header line`);
  const columns = header.split(',').map((c) => c.trim());
  const data: Record<string, number[]> = {};
  for (const c of columns) data[c] = [];
  lines.forEach((line, i) => {
    const cells = line.split(',');
    if (cells.length !== columns.length) throw new Error(`${label}: data line ${i + 1} has ${cells.length} cells, expected ${columns.length}`);
    cells.forEach((cell, j) => {
      const v = cell.trim() === '' ? NaN : Number(cell);
      if (cell.trim() !== '' && !Number.isFinite(v)) throw new Error(`${label}: data line ${i + 1}: "${cell}" is not a number`);
      data[columns[j]!]!.push(v);
    });
  });
  return { columns, data };
}

/**
 * The 18650's charge side as tools/fit-charge-branch.ts fits it (chemistry README, "Charge
 * branch"): the hysteresis magnitude M(soc) and rate gamma, and the OCV above soc 1 as offsets
 * over the central OCV at soc 1 (`overcharge`: [soc − 1, ΔV] pairs, ascending).
 */
export interface ChargeFit {
  source: string;
  gamma: number;
  hysteresis: { soc: number[]; M_V: number[] };
  /** R0 while charging at T_ref (README "Charge resistance"), linear between its nodes. */
  r0_charge?: { soc: number[]; ohm: number[] };
  /** The RC branches at soc 0.5 and T_ref, fitted jointly (else the preset's TUNING values). */
  rc?: { r1_ohm: number; r2_ohm: number; tau2_s: number };
  overcharge: [number, number][];
}

export function readChargeFit(text: string, label: string): ChargeFit {
  const f = JSON.parse(text) as ChargeFit;
  const nums = (a: unknown, what: string) => {
    if (!Array.isArray(a) || a.length === 0 || !a.every((x) => typeof x === 'number' && Number.isFinite(x)))
      throw new Error(`${label}: ${what}: expected numbers`);
  };
  if (typeof f.source !== 'string' || !(f.gamma > 0)) throw new Error(`${label}: needs source and gamma > 0`);
  nums(f.hysteresis?.soc, 'hysteresis.soc');
  nums(f.hysteresis?.M_V, 'hysteresis.M_V');
  if (f.hysteresis.soc.length !== f.hysteresis.M_V.length) throw new Error(`${label}: hysteresis: soc and M_V differ in length`);
  if (f.r0_charge !== undefined) {
    nums(f.r0_charge.soc, 'r0_charge.soc');
    nums(f.r0_charge.ohm, 'r0_charge.ohm');
    if (f.r0_charge.soc.length !== f.r0_charge.ohm.length) throw new Error(`${label}: r0_charge: soc and ohm differ in length`);
    if (!f.r0_charge.ohm.every((r) => r > 0)) throw new Error(`${label}: r0_charge.ohm: must be > 0`);
  }
  if (f.rc !== undefined && ![f.rc.r1_ohm, f.rc.r2_ohm, f.rc.tau2_s].every((x) => typeof x === 'number' && x > 0))
    throw new Error(`${label}: rc: r1_ohm, r2_ohm and tau2_s must be numbers > 0`);
  if (!Array.isArray(f.overcharge)) throw new Error(`${label}: overcharge: expected [dsoc, dV] pairs`);
  f.overcharge.forEach((p, i) => nums(p, `overcharge[${i}]`));
  return f;
}

/** The parsed source data every preset derives from. */
export interface SourceData {
  hakadi: Csv;
  nvpf: Csv;
  chargeFit: ChargeFit;
}
