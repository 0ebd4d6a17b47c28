/**
 * The charge-resistance extension in the pack (sim/MODEL.md, "Charge resistance"): R0 by the
 * direction of the pack current. With np = 1 every cell is the reference Cell (which takes R0
 * by the sign of its own current) on a profile that reverses without a rest; in parallel
 * groups the split still conserves charge; the kernel and the JS path agree bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { Cell } from '../../../sim/cell.ts';
import { type Chemistry, compileChemistry } from '../../../sim/chemistry.ts';
import { loadChemistry } from '../../../sim/node/load.ts';
import { Pack, type PackConfig } from '../../../sim/pack.ts';

const chem = loadChemistry('naion-18650-layered');
const NO_SPREAD = { capacity_rel_sigma: 0, resistance_rel_sigma: 0, soc_sigma: 0, truncate_sigma: 3 };
const T0 = 23;

function config(c: Chemistry, np: number, extra: Partial<PackConfig> = {}): PackConfig {
  return {
    chemistry: c,
    ns: 2,
    np,
    dt_s: 1,
    seed: 5,
    spread: NO_SPREAD,
    thermal: { neighbour_W_per_K: 0, cells_per_module: 1 },
    cell_connection_ohm: 0,
    busbar_ohm: 0,
    low_temperature_capacity: true,
    init: { soc: 0.5, T_C: T0, h: 0 },
    ...extra,
  };
}

/** Pack current at step k, A: charge, reverse straight into discharge, rest, charge again. */
function current(k: number): number {
  if (k < 300) return 1.2;
  if (k < 600) return -2.0;
  if (k < 700) return 0;
  return k % 50 < 25 ? 0.8 : -0.4;
}

describe('charge resistance in the pack', () => {
  it('has one (the 18650 preset), so that the rest of this file means something', () => {
    expect(chem.r0Charge).not.toBeNull();
    const mid = chem.soc.x.findIndex((x) => x >= 0.5);
    expect(chem.r0Charge![mid]!).toBeGreaterThan(3 * chem.r0[mid]!);
  });

  it('with np = 1 is the reference Cell, through reversals without a rest', () => {
    for (const kernel of ['js', 'auto'] as const) {
      const pack = new Pack(config(chem, 1, { kernel }));
      const cell = new Cell(chem.spec, { soc: 0.5, T_C: T0, h: 0 });
      let worst = 0;
      for (let k = 0; k < 1200; k++) {
        const I = current(k);
        pack.prepare(T0);
        pack.advance(I);
        const r = cell.step(I, 1, T0);
        worst = Math.max(worst, Math.abs(pack.voltage[0]! - r.voltage_V), Math.abs(pack.heat[0]! - r.heat_W));
        worst = Math.max(worst, Math.abs(pack.z[0]! - cell.state.z), Math.abs(pack.T[0]! - cell.state.T_C));
      }
      expect(worst, kernel).toBeLessThan(1e-9);
    }
  });

  it('puts the charge polarisation in the voltage only while charging', () => {
    const pack = new Pack(config(chem, 1, { kernel: 'js' }));
    const without = new Pack(config(compileChemistry({ ...chem.spec, resistance: withoutChargeR0(chem) }), 1, { kernel: 'js' }));
    for (const p of [pack, without]) {
      p.prepare(T0);
      p.advance(1.2);
    }
    // same state, R0 differs by (R0c − R0)·I at the first charge step
    expect(pack.voltage[0]! - without.voltage[0]!).toBeGreaterThan(0.1);
    for (const p of [pack, without]) {
      p.prepare(T0);
      p.advance(0);
    }
    // at rest the cells differ only through the states the step left (a few mV of heat and RC)
    expect(Math.abs(pack.voltage[0]! - without.voltage[0]!)).toBeLessThan(0.005);
  });

  it('splits a parallel group so that its cells carry the pack current exactly, and the kernel agrees bit for bit', () => {
    const spread = { capacity_rel_sigma: 0.03, resistance_rel_sigma: 0.05, soc_sigma: 0.03, truncate_sigma: 3 };
    for (const split of ['explicit', 'implicit'] as const) {
      const js = new Pack(config(chem, 3, { kernel: 'js', spread, split }));
      const wasm = new Pack(config(chem, 3, { kernel: 'auto', spread, split }));
      expect(wasm.kernel).toBe('wasm');
      let differing = 0;
      for (let k = 0; k < 1200; k++) {
        const I = 3 * current(k);
        for (const p of [js, wasm]) {
          p.prepare(T0);
          p.advance(I);
        }
        for (let g = 0; g < js.ns; g++) {
          let sum = 0;
          for (let i = g * js.np; i < (g + 1) * js.np; i++) sum += js.terminalCurrent[i]!;
          expect(Math.abs(sum - I)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(I)));
        }
        for (let i = 0; i < js.n; i++) if (js.voltage[i] !== wasm.voltage[i] || js.z[i] !== wasm.z[i] || js.T[i] !== wasm.T[i]) differing++;
        if (js.packVoltage !== wasm.packVoltage) differing++;
      }
      expect(differing, split).toBe(0);
    }
  });
});

function withoutChargeR0(c: Chemistry): Chemistry['spec']['resistance'] {
  const res = structuredClone(c.spec.resistance);
  delete res.r0_charge_ohm;
  return res;
}
