/** summary.resistance: DC resistance per series group from current steps, outliers. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type GenOptions, encodeRestarted, generateMessages } from '../../generate.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { SHORT, STEPS, analyzeCapture, near, show } from '../thermal/sessions.ts';

const ID = 'summary.resistance';
/** The generator's ohmic resistance per series group, Ω. */
const R_OHM = 0.0004;
/** STEPS changes its current every 5 s from 5 s on. */
const STEP_S = 5;

function metricsOf(report: ReturnType<typeof analyzeGenerated>): Record<string, number | string | null> {
  return report.checks.find((c) => c.check === ID)!.metrics as Record<string, number | string | null>;
}

/** The first step of STEPS at or after t (the precharge delays the first by 0.5 s). */
function firstStepAfter(t: number): number {
  const k = Math.max(1, Math.ceil((t - 1e-9) / STEP_S));
  return k === 1 ? 5.5 : k * STEP_S;
}

/** A plant time at least 0.5 s clear of a step (so no step straddles it): 0.5–4.5 s into step k. */
const plantTime = fc.tuple(fc.integer({ min: 1, max: 7 }), fc.double({ min: 0.5, max: 4.5, noNaN: true })).map(([k, x]) => k * STEP_S + x);

describe('summary.resistance', () => {
  // for all cells, extra resistances of 0.3–1 mΩ and plant times between steps / such that the cell's voltage
  // moves with the current by that much more from then on / one warning for that cell with its
  // ratio to the median, from the first step after the plant to the last step, holds
  it('should report a group with a higher resistance', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.double({ min: 0.0003, max: 0.001, noNaN: true }), plantTime, (cell, extra, t0) => {
        const g: GenOptions = {
          phases: STEPS,
          mutate: (k) => {
            if (k.t_s >= t0) k.cellVoltage_V[cell]! += extra * k.trueCurrent_A;
          },
        };
        const report = analyzeGenerated(g, { checks: [ID] });
        const fs = findingsOf(report, ID);
        expect(fs, show(fs)).toHaveLength(1);
        const f = fs[0]!;
        expect(f.subject).toBe(`cell ${cell}`);
        expect(f.severity).toBe('warning');
        expect(f.threshold?.value).toBe(1.5);
        expect(near(f.evidence.ratio as number, (R_OHM + extra) / R_OHM, 0.1)).toBe(true);
        expect(near(f.t_start_s, firstStepAfter(t0), 0.11), show(fs)).toBe(true);
        expect(near(f.t_end_s, 120, 0.11), show(fs)).toBe(true);
        expect(metricsOf(report).resistance_highest_cell).toBe(cell);
      }),
      { numRuns: 12, seed: 7601 },
    );
  });

  // for all cells and freeze times between steps / such that the cell's channel repeats its reading from then
  // on / one warning (low) for that cell, holds
  it('should report a channel that does not follow the current', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), plantTime, (cell, t0) => {
        let frozen = NaN;
        const report = analyzeGenerated(
          {
            phases: STEPS,
            mutate: (k) => {
              if (k.t_s >= t0) {
                if (Number.isNaN(frozen)) frozen = k.cellVoltage_V[cell]!;
                k.cellVoltage_V[cell] = frozen;
              }
            },
          },
          { checks: [ID] },
        );
        const fs = findingsOf(report, ID);
        expect(fs, show(fs)).toHaveLength(1);
        expect(fs[0]!.subject).toBe(`cell ${cell}`);
        expect(fs[0]!.threshold?.value).toBe(0.5);
        expect(near(fs[0]!.t_start_s, firstStepAfter(t0), 0.11)).toBe(true);
      }),
      { numRuns: 8, seed: 7602 },
    );
  });

  // for all seeds / such that the session is clean / no finding, and the median is the
  // generator's 0.4 mΩ, holds
  it('should measure the clean pack and find nothing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const report = analyzeGenerated({ phases: STEPS, seed }, { checks: [ID] });
        expect(findingsOf(report, ID)).toEqual([]);
        const m = metricsOf(report);
        expect(m.resistance_steps).toBe(24);
        expect(near(m.resistance_median_mOhm as number, R_OHM * 1000, 0.02)).toBe(true);
        expect(m.resistance_highest_ratio as number).toBeLessThan(1.1);
      }),
      { numRuns: 5, seed: 7603 },
    );
  });

  // for all steps k of STEPS (at k × 5 s) / such that the device restarted right at the step and
  // its cells relaxed by 20 mV while it was down / the step is not used (23 of 24), and the median
  // stays the generator's 0.4 mΩ, holds
  it('should not take a change across a device restart for a current step', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 24 }), (k) => {
        const at = k * STEP_S;
        const msgs = generateMessages({
          phases: STEPS,
          mutate: (tick) => {
            if (tick.t_s >= at - 1e-9) for (let i = 0; i < tick.cellVoltage_V.length; i++) tick.cellVoltage_V[i]! += 0.02;
          },
        });
        const m = metricsOf(analyzeBytes(encodeRestarted(msgs, [at - 1e-6]), { checks: [ID] }).report);
        expect(m.resistance_steps).toBe(23);
        expect(near(m.resistance_median_mOhm as number, R_OHM * 1000, 0.02)).toBe(true);
      }),
      { numRuns: 8, seed: 7605 },
    );
  });

  it('should report but not judge on fewer than judge_min_steps steps', () => {
    const report = analyzeGenerated(
      {
        phases: SHORT,
        mutate: (k) => {
          k.cellVoltage_V[3]! += 0.001 * k.trueCurrent_A;
        },
      },
      { checks: [ID] },
    );
    expect(statusOf(report, ID)).toBe('pass');
    expect(findingsOf(report, ID)).toEqual([]);
    expect(metricsOf(report).resistance_steps).toBe(4);
    expect(metricsOf(report).resistance_highest_cell).toBe(3);
  });

  it('should not be evaluable without current steps', () => {
    const report = analyzeGenerated({ phases: [{ current_A: 0, duration_s: 20, state: 'STANDBY' }] }, { checks: [ID] });
    expect(statusOf(report, ID)).toBe('not_evaluable');
  });

  it('should find the group of fault-cell-disconnect that lost a cell', () => {
    // cell 81 (group 40, position 1 of 2p) disconnects at 60 s
    const report = analyzeCapture(scenarioCapture('fault-cell-disconnect'), [ID]);
    const fs = findingsOf(report, ID);
    expect(fs, show(fs)).toHaveLength(1);
    expect(fs[0]!.subject).toBe('cell 40');
    expect(fs[0]!.t_start_s).toBeGreaterThanOrEqual(60);
    expect(fs[0]!.t_start_s).toBeLessThan(70);
    expect(fs[0]!.evidence.ratio as number).toBeGreaterThan(1.7);
  });
});
