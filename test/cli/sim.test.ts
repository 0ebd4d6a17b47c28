/**
 * `natrium sim` end to end, as a user runs it (node bin/natrium.js in a child process): the
 * JSON summary, the trace CSV, the single-cell door for external validation (checked against
 * an independent implementation of cell-model.md written below from the chemistry JSON), the
 * discharge-positive flag, and one-line errors with exit code 2 on bad input.
 *
 * The processes start together in beforeAll (each is ~0.4 s of start-up) and the tests read
 * their results.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHEM_JSON = join(ROOT, 'sim/chemistry/naion-18650-layered.json');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function natrium(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin/natrium.js'), ...args], { cwd: ROOT, env: { ...process.env, NATRIUM_DEBUG: '' } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'natrium-cli-'));
const f = (name: string) => join(dir, name);

// A current profile (charge positive) with a comment, a header and a switch between steps.
const PROFILE: [number, number][] = [
  [0, -1.5],
  [30, 0],
  [45, 0.75],
  [62.5, 1.5],
  [80, -3],
  [100, 0],
];
const csvOf = (rows: [number, number][], sign = 1) => ['# test profile', 'time_s,current_A', ...rows.map(([t, i]) => `${t},${sign * i}`)].join('\n') + '\n';

const runs: Record<string, Run> = {};

beforeAll(async () => {
  writeFileSync(f('F.csv'), csvOf(PROFILE));
  writeFileSync(f('Fneg.csv'), csvOf(PROFILE, -1));
  writeFileSync(f('bad.csv'), 'time_s,current_A\n0,-1\n1,abc\n2,0\n');
  const chem = JSON.parse(readFileSync(CHEM_JSON, 'utf8'));
  writeFileSync(f('badchem.json'), JSON.stringify({ ...chem, capacity_Ah: -1.5 }));
  writeFileSync(
    f('tiny.json'),
    JSON.stringify({
      name: 'tiny',
      chemistry: 'naion-18650-layered',
      pack: { ns: 2, np: 2 },
      ambient: { constant_C: 25 },
      initial: { soc: 0.5 },
      steps: ['Discharge at 1C for 10 s', 'Rest for 5 s'],
    }),
  );
  const cell = ['sim', 'cell', '--chemistry', 'naion-18650-layered', '--dt', '1'];
  const jobs: Record<string, string[]> = {
    json: ['sim', 'default', '--json', '--duration', '600', '--out', f('default.csv'), '--every', '7'],
    all: ['sim', f('tiny.json'), '--cells', 'all', '--out', f('tiny.csv'), '--json'],
    cell: [...cell, '--current', f('F.csv'), '--out', f('T.csv')],
    flipped: [...cell, '--current', f('Fneg.csv'), '--discharge-positive', '--out', f('Tneg.csv')],
    missing: [...cell, '--current', f('missing.csv'), '--out', f('x.csv')],
    badChem: ['sim', 'cell', '--chemistry', f('badchem.json'), '--dt', '1', '--current', f('F.csv'), '--out', f('x.csv')],
    badCsv: [...cell, '--current', f('bad.csv'), '--out', f('x.csv')],
    unknown: [...cell, '--current', f('F.csv'), '--out', f('x.csv'), '--bogus'],
  };
  const names = Object.keys(jobs);
  const results = await Promise.all(names.map((n) => natrium(jobs[n]!)));
  names.forEach((n, i) => (runs[n] = results[i]!));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = (path: string) => readFileSync(path, 'utf8').trimEnd().split('\n');

describe('natrium sim SCENARIO', () => {
  it('should print the JSON summary with its keys', () => {
    const r = runs.json!;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    // the summary's keys (a scenario with a BMS adds the BMS report after them)
    expect(Object.keys(s).slice(0, 15)).toEqual([
      'scenario',
      'chemistry',
      'pack',
      'dt_s',
      'duration_s',
      'steps_simulated',
      'energy',
      'charge',
      'cell_voltage',
      'temperature',
      'pack_soc',
      'distance_km',
      'Wh_per_km',
      'steps',
      'wall_s',
    ]);
    expect(Object.keys(s.energy)).toEqual(['discharged_Wh', 'charged_Wh', 'net_Wh', 'heat_Wh']);
    expect(Object.keys(s.cell_voltage)).toEqual(['min_V', 'max_V']);
    expect(Object.keys(s.temperature)).toEqual(['min_C', 'max_C', 'final_max_C']);
    expect(Object.keys(s.pack_soc)).toEqual(['initial_pct', 'final_pct', 'final_min_pct', 'final_max_pct']);
    // the default scenario has a BMS: its report's keys, as issue 3 names them for rigs
    expect(Object.keys(s).slice(15)).toEqual(['transitions', 'faults', 'injections', 'soc']);
    expect(Object.keys(s.soc)).toEqual(['rms_pct', 'max_pct', 'final_pct']);
    expect(s.transitions[0]).toMatchObject({ from: 'INIT', to: 'STANDBY' });
    expect(s).toMatchObject({ scenario: 'default', chemistry: 'naion-prismatic-150ah', pack: '100s2p', dt_s: 1, duration_s: 600, steps_simulated: 600 });
    expect(s.energy.discharged_Wh).toBeGreaterThan(0);
    expect(s.cell_voltage.min_V).toBeLessThanOrEqual(s.cell_voltage.max_V);
    expect(s.steps[0].end_reason).toBe('scenario_duration');
  });

  it('should write the meta line, the documented trace columns, one row every --every steps from t = 0', () => {
    const [metaLine, ...rows] = lines(f('default.csv'));
    // sim/trace.ts: a `#` comment line that describes the run
    expect(metaLine).toBe(
      '# natrium-trace/1 {"scenario":"default","chemistry":"naion-prismatic-150ah","ns":100,"np":2,"dt_s":1,"every":7,"cells":"min-max","bms":true}',
    );
    // sim/trace.ts traceHeader: the min-max columns, then the BMS's when the scenario has one
    const hasBms = JSON.parse(readFileSync(join(ROOT, 'sim/scenarios/default.json'), 'utf8')).bms !== undefined;
    const header = [
      'time_s',
      'current_A',
      'voltage_V',
      'ambient_C',
      'soc',
      'v_min_V',
      'v_max_V',
      'soc_min',
      'soc_max',
      'T_min_C',
      'T_max_C',
      ...(hasBms ? ['bms_state', 'soc_est', 'charge_limit_A', 'discharge_limit_A', 'balancing_count'] : []),
    ];
    expect(rows[0]!.split(',')).toEqual(header);
    const data = rows.slice(1).map((l) => l.split(','));
    // steps k = 0, 7, 14, ... (k % 7 === 0) of the 600, stamped with t_k = k s
    expect(data).toHaveLength(Math.ceil(600 / 7));
    data.forEach((row, j) => {
      expect(row).toHaveLength(header.length);
      expect(Number(row[0])).toBe(7 * j);
      expect(row.slice(0, 11).map(Number).every(Number.isFinite)).toBe(true);
    });
  });

  it('should write every cell with --cells all', () => {
    expect(runs.all!.code).toBe(0);
    const [metaLine, ...rows] = lines(f('tiny.csv'));
    expect(metaLine).toMatch(/^# natrium-trace\/1 \{"scenario":"tiny",.*"ns":2,"np":2,.*"every":1,"cells":"all","bms":false\}$/);
    const cells = (p: string, s: string) => [1, 2, 3, 4].map((i) => `${p}${i}${s}`);
    expect(rows[0]!.split(',')).toEqual([
      'time_s',
      'current_A',
      'voltage_V',
      'ambient_C',
      'soc',
      ...cells('v', '_V'),
      ...cells('soc', ''),
      ...cells('T', '_C'),
    ]);
    expect(rows).toHaveLength(1 + 15);
    expect(rows.slice(1).map((l) => Number(l.split(',')[1]))).toEqual([...Array(10).fill(-3), ...Array(5).fill(0)]);
  });
});

/**
 * cell-model.md written out once more, from the chemistry JSON itself: a clamped linear scan
 * for every table, the Arrhenius factor, the low-temperature lookup SOC, and the exact
 * exponential steps. Returns the rows natrium sim cell must write.
 */
