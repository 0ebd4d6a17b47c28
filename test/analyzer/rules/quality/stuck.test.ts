/** quality.stuck: channels frozen while their peers move. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Phase } from '../../generate.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { SHORT, near, serious, show } from './sessions.ts';

const ID = 'quality.stuck';

/** Rest (contactors open) to 20 s, then a discharge at `current_A` (NORMAL from 20.5 s) to 50 s, then rest. */
const stepAt20 = (current_A: number): Phase[] => [
  { current_A: 0, duration_s: 20, state: 'STANDBY' },
  { current_A, duration_s: 30, state: 'NORMAL' },
  { current_A: 0, duration_s: 10, state: 'NORMAL' },
];
/** Contactors closed from 5.5 s, no current to 25 s, a 150 A discharge to 50 s, rest to 60 s. */
const CLOSED_STEP: Phase[] = [
  { current_A: 0, duration_s: 5, state: 'STANDBY' },
  { current_A: 0, duration_s: 20, state: 'NORMAL' },
  { current_A: -150, duration_s: 25, state: 'NORMAL' },
  { current_A: 0, duration_s: 10, state: 'NORMAL' },
];
/** First and last tick (10 Hz) that the mutate hooks below hold (t_s in [a, b) with 1e-9 slack). */
const ticks = (a: number, b: number): [number, number] => [Math.ceil((a - 1e-9) * 10 - 1e-6) / 10, Math.ceil((b - 1e-9) * 10 - 1e-6) / 10 - 0.1];
/**
 * The run of identical readings may begin a few ticks early: the generator's noise (0.125 mV
 * RMS) on the 0.1 mV wire step often repeats a reading by chance, so the tick before the hold
 * can carry the held value.
 */
const EARLY_S = 0.5;

