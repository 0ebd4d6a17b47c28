/**
 * Malformed chemistry files (split from chemistry.test.ts): each bad field of a user's file is
 * one InputError naming the file, the field and the problem; syntax errors, missing files and
 * files on disk by path.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cellParams } from '../../sim/cell.ts';
import { PRESETS, compileChemistry, readChemistry } from '../../sim/chemistry.ts';
import { InputError, isInputError } from '../../sim/errors.ts';
import { PRESET_DIR, loadChemistry } from '../../sim/node/load.ts';

// ---------------------------------------------------------------- malformed files

const FILE = 'bad.json';
const BASE = JSON.parse(readFileSync(join(PRESET_DIR, 'naion-18650-layered.json'), 'utf8')) as Record<string, any>;

/** A valid 2-D (SOC × temperature) resistance block. */
const TABLE2D = {
  form: 'table2d',
  soc: [0, 0.5, 1],
  temperature_C: [-20, 25],
  r0_ohm: [
    [0.08, 0.025],
    [0.06, 0.018],
    [0.07, 0.02],
  ],
  rc: [
    {
      r_ohm: [
        [0.1, 0.03],
        [0.08, 0.027],
        [0.09, 0.03],
      ],
      c_F: [
        [500, 500],
        [555, 555],
        [500, 500],
      ],
    },
  ],
};

interface Case {
  what: string;
  mutate: (c: Record<string, any>) => void;
  /** The whole input instead of a mutated copy of the base file. */
  input?: () => unknown;
  path: string;
  problem: string;
}

