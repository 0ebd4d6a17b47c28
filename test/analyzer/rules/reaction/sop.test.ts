/** reaction.sop: the measured current beyond the SOP limit the BMS reports. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FaultCode } from '../../../../protocol/messages.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { CHARGE, DISCHARGE, SHORT, near, rowSpan, serious, show } from '../envelope/sessions.ts';

const ID = 'reaction.sop';
/** Default response time: a limit binds the load this long after it is reported. */
const RESPONSE_S = 1.5;

describe('reaction.sop', () => {
  // for all directions, starts, durations of 4–20 s (longer than response_s + min_duration_s)
  // and reported limits of 0–60 A / such that
  // the BMS reports that limit while the load keeps its 75 A / one error for that direction
  // from response_s after the limit fell (the load may follow late) to the last row with it, holds
  it('should report a load that ignores a lowered limit', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 4, max: 20, noNaN: true }),
        fc.double({ min: 0, max: 60, noNaN: true }),
        (charge, at, d, limit) => {
          const w = charge ? CHARGE : DISCHARGE;
          const t0 = w.from + at * (w.to - w.from - d);
          const report = analyzeGenerated(
            {
              phases: SHORT,
              mutate: (k) => {
                if (k.t_s < t0 || k.t_s >= t0 + d) return;
                if (charge) k.chargeLimit_A = limit;
                else k.dischargeLimit_A = limit;
              },
            },
            { checks: [ID] },
          );
          const fs = findingsOf(report, ID);
          expect(fs, show(fs)).toHaveLength(1);
          const f = fs[0]!;
          const span = rowSpan(t0, t0 + d);
          expect(f.severity).toBe('error');
          expect(f.subject).toBe(`${charge ? 'charge' : 'discharge'} current`);
          expect(near(f.t_start_s, span.first + RESPONSE_S, 0.1), `${f.t_start_s} vs ${span.first + RESPONSE_S}`).toBe(true);
          expect(near(f.t_end_s, span.last, 0.1)).toBe(true);
          expect(near(f.evidence.limit_A as number, limit, 0.01)).toBe(true);
          expect(near(f.evidence.peak_excess_A as number, 75 - limit, 0.2)).toBe(true);
        },
      ),
      { numRuns: 15, seed: 1234 },
    );
  });

  // for all starts and load delays up to 1.4 s (< response_s) / such that the limit falls to
  // 20 A and the load follows it after the delay / no finding, holds
  it('should accept a load that follows a lowered limit within the response time', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1.4, noNaN: true }), (at, delay) => {
        const t0 = DISCHARGE.from + at * (DISCHARGE.to - DISCHARGE.from - 10);
        const report = analyzeGenerated(
          {
            phases: SHORT,
            mutate: (k) => {
              if (k.t_s < t0 || k.t_s >= t0 + 10) return;
              k.dischargeLimit_A = 20;
              if (k.t_s >= t0 + delay) k.current_A = -19.5;
            },
          },
          { checks: [ID] },
        );
        expect(findingsOf(report, ID)).toEqual([]);
      }),
      { numRuns: 10, seed: 55 },
    );
  });

  it('should tolerate an excess within tolerance_pct and tolerance_A, or shorter than min_duration_s', () => {
    const run = (limit: number, d: number) =>
      analyzeGenerated(
        {
          phases: SHORT,
          mutate: (k) => {
            if (k.t_s >= 20 && k.t_s < 20 + d) k.dischargeLimit_A = limit;
          },
        },
        { checks: [ID] },
      );
    // 75 A against 68 A: 68 × 1.05 + 5 = 76.4 A allowed
    expect(findingsOf(run(68, 10), ID)).toEqual([]);
    // 75 A against 10 A for 3 s: only 1.5 s of it binds, less than the 2 s minimum
    expect(findingsOf(run(10, 3), ID)).toEqual([]);
  });

  it('should not hold a current the BMS flags as implausible against the load', () => {
    const report = analyzeGenerated(
      {
        phases: SHORT,
        mutate: (k) => {
          if (k.t_s >= 20 && k.t_s < 30) {
            k.dischargeLimit_A = 0;
            k.warningMask |= 1 << FaultCode.CURRENT_PLAUSIBILITY;
          }
        },
      },
      { checks: [ID] },
    );
    const fs = findingsOf(report, ID);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.severity).toBe('info');
    expect(fs[0]!.evidence.current_implausible).toBe(true);
  });

  // for all seeds / a clean session / no finding, holds
  it('should find nothing on clean sessions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const report = analyzeGenerated({ phases: SHORT, seed }, { checks: [ID] });
        expect(findingsOf(report, ID)).toEqual([]);
        expect(statusOf(report, ID)).toBe('pass');
      }),
      { numRuns: 4, seed: 8 },
    );
  });

  it('should find the charger of fault-charger-no-termination ignoring the BMS, and nothing on a clean drive', () => {
    const fault = analyzeBytes(scenarioCapture('fault-charger-no-termination'), { checks: [ID] }).report;
    const fs = serious(findingsOf(fault, ID));
    expect(fs.length).toBeGreaterThan(0);
    expect(fs.every((f) => f.subject === 'charge current')).toBe(true);
    // the charger keeps 600 A after the BMS derated at the top of the charge and opened at 250 s
    const main = fs.find((f) => f.t_end_s > 245)!;
    expect(main.evidence.peak_excess_A as number).toBeGreaterThan(500);
    const clean = analyzeBytes(scenarioCapture('wltc-day-25c', 600), { checks: [ID] }).report;
    expect(findingsOf(clean, ID)).toEqual([]);
  });
});