describe('quality.stuck', () => {
  // for all cells, currents, freeze starts in the rest and lengths that reach past the current
  // step / such that the cell's reading is held from t0 / one finding for that cell spanning the
  // frozen ticks (end ± 0.1 s, start up to EARLY_S before), an error exactly when the peers moved
  // 50 mV or more, holds
  it('should report a cell voltage frozen across a current step', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 }),
        fc.constantFrom(-75, -150),
        fc.double({ min: 6, max: 11, noNaN: true }), // held ≥ 10.9 s: above min_duration_s 10 s
        fc.double({ min: 0, max: 20, noNaN: true }),
        (cell, I, t0, extra) => {
          const t1 = 22 + extra;
          let held = NaN;
          const report = analyzeGenerated(
            {
              phases: stepAt20(I),
              mutate: (k) => {
                if (k.t_s < t0 - 1e-9 || k.t_s >= t1 - 1e-9) return;
                if (Number.isNaN(held)) held = k.cellVoltage_V[cell]!;
                k.cellVoltage_V[cell] = held;
              },
            },
            { checks: [ID] },
          );
          const fs = findingsOf(report, ID);
          expect(fs, show(fs)).toHaveLength(1);
          const f = fs[0]!;
          expect(f.subject).toBe(`cell ${cell}`);
          expect(f.severity).toBe((f.evidence.peers_moved as number) >= 0.05 ? 'error' : 'warning');
          const [a, b] = ticks(t0, t1);
          expect(f.t_start_s <= a + 1e-6 && f.t_start_s >= a - EARLY_S, `${f.t_start_s} vs ${a}`).toBe(true);
          expect(near(f.t_end_s, b, 0.1), `${f.t_end_s} vs ${b}`).toBe(true);
        },
      ),
      { numRuns: 15, seed: 51 },
    );
  });

  // for all freeze starts and lengths / such that the pack current reading is held across a
  // 150 A step with the contactors closed / one "pack current" warning over the frozen ticks, holds
  it('should report a pack current frozen while the cell voltages step', () => {
    fc.assert(
      fc.property(fc.double({ min: 8, max: 20, noNaN: true }), fc.double({ min: 27, max: 45, noNaN: true }), (t0, t1) => {
        let held = NaN;
        const report = analyzeGenerated(
          {
            phases: CLOSED_STEP,
            mutate: (k) => {
              if (k.t_s < t0 - 1e-9 || k.t_s >= t1 - 1e-9) return;
              if (Number.isNaN(held)) held = k.current_A;
              k.current_A = held;
            },
          },
          { checks: [ID] },
        );
        const fs = findingsOf(report, ID);
        expect(
          fs.map((f) => `${f.subject} ${f.severity}`),
          show(fs),
        ).toEqual(['pack current warning']);
        const [a, b] = ticks(t0, t1);
        expect(near(fs[0]!.t_start_s, a, 0.1)).toBe(true);
        expect(near(fs[0]!.t_end_s, b, 0.1)).toBe(true);
      }),
      { numRuns: 10, seed: 52 },
    );
  });

  // for all sensors, starts and lengths (130..200 s) / such that one sensor is held while the
  // others warm by 0.03 °C/s / one warning for that sensor over the held ticks (± 0.5 s), holds
  it('should report a temperature sensor frozen while the others warm', () => {
    const phases: Phase[] = [{ current_A: 0, duration_s: 300, state: 'STANDBY' }];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.double({ min: 10, max: 60, noNaN: true }), fc.double({ min: 130, max: 200, noNaN: true }), (j, t0, d) => {
        let held = NaN;
        const report = analyzeGenerated(
          {
            phases,
            rate_Hz: 2,
            mutate: (k) => {
              for (let s = 0; s < k.temperature_C.length; s++) k.temperature_C[s]! += 0.03 * Math.max(0, k.t_s - t0);
              if (k.t_s < t0 - 1e-9 || k.t_s >= t0 + d - 1e-9) return;
              if (Number.isNaN(held)) held = k.temperature_C[j]!;
              k.temperature_C[j] = held;
            },
          },
          { checks: [ID] },
        );
        const fs = findingsOf(report, ID);
        expect(
          fs.map((f) => `${f.subject} ${f.severity}`),
          show(fs),
        ).toEqual([`sensor ${j} warning`]);
        expect(near(fs[0]!.t_start_s, Math.ceil(t0 * 2 - 1e-9) / 2, 0.5)).toBe(true);
        expect(near(fs[0]!.t_end_s, Math.ceil((t0 + d) * 2 - 1e-9) / 2 - 0.5, 0.5)).toBe(true);
      }),
      { numRuns: 8, seed: 53 },
    );
  });

  it('should not flag a quiet channel at rest, nor a steady current from a coarse sensor', () => {
    let held = NaN;
    const rest = analyzeGenerated(
      {
        phases: stepAt20(-75),
        mutate: (k) => {
          if (k.t_s >= 3 && k.t_s < 19) {
            if (Number.isNaN(held)) held = k.cellVoltage_V[2]!;
            k.cellVoltage_V[2] = held;
          }
        },
      },
      { checks: [ID] },
    );
    expect(findingsOf(rest, ID)).toEqual([]);
    // a CC charge read as exactly 75 A for 20 s: the voltages rise slowly, no step
    const cc = analyzeGenerated(
      {
        phases: SHORT,
        mutate: (k) => {
          if (k.state === 4) k.current_A = 75;
        },
      },
      { checks: [ID] },
    );
    expect(findingsOf(cc, ID)).toEqual([]);
  });

  // for all seeds / clean session / no finding, holds
  it('should find nothing on a clean session', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const report = analyzeGenerated({ phases: SHORT, seed }, { checks: [ID] });
        expect(findingsOf(report, ID)).toEqual([]);
        expect(statusOf(report, ID)).toBe('pass');
      }),
      { numRuns: 5, seed: 54 },
    );
  });

  it("should catch the library's stuck cell-voltage channel and stuck current sensor", () => {
    const a = serious(findingsOf(analyzeBytes(scenarioCapture('fault-stuck-cell-voltage', 120), { checks: [ID] }).report, ID));
    expect(
      a.map((f) => `${f.subject} ${f.severity}`),
      show(a),
    ).toEqual(['cell 37 error']);
    expect(near(a[0]!.t_start_s, 60, 0.2)).toBe(true);
    const b = serious(findingsOf(analyzeBytes(scenarioCapture('fault-stuck-sensor', 120), { checks: [ID] }).report, ID));
    expect(
      b.map((f) => `${f.subject} ${f.severity}`),
      show(b),
    ).toEqual(['pack current warning']);
    expect(near(b[0]!.t_start_s, 60, 0.2)).toBe(true);
  });
});