const CASES: Case[] = [
  { what: 'missing capacity_Ah', mutate: (c) => delete c.capacity_Ah, path: 'capacity_Ah', problem: 'missing' },
  { what: 'negative capacity', mutate: (c) => (c.capacity_Ah = -1.5), path: 'capacity_Ah', problem: 'must be > 0' },
  { what: 'capacity as a string', mutate: (c) => (c.capacity_Ah = '1.5'), path: 'capacity_Ah', problem: 'expected a finite number' },
  { what: 'root not an object', mutate: () => {}, input: () => [structuredClone(BASE)], path: '(root)', problem: 'expected an object' },
  { what: 'empty sources', mutate: (c) => (c.sources = []), path: 'sources', problem: 'at least one source' },
  { what: 'unknown family', mutate: (c) => (c.family = 'lfp'), path: 'family', problem: 'must be one of' },
  { what: 'top-level field typo', mutate: (c) => (c.capacity_ah = 1.5), path: 'capacity_ah', problem: 'unknown field' },
  {
    what: 'nested field typo',
    mutate: (c) => {
      c.thermal.hA_W_per_k = c.thermal.hA_W_per_K;
      delete c.thermal.hA_W_per_K;
    },
    path: 'thermal.hA_W_per_k',
    problem: 'unknown field',
  },
  { what: 'max_V below min_V', mutate: (c) => (c.voltage.max_V = 1.2), path: 'voltage.max_V', problem: 'must be > 1.5' },
  { what: 'nominal outside the window', mutate: (c) => (c.voltage.nominal_V = 4.5), path: 'voltage.nominal_V', problem: 'must be <= 4.1' },
  { what: 'coulombic efficiency above 1', mutate: (c) => (c.coulombic_efficiency_charge = 1.02), path: 'coulombic_efficiency_charge', problem: 'must be <= 1' },
  {
    what: 'OCV table shorter than its soc axis',
    mutate: (c) => c.ocv.voltage_V.pop(),
    path: 'ocv.voltage_V',
    problem: `expected ${BASE.ocv.soc.length} values`,
  },
  { what: 'descending soc axis', mutate: (c) => c.ocv.soc.reverse(), path: 'ocv.soc', problem: 'strictly ascending' },
  { what: 'repeated soc breakpoint', mutate: (c) => (c.ocv.soc[5] = c.ocv.soc[4]), path: 'ocv.soc', problem: 'strictly ascending (index 5' },
  {
    what: 'OCV falling with SOC',
    mutate: (c) => ([c.ocv.voltage_V[10], c.ocv.voltage_V[11]] = [c.ocv.voltage_V[11], c.ocv.voltage_V[10]]),
    path: 'ocv.voltage_V',
    problem: 'must not fall as SOC rises (index 11)',
  },
  { what: 'OCV not reaching max_V', mutate: (c) => (c.voltage.max_V = 4.7), path: 'ocv.voltage_V', problem: 'below voltage.max_V 4.7 V' },
  {
    what: 'OCV not reaching min_V',
    mutate: (c) => {
      c.ocv.soc.splice(0, 2);
      c.ocv.voltage_V.splice(0, 2);
    },
    path: 'ocv.voltage_V',
    problem: 'above voltage.min_V 1.5 V',
  },
  { what: 'soc axis far outside 0..1', mutate: (c) => (c.dUdT.soc = [0, 2]), path: 'dUdT.soc[1]', problem: 'must be <= 1.5' },
  { what: 'dUdT in mV/K instead of V/K', mutate: (c) => (c.dUdT.value_V_per_K = [-0.2, -0.2]), path: 'dUdT.value_V_per_K[0]', problem: 'must be >= -0.01' },
  { what: 'negative hysteresis', mutate: (c) => (c.hysteresis.M_V[0] = -0.04), path: 'hysteresis.M_V[0]', problem: 'must be >= 0' },
  { what: 'missing gamma', mutate: (c) => delete c.hysteresis.gamma, path: 'hysteresis.gamma', problem: 'missing' },
  { what: 'wrong resistance form', mutate: (c) => (c.resistance.form = 'table3d'), path: 'resistance.form', problem: 'must be one of arrhenius, table2d' },
  { what: '3 RC branches', mutate: (c) => c.resistance.rc.push(c.resistance.rc[0]), path: 'resistance.rc', problem: 'at most 2 RC branches, got 3' },
  { what: 'RC capacitance table too short', mutate: (c) => c.resistance.rc[1].c_F.pop(), path: 'resistance.rc[1].c_F', problem: 'expected 101 values' },
  { what: 'zero resistance', mutate: (c) => (c.resistance.r0_ohm[5] = 0), path: 'resistance.r0_ohm[5]', problem: 'must be > 0' },
  { what: 'arrhenius without Ea', mutate: (c) => delete c.resistance.rc_Ea_J_per_mol, path: 'resistance.rc_Ea_J_per_mol', problem: 'missing' },
  {
    what: 'table2d field in an arrhenius block',
    mutate: (c) => (c.resistance.temperature_C = [25]),
    path: 'resistance.temperature_C',
    problem: 'unknown field',
  },
  {
    what: 'table2d with a missing row',
    mutate: (c) => {
      c.resistance = structuredClone(TABLE2D);
      c.resistance.r0_ohm.pop();
    },
    path: 'resistance.r0_ohm',
    problem: 'expected 3 rows',
  },
  {
    what: 'table2d row too short',
    mutate: (c) => {
      c.resistance = structuredClone(TABLE2D);
      c.resistance.rc[0].c_F[1].pop();
    },
    path: 'resistance.rc[0].c_F[1]',
    problem: 'expected 2 values',
  },
  { what: 'zero thermal mass', mutate: (c) => (c.thermal.heat_capacity_J_per_K = 0), path: 'thermal.heat_capacity_J_per_K', problem: 'must be > 0' },
  {
    what: 'low-temperature factor of 0',
    mutate: (c) => (c.low_temperature_capacity.factor[0] = 0),
    path: 'low_temperature_capacity.factor[0]',
    problem: 'must be > 0',
  },
  {
    what: 'low-temperature table length mismatch',
    mutate: (c) => c.low_temperature_capacity.factor.pop(),
    path: 'low_temperature_capacity.factor',
    problem: 'expected 5 values',
  },
  {
    what: 'peak below continuous discharge',
    mutate: (c) => (c.limits.peak_discharge_current_A = 1),
    path: 'limits.peak_discharge_current_A',
    problem: 'must be >= 4.5',
  },
  {
    what: 'inverted charge-temperature range',
    mutate: (c) => (c.limits.charge_temperature_C.max = -20),
    path: 'limits.charge_temperature_C.max',
    problem: 'must be > -10',
  },
  {
    what: 'cut-off below discharge maximum',
    mutate: (c) => (c.limits.cutoff_temperature_C = 55),
    path: 'limits.cutoff_temperature_C',
    problem: 'must be >= discharge_temperature_C.max (60)',
  },
  {
    what: 'derating factor above 1',
    mutate: (c) => (c.limits.charge_derating.factor[3] = 1.5),
    path: 'limits.charge_derating.factor[3]',
    problem: 'must be <= 1',
  },
  {
    what: 'derating temperatures not ascending',
    mutate: (c) => c.limits.charge_derating.temperature_C.reverse(),
    path: 'limits.charge_derating.temperature_C',
    problem: 'strictly ascending',
  },
];

