/** cells.balancing: do bleeding cells come down towards the others at rest? */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Phase, Tick } from '../../generate.ts';
import { analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { show } from '../quality/sessions.ts';

const ID = 'cells.balancing';
/** Three hours at rest (0.5 Hz): settled from 600 s, long enough for 2 h of balancing. */
const REST_3H: Phase[] = [{ current_A: 0, duration_s: 3 * 3600, state: 'STANDBY' }];
const BLEED_FROM_S = 700;

/** Cells `cells` sit 20 mV high and bleed from BLEED_FROM_S; their offset changes by rate_mV_per_h while they do. */
function bleed(cells: readonly number[], rate_mV_per_h: number, from_s = BLEED_FROM_S): (k: Tick) => void {
  return (k) => {
    const h = Math.max(0, k.t_s - from_s) / 3600;
    for (const c of cells) {
      k.cellVoltage_V[c]! += 0.02 + (rate_mV_per_h / 1000) * h;
      if (k.t_s >= from_s) k.balancing[c] = 1;
    }
  };
}

const cellSet = fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 3 });

describe('cells.balancing', () => {
  // for all sets of 1..3 bleeding cells and fall rates (0.5..3 mV/h) / such that their deviation
  // falls at that rate while they bleed / an info finding whose slope is the planted rate
  // (± 0.2 mV/h), holds
  it('should measure how fast balanced cells come down', () => {
    fc.assert(
      fc.property(cellSet, fc.double({ min: 0.5, max: 3, noNaN: true }), (cells, rate) => {
        const report = analyzeGenerated({ phases: REST_3H, rate_Hz: 0.5, mutate: bleed(cells, -rate) }, { checks: [ID] });
        const fs = findingsOf(report, ID);
        expect(
          fs.map((f) => f.severity),
          show(fs),
        ).toEqual(['info']);
        expect(fs[0]!.evidence.deviation_slope_mV_per_h as number).toBeGreaterThan(-rate - 0.2);
        expect(fs[0]!.evidence.deviation_slope_mV_per_h as number).toBeLessThan(-rate + 0.2);
        expect(statusOf(report, ID)).toBe('pass');
      }),
      { numRuns: 5, seed: 121 },
    );
  });

  // for all sets of bleeding cells and rise rates (0.5..3 mV/h) / such that their deviation does
  // not fall although they bleed for 2.8 h / a warning over the bleed, holds
  it('should warn when balancing runs for hours and the cells do not come down', () => {
    fc.assert(
      fc.property(cellSet, fc.double({ min: 0.5, max: 3, noNaN: true }), (cells, rate) => {
        const report = analyzeGenerated({ phases: REST_3H, rate_Hz: 0.5, mutate: bleed(cells, rate) }, { checks: [ID] });
        const fs = findingsOf(report, ID);
        expect(
          fs.map((f) => f.severity),
          show(fs),
        ).toEqual(['warning']);
        expect(fs[0]!.t_start_s).toBeGreaterThanOrEqual(BLEED_FROM_S);
        expect(fs[0]!.t_end_s).toBeGreaterThan(3 * 3600 - 10);
      }),
      { numRuns: 5, seed: 122 },
    );
  });

  it('should not be evaluable without balancing, nor with balancing only under load', () => {
    const none = analyzeGenerated({ phases: [{ current_A: 0, duration_s: 120, state: 'STANDBY' }], rate_Hz: 2 }, { checks: [ID] });
    expect(statusOf(none, ID)).toBe('not_evaluable');
    expect(none.checks[0]!.reason).toMatch(/no cell balanced/);
    const charging = analyzeGenerated(
      {
        phases: [
          { current_A: 0, duration_s: 5, state: 'STANDBY' },
          { current_A: 75, duration_s: 2400, state: 'CHARGE' },
        ],
        rate_Hz: 0.5,
        mutate: bleed([2], 0, 10),
      },
      { checks: [ID] },
    );
    expect(statusOf(charging, ID)).toBe('not_evaluable');
    expect(charging.checks[0]!.reason).toMatch(/settled rest/);
  });
});
