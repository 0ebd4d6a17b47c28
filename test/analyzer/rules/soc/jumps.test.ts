/** soc.jumps: SOC steps the coulomb count does not explain; recalibrations after a rest. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Phase } from '../../generate.ts';
import { analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { PERIOD_S, RATE_HZ, SHORT, analyzeCapture, listFindings, near, rowAtOrAfter } from './helpers.ts';

const ID = 'soc.jumps';

/** Rest 20 s, 0.5C discharge 300 s, rest 300 s, charge 100 s, rest 20 s; recalibration allowed after 120 s of rest. */
const WITH_REST: Phase[] = [
  { current_A: 0, duration_s: 20, state: 'STANDBY' },
  { current_A: -150, duration_s: 300, state: 'NORMAL' },
  { current_A: 0, duration_s: 300, state: 'NORMAL' },
  { current_A: 75, duration_s: 100, state: 'CHARGE' },
  { current_A: 0, duration_s: 20, state: 'STANDBY' },
];
const REST = { from: 320, to: 620 };
const REST_MIN = ['soc.jumps.rest_min_s=120'];

const step = (lo: number, hi: number) => fc.tuple(fc.double({ min: lo, max: hi, noNaN: true }), fc.boolean()).map(([x, neg]) => (neg ? -x : x));

describe('soc.jumps', () => {
  // for all times in the discharge or the charge and steps of 1–4.5 % (warning) or 5.5–15 %
  // (error) either way / such that the SOC steps by that much from then on / one finding on the
  // pack from the row before the step to the step's row (exact rows) with the step as the
  // unexplained change holds
  it('should report a planted step at its row with its size and severity', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.double({ min: 30, max: 300, noNaN: true }), fc.double({ min: 390, max: 660, noNaN: true })),
        fc.oneof(step(1, 4.5), step(5.5, 15)),
        (tj, d_pct) => {
          const report = analyzeGenerated(
            {
              phases: SHORT,
              rate_Hz: RATE_HZ,
              mutate: (k) => {
                if (k.t_s >= tj) k.soc += d_pct / 100;
              },
            },
            { checks: [ID] },
          );
          const fs = findingsOf(report, ID);
          expect(fs, listFindings(fs)).toHaveLength(1);
          const f = fs[0]!;
          const row = rowAtOrAfter(tj);
          expect(f.subject).toBe('pack');
          expect(f.severity).toBe(Math.abs(d_pct) > 5 ? 'error' : 'warning');
          expect(near(f.t_end_s, row, 0), `${f.t_end_s} vs ${row}`).toBe(true);
          expect(near(f.t_start_s, row - PERIOD_S, 0), `${f.t_start_s} vs ${row - PERIOD_S}`).toBe(true);
          expect(f.evidence.unexplained_pct as number).toBeCloseTo(d_pct, 1);
        },
      ),
      { numRuns: 15, seed: 20261203 },
    );
  });

  // for all rest times after rest_min_s, earlier SOC errors (2–10 %) and, when inconsistent,
  // further errors (1–4 %) / such that the SOC that was off since the start jumps during the rest
  // either back to the truth (an OCV recalibration) or further away from it / one finding at the
  // jump, info when the new SOC agrees with the OCV of the rest voltage, warning when not, holds
  it('should tell an OCV recalibration after a rest from a wrong one', () => {
    fc.assert(
      fc.property(
        fc.double({ min: REST.from + 130, max: REST.to - 10, noNaN: true }),
        step(2, 10),
        fc.boolean(),
        fc.double({ min: 1, max: 4, noNaN: true }),
        (tj, before_pct, consistent, further_pct) => {
          // inconsistent: the SOC moves further away from the truth by 1–4 % (a warning-size step)
          const after_pct = before_pct + Math.sign(before_pct) * further_pct;
          const report = analyzeGenerated(
            {
              phases: WITH_REST,
              rate_Hz: RATE_HZ,
              mutate: (k) => {
                k.soc += (k.t_s < tj ? before_pct : consistent ? 0 : after_pct) / 100;
              },
            },
            { checks: [ID], set: REST_MIN },
          );
          const fs = findingsOf(report, ID);
          expect(fs, listFindings(fs)).toHaveLength(1);
          const f = fs[0]!;
          expect(f.severity).toBe(consistent ? 'info' : 'warning');
          expect(near(f.t_end_s, rowAtOrAfter(tj), 0)).toBe(true);
          expect(f.evidence.rest_s as number).toBeGreaterThanOrEqual(120);
          expect(statusOf(report, ID)).toBe(consistent ? 'pass' : 'fail');
        },
      ),
      { numRuns: 12, seed: 99 },
    );
  });

  // for all steps / such that the SOC steps while no message arrives for 10 s / no finding holds
  it('should not compare across a time gap', () => {
    fc.assert(
      fc.property(fc.double({ min: 50, max: 250, noNaN: true }), step(1, 15), (t0, d_pct) => {
        const report = analyzeGenerated(
          {
            phases: SHORT,
            rate_Hz: RATE_HZ,
            mutate: (k) => {
              if (k.t_s >= t0 + 5) k.soc += d_pct / 100;
            },
            drop: (_type, k) => k.t_s >= t0 && k.t_s < t0 + 10,
          },
          { checks: [ID] },
        );
        expect(findingsOf(report, ID), listFindings(findingsOf(report, ID))).toHaveLength(0);
      }),
      { numRuns: 10, seed: 5 },
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

  it('should not be evaluable without INFO', () => {
    const report = analyzeGenerated({ phases: SHORT, rate_Hz: RATE_HZ, drop: (type) => type === 0x01 }, { checks: [ID] });
    expect(statusOf(report, ID)).toBe('not_evaluable');
  });

  it('should see no jump in the EKF corrections after a 100 A shunt offset (fault-current-sensor-offset)', () => {
    const report = analyzeCapture(scenarioCapture('fault-current-sensor-offset'), [ID]);
    expect(statusOf(report, ID)).toBe('pass');
    expect(report.checks[0]!.metrics?.soc_changes_compared as number).toBeGreaterThan(50);
  });
});
