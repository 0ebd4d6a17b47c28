/** quality.time: gaps in the rows and device clock regressions. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRestarted, generateMessages } from '../../generate.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { SHORT, near, show } from './sessions.ts';

const ID = 'quality.time';

describe('quality.time', () => {
  // for all starts and lengths (3..30 s) / such that every message of those ticks is lost / one
  // gap finding (a warning, below error_gap_s 60 s) from the last tick before to the first tick
  // after (± 0.1 s), holds
  it('should report a planted telemetry gap with its range', () => {
    fc.assert(
      fc.property(fc.double({ min: 6, max: 25, noNaN: true }), fc.double({ min: 3, max: 30, noNaN: true }), (t0, d) => {
        const phases = [...SHORT, { current_A: 0, duration_s: 30, state: 'STANDBY' as const }];
        const report = analyzeGenerated({ phases, drop: (_t, tick) => tick.t_s >= t0 && tick.t_s < t0 + d }, { checks: [ID] });
        const fs = findingsOf(report, ID);
        expect(fs, show(fs)).toHaveLength(1);
        const f = fs[0]!;
        expect(f.severity).toBe('warning');
        expect(f.subject).toBe('telemetry');
        const first = Math.ceil(t0 * 10 - 1e-9) / 10; // first lost tick
        const after = Math.ceil((t0 + d) * 10 - 1e-9) / 10; // first tick after
        expect(near(f.t_start_s, first - 0.1, 0.1), `${f.t_start_s} vs ${first - 0.1}`).toBe(true);
        expect(near(f.t_end_s, after, 0.1), `${f.t_end_s} vs ${after}`).toBe(true);
        expect(f.threshold?.value).toBe(2); // min_gap_s: 5 × 0.1 s is less
      }),
      { numRuns: 15, seed: 31 },
    );
  });

  it('should make a gap of a minute or more an error', () => {
    const phases = [...SHORT, { current_A: 0, duration_s: 80, state: 'STANDBY' as const }];
    const fs = findingsOf(analyzeGenerated({ phases, drop: (_t, k) => k.t_s >= 62 && k.t_s < 130 }, { checks: [ID] }), ID);
    expect(
      fs.map((f) => f.severity),
      show(fs),
    ).toEqual(['error']);
    expect(fs[0]!.threshold?.value).toBe(60);
  });

  it('should report a device clock that went back (a restart)', () => {
    // from 30 s on the device has restarted: its clock and its seq begin again at 0
    const { report } = analyzeBytes(encodeRestarted(generateMessages({ phases: SHORT }), [30]), { checks: [ID] });
    const fs = findingsOf(report, ID);
    expect(
      fs.map((f) => `${f.subject} ${f.severity}`),
      show(fs),
    ).toEqual(['device clock warning']);
    expect(fs[0]!.evidence.back_s).toBeCloseTo(29.9, 3);
    expect(near(fs[0]!.t_start_s, 29.9, 0.05)).toBe(true);
  });

  // for all seeds / clean session / no finding, holds
  it('should find nothing on a clean session', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const report = analyzeGenerated({ phases: SHORT, seed }, { checks: [ID] });
        expect(findingsOf(report, ID)).toEqual([]);
        expect(statusOf(report, ID)).toBe('pass');
      }),
      { numRuns: 5, seed: 32 },
    );
  });
});
