/**
 * sim/stability.ts: the explicit split's step limit is not needlessly low, and the implicit
 * split's difference mode is stable at every step the search covers.
 */
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../sim/chemistry.ts';
import { loadChemistry } from '../../sim/node/load.ts';
import { STABILITY_HORIZON_S, isStableStep, maxStableStep_s } from '../../sim/stability.ts';

const spread = { capacity_rel_sigma: 0.01, resistance_rel_sigma: 0.03, soc_sigma: 0.01, truncate_sigma: 3 };

describe('parallel split stability', () => {
  // for every preset, a step 1.5 times the explicit split's computed limit diverges somewhere
  // in the operating range (the limit is not needlessly low); a single cell has no split
  it.each(PRESETS.map((p) => [p]))('should find a diverging case just above the explicit limit (%s)', (name) => {
    const chem = loadChemistry(name);
    const limit = maxStableStep_s(chem, 2, spread, 'explicit');
    expect(limit).toBeLessThan(STABILITY_HORIZON_S);
    expect(isStableStep(chem, 2, spread, limit, 'explicit')).toBe(true);
    expect(isStableStep(chem, 2, spread, 1.5 * limit, 'explicit')).toBe(false);
    expect(isStableStep(chem, 1, spread, 1.5 * limit, 'explicit')).toBe(true);
  });

  // for every preset and steps from 1 ms to the search horizon, the implicit split (the
  // default) is stable: no step limit (maxStableStep_s says Infinity)
  it.each(PRESETS.map((p) => [p]))('should find the implicit split stable at every step (%s)', (name) => {
    const chem = loadChemistry(name);
    for (const dt of [1e-3, 0.1, 1, 10, 60, 600, STABILITY_HORIZON_S]) expect(isStableStep(chem, 4, spread, dt), `${dt} s`).toBe(true);
    expect(maxStableStep_s(chem, 4, spread)).toBe(Infinity);
  });
});
