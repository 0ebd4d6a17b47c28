import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { median, selectKth } from '../../../analyzer/rules/select.ts';

const values = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 60 });

describe('selection (analyzer/rules/select.ts)', () => {
  // for all arrays and ranks / selectKth gives the sorted array's k-th value, median its middle
  // (the mean of the two middle values for an even count), holds
  it('should agree with sorting', () => {
    fc.assert(
      fc.property(values, fc.nat(), (xs, kRaw) => {
        const sorted = [...xs].sort((a, b) => a - b);
        const k = kRaw % xs.length;
        expect(selectKth(Float64Array.from(xs), xs.length, k)).toBe(sorted[k]);
        const m = xs.length;
        const mid = m % 2 === 1 ? sorted[(m - 1) >> 1]! : (sorted[m / 2 - 1]! + sorted[m / 2]!) / 2;
        expect(median(Float64Array.from(xs), m)).toBe(mid);
      }),
      { numRuns: 300, seed: 5101 },
    );
  });

  it('should give NaN for no values', () => {
    expect(median(new Float64Array(4), 0)).toBeNaN();
  });
});
