/**
 * The chemistry presets checked against themselves and against their sources (style.md
 * habit 1), and the generator (sim/chemistry/build.ts) reproducing them; malformed files are
 * chemistry-files.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Cell, cellParams } from '../../sim/cell.ts';
import { type ChemistryFile, PRESETS, capacityFactor, lookupSoc } from '../../sim/chemistry.ts';
import { buildPresets } from '../../sim/chemistry/build.ts';
import { interp1 } from '../../sim/table.ts';
import { PRESET_DIR, loadChemistry } from '../../sim/node/load.ts';

type Preset = (typeof PRESETS)[number];

/** What each preset must match, from design/sodium-ion.md §4 (and §2, §3.3 for the NVPF cell). */
const SOURCE: Record<
  Preset,
  {
    family: string;
    capacity_Ah: number;
    window_V: [number, number];
    nominal_V: number;
    /** R0 + R1 + R2 at soc 0.5, 25 °C, and its tolerance. */
    rSum_ohm: number;
    rTol_ohm: number;
    /** Continuous charge, continuous discharge and peak discharge in C. */
    cRates: [number, number, number];
    chargeT_C: [number, number];
    lowT: { at_C: number; factor: number };
  }
> = {
  'naion-18650-layered': {
    family: 'layered-oxide',
    capacity_Ah: 1.5,
    window_V: [1.5, 4.1],
    nominal_V: 3.05,
    rSum_ohm: 0.05,
    rTol_ohm: 0.002,
    cRates: [1, 3, 6],
    chargeT_C: [-10, 45],
    lowT: { at_C: -20, factor: 0.9 },
  },
  'naion-32140-layered': {
    // R·Q = 0.075 Ω·Ah of the Hakadi cell.
    family: 'layered-oxide',
    capacity_Ah: 12,
    window_V: [1.5, 4.0],
    nominal_V: 3.0,
    rSum_ohm: 0.075 / 12,
    rTol_ohm: 0.00025,
    cRates: [1, 3, 5],
    chargeT_C: [-10, 45],
    lowT: { at_C: -20, factor: 0.9 },
  },
  'naion-prismatic-150ah': {
    // §4 table: 0.25 + 0.15 + 0.15 mΩ; Naxtra-grade low temperature.
    family: 'layered-oxide',
    capacity_Ah: 150,
    window_V: [1.5, 4.0],
    nominal_V: 3.05,
    rSum_ohm: 0.00055,
    rTol_ohm: 0.00002,
    cRates: [3, 3, 5],
    chargeT_C: [-20, 55],
    lowT: { at_C: -40, factor: 0.9 },
  },
  'naion-nvpf-polyanion': {
    family: 'polyanion',
    capacity_Ah: 1.0,
    window_V: [2.0, 4.2],
    nominal_V: 3.65,
    rSum_ohm: 0.075,
    rTol_ohm: 0.003,
    cRates: [1, 3, 6],
    chargeT_C: [-10, 45],
    lowT: { at_C: -20, factor: 0.9 },
  },
};
const TAU_S = [15, 300];

/** Mean OCV over the charge between the window ends (OCV within [min_V, max_V]), V. */
function meanOcv(spec: ChemistryFile): number {
  const { soc, voltage_V } = spec.ocv;
  const a = soc[0]!;
  const b = soc[soc.length - 1]!;
  const n = 20000;
  let sum = 0;
  let count = 0;
  for (let i = 0; i <= n; i++) {
    const v = interp1(soc, voltage_V, a + ((b - a) * i) / n);
    if (v < spec.voltage.min_V || v > spec.voltage.max_V) continue;
    sum += v;
    count++;
  }
  return sum / count;
}

