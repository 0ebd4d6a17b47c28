/**
 * Which packs run on the kernel: every 'arrhenius' chemistry unless asked for JS; a
 * 'table2d' chemistry (bilinear resistance tables) stays on the JS path.
 */
import { describe, expect, it } from 'vitest';
import { type ChemistryFile, compileChemistry } from '../../../sim/chemistry.ts';
import { kernelAvailable } from '../../../sim/kernel/index.ts';
import { Pack, type PackConfig } from '../../../sim/pack.ts';
import { presetSpec } from './support.ts';
import { loadChemistry } from '../../../sim/node/load.ts';

function config(chem: PackConfig['chemistry'], kernel?: 'auto' | 'js'): PackConfig {
  return {
    chemistry: chem,
    ns: 3,
    np: 2,
    dt_s: 1,
    seed: 1,
    spread: { capacity_rel_sigma: 0.01, resistance_rel_sigma: 0.01, soc_sigma: 0.01, truncate_sigma: 3 },
    thermal: { neighbour_W_per_K: 0.5, cells_per_module: 3 },
    cell_connection_ohm: 1e-4,
    busbar_ohm: 1e-3,
    low_temperature_capacity: true,
    init: { soc: 0.5, T_C: 20, h: 0 },
    ...(kernel ? { kernel } : {}),
  };
}

/** The preset with its Arrhenius resistances written out as 2-D tables at three temperatures. */
function table2dSpec(): ChemistryFile {
  const base = presetSpec('naion-32140-layered');
  const r = base.resistance;
  if (r.form !== 'arrhenius') throw new Error('arrhenius preset expected');
  const temps = [-20, 25, 50];
  const f = (T: number) => Math.exp((r.r0_Ea_J_per_mol / 8.314) * (1 / (T + 273.15) - 1 / (base.T_ref_C + 273.15)));
  const rows = (ys: number[], scale: (T: number) => number) => ys.map((y) => temps.map((T) => y * scale(T)));
  return {
    ...base,
    resistance: {
      form: 'table2d',
      soc: r.soc,
      temperature_C: temps,
      r0_ohm: rows(r.r0_ohm, f),
      rc: r.rc.map((b) => ({ r_ohm: rows(b.r_ohm, f), c_F: rows(b.c_F, () => 1) })),
    },
  };
}

describe('kernel selection', () => {
  it('is available under Node', () => {
    expect(kernelAvailable()).toBe(true);
  });

  it('runs arrhenius chemistries on the kernel by default, on JS when asked', () => {
    const chem = loadChemistry('naion-prismatic-150ah');
    expect(new Pack(config(chem)).kernel).toBe('wasm');
    expect(new Pack(config(chem, 'auto')).kernel).toBe('wasm');
    const js = new Pack(config(chem, 'js'));
    expect(js.kernel).toBe('js');
    expect(js.z.buffer).not.toBe(js.T.buffer); // plain arrays
  });

  it("falls back to the JS path for 'table2d' resistances, which step as before", () => {
    const chem = compileChemistry(table2dSpec());
    expect(chem.form).toBe('table2d');
    const pack = new Pack(config(chem));
    expect(pack.kernel).toBe('js');
    const ref = new Pack(config(chem, 'js'));
    for (let k = 0; k < 200; k++) {
      for (const p of [pack, ref]) {
        p.prepare(15);
        p.advance(k % 50 < 25 ? -3 : 1.5);
      }
    }
    expect(Array.from(pack.voltage)).toEqual(Array.from(ref.voltage));
    expect(Array.from(pack.T)).toEqual(Array.from(ref.T));
    for (const v of pack.voltage) expect(v).toBeGreaterThan(1);
  });
});
