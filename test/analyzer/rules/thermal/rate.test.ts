/** thermal.rate: dT/dt per sensor over the short (10 s) and long (60 s) regression windows. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRestarted, generateMessages } from '../../generate.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { SHORT, SHORT_S, analyzeCapture, near, ramp, serious, show } from './sessions.ts';

const ID = 'thermal.rate';
/**
 * Time tolerance of an episode's ends: a window is dated at its centre, and a ramp far above the
 * threshold flags windows from about half a window before it starts to half a window after it
 * ends (long window 60 s), plus a bin.
 */
const TOL_S = 31;

describe('thermal.rate', () => {
  // for all sensors, ramp starts, durations of 60–70 s and rates of 7–12 K/min / such that one
  // sensor heats at that rate (above the 5 K/min long-window warning, below every other
  // threshold) / one warning for that sensor, spanning the ramp within half a long window,
  // with the long-window rate near the planted one, holds
  it('should report a planted heating ramp as a warning over the ramp', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.double({ min: 10, max: 40, noNaN: true }),
        fc.double({ min: 60, max: 70, noNaN: true }),
        fc.double({ min: 7, max: 12, noNaN: true }),
        (sensor, t0, d, rate) => {
          const report = analyzeGenerated({ phases: SHORT, mutate: (k) => ramp(k, sensor, t0, d, rate) }, { checks: [ID] });
          const fs = findingsOf(report, ID);
          expect(fs, show(fs)).toHaveLength(1);
          const f = fs[0]!;
          expect(f.subject).toBe(`sensor ${sensor}`);
          expect(f.severity).toBe('warning');
          expect(f.threshold?.value).toBe(5);
          expect(near(f.t_start_s, t0, TOL_S), show(fs)).toBe(true);
          expect(near(f.t_end_s, Math.min(t0 + d, SHORT_S), TOL_S), show(fs)).toBe(true);
          expect(near(f.evidence.max_rate_long_K_per_min as number, rate, 0.5)).toBe(true);
        },
      ),
      { numRuns: 12, seed: 7101 },
    );
  });

  // for all sensors, starts, durations of 40–60 s and rates of 25–40 K/min / such that the long
  // window sees at least 15 K/min / one finding for that sensor, an error, from the ramp's start
  // within half a long window, holds
  it('should make a fast ramp an error', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.double({ min: 20, max: 60, noNaN: true }),
        fc.double({ min: 40, max: 60, noNaN: true }),
        fc.double({ min: 25, max: 40, noNaN: true }),
        (sensor, t0, d, rate) => {
          const report = analyzeGenerated({ phases: SHORT, mutate: (k) => ramp(k, sensor, t0, d, rate) }, { checks: [ID] });
          const fs = findingsOf(report, ID);
          expect(fs, show(fs)).toHaveLength(1);
          expect(fs[0]!.severity).toBe('error');
          expect(fs[0]!.subject).toBe(`sensor ${sensor}`);
          expect(near(fs[0]!.t_start_s, t0, TOL_S)).toBe(true);
        },
      ),
      { numRuns: 8, seed: 7102 },
    );
  });

  // for all seeds / such that the session is clean / no finding, and the highest rates stay
  // near zero, holds
  // for all restart times and temperature changes of 4–15 K while the device was down / such
  // that every sensor reads that much more from the restart on (the rows after a restart follow
  // the last one by a millisecond, so as data the change is a step) / no finding, while the same
  // step inside one run of the device is one, and a ramp planted 15 s after the restart is still
  // found, holds
  it('should not take a change while the device was down for a rate, and judge the run after it', () => {
    fc.assert(
      fc.property(fc.double({ min: 20, max: 60, noNaN: true }), fc.double({ min: 4, max: 15, noNaN: true }), (at, step) => {
        const msgs = (ramped: boolean) =>
          generateMessages({
            phases: SHORT,
            mutate: (k) => {
              if (k.t_s >= at) for (let j = 0; j < k.temperature_C.length; j++) k.temperature_C[j]! += step;
              if (ramped) ramp(k, 2, at + 15, 30, 30);
            },
          });
        const restarted = findingsOf(analyzeBytes(encodeRestarted(msgs(false), [at]), { checks: [ID] }).report, ID);
        expect(restarted, show(restarted)).toEqual([]);
        const inRun = findingsOf(analyzeBytes(encodeRestarted(msgs(false), []), { checks: [ID] }).report, ID);
        expect(inRun.length).toBeGreaterThan(0);
        const after = findingsOf(analyzeBytes(encodeRestarted(msgs(true), [at]), { checks: [ID] }).report, ID);
        expect(
          after.map((f) => f.subject),
          show(after),
        ).toEqual(['sensor 2']);
        expect(after[0]!.t_start_s).toBeGreaterThan(at);
      }),
      { numRuns: 8, seed: 7104 },
    );
  });

  it('should find nothing in a clean session', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const report = analyzeGenerated({ phases: SHORT, seed }, { checks: [ID] });
        expect(findingsOf(report, ID)).toEqual([]);
        expect(statusOf(report, ID)).toBe('pass');
        const m = report.checks.find((c) => c.check === ID)!.metrics!;
        expect(m.max_rate_long_K_per_min as number).toBeLessThan(1);
      }),
      { numRuns: 5, seed: 7103 },
    );
  });

  it('should drop the readings of a sensor the device flags NTC_SHORT', () => {
    // sensor 2 jumps to 150 °C at 30 s, the device raises NTC_SHORT (code 14) for it at 32 s
    const report = analyzeGenerated(
      {
        phases: SHORT,
        mutate: (k) => {
          if (k.t_s >= 30) k.temperature_C[2] = 150;
          if (Math.abs(k.t_s - 32) < 0.05) k.events.push({ code: 14, tier: 1, raised: true, index: 2, value: 150, threshold: 140 });
        },
      },
      { checks: [ID] },
    );
    expect(findingsOf(report, ID), show(findingsOf(report, ID))).toEqual([]);
  });

  it('should not be evaluable without temperature sensors', () => {
    const report = analyzeGenerated({ phases: SHORT, nt: 0 }, { checks: [ID] });
    expect(statusOf(report, ID)).toBe('not_evaluable');
  });

  it('should report the internal short of fault-cell-internal-short on its sensor', () => {
    // cell 50 (sensor 25) shorts at 120 s and heats at about 11 K/min
    const report = analyzeCapture(scenarioCapture('fault-cell-internal-short'), [ID]);
    const fs = serious(findingsOf(report, ID));
    expect(fs, show(fs)).toHaveLength(1);
    expect(fs[0]!.subject).toBe('sensor 25');
    expect(fs[0]!.severity).toBe('warning');
    expect(fs[0]!.t_start_s).toBeGreaterThan(110);
    expect(fs[0]!.t_start_s).toBeLessThan(150);
  });
});
