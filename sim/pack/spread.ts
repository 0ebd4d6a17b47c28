/**
 * The pack's seeded spread: each cell's capacity, resistance scale and initial SOC drawn from
 * truncated normal distributions, from one stream in a fixed order, so that a seed gives the
 * same pack everywhere.
 */
import { Random } from '../random.ts';

export interface SpreadConfig {
  /** Relative standard deviation of cell capacity (e.g. 0.01 = 1 %). */
  capacity_rel_sigma: number;
  /** Relative standard deviation of R0 and RC resistances (capacitances scale inversely, τ kept). */
  resistance_rel_sigma: number;
  /** Standard deviation of the initial SOC, fraction. */
  soc_sigma: number;
  /** Draws are truncated at this many sigmas. */
  truncate_sigma: number;
}

export const NO_SPREAD: SpreadConfig = { capacity_rel_sigma: 0, resistance_rel_sigma: 0, soc_sigma: 0, truncate_sigma: 3 };

/** The per-cell arrays the spread and the initial state fill. */
export interface SpreadTarget {
  readonly n: number;
  readonly chem: { capacity_Ah: number; heatCapacity_J_per_K: number };
  readonly capacity_Ah: Float64Array;
  readonly rScale: Float64Array;
  readonly invRScale: Float64Array;
  readonly z: Float64Array;
  readonly h: Float64Array;
  readonly T: Float64Array;
  readonly connected: Float64Array;
  readonly heatCapacity: Float64Array;
  readonly hA: Float64Array;
}

/**
 * Draw every cell's spread (capacity, resistance, SOC per cell, in that order) and set its
 * initial state: hysteresis, temperature, connected, heat capacity and heat transfer hA.
 */
export function drawSpread(p: SpreadTarget, seed: number, sp: SpreadConfig, init: { soc: number; T_C: number; h: number }, hA: number): void {
  const rng = new Random(seed);
  const chem = p.chem;
  for (let i = 0; i < p.n; i++) {
    p.capacity_Ah[i] = chem.capacity_Ah * rng.truncatedNormal(1, sp.capacity_rel_sigma, sp.truncate_sigma);
    p.rScale[i] = rng.truncatedNormal(1, sp.resistance_rel_sigma, sp.truncate_sigma);
    p.invRScale[i] = 1 / p.rScale[i]!;
    p.z[i] = rng.truncatedNormal(init.soc, sp.soc_sigma, sp.truncate_sigma);
    p.h[i] = init.h;
    p.T[i] = init.T_C;
    p.connected[i] = 1;
    p.heatCapacity[i] = chem.heatCapacity_J_per_K;
    p.hA[i] = hA;
  }
}
