/**
 * The WebAssembly kernel (sim/kernel/) against the JS path of sim/pack.ts, which stays the
 * readable reference: both evaluate the same expressions in the same order, so they must
 * agree to floating-point noise (1e-12 relative), and in practice bit for bit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileChemistry } from '../../../sim/chemistry.ts';
import { PackKernel } from '../../../sim/kernel/index.ts';
import { Pack, type PackConfig } from '../../../sim/pack.ts';
import { Gap, type PackScenario, applyEvent, compareAdvanced, comparePrepared, packScenario, presetSpec, runSideBySide, variantSpec } from './support.ts';
import { loadChemistry } from '../../../sim/node/load.ts';

const REL = 1e-12;

describe('kernel vs JS pack', () => {
  it('agrees over random packs, chemistries, profiles and mid-run changes', () => {
    fc.assert(
      fc.property(packScenario, (sc) => {
        const { gap } = runSideBySide(sc);
        expect(gap.maxRel, gap.where).toBeLessThanOrEqual(REL);
      }),
      { numRuns: 120 },
    );
  });

  it('agrees over a long run with every feature on (odd cell count, open group, both exp branches, both splits)', () => {
    // 5s3p: 15 cells (a phantom lane), 2 RC with different Ea, low-T capacity, spread,
    // neighbour conduction, connection and busbar resistance; shunts, disconnections, an
    // open group, cooling faults and step changes on the way.
    let s = 99;
    const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
    const steps: PackScenario['steps'] = [];
    for (let k = 0; k < 6000; k++) {
      const events: PackScenario['steps'][number]['events'] = [];
      if (k % 500 === 100) events.push({ kind: 'shunt', cell: ((k / 500) % 15) | 0, S: 0.5 });
      if (k % 500 === 300) events.push({ kind: 'shunt', cell: ((k / 500) % 15) | 0, S: 0 });
      if (k === 1200) events.push({ kind: 'connect', cell: 4, on: false });
      if (k === 2000) events.push({ kind: 'openGroup', group: 2 });
      if (k === 2600) for (let j = 6; j < 9; j++) events.push({ kind: 'connect', cell: j, on: true });
      if (k === 3000) events.push({ kind: 'hA', cell: 7, hA: 0.05 });
      if (k === 3500) events.push({ kind: 'dt', dt: 20 });
      if (k === 4500) events.push({ kind: 'dt', dt: 0.05 });
      const c = k % 700 < 50 ? 0 : -2.5 + 3.5 * rnd();
      steps.push({ c, sink: -20 + 50 * ((k / 1500) % 1), events });
    }
    const sc: PackScenario = {
      variant: { preset: 'naion-18650-layered', nRC: 2, r0Ea: 28000, rcEa: 17000, lowT: true, tauScale: 1 },
      ns: 5,
      np: 3,
      seed: 3,
      spread: { capacity_rel_sigma: 0.02, resistance_rel_sigma: 0.05, soc_sigma: 0.02, truncate_sigma: 3 },
      neighbour_W_per_K: 0.8,
      cells_per_module: 4,
      cell_connection_ohm: 1e-3,
      busbar_ohm: 2e-3,
      init: { soc: 0.6, T_C: -25, h: 0 },
      dt: 1,
      steps,
    };
    for (const split of ['implicit', 'explicit'] as const) {
      const { gap } = runSideBySide({ ...sc, split });
      expect(gap.maxRel, `${split}: ${gap.where}`).toBeLessThanOrEqual(REL);
      expect(gap.compared).toBeGreaterThan(6000 * 15 * 10);
    }
  });

  it('is bit-identical on the benchmark pack (100s2p, 0.1 s step)', () => {
    const chem = loadChemistry('naion-prismatic-150ah');
    const cfg = (kernel: 'auto' | 'js'): PackConfig => ({
      chemistry: chem,
      ns: 100,
      np: 2,
      dt_s: 0.1,
      seed: 7,
      spread: { capacity_rel_sigma: 0.01, resistance_rel_sigma: 0.03, soc_sigma: 0.005, truncate_sigma: 3 },
      thermal: { neighbour_W_per_K: 1, cells_per_module: 12 },
      cell_connection_ohm: 1e-4,
      busbar_ohm: 5e-3,
      low_temperature_capacity: true,
      init: { soc: 0.8, T_C: 30, h: 0 },
      kernel,
    });
    const js = new Pack(cfg('js'));
    const wasm = new Pack(cfg('auto'));
    expect(wasm.kernel).toBe('wasm');
    const gap = new Gap();
    for (let k = 0; k < 3000; k++) {
      js.prepare(30);
      wasm.prepare(30);
      const I = 300 * Math.sin(k / 40) - 60;
      js.advance(I);
      wasm.advance(I);
      if (k % 100 === 99) {
        comparePrepared(gap, js, wasm, k);
        compareAdvanced(gap, js, wasm, k);
      }
    }
    expect(gap.differing, gap.where).toBe(0);
  });

  it('agrees on a chemistry with a single SOC breakpoint (tables constant)', () => {
    const base = presetSpec('naion-prismatic-150ah');
    if (base.resistance.form !== 'arrhenius') throw new Error('arrhenius preset expected');
    const r = base.resistance;
    const one = <T>(xs: T[]): T[] => [xs[Math.floor(xs.length / 2)]!];
    const spec = {
      ...base,
      ocv: { soc: [0.5], voltage_V: one(base.ocv.voltage_V) },
      dUdT: { soc: [0.5], value_V_per_K: one(base.dUdT.value_V_per_K) },
      hysteresis: { ...base.hysteresis, soc: [0.5], M_V: one(base.hysteresis.M_V) },
      resistance: { ...r, soc: [0.5], r0_ohm: one(r.r0_ohm), rc: r.rc.map((b) => ({ r_ohm: one(b.r_ohm), c_F: one(b.c_F) })) },
    };
    const chem = compileChemistry(spec);
    expect(chem.soc.x.length).toBe(1);
    const mk = (kernel: 'auto' | 'js') =>
      new Pack({
        chemistry: chem,
        ns: 2,
        np: 2,
        dt_s: 1,
        seed: 1,
        spread: { capacity_rel_sigma: 0.01, resistance_rel_sigma: 0.01, soc_sigma: 0.01, truncate_sigma: 3 },
        thermal: { neighbour_W_per_K: 0, cells_per_module: 4 },
        cell_connection_ohm: 0,
        busbar_ohm: 0,
        low_temperature_capacity: false,
        init: { soc: 0.5, T_C: 25, h: 0 },
        kernel,
      });
    const js = mk('js');
    const wasm = mk('auto');
    const gap = new Gap();
    for (let k = 0; k < 200; k++) {
      js.prepare(25);
      wasm.prepare(25);
      comparePrepared(gap, js, wasm, k);
      js.advance(k < 100 ? -150 : 150); // SOC runs below and above the breakpoint
      wasm.advance(k < 100 ? -150 : 150);
      compareAdvanced(gap, js, wasm, k);
    }
    expect(gap.maxRel, gap.where).toBeLessThanOrEqual(REL);
    for (const v of wasm.voltage) expect(Number.isFinite(v)).toBe(true);
  });

  it('finds the same table segment at and around every breakpoint and bucket edge, on an irregular grid', () => {
    const base = presetSpec('naion-32140-layered');
    // an OCV axis with clustered breakpoints: several segments per bucket
    const soc = [0, 0.001, 0.0015, 0.002, 0.1, 0.1001, 0.3, 0.31, 0.3101, 0.5, 0.9, 0.999, 1];
    const voltage_V = soc.map((z) => 2.2 + 1.6 * z + 0.05 * Math.sin(40 * z));
    const chem = compileChemistry({ ...base, ocv: { soc, voltage_V } });
    const g = chem.soc;
    const step = (x: number, dir: 1 | -1) => {
      const b = new Float64Array([x]);
      const u = new BigInt64Array(b.buffer);
      u[0] = u[0]! + BigInt(dir * (x >= 0 ? 1 : -1));
      return b[0]!;
    };
    const zs: number[] = [];
    for (let b = 0; b <= g.bucket.length; b++) zs.push(g.first + b / g.invBucketWidth);
    for (const x of g.x) zs.push(x);
    const all = zs.flatMap((z) => [z, step(z, 1), step(z, -1)]);
    const mk = (kernel: 'auto' | 'js') =>
      new Pack({
        chemistry: chem,
        ns: all.length,
        np: 1,
        dt_s: 1,
        seed: 1,
        spread: { capacity_rel_sigma: 0, resistance_rel_sigma: 0, soc_sigma: 0, truncate_sigma: 3 },
        thermal: { neighbour_W_per_K: 0, cells_per_module: 1 },
        cell_connection_ohm: 0,
        busbar_ohm: 0,
        low_temperature_capacity: false,
        init: { soc: 0.5, T_C: 25, h: 0 },
        kernel,
      });
    const js = mk('js');
    const wasm = mk('auto');
    js.z.set(all);
    wasm.z.set(all);
    js.prepare(25);
    wasm.prepare(25);
    const gap = new Gap();
    comparePrepared(gap, js, wasm, 0);
    expect(gap.differing, gap.where).toBe(0);
  });

  it('runs each RC count with equal and different activation energies on the kernel', () => {
    for (const nRC of [0, 1, 2] as const) {
      for (const [r0Ea, rcEa] of [
        [0, 0],
        [20000, 20000],
        [20000, 9000],
        [0, 9000],
      ]) {
        const sc: PackScenario = {
          variant: { preset: 'naion-32140-layered', nRC, r0Ea: r0Ea!, rcEa: rcEa!, lowT: false, tauScale: 1 },
          ns: 3,
          np: 2,
          seed: 11,
          spread: { capacity_rel_sigma: 0.01, resistance_rel_sigma: 0.03, soc_sigma: 0.01, truncate_sigma: 3 },
          neighbour_W_per_K: 1,
          cells_per_module: 3,
          cell_connection_ohm: 1e-4,
          busbar_ohm: 1e-3,
          init: { soc: 0.7, T_C: 5, h: 0 },
          dt: 2,
          steps: Array.from({ length: 300 }, (_, k) => ({ c: k % 60 < 30 ? -1.5 : 0.8, sink: 10, events: [] })),
        };
        const { gap, wasm } = runSideBySide(sc);
        expect(wasm.nRC).toBe(nRC);
        expect(gap.maxRel, `${nRC} RC, Ea ${r0Ea}/${rcEa}: ${gap.where}`).toBeLessThanOrEqual(REL);
      }
    }
  });

  it("keeps the packs' linear forms consistent with what advance() reports", () => {
    const chem = compileChemistry(variantSpec({ preset: 'naion-nvpf-polyanion', nRC: 2, r0Ea: 20000, rcEa: 20000, lowT: false, tauScale: 1 }));
    const pack = new Pack({
      chemistry: chem,
      ns: 3,
      np: 3,
      dt_s: 1,
      seed: 5,
      spread: { capacity_rel_sigma: 0.02, resistance_rel_sigma: 0.05, soc_sigma: 0.02, truncate_sigma: 3 },
      thermal: { neighbour_W_per_K: 0, cells_per_module: 3 },
      cell_connection_ohm: 1e-3,
      busbar_ohm: 1e-3,
      low_temperature_capacity: false,
      init: { soc: 0.5, T_C: 25, h: 0 },
    });
    expect(pack.kernel).toBe('wasm');
    applyEvent(pack, { kind: 'shunt', cell: 4, S: 1 });
    pack.prepare(25);
    const out = new Float64Array(1);
    const I = -20;
    const predicted = Array.from({ length: pack.n }, (_, i) => pack.cellLinear(i, out) + out[0]! * I);
    const packV = pack.packA + pack.packB * I;
    pack.advance(I);
    expect(pack.packVoltage).toBeCloseTo(packV, 9);
    for (let i = 0; i < pack.n; i++) expect(pack.voltage[i]).toBeCloseTo(predicted[i]!, 9);
  });

  it("computes exp as V8's Math.exp does (fdlibm), on both of its paths", () => {
    const k = PackKernel.create({
      n: 1,
      np: 1,
      ns: 1,
      nRC: 0,
      xs: new Float64Array([0, 1]),
      invWidth: new Float64Array([1]),
      bucket: new Int32Array(9),
      invBucketWidth: 8,
      table: new Float64Array(32),
      T_ref_C: 25,
      invTref: 1 / 298.15,
      r0EaOverR: 0,
      rcEaOverR: 0,
      capT: new Float64Array(0),
      capF: new Float64Array(0),
      capTop: -Infinity,
      cellConnection_ohm: 0,
      busbar_ohm: 0,
      etaCharge: 1,
      implicit: false,
    })!;
    let s = 7;
    const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
    let worst = 0;
    const check = (x: number) => {
      const r = Math.exp(x);
      for (const y of Math.abs(x) <= 700 ? [k.exports.exp1(x), k.exports.exp2(x)] : [k.exports.exp1(x)]) {
        if (Object.is(y, r)) continue;
        const ulps = Math.abs(y - r) / (Math.abs(r) * 2 ** -52);
        worst = Math.max(worst, Number.isNaN(ulps) ? Infinity : ulps);
      }
    };
    // 2^-28: fdlibm's 1 + x branch (the general formula differs there now and then)
    for (const scale of [2 ** -28, 2 ** -30, 1e-10, 1e-3, 0.03, 0.4, 1, 3, 30, 300, 800]) for (let i = 0; i < 20000; i++) check((2 * rnd() - 1) * scale);
    for (const x of [0, -0, 1, -1, 0.5 * Math.LN2, -1.5 * Math.LN2, 2 ** -28, -(2 ** -29), 709.7, 709.8, -745, -746, NaN, Infinity, -Infinity]) check(x);
    expect(worst).toBe(0);
  });
});
