/** quality.nonphysical: values outside physical bounds, and the pack voltage against its cells. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRestarted, generateMessages, infoFor, type Tick, withLimitsFrom } from '../../generate.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { SHORT, near, serious, show } from './sessions.ts';

const ID = 'quality.nonphysical';
const LIMITS = infoFor(8, 2, 4).limits;
const MSL = LIMITS.msl;

interface Plant {
  subject: (i: number) => string;
  severity: 'warning' | 'error';
  set: (k: Tick, i: number, u: number) => void;
}
/** Each plant puts a value beyond a bound; u in [0, 1] picks how far. */
const PLANTS: Record<string, Plant> = {
  cellHigh: { subject: (i) => `cell ${i}`, severity: 'error', set: (k, i, u) => (k.cellVoltage_V[i] = 5.05 + u * 1.4) },
  tempHigh: { subject: (i) => `sensor ${i % 4}`, severity: 'error', set: (k, i, u) => (k.temperature_C[i % 4] = 151 + u * 150) },
  tempLow: { subject: (i) => `sensor ${i % 4}`, severity: 'error', set: (k, i, u) => (k.temperature_C[i % 4] = -56 - u * 200) },
  currentHigh: { subject: () => 'current_A', severity: 'error', set: (k, _i, u) => (k.current_A = 3 * MSL.chargeCurrentMax_A + 10 + u * 5000) },
  currentLow: { subject: () => 'current_A', severity: 'error', set: (k, _i, u) => (k.current_A = -3 * MSL.dischargeCurrentMax_A - 10 - u * 5000) },
  socHigh: { subject: () => 'soc', severity: 'warning', set: (k, _i, u) => (k.soc = 1.06 + u) },
  socLow: { subject: () => 'soc', severity: 'warning', set: (k, _i, u) => (k.soc = -0.06 - u) },
};

