/** soc.bounds: the BMS's SOC outside 0..100 %, one finding per episode. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { RATE_HZ, SHORT, analyzeCapture, listFindings, near, rowSpan } from './helpers.ts';

const ID = 'soc.bounds';

describe('soc.bounds', () => {
  // for all starts (in the discharge), durations (1–60 s), directions and excursions (0.6–4.5 %
  // → warning, 5.5–30 % → error) / such that the SOC is held that far outside 0..1 over the
  // interval / one finding on the pack at that severity spanning the planted rows (± one row) holds
  it('should report a planted excursion with its time and severity', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 30, max: 250, noNaN: true }),
        fc.double({ min: 1, max: 60, noNaN: true }),
        fc.boolean(),
        fc.oneof(fc.double({ min: 0.6, max: 4.5, noNaN: true }), fc.double({ min: 5.5, max: 30, noNaN: true })),
        (t0, d, high, x_pct) => {
          const z = high ? 1 + x_pct / 100 : -x_pct / 100;
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
          expect(f.severity).toBe(x_pct > 5 ? 'error' : 'warning');
          expect(near(f.t_start_s, span.first, 0.5), `${f.t_start_s} vs ${span.first}`).toBe(true);
          expect(near(f.t_end_s, span.last, 0.5), `${f.t_end_s} vs ${span.last}`).toBe(true);
          expect(f.evidence.soc_extreme_pct).toBeCloseTo(z * 100, 1);
        },
      ),
      { numRuns: 15, seed: 20261203 },
    );
  });

  // for all excursions within the warning margin (0–0.45 %) / such that the SOC is held there /
  // no finding holds
  it('should tolerate an overshoot within the margin', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.45, noNaN: true }), (x_pct) => {
        const report = analyzeGenerated(
          {
            phases: SHORT,
            rate_Hz: RATE_HZ,
            mutate: (k) => {
              if (k.t_s >= 400 && k.t_s < 420) k.soc = 1 + x_pct / 100;
            },
          },
          { checks: [ID] },
        );
        expect(findingsOf(report, ID)).toHaveLength(0);
      }),
      { numRuns: 10, seed: 7 },
    );
  });

  // for all seeds / such that the session is clean / the check passes without a finding holds
  it('should pass the clean generated session', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const report = analyzeGenerated({ seed, phases: SHORT, rate_Hz: RATE_HZ }, { checks: [ID] });
        expect(statusOf(report, ID)).toBe('pass');
        expect(findingsOf(report, ID)).toHaveLength(0);
      }),
      { numRuns: 10, seed: 11 },
    );
  });

  it('should cap the findings with one "and N more"', () => {
    // 30 excursions, 20 s apart (more than join_s), max_findings 5
    const report = analyzeGenerated(
      {
        phases: SHORT,
        rate_Hz: RATE_HZ,
        mutate: (k) => {
          if (k.t_s >= 30 && k.t_s < 630 && k.t_s % 20 < 2) k.soc = -0.02;
        },
      },
      { checks: [ID], set: ['soc.bounds.max_findings=5'] },
    );
    const fs = findingsOf(report, ID);
    expect(fs).toHaveLength(6);
    expect(fs[5]!.evidence.more).toBe(25);
  });

  it('should not be evaluable without a SOC', () => {
    const report = analyzeGenerated(
      {
        phases: SHORT,
        rate_Hz: RATE_HZ,
        mutate: (k) => {
          k.soc = NaN;
        },
      },
      { checks: [ID] },
    );
    expect(statusOf(report, ID)).toBe('not_evaluable');
  });

  it('should pass the default library scenario (first 10 min) on real wire bytes', () => {
    const report = analyzeCapture(scenarioCapture('default', 600), [ID]);
    expect(statusOf(report, ID)).toBe('pass');
  });
});
