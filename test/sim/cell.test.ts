/**
 * The reference cell (sim/cell.ts) against cell-model.md, over random chemistries, current
 * profiles and initial states (test/sim/arbitraries.ts). Tolerances are derived in the
 * comments; U = 2^-53 is the unit roundoff.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Cell } from '../../sim/cell.ts';
import { type ChemistryFile, readChemistry } from '../../sim/chemistry.ts';
import {
  type InitialState,
  type Trajectory,
  U,
  cRateProfile,
  chemistryFile,
  energyLedger,
  initialState,
  pwl,
  refLookupSoc,
  refParams,
  uniform,
} from './arbitraries.ts';

/** Drive a cell through a C-rate profile; record the trajectory and the reported heat. */
function runCell(spec: ChemistryFile, init: InitialState, cRates: Float64Array, dt: number, T_amb: number, lowT: boolean): Trajectory & { heat: number[] } {
  const cell = new Cell(spec, init, { lowTemperatureCapacity: lowT });
  const s = cell.state;
  const nRC = s.v.length;
  const tr: Trajectory & { heat: number[] } = {
    dt,
    Q: cell.capacity_Ah,
    rScale: 1,
    z: [s.z],
    T: [s.T_C],
    h: [s.h],
    v: Array.from({ length: nRC }, (_, j) => [s.v[j]!]),
    I: [],
    V: [],
    heat: [],
  };
  for (const c of cRates) {
    const I = c * spec.capacity_Ah;
    const rep = cell.step(I, dt, T_amb);
    tr.I.push(I);
    tr.V.push(rep.voltage_V);
    tr.heat.push(rep.heat_W);
    tr.z.push(s.z);
    tr.T.push(s.T_C);
    tr.h.push(s.h);
    for (let j = 0; j < nRC; j++) tr.v[j]!.push(s.v[j]!);
  }
  return tr;
}

/** A cell with the same state as `c` (a copy, stepped independently). */
function cloneCell(c: Cell): Cell {
  const d = new Cell(c.spec, { soc: c.state.z, T_C: c.state.T_C, h: c.state.h }, { lowTemperatureCapacity: c.lowTemperatureCapacity });
  for (let j = 0; j < c.state.v.length; j++) d.state.v[j] = c.state.v[j]!;
  return d;
}

const profile = cRateProfile({ maxSegments: 8, maxRun: 60, minC: 0.1, maxC: 2 });
const ambient = uniform(-10, 45);

describe('random chemistries', () => {
  // for all generated chemistry files / readChemistry accepts them and returns them unchanged
  it('should generate chemistry files that readChemistry accepts as they are', () => {
    fc.assert(
      fc.property(chemistryFile(), (f) => {
        expect(readChemistry('random.json', f)).toEqual(f);
      }),
      { numRuns: 200 },
    );
  });
});

