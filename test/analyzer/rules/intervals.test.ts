/**
 * medianPeriod (analyzer/rules/intervals.ts) against its definition read row by row: the median
 * of the spacings before every step-th row that has the bit, to the previous row with the bit.
 * The walk back from the sampled rows and the per-timeline answer must change nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { medianPeriod } from '../../../analyzer/rules/intervals.ts';
import { Present, Timeline } from '../../../analyzer/timeline/store.ts';

function reference(tl: Timeline, bit: number): number {
  const d: number[] = [];
  const step = Math.max(1, Math.floor(tl.length / 20000));
  let last = -1;
  for (let r = 0; r < tl.length; r++) {
    if ((tl.present[r]! & bit) === 0) continue;
    if (last >= 0 && r % step === 0) d.push(tl.t_s[r]! - tl.t_s[last]!);
    last = r;
  }
  d.sort((a, b) => a - b);
  return d.length === 0 ? NaN : d[d.length >> 1]!;
}

/** A timeline of `runs`: [rows, chance of the bit in a row, time step]. */
function build(runs: [number, number, number][], seed: number): Timeline {
  const tl = new Timeline();
  let t = 0;
  let x = seed >>> 0 || 1;
  for (const [rows, chance, dt] of runs) {
    for (let i = 0; i < rows; i++) {
      const r = tl.addRow(t);
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      if ((x >>> 0) / 2 ** 32 < chance) tl.present[r]! |= Present.STATUS;
      t += dt;
    }
  }
  return tl;
}

describe('medianPeriod', () => {
  it('equals the row-by-row definition, sampled or not, on sparse and dense rows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 30_000 }), fc.constantFrom(0, 0.001, 0.3, 0.97, 1), fc.constantFrom(0.1, 0.5, 7)), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.integer(),
        (runs, seed) => {
          const tl = build(runs, seed);
          expect(medianPeriod(tl, Present.STATUS)).toStrictEqual(reference(tl, Present.STATUS));
          expect(medianPeriod(tl, Present.CELLS)).toBeNaN();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('answers again for a timeline that grew', () => {
    const tl = build([[100, 1, 0.1]], 1);
    expect(medianPeriod(tl, Present.STATUS)).toBeCloseTo(0.1, 12);
    let t = tl.t_s[tl.length - 1]!;
    for (let i = 0; i < 300; i++) tl.present[tl.addRow((t += 1))]! |= Present.STATUS;
    expect(medianPeriod(tl, Present.STATUS)).toBeCloseTo(1, 12);
  });
});
