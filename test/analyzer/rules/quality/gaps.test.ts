/** gaps.ts: where the checks cut their runs (time gaps and device restarts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtInProfile } from '../../../../analyzer/profile.ts';
import { gapsOf, restartBetween, splitAtGaps } from '../../../../analyzer/rules/quality/internal/gaps.ts';
import { timelineFromBytes } from '../../../../analyzer/timeline/ingest.ts';
import { encodeRestarted, generateMessages } from '../../generate.ts';
import { SHORT } from './sessions.ts';

/** SHORT with every message of ticks [g0, g1) s lost and the device restarted at each of `restarts` (s). */
function capture(g0: number, g1: number, restarts: readonly number[]): Uint8Array {
  return encodeRestarted(generateMessages({ phases: SHORT, drop: (_t, k) => k.t_s >= g0 && k.t_s < g1 }), restarts);
}

describe('gaps', () => {
  // for all time gaps (3..8 s lost) and one or two restarts apart from it / the gap rows are the
  // time gaps only (quality.time reports them), the breaks are those and the restarts, each
  // row's epoch counts the restarts before it, and splitAtGaps cuts a range at every break, holds
  it('should cut runs at time gaps and at device restarts, and count gaps only where time is missing', () => {
    const profile = builtInProfile('default');
    fc.assert(
      fc.property(
        fc.double({ min: 6, max: 12, noNaN: true }),
        fc.double({ min: 3, max: 8, noNaN: true }),
        fc.uniqueArray(fc.constantFrom(25, 32, 41, 50), { minLength: 1, maxLength: 2 }),
        (g0, d, rs) => {
          const restarts = [...rs].sort((a, b) => a - b);
          const tl = timelineFromBytes(capture(g0, g0 + d, restarts)).timeline;
          const gaps = gapsOf(tl, profile);
          const steps = tl.clockSteps.map((s) => s.row);
          expect(steps).toHaveLength(restarts.length);
          expect(gaps.rows).toHaveLength(1);
          expect(tl.t_s[gaps.rows[0]!]! - tl.t_s[gaps.rows[0]! - 1]!).toBeGreaterThan(d - 0.11);
          expect([...gaps.breaks]).toEqual([gaps.rows[0]!, ...steps]);
          for (let r = 0; r < tl.length; r++) expect(gaps.epoch![r]).toBe(steps.filter((s) => s <= r).length);
          for (const s of steps) {
            expect(restartBetween(gaps, s - 1, s)).toBe(true);
            expect(restartBetween(gaps, s, s + 1)).toBe(false);
          }
          const pieces: [number, number][] = [];
          splitAtGaps(gaps, 0, tl.length - 1, (a, b) => pieces.push([a, b]));
          const cuts = [0, ...gaps.breaks, tl.length];
          expect(pieces).toEqual(cuts.slice(1).map((c, i) => [cuts[i]!, c - 1]));
        },
      ),
      { numRuns: 10, seed: 71 },
    );
  });

  it('should have no epochs without a restart', () => {
    const tl = timelineFromBytes(capture(10, 14, [])).timeline;
    const gaps = gapsOf(tl, builtInProfile('default'));
    expect(gaps.epoch).toBeNull();
    expect(gaps.breaks).toEqual(gaps.rows);
    expect(restartBetween(gaps, 0, tl.length - 1)).toBe(false);
  });
});