function referenceCell(spec: any, profile: [number, number][], dt: number): number[][] {
  const lin = (xs: number[], ys: number[], x: number) => {
    if (x <= xs[0]!) return ys[0]!;
    if (x >= xs[xs.length - 1]!) return ys[ys.length - 1]!;
    let i = 0;
    while (!(x >= xs[i]! && x < xs[i + 1]!)) i++;
    return ys[i]! + ((x - xs[i]!) / (xs[i + 1]! - xs[i]!)) * (ys[i + 1]! - ys[i]!);
  };
  const res = spec.resistance;
  const Tref = spec.T_ref_C;
  const Q = spec.capacity_Ah;
  const hA = spec.thermal.hA_W_per_K;
  const Tamb = Tref; // natrium's defaults: ambient = T_ref, start at ambient, SOC 1
  let z = 1;
  let h = 0;
  let T = Tamb;
  const v = res.rc.map(() => 0);
  const out: number[][] = [];
  const t0 = profile[0]![0];
  const steps = Math.floor((profile[profile.length - 1]![0] - t0) / dt + 1e-9);
  for (let k = 0; k <= steps; k++) {
    const t = t0 + k * dt;
    let I = profile[0]![1];
    for (const [ti, ci] of profile) if (ti <= t + 1e-9) I = ci; // zero-order hold
    const lt = spec.low_temperature_capacity;
    const fT = lt ? lin(lt.temperature_C, lt.factor, T) : 1;
    const zl = z - (1 - z) * (1 / fT - 1);
    const x = 1 / (T + 273.15) - 1 / (Tref + 273.15);
    const A0 = Math.exp((res.r0_Ea_J_per_mol / 8.314) * x);
    const Arc = Math.exp((res.rc_Ea_J_per_mol / 8.314) * x);
    // the charge-resistance extension (sim/MODEL.md): R0 while charging where the file has one
    const R0 = lin(res.soc, I > 0 && res.r0_charge_ohm ? res.r0_charge_ohm : res.r0_ohm, zl) * A0;
    const R = res.rc.map((b: any) => lin(res.soc, b.r_ohm, zl) * Arc);
    const C = res.rc.map((b: any) => lin(res.soc, b.c_F, zl));
    const ocv = lin(spec.ocv.soc, spec.ocv.voltage_V, zl);
    const D = lin(spec.dUdT.soc, spec.dUdT.value_V_per_K, zl);
    const M = lin(spec.hysteresis.soc, spec.hysteresis.M_V, zl);
    let V = ocv + D * (T - Tref) + M * h + R0 * I;
    let q = R0 * I * I;
    for (let j = 0; j < v.length; j++) {
      V += v[j]!;
      q += (v[j]! * v[j]!) / R[j]!;
    }
    q += M * h * I + I * (T + 273.15) * D;
    out.push([t, I, V, z, ...v, h, T, q]);
    const eta = I > 0 ? spec.coulombic_efficiency_charge : 1;
    const zNext = z + (eta * I * dt) / (3600 * Q);
    for (let j = 0; j < v.length; j++) {
      const a = Math.exp(-dt / (R[j]! * C[j]!));
      v[j] = a * v[j]! + R[j]! * (1 - a) * I;
    }
    const b = Math.exp(-Math.abs((eta * I * spec.hysteresis.gamma * dt) / (3600 * Q)));
    h = b * h + (1 - b) * Math.sign(I);
    const tau = spec.thermal.heat_capacity_J_per_K / hA;
    T = Tamb + q / hA + (T - Tamb - q / hA) * Math.exp(-dt / tau);
    z = zNext;
  }
  return out;
}

