/** cells.spread: spread episodes (with load and low-SOC allowances) and the rest trend. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageType } from '../../../../protocol/messages.ts';
import type { Phase } from '../../generate.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { near, serious, show } from '../quality/sessions.ts';

const ID = 'cells.spread';
/** 900 s at rest (1 Hz): settled (rest_settle_s 600 s) from 600 s on. */
const REST: Phase[] = [{ current_A: 0, duration_s: 900, state: 'STANDBY' }];
/** Settled rest to 700 s, then a 150 A (0.5C) discharge to 900 s. */
const REST_THEN_LOAD: Phase[] = [
  { current_A: 0, duration_s: 700, state: 'STANDBY' },
  { current_A: -150, duration_s: 200, state: 'NORMAL' },
];
/** Samples are 2 s apart (sample_s). */
const GRID_S = 2;

describe('cells.spread', () => {
  // for all cells, offsets (warning band 0.11..0.17 V, error band 0.22..0.30 V at 60 % SOC where
  // the thresholds are 0.1 / 0.2 V), starts in the settled rest and lengths (30..120 s) / such
  // that one cell is raised by the offset / one episode over the planted time (± one sample) at
  // the band's severity, holds
  it('should report a planted imbalance at rest with its severity and time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 }),
        fc.boolean(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 620, max: 750, noNaN: true }),
        fc.double({ min: 30, max: 120, noNaN: true }),
        (cell, isError, u, t0, d) => {
          const dv = isError ? 0.22 + 0.08 * u : 0.11 + 0.06 * u;
          const report = analyzeGenerated(
            {
              phases: REST,
              rate_Hz: 1,
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
          ).toEqual([`pack ${isError ? 'error' : 'warning'}`]);
          expect(fs[0]!.evidence.cell_max).toBe(cell);
          expect(fs[0]!.evidence.regime).toBe('rest');
          expect(near(fs[0]!.t_start_s, t0, GRID_S), `${fs[0]!.t_start_s} vs ${t0}`).toBe(true);
          expect(near(fs[0]!.t_end_s, t0 + d - 1, GRID_S), `${fs[0]!.t_end_s} vs ${t0 + d}`).toBe(true);
        },
      ),
      { numRuns: 12, seed: 91 },
    );
  });

  it('should judge the PACK_STATUS min/max when no CELL_VOLTAGES arrive', () => {
    const report = analyzeGenerated(
      {
        phases: REST,
        rate_Hz: 1,
        drop: (t) => t === MessageType.CELL_VOLTAGES,
        mutate: (k) => {
          if (k.t_s >= 650 && k.t_s < 700) k.cellVoltage_V[6]! -= 0.15;
        },
      },
      { checks: [ID] },
    );
    const fs = findingsOf(report, ID);
    expect(
      fs.map((f) => `${f.subject} ${f.severity}`),
      show(fs),
    ).toEqual(['pack warning']);
    expect(fs[0]!.evidence.source).toBe('PACK_STATUS min/max');
    expect(fs[0]!.evidence.cell_min).toBe(6);
  });

  it('should allow more spread under load (0.05 V per C on top)', () => {
    const plant = (from: number, to: number) => (k: { t_s: number; cellVoltage_V: Float64Array }) => {
      if (k.t_s >= from && k.t_s < to) k.cellVoltage_V[3]! += 0.108;
    };
    const rest = findingsOf(analyzeGenerated({ phases: REST_THEN_LOAD, rate_Hz: 1, mutate: plant(620, 680) }, { checks: [ID] }), ID);
    expect(
      rest.map((f) => f.severity),
      show(rest),
    ).toEqual(['warning']);
    const load = findingsOf(analyzeGenerated({ phases: REST_THEN_LOAD, rate_Hz: 1, mutate: plant(720, 880) }, { checks: [ID] }), ID);
    expect(load, show(load)).toEqual([]); // 0.5C: threshold 0.125 V
  });

  it('should allow more spread at low SOC, where the Na-ion OCV is steep', () => {
    const plant = (k: { t_s: number; cellVoltage_V: Float64Array }) => {
      if (k.t_s >= 650 && k.t_s < 700) k.cellVoltage_V[5]! += 0.21;
    };
    const mid = findingsOf(analyzeGenerated({ phases: REST, rate_Hz: 1, initialSoc: 0.6, mutate: plant }, { checks: [ID] }), ID);
    expect(
      mid.map((f) => f.severity),
      show(mid),
    ).toEqual(['error']);
    const low = findingsOf(analyzeGenerated({ phases: REST, rate_Hz: 1, initialSoc: 0.05, mutate: plant }, { checks: [ID] }), ID);
    expect(low, show(low)).toEqual([]); // 5 % SOC: 5 % imbalance is ~0.3 V there
  });

  // for all cells and growth rates (5..15 mV/h) / such that one cell (10 mV above the rest)
  // drifts up during a 2.5 h rest / a trend warning with the planted rate (± 1 mV/h), holds; and
  // without drift the trend is ~0 and there is no finding
  it('should report a spread that grows at rest, and measure its rate', () => {
    const phases: Phase[] = [{ current_A: 0, duration_s: 2.5 * 3600, state: 'STANDBY' }];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.double({ min: 5, max: 15, noNaN: true }), (cell, rate) => {
        const report = analyzeGenerated(
          {
            phases,
            rate_Hz: 0.25,
            mutate: (k) => {
              k.cellVoltage_V[cell]! += 0.01 + (rate / 1000) * (k.t_s / 3600);
            },
          },
          { checks: [ID] },
        );
        const fs = findingsOf(report, ID);
        expect(
          fs.map((f) => `${f.subject} ${f.severity}`),
          show(fs),
        ).toEqual(['pack trend warning']);
        expect(fs[0]!.evidence.trend_mV_per_h as number).toBeCloseTo(rate, 0);
      }),
      { numRuns: 3, seed: 92 },
    );
    const flat = analyzeGenerated({ phases, rate_Hz: 0.25 }, { checks: [ID] });
    expect(findingsOf(flat, ID)).toEqual([]);
    expect(Math.abs(flat.checks[0]!.metrics?.rest_trend_mV_per_h as number)).toBeLessThan(0.5);
  });

  it('should pass the clean generated session and a real 3C fast charge with its rest', () => {
    const gen = analyzeGenerated({ rate_Hz: 2 }, { checks: [ID] });
    expect(serious(findingsOf(gen, ID))).toEqual([]);
    expect(statusOf(gen, ID)).toBe('pass');
    const real = analyzeBytes(scenarioCapture('fast-charge-3c', 1600), { checks: [ID] }).report; // rest from ~840 s
    expect(serious(findingsOf(real, ID)), show(findingsOf(real, ID))).toEqual([]);
    expect(real.checks[0]!.metrics?.max_rest_spread_V as number).toBeGreaterThan(0.04); // the rest was judged
  });
});
