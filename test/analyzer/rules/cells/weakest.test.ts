/** cells.weakest: the group most often at the bottom under discharge, and when it stands out. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Phase } from '../../generate.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { near, serious, show } from '../quality/sessions.ts';

const ID = 'cells.weakest';
/** Rest 5 s, a 75 A discharge (NORMAL from 5.5 s) to 155 s, rest to 165 s; 2 Hz. */
const DISCHARGE: Phase[] = [
  { current_A: 0, duration_s: 5, state: 'STANDBY' },
  { current_A: -75, duration_s: 150, state: 'NORMAL' },
  { current_A: 0, duration_s: 10, state: 'NORMAL' },
];
/** Samples are 5 s apart (sample_s). */
const GRID_S = 5;

describe('cells.weakest', () => {
  // for all cells and sags (40..100 mV) / such that the cell reads low by the sag while the pack
  // discharges / a warning naming that cell over the discharge (± one sample), holds
  it('should warn about a cell that sits consistently below the others under discharge', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.double({ min: 0.04, max: 0.1, noNaN: true }), (cell, sag) => {
        const report = analyzeGenerated(
          {
            phases: DISCHARGE,
            rate_Hz: 2,
            mutate: (k) => {
              if (k.current_A < -10) k.cellVoltage_V[cell]! -= sag;
            },
          },
          { checks: [ID] },
        );
        const fs = findingsOf(report, ID);
        expect(
          fs.map((f) => `${f.subject} ${f.severity}`),
          show(fs),
        ).toEqual([`cell ${cell} warning`]);
        expect(fs[0]!.evidence.min_share).toBe(1);
        expect(near(fs[0]!.t_start_s, 5.5, GRID_S)).toBe(true);
        expect(near(fs[0]!.t_end_s, 155, GRID_S)).toBe(true);
      }),
      { numRuns: 10, seed: 101 },
    );
  });

  // for all seeds / clean session / one info finding naming the weakest cell and no warning, holds
  it('should only name the weakest cell of a clean pack', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (seed) => {
        const report = analyzeGenerated({ phases: DISCHARGE, rate_Hz: 2, seed }, { checks: [ID] });
        const fs = findingsOf(report, ID);
        expect(
          fs.map((f) => f.severity),
          show(fs),
        ).toEqual(['info']);
        expect(fs[0]!.subject).toBe(`cell ${fs[0]!.evidence.weakest_cell}`);
        // the message states the deviation the threshold judges: from the median cell, in mV
        const below = fs[0]!.evidence.weakest_below_median_mV as number;
        const said = /([\d.]+) mV (below|above) the median cell on average/.exec(fs[0]!.message);
        expect(said, fs[0]!.message).not.toBeNull();
        expect(Math.abs(Number(said![1]) * (said![2] === 'below' ? 1 : -1) - below)).toBeLessThan(0.051);
        expect(below).toBeLessThan(fs[0]!.threshold!.value! * 1000);
        expect(statusOf(report, ID)).toBe('pass');
      }),
      { numRuns: 8, seed: 102 },
    );
  });

  it('should not be evaluable without discharge', () => {
    const report = analyzeGenerated(
      {
        phases: [
          { current_A: 0, duration_s: 5, state: 'STANDBY' },
          { current_A: 75, duration_s: 100, state: 'CHARGE' },
        ],
        rate_Hz: 2,
      },
      { checks: [ID] },
    );
    expect(statusOf(report, ID)).toBe('not_evaluable');
  });

  it('should name the group with the disconnected cell in the library scenario', () => {
    const report = analyzeBytes(scenarioCapture('fault-cell-disconnect', 400), { checks: [ID] }).report;
    const fs = serious(findingsOf(report, ID));
    expect(
      fs.map((f) => `${f.subject} ${f.severity}`),
      show(findingsOf(report, ID)),
    ).toEqual(['cell 40 warning']); // cell 81 of 100s2p
  });
});
