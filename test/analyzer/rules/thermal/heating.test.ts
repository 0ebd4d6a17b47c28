/** thermal.heating: measured rise against the chemistry's heat (I²R, hysteresis, entropic). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeatModel } from '../../../../analyzer/rules/thermal/internal/heat.ts';
import { CHEMISTRY, type GenOptions, encodeRestarted, generateMessages } from '../../generate.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { HEAVY, SHORT, analyzeCapture, ramp, serious, show } from './sessions.ts';

const ID = 'thermal.heating';
/** The short sessions fit 40 s windows every 10 s (the default 120 s would need a longer, slower session). */
const WINDOW_S = 40;
const HOP_S = 10;
const SET = [`${ID}.window_s=${WINDOW_S}`, `${ID}.hop_s=${HOP_S}`];
const NP = 2;

function run(g: GenOptions) {
  return analyzeGenerated(g, { checks: [ID], set: SET });
}

/**
 * The sensors follow `ratio` × the rise the chemistry's heat gives with no cooling, from 25 °C
 * (computed tick by tick from the measured current and SOC, as the check does).
 */
function adiabatic(ratio: number): GenOptions {
  const model = new HeatModel(CHEMISTRY);
  let rise = 0;
  return {
    phases: HEAVY,
    mutate: (k) => {
      const I = k.current_A / NP;
      const T = 25 + ratio * rise;
      for (let j = 0; j < k.temperature_C.length; j++) k.temperature_C[j] = T;
      rise += (model.heat_W(I, Math.abs(I), I * I, k.soc, T) * 0.1) / model.heatCapacity_J_per_K;
    },
  };
}

