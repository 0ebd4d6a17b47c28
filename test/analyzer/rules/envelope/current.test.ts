/** envelope.current: the pack current against the charge and discharge current tiers. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { CHARGE, DISCHARGE, LIMITS, SHORT, near, rowSpan, serious, show } from './sessions.ts';

const ID = 'envelope.current';
const TIERS = ['mol', 'rsl', 'msl'] as const;
const SEVERITY = { mol: 'info', rsl: 'warning', msl: 'error' } as const;

describe('envelope.current', () => {
  // for all tiers, directions, starts and durations of 1–15 s / such that the measured current
  // sits in the tier's band (charging above chargeCurrentMax_A in the charge phase, discharging
  // beyond dischargeCurrentMax_A in the discharge phase) / one finding for the pack at the tier's
  // severity with the limit as a magnitude, spanning the planted rows, holds
  it('should report a planted over-current at its tier, direction and time', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TIERS),
        fc.boolean(),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 1, max: 15, noNaN: true }),
        (tier, charge, frac, at, d) => {
          const i = TIERS.indexOf(tier);
          const key = charge ? 'chargeCurrentMax_A' : 'dischargeCurrentMax_A';
          const lim = LIMITS[tier][key];
          const next = i < 2 ? LIMITS[TIERS[i + 1]!][key] : lim * 1.2;
          const magnitude = lim + frac * (next - lim);
          const w = charge ? CHARGE : DISCHARGE;
          const t0 = w.from + at * (w.to - w.from - d);
          const report = analyzeGenerated(
            {
              phases: SHORT,
              mutate: (k) => {
                if (k.t_s >= t0 && k.t_s < t0 + d) k.current_A = charge ? magnitude : -magnitude;
              },
            },
            { checks: [ID] },
          );
          const fs = findingsOf(report, ID);
          expect(fs, show(fs)).toHaveLength(1);
          const f = fs[0]!;
          const span = rowSpan(t0, t0 + d);
          expect(f.subject).toBe('pack');
          expect(f.severity).toBe(SEVERITY[tier]);
          expect(f.evidence.direction).toBe(charge ? 'charge' : 'discharge');
          expect(f.threshold?.value).toBeCloseTo(lim, 3);
          expect(f.evidence.peak as number).toBeCloseTo(magnitude, 1);
          expect(near(f.t_start_s, span.first, 0.1)).toBe(true);
          expect(near(f.t_end_s, span.last, 0.1)).toBe(true);
        },
      ),
      { numRuns: 15, seed: 99 },
    );
  });

  // for all seeds / a clean session / no finding, holds
  it('should find nothing on clean sessions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const report = analyzeGenerated({ phases: SHORT, seed }, { checks: [ID] });
        expect(findingsOf(report, ID)).toEqual([]);
        expect(statusOf(report, ID)).toBe('pass');
      }),
      { numRuns: 5, seed: 3 },
    );
  });

  it('should report time beyond each tier per direction as metrics', () => {
    const report = analyzeGenerated(
      {
        phases: SHORT,
        mutate: (k) => {
          if (k.t_s >= 70 && k.t_s < 75) k.current_A = 1200;
        },
      },
      { checks: [ID] },
    );
    const m = report.checks.find((c) => c.check === ID)!.metrics!;
    expect(m.time_charge_above_rsl_s).toBeCloseTo(5, 6);
    expect(m.time_charge_above_msl_s).toBe(0);
    expect(m.time_discharge_above_mol_s).toBe(0);
  });

  it('should find nothing on the fast charge at the rated 3C (fast-charge-3c, first 10 minutes)', () => {
    const report = analyzeBytes(scenarioCapture('fast-charge-3c', 600), { checks: [ID] }).report;
    expect(serious(findingsOf(report, ID))).toEqual([]);
    expect(statusOf(report, ID)).toBe('pass');
  });
});
