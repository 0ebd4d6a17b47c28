/**
 * The M4 pyramid (viewer/src/engine/pyramid.ts): every bucket of every level, stored or computed,
 * says what a scan of its rows says, so min and max are preserved across levels and a
 * one-sample spike is in every bucket that holds it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bucket, type BucketValue, Pyramid, levelFor, scanRows } from '../../../viewer/src/engine/pyramid.ts';

const value = fc.oneof({ weight: 8, arbitrary: fc.double({ min: -1e3, max: 1e3, noNaN: true }) }, { weight: 1, arbitrary: fc.constant(NaN) });
/** A column with its mask: values (some NaN), present bits and time-gap breaks. */
const columnArb = fc.array(fc.tuple(value, fc.boolean(), fc.nat(19)), { minLength: 1, maxLength: 700 }).map((rows) => ({
  values: Float64Array.from(rows, (r) => r[0]),
  present: Uint8Array.from(rows, (r) => (r[1] ? 1 : 0) | 2),
  breaks: Uint8Array.from(rows, (r) => (r[2] === 0 ? 1 : 0)),
}));

const fresh = (): BucketValue => ({ min: NaN, max: NaN, flags: 0 });
const same = (a: BucketValue, b: BucketValue): boolean =>
  (a.min === b.min || (a.min !== a.min && b.min !== b.min)) && (a.max === b.max || (a.max !== a.max && b.max !== b.max)) && a.flags === b.flags;

describe('Pyramid', () => {
  // for all columns, masks and base levels / every bucket of every level / equals the scan of its rows
  it('should give at every level the buckets a scan of their rows gives', () => {
    fc.assert(
      fc.property(columnArb, fc.integer({ min: 1, max: 5 }), fc.boolean(), ({ values, present, breaks }, baseShift, usePresent) => {
        const mask = usePresent ? { present, bit: 1, breaks } : { breaks };
        const p = new Pyramid(values, values.length, mask, baseShift);
        for (let level = 0; level <= p.topLevel; level++) {
          const size = 2 ** level;
          for (let b = 0; b < p.buckets(level); b++) {
            const got = p.bucket(level, b, fresh());
            const want = scanRows(values, mask, b * size, Math.min(values.length, (b + 1) * size), fresh());
            if (!same(got, want)) return false;
          }
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  // for all columns / such that the top bucket covers every row / its min and max are the column's
  it('should preserve the column min and max up to the top level', () => {
    fc.assert(
      fc.property(columnArb, ({ values }) => {
        const p = new Pyramid(values, values.length, {}, 2);
        const finite = Array.from(values).filter((v) => Number.isFinite(v));
        const top = p.bucket(p.topLevel, 0, fresh());
        if (finite.length === 0) return top.min !== top.min;
        return top.min === Math.min(...finite) && top.max === Math.max(...finite);
      }),
    );
  });

  // for all flat columns and a spike at any row / the bucket holding the spike at every level has it as max
  it('should keep a one-sample spike at every level', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5000 }), fc.nat(), fc.double({ min: 1, max: 100, noNaN: true }), (n, at, height) => {
        const row = at % n;
        const values = new Float32Array(n).fill(3.3);
        values[row] = Math.fround(3.3 + height);
        const p = new Pyramid(values, n);
        for (let level = 0; level <= p.topLevel; level++) {
          const v = p.bucket(level, Math.floor(row / 2 ** level), fresh());
          if (v.max !== values[row]) return false;
        }
        return true;
      }),
    );
  });

  it('flags where a bucket starts or ends with a gap', () => {
    const values = Float64Array.of(NaN, 1, 2, 3, 4, 5, 6, NaN);
    const p = new Pyramid(values, 8, {}, 1);
    const b = p.bucket(3, 0, fresh());
    expect(b.min).toBe(1);
    expect(b.max).toBe(6);
    expect(b.flags & Bucket.GAP_START).toBeTruthy();
    expect(b.flags & Bucket.GAP_END).toBeTruthy();
    expect(b.flags & Bucket.MIN_FIRST).toBeTruthy();
    const mid = p.bucket(1, 1, fresh());
    expect(mid.flags & Bucket.HAS_GAP).toBe(0);
  });

  it('chooses the level that fits the width', () => {
    expect(levelFor(100, 1000)).toBe(0);
    expect(levelFor(1000, 1000)).toBe(0);
    expect(levelFor(1001, 1000)).toBe(1);
    expect(levelFor(864_000, 1200)).toBe(10);
    expect(Math.ceil(864_000 / 2 ** levelFor(864_000, 1200))).toBeLessThanOrEqual(1200);
  });

  it('stores about a quarter of a Float32 column above base level 4', () => {
    const p = new Pyramid(new Float32Array(1 << 16), 1 << 16);
    // 2 × 65536/16 buckets × (4 + 4 + 1) bytes
    expect(p.bytes / (1 << 18)).toBeLessThan(0.3);
  });
});