describe('thermal.heating', () => {
  // for all sensors, starts, durations of 50–60 s and rates of 1.5–4 K/min / such that one sensor
  // heats while the current explains ~0 K and the others stay / one warning for that sensor,
  // from where the ramp began (± 2 s) to at most a window after it, holds
  it('should report a sensor heating without a cause in the current', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.double({ min: 10, max: 50, noNaN: true }),
        fc.double({ min: 50, max: 60, noNaN: true }),
        fc.double({ min: 1.5, max: 4, noNaN: true }),
        (sensor, t0, d, rate) => {
          const fs = findingsOf(run({ phases: SHORT, mutate: (k) => ramp(k, sensor, t0, d, rate) }), ID);
          expect(fs, show(fs)).toHaveLength(1);
          const f = fs[0]!;
          expect(f.subject).toBe(`sensor ${sensor}`);
          expect(f.severity).toBe('warning');
          // its start is where the ramp began (the fitted onset), not a window before
          expect(f.evidence.onset).toBe('fit');
          expect(Math.abs(f.t_start_s - t0), `${f.t_start_s} vs ${t0}`).toBeLessThanOrEqual(2);
          expect(f.t_end_s).toBeGreaterThanOrEqual(Math.min(t0 + d, 115) - HOP_S);
          expect(f.t_end_s).toBeLessThanOrEqual(t0 + d + WINDOW_S + HOP_S);
        },
      ),
      { numRuns: 10, seed: 7301 },
    );
  });

  // for all starts, durations and rates of 1.5–4 K/min / such that every sensor heats alike /
  // one info for the pack (heat from outside, not judged), and the check passes, holds
  it('should report a pack-wide unexplained rise as info only', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 10, max: 50, noNaN: true }),
        fc.double({ min: 50, max: 60, noNaN: true }),
        fc.double({ min: 1.5, max: 4, noNaN: true }),
        (t0, d, rate) => {
          const report = run({
            phases: SHORT,
            mutate: (k) => {
              for (let j = 0; j < 4; j++) ramp(k, j, t0, d, rate);
            },
          });
          const fs = findingsOf(report, ID);
          expect(fs, show(fs)).toHaveLength(1);
          expect(fs[0]!.subject).toBe('pack');
          expect(fs[0]!.severity).toBe('info');
          expect(statusOf(report, ID)).toBe('pass');
        },
      ),
      { numRuns: 8, seed: 7302 },
    );
  });

  // for all sensors, restart times and changes of 1.5–5 K while the device was down / such that
  // the sensor reads that much more from the restart on (as data, a step right after the last
  // row) / no finding, while the same step inside one run of the device is a warning, holds
  it('should not judge a window across a device restart', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.double({ min: 30, max: 80, noNaN: true }),
        fc.double({ min: 1.5, max: 5, noNaN: true }),
        (sensor, at, step) => {
          const msgs = generateMessages({
            phases: SHORT,
            mutate: (k) => {
              if (k.t_s >= at) k.temperature_C[sensor]! += step;
            },
          });
          const restarted = findingsOf(analyzeBytes(encodeRestarted(msgs, [at]), { checks: [ID], set: SET }).report, ID);
          expect(restarted, show(restarted)).toEqual([]);
          const inRun = findingsOf(analyzeBytes(encodeRestarted(msgs, []), { checks: [ID], set: SET }).report, ID);
          expect(
            inRun.map((f) => `${f.subject} ${f.severity}`),
            show(inRun),
          ).toEqual([`sensor ${sensor} warning`]);
        },
      ),
      { numRuns: 8, seed: 7304 },
    );
  });

  // for all ratios of 0.9–1.05 / such that under a 3C discharge the pack rises that share of the
  // adiabatic I²R rise / one warning for the pack (no heat removed), starting once the pack is
  // 3 K above where it started, holds
  it('should report a pack heating as if it had no cooling', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.9, max: 1.05, noNaN: true }), (ratio) => {
        const fs = findingsOf(run(adiabatic(ratio)), ID);
        expect(fs, show(fs)).toHaveLength(1);
        const f = fs[0]!;
        expect(f.subject).toBe('pack');
        expect(f.severity).toBe('warning');
        expect(f.message).toContain('no cooling');
        expect(near01(f.evidence.max_ratio as number, ratio)).toBe(true);
        // 3 K above the start after ~55 s at ~3.3 K/min; the window ending there starts 40 s earlier
        expect(f.t_start_s).toBeGreaterThan(5);
        expect(f.t_end_s).toBeLessThanOrEqual(120);
      }),
      { numRuns: 6, seed: 7303 },
    );
  });

  it('should accept a heavy discharge that removes half its heat', () => {
    const fs = findingsOf(run(adiabatic(0.5)), ID);
    expect(fs, show(fs)).toEqual([]);
  });

  // for all seeds / such that the session is clean / no finding, holds
  it('should find nothing in a clean session', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const report = run({ phases: SHORT, seed });
        expect(findingsOf(report, ID)).toEqual([]);
        expect(statusOf(report, ID)).toBe('pass');
      }),
      { numRuns: 5, seed: 7304 },
    );
  });

  it('should not be evaluable without temperature sensors or on a session shorter than a window', () => {
    expect(statusOf(run({ phases: SHORT, nt: 0 }), ID)).toBe('not_evaluable');
    expect(statusOf(analyzeGenerated({ phases: SHORT }, { checks: [ID] }), ID)).toBe('not_evaluable');
  });

  it('should report the missing cooling of fault-cooling-failure and only info for fault-ambient-heat-wave', () => {
    // the pump fails at 60 s; the pack then heats at 90–100 % of the adiabatic rise
    const cooling = findingsOf(analyzeCapture(scenarioCapture('fault-cooling-failure'), [ID]), ID);
    expect(cooling, show(cooling)).toHaveLength(1);
    expect(cooling[0]!.severity).toBe('warning');
    expect(cooling[0]!.subject).toBe('pack');
    expect(cooling[0]!.t_start_s).toBeGreaterThanOrEqual(60);
    // the air warms by 10 K from 60 s: heat from outside, reported, not judged
    const wave = findingsOf(analyzeCapture(scenarioCapture('fault-ambient-heat-wave'), [ID]), ID);
    expect(serious(wave), show(wave)).toEqual([]);
    expect(wave.map((f) => f.subject)).toEqual(['pack']);
  });
});

/** Within 0.1 of each other (the generator's current noise and the heat model's bin averaging). */
function near01(a: number, b: number): boolean {
  return Math.abs(a - b) <= 0.1;
}
