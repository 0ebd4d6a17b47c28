/**
 * The pack's seeded spread (sim/pack/spread.ts): reproducible draws, and packs without a
 * parallel split equal to the reference Cell, one per cell.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Cell } from '../../../sim/cell.ts';
import { Pack } from '../../../sim/pack.ts';
import { cRateProfile, chemistry, initialState, packConfig, packShape, plainPackConfig, spreadConfig, uniform } from '../arbitraries.ts';
import { buildPack, dtArb, profile, runPack, scaledSpec, sink } from './support.ts';

describe('Pack spread', () => {
  // for all chemistries, pack shapes with spread, profiles and seeds
  // same seed → the traces are bit-identical; another seed → another spread
  it('should give bit-identical traces for the same seed and another spread for another seed', () => {
    const spread = spreadConfig.map((s) => ({ ...s, capacity_rel_sigma: 0.001 + s.capacity_rel_sigma }));
    fc.assert(
      fc.property(
        chemistry(),
        packShape(),
        spread,
        initialState,
        profile,
        dtArb,
        sink,
        fc.integer({ min: 1, max: 2 ** 32 - 1 }),
        (chem, shape0, sp, init, cr, dt, Ts, delta) => {
          const shape = { ...shape0, spread: sp };
          const trace = (seed: number) => {
            const pack = buildPack(chem, { ...shape, seed }, init, dt, true);
            const per = 8 * pack.n + 2;
            const out = new Float64Array(per * cr.length + 3 * pack.n);
            let o = 0;
            out.set(pack.capacity_Ah, o);
            out.set(pack.rScale, (o += pack.n));
            out.set(pack.z, (o += pack.n));
            o += pack.n;
            runPack(pack, cr, Ts, (_k, I) => {
              for (const a of [pack.voltage, pack.current, pack.heat, pack.z, pack.T, pack.h, pack.v1, pack.v2]) {
                out.set(a, o);
                o += pack.n;
              }
              out[o++] = pack.packVoltage;
              out[o++] = I;
            });
            return { out, n: pack.n };
          };
          const a = trace(shape.seed);
          const b = trace(shape.seed);
          expect(Buffer.from(a.out.buffer).equals(Buffer.from(b.out.buffer))).toBe(true);
          const other = (shape.seed + delta) % 2 ** 32; // a different seed
          const c = trace(other);
          const capA = a.out.subarray(0, a.n);
          const capC = c.out.subarray(0, c.n);
          expect(Buffer.from(capA.slice().buffer).equals(Buffer.from(capC.slice().buffer))).toBe(false);
        },
      ),
      { numRuns: 30 },
    );
  });

  // for all chemistries, Ns (1..3), initial states, busbar and connection resistances and long
  // profiles (2000 steps)
  // such that an Ns×1 pack without spread and coupling and the reference Cell run the profile
  // every cell's V, z, T, h and v_j equal the Cell's within 1e-9 (relative for V and for T in
  // kelvin, absolute for z, h, v_j) at every step
  it('should equal the single reference Cell as an Ns x 1 pack without spread and coupling', () => {
    const longProfile = cRateProfile({ maxSegments: 20, maxRun: 200, minC: 0.05, maxC: 2 });
    fc.assert(
      fc.property(
        chemistry(),
        fc.integer({ min: 1, max: 3 }),
        initialState,
        longProfile,
        uniform(0.5, 5),
        sink,
        uniform(0, 0.01),
        uniform(0, 0.01),
        fc.constantFrom<'auto' | 'js'>('auto', 'js'),
        (chem, ns, init, cr, dt, Ts, busbar, conn, kernel) => {
          // The two are separate implementations of the same equations: the pack reads tables
          // resampled onto the union SOC grid through a bucket search and multiplies by
          // precomputed reciprocals (dt/(3600Q), 1/hA, 1/width), the Cell interpolates the file's
          // own tables and divides. Each step therefore differs by a few ulps; the model is
          // contracting (RC, thermal and hysteresis decays < 1) so the differences do not grow
          // beyond ~N·ulp ≈ 1e-12 over 2000 steps. 1e-9 leaves three orders of margin and is still
          // six orders below any modelling difference (a mV, a mK).
          const pack = new Pack(plainPackConfig(chem, ns, init, dt, { busbar_ohm: busbar, cell_connection_ohm: conn / chem.capacity_Ah, kernel }));
          // both step implementations are under test: the kernel covers the Arrhenius form
          expect(pack.kernel).toBe(kernel === 'auto' && chem.form === 'arrhenius' ? 'wasm' : 'js');
          const cell = new Cell(chem.spec, init);
          const s = cell.state;
          const near = (a: number, b: number, scale: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * scale);
          for (const c of cr) {
            const I = c * chem.capacity_Ah;
            pack.prepare(Ts);
            pack.advance(I);
            const rep = cell.step(I, dt, Ts);
            for (let i = 0; i < ns; i++) {
              near(pack.voltage[i]!, rep.voltage_V, Math.abs(rep.voltage_V));
              near(pack.z[i]!, s.z, 1);
              near(pack.T[i]!, s.T_C, s.T_C + 273.15);
              near(pack.h[i]!, s.h, 1);
              if (pack.nRC > 0) near(pack.v1[i]!, s.v[0]!, 1);
              if (pack.nRC > 1) near(pack.v2[i]!, s.v[1]!, 1);
            }
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  // for all chemistries, Ns (1..4), spreads, initial states and profiles
  // such that an Ns×1 pack without coupling and, per cell, a reference Cell built from that
  // cell's draw (capacity Q_i, initial z_i, every R × r_i and every C / r_i) run the profile
  // every cell's V, z, T, h and v_j equal its Cell's within 1e-9 (as above) at every step
  it('should equal one reference Cell per cell, built from its spread draw, as an Ns x 1 pack', () => {
    const longProfile = cRateProfile({ maxSegments: 10, maxRun: 100, minC: 0.05, maxC: 2 });
    fc.assert(
      fc.property(chemistry(), packShape({ maxNp: 1 }), initialState, longProfile, uniform(0.5, 2), sink, (chem, shape, init, cr, dt, Ts) => {
        const pack = new Pack({ ...packConfig(chem, { ...shape, neighbourRel: 0 }, init, dt, true) });
        const cells = Array.from({ length: pack.n }, (_, i) => {
          const spec = scaledSpec(chem.spec, pack.rScale[i]!);
          return new Cell(spec, { soc: pack.z[i]!, T_C: init.T_C, h: init.h }, { capacity_Ah: pack.capacity_Ah[i]! });
        });
        const near = (a: number, b: number, scale: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * scale);
        for (const c of cr) {
          const I = c * chem.capacity_Ah;
          pack.prepare(Ts);
          pack.advance(I);
          cells.forEach((cell, i) => {
            const rep = cell.step(I, dt, Ts);
            const s = cell.state;
            near(pack.voltage[i]!, rep.voltage_V, Math.abs(rep.voltage_V));
            near(pack.z[i]!, s.z, 1);
            near(pack.T[i]!, s.T_C, s.T_C + 273.15);
            near(pack.h[i]!, s.h, 1);
            if (pack.nRC > 0) near(pack.v1[i]!, s.v[0]!, 1);
            if (pack.nRC > 1) near(pack.v2[i]!, s.v[1]!, 1);
          });
        }
      }),
      { numRuns: 15 },
    );
  });
});
