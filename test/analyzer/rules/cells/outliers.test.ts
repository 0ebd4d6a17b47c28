/** cells.outliers: a cell outside the pack's robust scatter for a while, balancing masked. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Phase } from '../../generate.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { near, serious, show } from '../quality/sessions.ts';

const ID = 'cells.outliers';
/** Rest 5 s, 75 A discharge to 105 s, rest to 120 s, 75 A charge to 200 s; 2 Hz. */
const SESSION: Phase[] = [
  { current_A: 0, duration_s: 5, state: 'STANDBY' },
  { current_A: -75, duration_s: 100, state: 'NORMAL' },
  { current_A: 0, duration_s: 15, state: 'NORMAL' },
  { current_A: 75, duration_s: 80, state: 'CHARGE' },
];
/** Samples are 5 s apart (sample_s). */
const GRID_S = 5;

describe('cells.outliers', () => {
  // for all cells, directions, deviations (warning 30..120 mV, error 160..250 mV), starts and
  // lengths (45..90 s) / such that the cell is moved by the deviation / one finding for that cell
  // over the planted time (± one sample) at the band's severity, holds
  it('should report a planted outlier with its cell, severity and time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 }),
        fc.boolean(),
        fc.boolean(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 10, max: 100, noNaN: true }),
        fc.double({ min: 45, max: 90, noNaN: true }),
        (cell, up, isError, u, t0, d) => {
          const dv = (isError ? 0.16 + 0.09 * u : 0.03 + 0.09 * u) * (up ? 1 : -1);
          const report = analyzeGenerated(
            {
              phases: SESSION,
              rate_Hz: 2,
              mutate: (k) => {
                if (k.t_s >= t0 && k.t_s < t0 + d) k.cellVoltage_V[cell]! += dv;
              },
            },
            { checks: [ID] },
          );
          const fs = findingsOf(report, ID);
          expect(
            fs.map((f) => `${f.subject} ${f.severity}`),
            show(fs),
          ).toEqual([`cell ${cell} ${isError ? 'error' : 'warning'}`]);
          expect(Math.sign(fs[0]!.evidence.deviation_V as number)).toBe(up ? 1 : -1);
          expect(near(fs[0]!.t_start_s, t0, GRID_S), `${fs[0]!.t_start_s} vs ${t0}`).toBe(true);
          expect(near(fs[0]!.t_end_s, t0 + d, GRID_S), `${fs[0]!.t_end_s} vs ${t0 + d}`).toBe(true);
        },
      ),
      { numRuns: 15, seed: 111 },
    );
  });

  // for all cells, starts and lengths / such that the deviating cell is bleeding (BALANCING) the
  // whole time / no finding, holds
  it('should not judge a cell while it is balancing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 }),
        fc.double({ min: 10, max: 100, noNaN: true }),
        fc.double({ min: 45, max: 90, noNaN: true }),
        (cell, t0, d) => {
          const report = analyzeGenerated(
            {
              phases: SESSION,
              rate_Hz: 2,
              mutate: (k) => {
                if (k.t_s >= t0 - 2 && k.t_s < t0 + d + 2) k.balancing[cell] = 1;
                if (k.t_s >= t0 && k.t_s < t0 + d) k.cellVoltage_V[cell]! += 0.06;
              },
            },
            { checks: [ID] },
          );
          expect(findingsOf(report, ID)).toEqual([]);
        },
      ),
      { numRuns: 8, seed: 112 },
    );
  });

  // for all cells and lengths below min_duration_s (≤ 20 s) / a short excursion / no finding, holds
  it('should ignore excursions shorter than min_duration_s', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.double({ min: 10, max: 150, noNaN: true }), fc.double({ min: 2, max: 20, noNaN: true }), (cell, t0, d) => {
        const report = analyzeGenerated(
          {
            phases: SESSION,
            rate_Hz: 2,
            mutate: (k) => {
              if (k.t_s >= t0 && k.t_s < t0 + d) k.cellVoltage_V[cell]! -= 0.1;
            },
          },
          { checks: [ID] },
        );
        expect(findingsOf(report, ID)).toEqual([]);
      }),
      { numRuns: 8, seed: 113 },
    );
  });

  it('should find nothing on the clean session', () => {
    const report = analyzeGenerated({}, { checks: [ID] });
    expect(findingsOf(report, ID)).toEqual([]);
    expect(statusOf(report, ID)).toBe('pass');
  });

  it("should catch the library's internal short from its start", () => {
    const report = analyzeBytes(scenarioCapture('fault-cell-internal-short'), { checks: [ID] }).report;
    const fs = serious(findingsOf(report, ID));
    expect(
      fs.map((f) => `${f.subject} ${f.severity}`),
      show(fs),
    ).toEqual(['cell 25 warning']); // cell 50 of 100s2p
    expect(fs[0]!.t_start_s).toBeGreaterThanOrEqual(120); // the short begins at 120 s
    expect(fs[0]!.t_start_s).toBeLessThan(140);
  });
});