describe('natrium sim cell', () => {
  it('should write the documented columns and match an independent implementation of cell-model.md', () => {
    expect(runs.cell!.stderr).toBe('');
    expect(runs.cell!.code).toBe(0);
    const rows = lines(f('T.csv'));
    expect(rows[0]).toBe('time_s,current_A,voltage_V,soc,v_rc1_V,v_rc2_V,h,temperature_C,heat_W');
    const got = rows.slice(1).map((l) => l.split(',').map(Number));
    const ref = referenceCell(JSON.parse(readFileSync(CHEM_JSON, 'utf8')), PROFILE, 1);
    expect(got).toHaveLength(101);
    expect(ref).toHaveLength(101);
    // columns: t, I, V, soc, v1, v2, h, T, q; the same equations in the same order of
    // operations on the same tables: agreement to a few ulps (≤ 1e-12 in every column)
    const tol = [0, 0, 1e-12, 1e-12, 1e-12, 1e-12, 1e-12, 1e-12, 1e-12];
    got.forEach((row, k) => {
      const want = ref[k]!;
      expect(row).toHaveLength(9);
      row.forEach((x, c) => expect(Math.abs(x - want[c]!)).toBeLessThanOrEqual(tol[c]!));
    });
    // the profile is really exercised: discharge, rest, charge and a 2C pulse
    expect(new Set(got.map((r) => r[1]))).toEqual(new Set([-1.5, 0, 0.75, 1.5, -3]));
  });

  it('should read a discharge-positive profile with --discharge-positive as the same run', () => {
    expect(runs.flipped!.code).toBe(0);
    expect(readFileSync(f('Tneg.csv'), 'utf8')).toBe(readFileSync(f('T.csv'), 'utf8'));
  });
});

describe('bad input', () => {
  // exit code 2, nothing on stdout, exactly one line on stderr naming what is wrong, no stack
  const oneLine = (r: Run, ...parts: string[]) => {
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^natrium: [^\n]+\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    for (const p of parts) expect(r.stderr).toContain(p);
  };

  it('should report a missing profile file in one line', () => {
    oneLine(runs.missing!, 'missing.csv: (file): no such file');
  });

  it('should report a malformed chemistry in one line naming the file and the field', () => {
    oneLine(runs.badChem!, 'badchem.json: capacity_Ah: must be > 0, got -1.5');
  });

  it('should report a non-numeric CSV cell in one line naming the line and column', () => {
    oneLine(runs.badCsv!, 'bad.csv: line 3, column 2 (current_A): not a number: "abc"');
  });

  it('should report an unknown option in one line', () => {
    oneLine(runs.unknown!, 'unknown option --bogus');
  });
});
