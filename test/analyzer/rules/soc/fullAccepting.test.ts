/** soc.full_accepting: a SOC that reads full while the pack still takes charge. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { RATE_HZ, SHORT, analyzeCapture, listFindings, near, rowSpan } from './helpers.ts';

const ID = 'soc.full_accepting';
/** SHORT charges at 75 A (0.25C of 300 Ah) from 380 s to 680 s. */
const CHARGE = { from: 385, to: 675 };

describe('soc.full_accepting', () => {
  // for all starts in the charge, durations of 70–170 s and SOC readings of 99.6–100 % / such
  // that the BMS reports that SOC while 75 A still flows in / one warning on the pack spanning the
  // planted rows (exact rows) with the charge accepted after "full" holds
  it('should report a SOC saturated at full while charging continues', () => {
    fc.assert(
      fc.property(
        fc.double({ min: CHARGE.from, max: CHARGE.to - 175, noNaN: true }),
        fc.double({ min: 70, max: 170, noNaN: true }),
        fc.double({ min: 0.996, max: 1, noNaN: true }),
        (t0, d, z) => {
          const report = analyzeGenerated(
            {
              phases: SHORT,
              rate_Hz: RATE_HZ,
              mutate: (k) => {
                if (k.t_s >= t0 && k.t_s < t0 + d) k.soc = z;
              },
            },
            { checks: [ID] },
          );
          const fs = findingsOf(report, ID);
          expect(fs, listFindings(fs)).toHaveLength(1);
          const f = fs[0]!;
          const span = rowSpan(t0, t0 + d);
          expect(f.subject).toBe('pack');
          expect(f.severity).toBe('warning');
          expect(near(f.t_start_s, span.first, 0), `${f.t_start_s} vs ${span.first}`).toBe(true);
          expect(near(f.t_end_s, span.last, 0), `${f.t_end_s} vs ${span.last}`).toBe(true);
          expect(f.evidence.charge_after_full_Ah as number).toBeCloseTo((75 * (span.last - span.first)) / 3600, 1);
        },
      ),
      { numRuns: 15, seed: 20261203 },
    );
  });

  // for all durations up to 55 s / such that the SOC reads full that briefly while charging / no
  // finding holds (min_duration_s 60)
  it('should tolerate a saturation shorter than min_duration_s', () => {
    fc.assert(
      fc.property(fc.double({ min: CHARGE.from, max: CHARGE.to - 60, noNaN: true }), fc.double({ min: 1, max: 55, noNaN: true }), (t0, d) => {
        const report = analyzeGenerated(
          {
            phases: SHORT,
            rate_Hz: RATE_HZ,
            mutate: (k) => {
              if (k.t_s >= t0 && k.t_s < t0 + d) k.soc = 1;
            },
          },
          { checks: [ID] },
        );
        expect(findingsOf(report, ID)).toHaveLength(0);
      }),
      { numRuns: 10, seed: 4 },
    );
  });

  // for all seeds / such that the session is clean / the check passes holds
  it('should pass the clean generated session', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const report = analyzeGenerated({ seed, phases: SHORT, rate_Hz: RATE_HZ }, { checks: [ID] });
        expect(statusOf(report, ID)).toBe('pass');
      }),
      { numRuns: 10, seed: 11 },
    );
  });

  it('should not be evaluable without charging', () => {
    const report = analyzeGenerated({ phases: SHORT.slice(0, 3), rate_Hz: RATE_HZ }, { checks: [ID] });
    expect(statusOf(report, ID)).toBe('not_evaluable');
  });

  it('should pass the 3C fast charge to 80 % (fast-charge-3c, real wire bytes)', () => {
    const report = analyzeCapture(scenarioCapture('fast-charge-3c', 900), [ID]);
    expect(statusOf(report, ID)).toBe('pass');
  });
});