describe('quality.nonphysical', () => {
  // for all kinds of value, channels, distances beyond the bound, first ticks and tick counts
  // (1..100: 0.1..10 s) / such that the value is sent in those ticks / one finding for that
  // channel at the kind's severity spanning exactly the planted ticks, holds
  it('should report a planted value outside its physical bound', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(PLANTS)),
        fc.integer({ min: 0, max: 7 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 60, max: 440 }),
        fc.integer({ min: 1, max: 100 }),
        (kind, i, u, k0, n) => {
          const p = PLANTS[kind]!;
          const report = analyzeGenerated(
            {
              phases: SHORT,
              mutate: (k) => {
                if (k.k >= k0 && k.k < k0 + n) p.set(k, i, u);
              },
            },
            { checks: [ID] },
          );
          const fs = findingsOf(report, ID).filter((f) => f.subject !== 'pack voltage vs cells');
          expect(
            fs.map((f) => `${f.subject} ${f.severity}`),
            show(findingsOf(report, ID)),
          ).toEqual([`${p.subject(i)} ${p.severity}`]);
          expect(near(fs[0]!.t_start_s, k0 / 10, 0.001), `${fs[0]!.t_start_s} vs ${k0 / 10}`).toBe(true);
          expect(near(fs[0]!.t_end_s, (k0 + n - 1) / 10, 0.001), `${fs[0]!.t_end_s} vs ${(k0 + n - 1) / 10}`).toBe(true);
        },
      ),
      { numRuns: 20, seed: 71 },
    );
  });

  // for all offsets (8..30 %), starts and lengths (8..20 s) / such that the pack voltage is off
  // the sum of the cells by the offset / one "pack voltage vs cells" warning over the planted
  // time (± one 2 s sample), holds
  it('should report a pack voltage far from the sum of the cells', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.08, max: 0.3, noNaN: true }),
        fc.boolean(),
        fc.double({ min: 6, max: 35, noNaN: true }),
        fc.double({ min: 8, max: 20, noNaN: true }),
        (x, up, t0, d) => {
          const report = analyzeGenerated(
            {
              phases: SHORT,
              mutate: (k) => {
                if (k.t_s >= t0 && k.t_s < t0 + d) k.packVoltage_V *= up ? 1 + x : 1 - x;
              },
            },
            { checks: [ID] },
          );
          const fs = findingsOf(report, ID);
          expect(
            fs.map((f) => `${f.subject} ${f.severity}`),
            show(fs),
          ).toEqual(['pack voltage vs cells warning']);
          expect(near(fs[0]!.t_start_s, t0, 2.1)).toBe(true);
          expect(near(fs[0]!.t_end_s, t0 + d, 2.1)).toBe(true);
        },
      ),
      { numRuns: 10, seed: 72 },
    );
  });

  it('should ignore a pack voltage offset shorter than pack_vs_cells_min_duration_s', () => {
    const report = analyzeGenerated(
      {
        phases: SHORT,
        mutate: (k) => {
          if (k.t_s >= 20 && k.t_s < 23) k.packVoltage_V *= 1.2;
        },
      },
      { checks: [ID] },
    );
    expect(findingsOf(report, ID)).toEqual([]);
  });

  // for all changes of limits (at an INFO, 10–45 s), planted currents beyond 3 × the new MSL but
  // within 3 × the old (discharge and charge), 0.5–3 s long, before or after the change / a
  // finding after the change only, bounded by the new MSL and saying from when, holds
  it('should bound the current by the MSL of the limits in force at each row', () => {
    const NEW = { ...LIMITS, msl: { ...MSL, chargeCurrentMax_A: MSL.chargeCurrentMax_A / 2, dischargeCurrentMax_A: MSL.dischargeCurrentMax_A / 2 } };
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 9 }),
        fc.boolean(),
        fc.boolean(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.5, max: 3, noNaN: true }),
        (k, after, charge, frac, d) => {
          const change = 5 * k;
          const [lo, hi] = after ? [change, 59 - d] : [1, change - d - 0.3];
          const t0 = lo + frac * (hi - lo);
          const I = charge ? 1.5 * (MSL.chargeCurrentMax_A + NEW.msl.chargeCurrentMax_A) : -1.5 * (MSL.dischargeCurrentMax_A + NEW.msl.dischargeCurrentMax_A);
          const msgs = generateMessages({ phases: SHORT, mutate: (t) => void (t.t_s >= t0 && t.t_s < t0 + d && (t.current_A = I)) });
          const { report } = analyzeBytes(encodeRestarted(withLimitsFrom(msgs, change - 2.5, NEW), []), { checks: [ID] });
          const fs = findingsOf(report, ID).filter((f) => f.subject === 'current_A');
          if (!after) {
            expect(fs, show(fs)).toEqual([]);
            return;
          }
          expect(fs, show(fs)).toHaveLength(1);
          expect(fs[0]!.t_start_s).toBeGreaterThanOrEqual(t0 - 0.1);
          expect(fs[0]!.t_end_s).toBeLessThanOrEqual(t0 + d);
          const bound = charge ? 3 * NEW.msl.chargeCurrentMax_A : -3 * NEW.msl.dischargeCurrentMax_A;
          expect(fs[0]!.threshold?.value).toBeCloseTo(bound, 3);
          expect(fs[0]!.threshold?.source).toMatch(new RegExp(`^device INFO MSL × 3 \\(.*\\), in force from ${change} s$`));
        },
      ),
      { numRuns: 20, seed: 72 },
    );
  });

  it('should find nothing on a clean session nor on a real 3C fast charge', () => {
    const report = analyzeGenerated({ phases: SHORT }, { checks: [ID] });
    expect(findingsOf(report, ID)).toEqual([]);
    expect(statusOf(report, ID)).toBe('pass');
    const real = analyzeBytes(scenarioCapture('fast-charge-3c', 300), { checks: [ID] }).report;
    expect(serious(findingsOf(real, ID))).toEqual([]);
    expect(real.checks[0]!.metrics?.pack_vs_cells_largest_rel as number).toBeGreaterThan(0.005); // busbar drop at 3C, well inside 5 %
  });
});
