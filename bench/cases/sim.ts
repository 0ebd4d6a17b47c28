/**
 * Simulator benchmarks (issue 2 §7): ns per cell-step of the full pack model (2 RC,
 * hysteresis, thermal with neighbour conduction, spread, parallel split) on 1 cell, a
 * 100s2p and a 200s4p pack, and the default scenario stretched to 24 h at a 100 ms step.
 * The plain names run the default step implementation (the WebAssembly kernel); the -js
 * cases the JS path of sim/pack.ts, for comparison. `kernel` reports which one ran.
 */
import { Pack } from '../../sim/pack.ts';
import { buildPack, runScenario } from '../../sim/run.ts';
import { type BenchCase, median } from '../case.ts';
import { loadChemistry, loadScenario } from '../../sim/node/load.ts';

const SPREAD = { capacity_rel_sigma: 0.01, resistance_rel_sigma: 0.03, soc_sigma: 0.005, truncate_sigma: 3 };

/** A drive-like current: a seeded sequence of 1 s segments between -2C and +0.7C. */
function currentProfile(oneC_A: number, n: number): Float64Array {
  const out = new Float64Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = (-2 + 2.7 * (s / 4294967296)) * oneC_A * 0.5;
  }
  return out;
}

function packCase(name: string, ns: number, np: number, kernel: 'auto' | 'js' = 'auto'): BenchCase {
  return {
    name,
    run() {
      const chem = loadChemistry('naion-prismatic-150ah');
      const pack = new Pack({
        chemistry: chem,
        ns,
        np,
        dt_s: 0.1,
        seed: 7,
        spread: SPREAD,
        thermal: { neighbour_W_per_K: 1, cells_per_module: 12 },
        cell_connection_ohm: 1e-4,
        busbar_ohm: 5e-3,
        low_temperature_capacity: true,
        init: { soc: 0.8, T_C: 30, h: 0 },
        kernel,
      });
      const cellSteps = 4e7;
      const steps = Math.max(1000, Math.round(cellSteps / pack.n));
      const prof = currentProfile(pack.nominalCapacity_Ah(), 1000);
      const samples: number[] = [];
      for (let rep = 0; rep < 7; rep++) {
        // stay in a plausible SOC band: reset the state between repetitions
        pack.z.fill(0.8);
        const t0 = performance.now();
        for (let k = 0; k < steps; k++) {
          pack.prepare(30);
          pack.advance(prof[((k / 10) % 1000) | 0]!);
        }
        samples.push(((performance.now() - t0) * 1e6) / (steps * pack.n));
      }
      const ns_per = median(samples);
      return {
        cells: pack.n,
        kernel: pack.kernel,
        ns_per_cell_step: Number(ns_per.toFixed(2)),
        cell_steps_per_s: Math.round(1e9 / ns_per),
        repetitions: samples.length,
      };
    },
  };
}

const dayCase = (name: string, kernel: 'auto' | 'js'): BenchCase => ({
  name,
  run() {
    return runDay(kernel);
  },
});

function runDay(kernel: 'auto' | 'js'): Record<string, number | string> {
  const sc = loadScenario('default');
  sc.dt_s = 0.1;
  sc.duration_s = 86400;
  sc.repeat_steps = true;
  const walls: number[] = [];
  let result = null;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    result = runScenario(sc, { kernel });
    walls.push((performance.now() - t0) / 1000);
  }
  const wall = median(walls);
  return {
    kernel: buildPack(sc, { kernel }).kernel,
    wall_s: Number(wall.toFixed(3)),
    peak_rss_mb: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
    simulated_s: result!.summary.duration_s,
    steps: result!.summary.steps_simulated,
    realtime_factor: Math.round(86400 / wall),
    ns_per_cell_step: Number(((wall * 1e9) / (result!.summary.steps_simulated * 200)).toFixed(2)),
  };
}

export const cases: BenchCase[] = [
  packCase('cell-1', 1, 1),
  packCase('pack-100s2p', 100, 2),
  packCase('pack-200s4p', 200, 4),
  dayCase('day-24h', 'auto'),
  packCase('cell-1-js', 1, 1, 'js'),
  packCase('pack-100s2p-js', 100, 2, 'js'),
  packCase('pack-200s4p-js', 200, 4, 'js'),
  dayCase('day-24h-js', 'js'),
];
