/** quality.sampling: effective rates per 60 s window. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageType } from '../../../../protocol/messages.ts';
import { type Phase } from '../../generate.ts';
import { analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { SHORT, near, show } from './sessions.ts';

const ID = 'quality.sampling';
/** 300 s: SHORT, then STANDBY: five 60 s windows. */
const FIVE: Phase[] = [...SHORT, { current_A: 0, duration_s: 240, state: 'STANDBY' }];

const TYPES = [
  { type: MessageType.PACK_STATUS, name: 'PACK_STATUS', keep: [12, 50] },
  { type: MessageType.CELL_VOLTAGES, name: 'CELL_VOLTAGES', keep: [12, 50] },
  { type: MessageType.TEMPERATURES, name: 'TEMPERATURES', keep: [60, 120] }, // minimum 0.2 Hz
] as const;

describe('quality.sampling', () => {
  // for all types, first windows a, window counts L and keep intervals m / such that only every
  // m-th message of the type is sent in windows a..a+L−1 (below its minimum rate) / one warning
  // for the type spanning exactly those windows, holds
  it('should report windows where a type arrived below its minimum rate', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TYPES),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (T, a, len, u) => {
          const L = Math.min(len, 5 - a);
          const m = Math.round(T.keep[0] + u * (T.keep[1] - T.keep[0]));
          const report = analyzeGenerated(
            { phases: FIVE, drop: (t, tick) => t === T.type && tick.t_s >= a * 60 && tick.t_s < (a + L) * 60 && tick.k % m !== 0 },
            { checks: [ID] },
          );
          const fs = findingsOf(report, ID);
          expect(
            fs.map((f) => `${f.subject} ${f.severity}`),
            show(fs),
          ).toEqual([`${T.name} warning`]);
          expect(near(fs[0]!.t_start_s, a * 60, 0.001)).toBe(true);
          expect(near(fs[0]!.t_end_s, Math.min(299.9, (a + L) * 60), 0.001)).toBe(true);
          expect(fs[0]!.evidence.windows).toBe(L);
          expect(fs[0]!.evidence.rate_Hz as number).toBeLessThan(fs[0]!.threshold!.value!);
        },
      ),
      { numRuns: 12, seed: 41 },
    );
  });

  it('should make a session without PACK_STATUS an error and one without CELL_VOLTAGES a warning', () => {
    const a = analyzeGenerated({ phases: SHORT, drop: (t) => t === MessageType.PACK_STATUS }, { checks: [ID] });
    expect(findingsOf(a, ID).map((f) => `${f.subject} ${f.severity}`)).toEqual(['PACK_STATUS error']);
    const b = analyzeGenerated({ phases: SHORT, drop: (t) => t === MessageType.CELL_VOLTAGES }, { checks: [ID] });
    expect(findingsOf(b, ID).map((f) => `${f.subject} ${f.severity}`)).toEqual(['CELL_VOLTAGES warning']);
  });

  it('should accept a device at 1 Hz and find nothing on a clean session', () => {
    for (const rate_Hz of [10, 1]) {
      const report = analyzeGenerated({ phases: FIVE, rate_Hz }, { checks: [ID] });
      expect(findingsOf(report, ID), `${rate_Hz} Hz`).toEqual([]);
      expect(statusOf(report, ID)).toBe('pass');
      expect(report.checks[0]!.metrics?.rate_PACK_STATUS_Hz).toBeCloseTo(rate_Hz, 1);
    }
  });
});