describe('Cell', () => {
  // for all chemistries, initial states, profiles and steps dt
  // such that the cell runs the profile
  // z_N − z_0 = Σ η_k·I_k·dt/(3600·Q) holds to the rounding of N additions
  it('should change SOC by the integral of eta * I dt / (3600 Q)', () => {
    fc.assert(
      fc.property(chemistryFile(), initialState, profile, uniform(0.1, 10), ambient, fc.boolean(), (spec, init, cr, dt, Tamb, lowT) => {
        const tr = runCell(spec, init, cr, dt, Tamb, lowT);
        const eta = spec.coulombic_efficiency_charge;
        let sum = 0;
        let tol = 0;
        for (let k = 0; k < tr.I.length; k++) {
          const I = tr.I[k]!;
          const d = ((I > 0 ? eta : 1) * I * dt) / (3600 * tr.Q);
          sum += d;
          // the model's term and this one each take ≤ 4 roundings (≤ 8U|d| apart); the model
          // rounds z_k+1 (U|z_k+1|) and this sum rounds each partial sum (U|sum|)
          tol += U * (8 * Math.abs(d) + Math.abs(tr.z[k + 1]!) + Math.abs(sum));
        }
        const dz = tr.z[tr.z.length - 1]! - tr.z[0]!;
        expect(Math.abs(dz - sum)).toBeLessThanOrEqual(2 * tol + U * Math.abs(dz));
      }),
      { numRuns: 60 },
    );
  });

  // for all chemistries, states and profiles
  // such that the step reports V_k and q_k
  // V_k = OCV + dUdT·(T_k − T_ref) + M·h_k + R0·I_k + Σ v_j,k and
  // q_k = R0·I² + Σ v²/R + M·h·I + I·(T + 273.15)·dUdT hold (parameters at the lookup SOC)
  it('should report the terminal voltage and heat of cell-model.md', () => {
    fc.assert(
      fc.property(chemistryFile(), initialState, profile, uniform(0.1, 10), ambient, (spec, init, cr, dt, Tamb) => {
        const tr = runCell(spec, init, cr, dt, Tamb, true);
        for (let k = 0; k < tr.I.length; k++) {
          const I = tr.I[k]!;
          const T = tr.T[k]!;
          const p = refParams(spec, refLookupSoc(spec, tr.z[k]!, T), T);
          let V = p.ocv + p.dudt * (T - spec.T_ref_C) + p.M * tr.h[k]! + p.r0 * I;
          let q = p.r0 * I * I + p.M * tr.h[k]! * I + I * (T + 273.15) * p.dudt;
          let mag = Math.abs(p.ocv) + Math.abs(p.dudt * (T - spec.T_ref_C)) + Math.abs(p.M);
          let qMag = Math.abs(p.r0 * I * I) + Math.abs(p.M * I) + Math.abs(I * (T + 273.15) * p.dudt);
          for (let j = 0; j < p.r.length; j++) {
            const v = tr.v[j]![k]!;
            V += v;
            q += (v * v) / p.r[j]!;
            mag += Math.abs(v);
            qMag += (v * v) / p.r[j]!;
          }
          // a handful of ulps of the summed magnitudes: the tables are the same numbers,
          // evaluated by a different search
          expect(Math.abs(tr.V[k]! - V)).toBeLessThanOrEqual(64 * U * (mag + Math.abs(p.r0 * I)));
          expect(Math.abs(tr.heat[k]! - q)).toBeLessThanOrEqual(64 * U * qMag);
        }
      }),
      { numRuns: 40 },
    );
  });

  // for all chemistries, states, profiles and dt ≤ 1 s (low-temperature extension off)
  // such that the cell runs the profile
  // |Σ V·I·dt − ledger| ≤ the zero-order-hold bound + rounding, and that bound < 1 % of Σ|V·I·dt|
  it('should close the energy ledger within the derived zero-order-hold bound', () => {
    let worst = 0;
    fc.assert(
      fc.property(chemistryFile(), initialState, profile, uniform(0.1, 1), ambient, (spec, init, cr, dt, Tamb) => {
        const tr = runCell(spec, init, cr, dt, Tamb, false);
        const led = energyLedger(spec, tr);
        expect(Math.abs(led.residual)).toBeLessThanOrEqual(led.zohBound + led.noise);
        expect(led.zohBound + led.noise).toBeLessThan(0.01 * led.throughput);
        worst = Math.max(worst, (led.zohBound + led.noise) / led.throughput);
      }),
      { numRuns: 60 },
    );
    expect(worst).toBeGreaterThan(0);
  });

  // for all chemistries and states, after rest for ~2·10^6 s (hundreds of the longest time
  // constant, steps of 5000 s: the decays are exact exponentials)
  // |V − (OCV(z) + dUdT·(T_amb − T_ref) + M·h_0)| < 1e-6 V, |T − T_amb| < 1e-6 K, h and z unchanged
  it('should relax at zero current to OCV plus the entropic and hysteresis terms, at ambient', () => {
    const rcState = fc.array(uniform(-0.1, 0.1), { minLength: 2, maxLength: 2 });
    fc.assert(
      fc.property(chemistryFile(), initialState, rcState, ambient, fc.boolean(), (spec, init, v0, Tamb, lowT) => {
        const cell = new Cell(spec, init, { lowTemperatureCapacity: lowT });
        for (let j = 0; j < cell.state.v.length; j++) cell.state.v[j] = v0[j]!;
        for (let k = 0; k < 400; k++) cell.step(0, 5000, Tamb);
        const V = cell.step(0, 5000, Tamb).voltage_V;
        const s = cell.state;
        expect(s.h).toBe(init.h);
        expect(s.z).toBe(init.soc);
        expect(Math.abs(s.T_C - Tamb)).toBeLessThan(1e-6);
        const zl = lowT ? refLookupSoc(spec, init.soc, Tamb) : init.soc;
        const open =
          pwl(spec.ocv.soc, spec.ocv.voltage_V, zl) +
          pwl(spec.dUdT.soc, spec.dUdT.value_V_per_K, zl) * (Tamb - spec.T_ref_C) +
          pwl(spec.hysteresis.soc, spec.hysteresis.M_V, zl) * init.h;
        expect(Math.abs(V - open)).toBeLessThan(1e-6);
      }),
      { numRuns: 60 },
    );
  });

  // for all chemistries, histories, and I1 < I2 ≤ 0 applied to the same state
  // V(I1) ≤ V(I2) holds
  it('should never give a higher terminal voltage for a larger discharge current', () => {
    fc.assert(
      fc.property(
        chemistryFile(),
        initialState,
        cRateProfile({ maxSegments: 4, maxRun: 40, maxC: 2 }),
        ambient,
        uniform(0, 5),
        uniform(0, 5),
        (spec, init, history, Tamb, a, b) => {
          const cell = new Cell(spec, init);
          for (const c of history) cell.step(c * spec.capacity_Ah, 1, Tamb);
          const I2 = -Math.min(a, b) * spec.capacity_Ah;
          const I1 = -Math.max(a, b) * spec.capacity_Ah;
          const V1 = cloneCell(cell).step(I1, 1, Tamb).voltage_V;
          const V2 = cloneCell(cell).step(I2, 1, Tamb).voltage_V;
          expect(V1).toBeLessThanOrEqual(V2);
        },
      ),
      { numRuns: 100 },
    );
  });
});