describe.each(PRESETS.map((p) => [p]))('preset %s', (name) => {
  const chem = loadChemistry(name);
  const spec = chem.spec;
  const src = SOURCE[name];

  it('should load by name and carry its identity, capacity and window from the sources', () => {
    expect(chem.name).toBe(name);
    expect(spec.family).toBe(src.family);
    expect(spec.capacity_Ah).toBe(src.capacity_Ah);
    expect([spec.voltage.min_V, spec.voltage.max_V]).toEqual(src.window_V);
    expect(spec.voltage.nominal_V).toBe(src.nominal_V);
    expect(spec.T_ref_C).toBe(25);
    expect(spec.sources.length).toBeGreaterThanOrEqual(8);
    expect(spec.sources.some((s) => s.includes('EST'))).toBe(true);
    // One sentence.
    expect(spec.description.trim()).toMatch(/^[^]*\.$/);
    expect(spec.description.trim().split(/\.\s/)).toHaveLength(1);
  });

  it('should have an OCV table that covers the voltage window and never falls', () => {
    const v = spec.ocv.voltage_V;
    expect(spec.ocv.soc).toHaveLength(v.length);
    expect(v[0]!).toBeLessThanOrEqual(spec.voltage.min_V + 0.005);
    expect(v[0]!).toBeGreaterThanOrEqual(spec.voltage.min_V - 0.05);
    for (let i = 1; i < v.length; i++) expect(v[i]!).toBeGreaterThanOrEqual(v[i - 1]!);
    // SOC 0..1 is inside the table, and the table reaches below SOC 0 at most a step inside the
    // envelope (the 18650's step is 0.26 %: M(0) = 40 mV puts the central OCV 40 mV above min_V).
    expect(spec.ocv.soc[0]!).toBeLessThanOrEqual(0);
    expect(spec.ocv.soc[0]!).toBeGreaterThan(-spec.envelope.soc_margin);
    // full charge sits at the top of the window ...
    const full = interp1(spec.ocv.soc, v, 1);
    expect(full).toBeGreaterThanOrEqual(spec.voltage.max_V - 0.005);
    expect(full).toBeLessThanOrEqual(spec.voltage.max_V + 0.05);
    // ... and overcharge shows: past SOC 1 (at most to 1.1) the OCV climbs by at least 0.3 V
    const lastSoc = spec.ocv.soc[spec.ocv.soc.length - 1]!;
    expect(lastSoc).toBeGreaterThan(1);
    expect(lastSoc).toBeLessThanOrEqual(1.1);
    expect(v[v.length - 1]! - full).toBeGreaterThanOrEqual(0.3);
  });

  // for all soc pairs z1 <= z2 in [0, 1] / such that the OCV is read at both / OCV(z1) <= OCV(z2) holds
  it('should have an OCV that does not fall between any two SOC values', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (x, y) => {
        const [z1, z2] = x <= y ? [x, y] : [y, x];
        return cellParams(spec, z1, 25).ocv_V <= cellParams(spec, z2, 25).ocv_V;
      }),
    );
  });

  it('should state a nominal voltage within ±5 % of the capacity-weighted mean OCV', () => {
    const mean = meanOcv(spec);
    expect(Math.abs(spec.voltage.nominal_V - mean) / mean).toBeLessThanOrEqual(0.05);
  });

  it('should have R0 + R1 + R2 at 50 % SOC and 25 °C as its source states', () => {
    const p = cellParams(spec, 0.5, 25);
    expect(p.r_ohm).toHaveLength(2);
    const sum = p.r0_ohm + p.r_ohm[0]! + p.r_ohm[1]!;
    expect(Math.abs(sum - src.rSum_ohm)).toBeLessThanOrEqual(src.rTol_ohm);
    // The compiled tables the pack reads agree with the reference evaluation.
    const i = Array.from(chem.soc.x).indexOf(0.5);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(chem.r0[i]).toBeCloseTo(p.r0_ohm, 12);
  });

  it('should have tau_j = R_j C_j equal to the stated 15 s and 300 s at every SOC breakpoint', () => {
    const res = spec.resistance;
    expect(res.form).toBe('arrhenius');
    if (res.form !== 'arrhenius') return;
    res.rc.forEach((b, j) => {
      b.r_ohm.forEach((r, i) => expect(Math.abs((r * b.c_F[i]!) / TAU_S[j]! - 1)).toBeLessThan(1e-4));
    });
    const p = cellParams(spec, 0.5, 25);
    p.r_ohm.forEach((r, j) => expect((r * p.c_F[j]!) / TAU_S[j]!).toBeCloseTo(1, 4));
  });

  it('should have resistances that rise in the cold and towards empty', () => {
    const mid = cellParams(spec, 0.5, 25);
    const cold = cellParams(spec, 0.5, -20);
    const low = cellParams(spec, 0.05, 25);
    expect(cold.r0_ohm / mid.r0_ohm).toBeGreaterThan(2);
    expect(cold.r_ohm[0]! / mid.r_ohm[0]!).toBeGreaterThan(2);
    expect(low.r0_ohm / mid.r0_ohm).toBeGreaterThan(1.5);
    expect(low.r0_ohm / mid.r0_ohm).toBeLessThan(2.5);
  });

  it('should have current limits at the stated C-rates', () => {
    const l = spec.limits;
    const [c, d, p] = src.cRates;
    expect(l.charge_current_A).toBeCloseTo(c * spec.capacity_Ah, 9);
    expect(l.discharge_current_A).toBeCloseTo(d * spec.capacity_Ah, 9);
    expect(l.peak_discharge_current_A).toBeCloseTo(p * spec.capacity_Ah, 9);
    expect(l.peak_duration_s).toBe(10);
  });

  it('should keep the charge-temperature range inside the discharge range and the cut-off above both', () => {
    const l = spec.limits;
    expect([l.charge_temperature_C.min, l.charge_temperature_C.max]).toEqual(src.chargeT_C);
    expect(l.charge_temperature_C.min).toBeGreaterThanOrEqual(l.discharge_temperature_C.min);
    expect(l.charge_temperature_C.max).toBeLessThanOrEqual(l.discharge_temperature_C.max);
    expect(l.cutoff_temperature_C).toBeGreaterThanOrEqual(l.discharge_temperature_C.max);
  });

  it('should derate charging to zero below the charge-temperature minimum and not at room temperature', () => {
    const { temperature_C, factor } = spec.limits.charge_derating;
    const f = (T: number) => interp1(temperature_C, factor, T);
    const tMin = spec.limits.charge_temperature_C.min;
    for (const dT of [0.01, 1, 10, 40]) expect(f(tMin - dT)).toBe(0);
    expect(f(25)).toBe(1);
    for (const v of factor) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    // Non-decreasing up to room temperature: colder never allows more.
    for (let T = tMin - 5; T < 25; T += 0.5) expect(f(T + 0.5)).toBeGreaterThanOrEqual(f(T));
  });

  it('should have positive thermal parameters and a plausible thermal time constant', () => {
    const t = spec.thermal;
    expect(t.heat_capacity_J_per_K).toBeGreaterThan(0);
    expect(t.hA_W_per_K).toBeGreaterThan(0);
    // m·cp with cp = 1000 J/(kg K) (sodium-ion.md §4).
    expect(t.heat_capacity_J_per_K / t.mass_kg).toBeCloseTo(1000, 6);
    const tau_s = t.heat_capacity_J_per_K / t.hA_W_per_K;
    expect(tau_s).toBeGreaterThan(300);
    expect(tau_s).toBeLessThan(3 * 3600);
  });

  it('should have a non-negative hysteresis that is largest at low SOC', () => {
    const { M_V, soc, gamma } = spec.hysteresis;
    for (const m of M_V) expect(m).toBeGreaterThanOrEqual(0);
    expect(gamma).toBeGreaterThan(0);
    expect(interp1(soc, M_V, 0.2)).toBeGreaterThanOrEqual(interp1(soc, M_V, 0.8));
    // M is the rested gap (README "Charge branch"): the 18650's charge polarisation is in its
    // charge resistance, not in M
    expect(Math.max(...M_V)).toBeLessThanOrEqual(0.05);
  });

  it('should have a charge resistance only where charge data were fitted (the 18650), above R0 at mid SOC', () => {
    const res = spec.resistance;
    if (name !== 'naion-18650-layered') {
      expect(res.r0_charge_ohm).toBeUndefined();
      return;
    }
    if (res.form !== 'arrhenius' || !res.r0_charge_ohm) throw new Error('expected an arrhenius charge resistance');
    const mid = cellParams(spec, 0.5, 25);
    expect(mid.r0_charge_ohm).toBeGreaterThan(3 * mid.r0_ohm);
    for (const r of res.r0_charge_ohm) expect(r).toBeGreaterThan(0);
  });

  it('should have a low-temperature capacity factor of 1 at room temperature that falls in the cold', () => {
    expect(capacityFactor(spec, 25)).toBe(1);
    expect(capacityFactor(spec, src.lowT.at_C)).toBeCloseTo(src.lowT.factor, 9);
    for (let T = -45; T < 25; T += 1) expect(capacityFactor(spec, T + 1)).toBeGreaterThanOrEqual(capacityFactor(spec, T));
  });

  it('should be exactly what sim/chemistry/build.ts generates from sim/data/chemistry', () => {
    const built = buildPresets().find((b) => b.name === name);
    expect(built).toBeDefined();
    expect(readFileSync(join(PRESET_DIR, `${name}.json`), 'utf8')).toBe(built!.text);
  });
});

describe('low-temperature capacity extension on a preset', () => {
  // README "Low-temperature capacity": z_lookup = z - (1 - z)(1/f - 1) reaches 0 at z = 1 - f,
  // so a cold cell reaches its cut-off with about (1 - f) of its charge left.
  it('should stop a slow discharge at -20 °C with about (1 - f) of the charge left', () => {
    const spec = loadChemistry('naion-18650-layered').spec;
    const f = capacityFactor(spec, -20);
    expect(lookupSoc(1 - f, f)).toBeCloseTo(0, 12);
    const cell = new Cell(spec, { soc: 1, T_C: -20, h: -1 });
    const I = -spec.capacity_Ah / 50;
    let V = Infinity;
    for (let k = 0; k < 20000 && V > spec.voltage.min_V; k++) V = cell.step(I, 10, -20).voltage_V;
    expect(V).toBeLessThanOrEqual(spec.voltage.min_V);
    // dU/dT lifts the cold cell ~9 mV, so it may run a hair (< 0.2 % SOC) past z_lookup = 0.
    expect(cell.state.z).toBeGreaterThan(1 - f - 0.002);
    expect(cell.state.z).toBeLessThan(1 - f + 0.02);
  });
});
