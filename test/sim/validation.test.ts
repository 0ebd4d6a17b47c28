/**
 * Validation against real data: the 18650 preset, simulated with the reference Cell,
 * against the two measured constant-current discharges of a Hakadi 1.5 Ah sodium-ion
 * 18650 (sim/data/chemistry/naion-18650-nfm-pseudo-ocv.csv, CC0 data).
 *
 * Conditions of the measurement, as the CSV header states them: CCCV charge to 4.1 V,
 * then CC discharge to 1.5 V at room temperature (~20–25 °C, not controlled); SOC in the
 * file is soc = 1 - q/Q0 with q the discharged charge and Q0 = 1.4948 Ah.
 *
 * Simulation choices:
 * - Start: soc 1 (the file's origin), hysteresis h = +1 (just charged), RC branches relaxed
 *   (the CCCV ends at ~75–100 mA taper current, so the branch voltages are a few mV).
 * - Capacity: Q0 = 1.4948 Ah, the measured cell's, so the model SOC equals the file's soc.
 * - Ambient 23 °C: the middle of the uncontrolled 20–25 °C room; the cell's own heating is
 *   simulated with the preset's lumped thermal model (the 2C result depends on this choice:
 *   see the TUNING note in the preset's sources).
 * - dt 1 s, currents -0.75 A (0.5C) and -3.0 A (2C) (charge-positive convention).
 * The simulated voltage is read at the discharged charge of each CSV point over 5–95 %
 * depth of discharge (soc 0.05..0.95).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Cell } from '../../sim/cell.ts';
import { parseCsv } from '../../sim/chemistry/build.ts';
import { interp1 } from '../../sim/table.ts';
import { loadChemistry } from '../../sim/node/load.ts';

const CSV_PATH = new URL('../../sim/data/chemistry/naion-18650-nfm-pseudo-ocv.csv', import.meta.url);
const Q0_AH = 1.4948;
const T_AMB_C = 23;
const DT_S = 1;
const RMS_LIMIT_V = 0.025;

const csv = parseCsv(readFileSync(CSV_PATH, 'utf8'), 'sim/data/chemistry/naion-18650-nfm-pseudo-ocv.csv');
const spec = loadChemistry('naion-18650-layered').spec;

interface Discharge {
  /** Discharged charge at each step, Ah. */
  q_Ah: number[];
  voltage_V: number[];
  /** Charge delivered until the terminal voltage reached min_V, Ah. */
  capacity_Ah: number;
  maxT_C: number;
}

function discharge(current_A: number): Discharge {
  const cell = new Cell(spec, { soc: 1, T_C: T_AMB_C, h: 1 }, { capacity_Ah: Q0_AH });
  const q_Ah: number[] = [];
  const voltage_V: number[] = [];
  let q = 0;
  let maxT_C = T_AMB_C;
  for (let k = 0; k < 4 * 3600; k++) {
    const { voltage_V: v } = cell.step(-current_A, DT_S, T_AMB_C);
    q_Ah.push(q);
    voltage_V.push(v);
    maxT_C = Math.max(maxT_C, cell.state.T_C);
    if (v <= spec.voltage.min_V) break;
    q += (current_A * DT_S) / 3600;
  }
  return { q_Ah, voltage_V, capacity_Ah: q, maxT_C };
}

function compare(column: string, sim: Discharge) {
  const soc = csv.data.soc!;
  const measured = csv.data[column]!;
  const errors: number[] = [];
  for (let i = 0; i < soc.length; i++) {
    const s = soc[i]!;
    if (s < 0.05 - 1e-9 || s > 0.95 + 1e-9) continue;
    expect(Number.isFinite(measured[i]!)).toBe(true);
    const v = interp1(sim.q_Ah, sim.voltage_V, (1 - s) * Q0_AH);
    errors.push(v - measured[i]!);
  }
  const rms = Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / errors.length);
  const maxAbs = Math.max(...errors.map(Math.abs));
  return { n: errors.length, rms, maxAbs };
}

describe('naion-18650-layered against measured CC discharges', () => {
  it.each([
    ['v_dis_0p5C_V', 0.75],
    ['v_dis_2C_V', 3.0],
  ] as const)('should reproduce %s (%s A) within 25 mV RMS from 5 to 95 per cent depth of discharge', (column, current_A) => {
    const sim = discharge(current_A);
    const { n, rms, maxAbs } = compare(column, sim);
    console.log(
      `${column} at ${current_A} A: RMS ${(rms * 1000).toFixed(1)} mV, max |error| ${(maxAbs * 1000).toFixed(1)} mV over ${n} points; ` +
        `capacity to ${spec.voltage.min_V} V ${sim.capacity_Ah.toFixed(4)} Ah; peak cell temperature ${sim.maxT_C.toFixed(1)} °C`,
    );
    expect(n).toBe(91);
    expect(rms).toBeLessThanOrEqual(RMS_LIMIT_V);
    // No single point far off either (the steep ends included).
    expect(maxAbs).toBeLessThanOrEqual(3 * RMS_LIMIT_V);
    // Capacity to the cut-off matches the file's fit of capacity against current
    // (1.4948 Ah - 0.0124 h * I) within 1.5 %.
    const fit_Ah = Q0_AH - 0.0124 * current_A;
    expect(Math.abs(sim.capacity_Ah / fit_Ah - 1)).toBeLessThanOrEqual(0.015);
  });

  it('should get worse, not better, when the preset is perturbed outside its tuning', () => {
    // Guard against a validation that passes whatever the preset says: doubling the
    // resistances must break the 0.5C fit.
    const bad = structuredClone(spec);
    if (bad.resistance.form !== 'arrhenius') throw new Error('expected the arrhenius form');
    bad.resistance.r0_ohm = bad.resistance.r0_ohm.map((r) => 2 * r);
    for (const b of bad.resistance.rc) {
      b.r_ohm = b.r_ohm.map((r) => 2 * r);
      b.c_F = b.c_F.map((c) => c / 2);
    }
    const cell = new Cell(bad, { soc: 1, T_C: T_AMB_C, h: 1 }, { capacity_Ah: Q0_AH });
    const q_Ah: number[] = [];
    const voltage_V: number[] = [];
    for (let k = 0, q = 0; k < 4 * 3600; k++, q += 0.75 / 3600) {
      const v = cell.step(-0.75, DT_S, T_AMB_C).voltage_V;
      q_Ah.push(q);
      voltage_V.push(v);
      if (v <= bad.voltage.min_V) break;
    }
    const { rms } = compare('v_dis_0p5C_V', { q_Ah, voltage_V, capacity_Ah: 0, maxT_C: 0 });
    expect(rms).toBeGreaterThan(RMS_LIMIT_V);
  });
});