function expectInputError(f: () => unknown, file: string, path: string, problem: string): InputError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(InputError);
  expect(isInputError(caught)).toBe(true);
  const err = caught as InputError;
  expect(err.message).not.toContain('\n');
  expect(err.message.startsWith(`${file}: `)).toBe(true);
  expect(err.message).toContain(`: ${path}: `);
  expect(err.message).toContain(problem);
  expect(err.file).toBe(file);
  expect(err.field).toBe(path);
  return err;
}

describe('malformed chemistry files', () => {
  it('should accept the unmutated base file and a valid table2d resistance', () => {
    expect(() => compileChemistry(readChemistry(FILE, structuredClone(BASE)))).not.toThrow();
    const c = structuredClone(BASE);
    c.resistance = structuredClone(TABLE2D);
    const spec = readChemistry(FILE, c);
    const chem = compileChemistry(spec);
    expect(chem.form).toBe('table2d');
    expect(chem.nRC).toBe(1);
    // Bilinear: halfway in SOC and temperature between (0.5, -20) and (1, 25).
    expect(cellParams(spec, 0.75, 2.5).r0_ohm).toBeCloseTo((0.06 + 0.018 + 0.07 + 0.02) / 4, 12);
  });

  it.each(CASES.map((c) => [c.what, c] as const))('should reject %s naming the field', (_what, c) => {
    let value: unknown;
    if (c.input) value = c.input();
    else {
      const copy = structuredClone(BASE);
      c.mutate(copy);
      value = copy;
    }
    expectInputError(() => compileChemistry(readChemistry(FILE, value)), FILE, c.path, c.problem);
  });

  const dir = mkdtempSync(join(tmpdir(), 'natrium-chem-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should reject a JSON syntax error naming the file', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ "name": "broken", "capacity_Ah": 1.5,, }');
    expectInputError(() => loadChemistry(path), path, '(syntax)', 'not valid JSON');
  });

  it('should reject a missing file naming it and listing the presets', () => {
    const path = join(dir, 'nope.json');
    const err = expectInputError(() => loadChemistry(path), path, '(file)', 'no such file');
    for (const p of PRESETS) expect(err.message).toContain(p);
    expectInputError(() => loadChemistry('naion-18650-layerd'), 'naion-18650-layerd', '(file)', 'no such file');
  });

  it('should reject a bad field in a file on disk naming that file', () => {
    const path = join(dir, 'typo.json');
    const c = structuredClone(BASE);
    c.limits.charge_current = 1.5;
    writeFileSync(path, JSON.stringify(c));
    expectInputError(() => loadChemistry(path), path, 'limits.charge_current', 'unknown field');
  });

  it('should load a user chemistry file by path', () => {
    const path = join(dir, 'my-cell.json');
    const c = structuredClone(BASE);
    c.name = 'my-cell';
    c.capacity_Ah = 2.0;
    writeFileSync(path, JSON.stringify(c, null, 2));
    const chem = loadChemistry(path);
    expect(chem.name).toBe('my-cell');
    expect(chem.capacity_Ah).toBe(2.0);
    expect(chem.file).toBe('my-cell.json');
  });
});
