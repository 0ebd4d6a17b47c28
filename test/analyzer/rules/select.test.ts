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

  // for all arrays with many ties (values on a millivolt grid, as cell voltages of one row are)
  // up to 300 long, and all ranks / the same agreement holds and the input is left as it was
  it('should agree with sorting on tied values, and leave the input unchanged', () => {
    const tied = fc.array(
      fc.integer({ min: 3280, max: 3320 }).map((mv) => mv / 1000),
      { minLength: 1, maxLength: 300 },
    );
    fc.assert(
      fc.property(tied, fc.nat(), (xs, kRaw) => {
        const sorted = [...xs].sort((a, b) => a - b);
        const k = kRaw % xs.length;
        const a = Float64Array.from(xs);
        expect(selectKth(a, xs.length, k)).toBe(sorted[k]);
        const m = xs.length;
        const mid = m % 2 === 1 ? sorted[(m - 1) >> 1]! : (sorted[m / 2 - 1]! + sorted[m / 2]!) / 2;
        expect(median(a, m)).toBe(mid);
        expect([...a]).toEqual(xs);
      }),
      { numRuns: 500, seed: 5102 },
    );
  });

  it('should give NaN for no values', () => {
    expect(median(new Float64Array(4), 0)).toBeNaN();
  });
});
