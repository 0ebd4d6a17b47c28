/** The heatmap colour range (viewer/src/engine/query.ts quantiles): a histogram's quantiles. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantiles } from '../../../viewer/src/engine/query.ts';

describe('quantiles', () => {
  // for all samples / the histogram quantiles / lie within one bin of the sorted sample's, inside [min, max]
  it('should be within a bin of the exact quantiles', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 2000 }), fc.constantFrom(0, 0.005, 0.1), (xs, q) => {
        const v = Float32Array.from(xs);
        const s = Float32Array.from(xs).sort();
        const [lo, hi] = quantiles(v, q);
        const bin = (s[s.length - 1]! - s[0]!) / 4095 + 1e-6;
        const want = [s[Math.floor(q * s.length)]!, s[Math.ceil((1 - q) * s.length) - 1]!];
        return lo >= s[0]! - 1e-6 && hi <= s[s.length - 1]! + 1e-6 && Math.abs(lo - want[0]!) <= bin && Math.abs(hi - want[1]!) <= bin;
      }),
    );
  });

  it('ignores NaN and leaves a lone spike out of the range', () => {
    const v = new Float32Array(1000).map((_, i) => (i % 10) / 10);
    v[3] = NaN;
    v[500] = 100;
    const [lo, hi] = quantiles(v, 0.005);
    expect(lo).toBeCloseTo(0, 1);
    expect(hi).toBeLessThan(1);
    expect(quantiles(Float32Array.of(NaN), 0.1)).toEqual([NaN, NaN]);
  });
});
