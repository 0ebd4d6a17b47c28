/** soc.estimator: the BMS's SOC against SIM_TRUTH: RMS, maximum, convergence. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { PERIOD_S, RATE_HZ, SHORT, analyzeCapture, fixture, listFindings, near, rowAtOrAfter, rowSpan } from './helpers.ts';

const ID = 'soc.estimator';
/** The generator's estimate is the truth + 0.2 %. */
const BIAS = 0.002;
const BAND = 0.02;

describe('soc.estimator', () => {
  // for all starts, durations (5–150 s) and estimate errors of 6–20 % either way / such that the
  // BMS's SOC is off by that much over the interval / one episode finding on the pack over exactly
  // the planted rows, with the peak error, holds
  it('should report an error episode above max_pct_max with its rows and peak', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 30, max: 500, noNaN: true }),
        fc.double({ min: 5, max: 150, noNaN: true }),
        fc.tuple(fc.double({ min: 6, max: 20, noNaN: true }), fc.boolean()).map(([x, neg]) => (neg ? -x : x)),
        (t0, d, err_pct) => {
          const report = analyzeGenerated(
            {
              phases: SHORT,
              rate_Hz: RATE_HZ,
              mutate: (k) => {
                if (k.t_s >= t0 && k.t_s < t0 + d) k.soc += err_pct / 100;
              },
            },
            { checks: [ID] },
          );
          const fs = findingsOf(report, ID).filter((f) => f.evidence.peak_error_pct !== undefined);
          expect(fs, listFindings(findingsOf(report, ID))).toHaveLength(1);
          const f = fs[0]!;
          const span = rowSpan(t0, t0 + d);
          expect(f.subject).toBe('pack');
          expect(f.severity).toBe('warning');
          expect(near(f.t_start_s, span.first, 0), `${f.t_start_s} vs ${span.first}`).toBe(true);
          expect(near(f.t_end_s, span.last, 0), `${f.t_end_s} vs ${span.last}`).toBe(true);
          expect(f.evidence.peak_error_pct as number).toBeCloseTo(err_pct + BIAS * 100, 1);
          expect(report.checks[0]!.metrics?.convergence_s).toBe(0);
        },
      ),
      { numRuns: 15, seed: 20261203 },
    );
  });

  // for all wrong starts of 3–10 % either way decaying with time constants of 60–200 s / such
  // that the estimate starts that far off and converges / convergence_s is the first row where
  // |error| is within band_pct (± 1.5 s: one row and the 0.01 % SOC rounding), and with
  // convergence_max_s at 30 s one warning spans the start to that row when it is later, holds
  it('should measure the convergence of a wrong start', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.double({ min: 3, max: 10, noNaN: true }), fc.boolean()).map(([x, neg]) => (neg ? -x : x)),
        fc.double({ min: 60, max: 200, noNaN: true }),
        (e0_pct, tau_s) => {
          const e0 = e0_pct / 100;
          const report = analyzeGenerated(
            {
              phases: SHORT,
              rate_Hz: RATE_HZ,
              mutate: (k) => {
                k.soc += e0 * Math.exp(-k.t_s / tau_s);
              },
            },
            { checks: [ID], set: ['soc.estimator.convergence_max_s=30'] },
          );
          // |e0·exp(−t/τ) + bias| ≤ band
          const tStar = tau_s * Math.log(Math.abs(e0) / (e0 > 0 ? BAND - BIAS : BAND + BIAS));
          const expected = rowAtOrAfter(tStar);
          const conv = report.checks[0]!.metrics?.convergence_s as number;
          expect(near(conv, expected, PERIOD_S + 1), `${conv} vs ${expected}`).toBe(true);
          const fs = findingsOf(report, ID).filter((f) => f.evidence.convergence_s !== undefined);
          if (Math.abs(expected - 30) < 2) return; // at the limit either way
          expect(fs, listFindings(findingsOf(report, ID))).toHaveLength(expected > 30 ? 1 : 0);
          if (expected < 30) return;
          expect(fs[0]!.t_start_s).toBe(0);
          expect(near(fs[0]!.t_end_s, expected, PERIOD_S + 1)).toBe(true);
        },
      ),
      { numRuns: 12, seed: 17 },
    );
  });

  // for all seeds / such that the session is clean (estimate = truth + 0.2 %) / the check passes
  // with 0.2 % RMS holds
  it('should pass the clean generated session', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const report = analyzeGenerated({ seed, phases: SHORT, rate_Hz: RATE_HZ }, { checks: [ID], profile: 'lab' });
        expect(statusOf(report, ID)).toBe('pass');
        expect(report.checks[0]!.metrics?.rms_pct as number).toBeCloseTo(0.2, 1);
      }),
      { numRuns: 10, seed: 11 },
    );
  });

  it('should not be evaluable without SIM_TRUTH', () => {
    const report = analyzeGenerated({ phases: SHORT, rate_Hz: RATE_HZ, truth: false }, { checks: [ID] });
    expect(statusOf(report, ID)).toBe('not_evaluable');
  });

  it('should find the estimate leaving the truth under a drifting shunt (fault-current-sensor-drift, lab profile)', () => {
    const report = analyzeCapture(scenarioCapture('fault-current-sensor-drift'), [ID], 'lab');
    const c = report.checks[0]!;
    expect(c.status).toBe('fail');
    expect(c.metrics?.max_pct as number).toBeLessThan(-1);
    const episode = report.findings.find((f) => f.evidence.peak_error_pct !== undefined);
    expect(episode, listFindings(report.findings)).toBeDefined();
    expect(episode!.t_start_s).toBeGreaterThan(60);
  });

  it('should measure the EKF converging from a 4 % wrong start (emulated BMS, real wire bytes)', () => {
    const bytes = scenarioCapture(fixture('wrong-start'));
    const report = analyzeCapture(bytes, [ID]);
    const m = report.checks[0]!.metrics!;
    expect(report.checks[0]!.status).toBe('pass');
    expect(m.max_pct as number).toBeLessThan(-3);
    expect(m.convergence_s as number).toBeGreaterThan(120);
    expect(m.convergence_s as number).toBeLessThan(900);
    const strict = analyzeCapture(bytes, [ID], 'default', ['soc.estimator.convergence_max_s=120']);
    const f = strict.findings.find((x) => x.evidence.convergence_s !== undefined);
    expect(f, listFindings(strict.findings)).toBeDefined();
    expect(f!.t_end_s - f!.t_start_s).toBeCloseTo(m.convergence_s as number, 0);
  });
});
