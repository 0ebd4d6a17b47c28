/**
 * Piecewise-linear tables (sim/table.ts) against a brute-force segment search
 * (test/sim/arbitraries.ts `pwl`, a linear scan): interpolation, clamping, the O(1) bucket
 * finder of Grid (also at breakpoints exactly and with clustered breakpoints), union and
 * resampling.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Grid, interp1, interp2, resample, segment, unionBreakpoints } from '../../sim/table.ts';
import { U, axisFrom, bilinear, pwl, uniform } from './arbitraries.ts';

/**
 * Strictly ascending breakpoints over [lo, hi] with 1..maxPoints entries; gaps mix ordinary
 * and tiny ones (clusters 1e-6 of the span wide) so that several breakpoints share a bucket.
 */
const axis = (maxPoints: number) => fc.oneof(irregularAxis(maxPoints), regularAxis(maxPoints));

/**
 * Evenly spaced breakpoints as tables are written (k·step from a round start, e.g. SOC every
 * 0.01): they fall on the bucket boundaries, where the bucket index rounds either way.
 */
const regularAxis = (maxPoints: number) =>
  fc
    .record({
      start: fc.integer({ min: -20, max: 20 }),
      step: fc.constantFrom(0.01, 0.05, 0.1, 0.25, 1, 2.5, 10),
      n: fc.integer({ min: 1, max: maxPoints }),
    })
    .map(({ start, step, n }) => Array.from({ length: n }, (_, k) => (start + k) * step));

const irregularAxis = (maxPoints: number) =>
  fc
    .record({
      lo: uniform(-2, 1),
      span: uniform(0.01, 3),
      gaps: fc.array(
        fc.oneof(
          fc.integer({ min: 1, max: 100 }),
          fc.integer({ min: 1, max: 10 }).map((k) => k * 1e-6),
        ),
        {
          maxLength: maxPoints - 1,
        },
      ),
    })
    .map(({ lo, span, gaps }) => axisFrom(lo, lo + span, gaps));

/** A table: an axis and one value per breakpoint (drawn for the longest axis, then cut). */
const table = (maxPoints: number) =>
  fc.tuple(axis(maxPoints), fc.array(uniform(-5, 5), { minLength: maxPoints, maxLength: maxPoints })).map(([xs, v]) => ({ xs, ys: v.slice(0, xs.length) }));

/**
 * Where a query lands, independent of the axis: anywhere around it (a fraction of the span
 * widened by 1 on each side), exactly at a breakpoint, or an ulp either side of one.
 */
const querySpec = fc.record({ kind: fc.integer({ min: 0, max: 3 }), u: uniform(0, 1), i: fc.nat() });
function place(xs: readonly number[], q: { kind: number; u: number; i: number }): number {
  const lo = xs[0]! - 1;
  const hi = xs[xs.length - 1]! + 1;
  const b = xs[q.i % xs.length]!;
  return q.kind === 0 ? lo + q.u * (hi - lo) : q.kind === 1 ? b : q.kind === 2 ? nextDown(b) : nextUp(b);
}

function nextUp(x: number): number {
  const b = new Float64Array([x]);
  const i = new BigInt64Array(b.buffer);
  if (x === 0) return Number.MIN_VALUE;
  i[0] = i[0]! + (x > 0 ? 1n : -1n);
  return b[0]!;
}
function nextDown(x: number): number {
  return -nextUp(-x);
}

/** Segment index by linear scan: the i with xs[i] <= x < xs[i+1], clamped to [0, n-2]. */
function bruteSegment(xs: readonly number[], x: number): number {
  const n = xs.length;
  if (n < 2) return 0;
  let s = 0;
  for (let i = 0; i < n - 1; i++) if (xs[i]! <= x) s = i;
  return s;
}

describe('interp1', () => {
  // for all ascending tables and queries x (in range, outside, at and next to breakpoints)
  // interp1 equals the linear-scan interpolation bit for bit (same segment, same formula), and
  // outside the table it returns the end value
  it('should equal a brute-force segment search and clamp at both ends', () => {
    fc.assert(
      fc.property(table(12), querySpec, ({ xs, ys }, q) => {
        const x = place(xs, q);
        const y = interp1(xs, ys, x);
        expect(y).toBe(pwl(xs, ys, x));
        if (x <= xs[0]!) expect(y).toBe(ys[0]);
        if (x >= xs[xs.length - 1]!) expect(y).toBe(ys[ys.length - 1]);
      }),
      { numRuns: 500 },
    );
  });

  // for all tables and every breakpoint x_i
  // interp1(x_i) = y_i exactly
  it('should return the table value exactly at every breakpoint', () => {
    fc.assert(
      fc.property(table(12), ({ xs, ys }) => {
        for (let i = 0; i < xs.length; i++) expect(interp1(xs, ys, xs[i]!)).toBe(ys[i]);
      }),
    );
  });
});

describe('segment', () => {
  // for all tables and queries
  // segment(xs, x) = [the linear-scan segment, (x − x_i)/(x_i+1 − x_i) clamped to [0, 1]]
  it('should find the brute-force segment and its clamped fraction', () => {
    fc.assert(
      fc.property(axis(12), querySpec, (xs, q) => {
        const x = place(xs, q);
        const [i, t] = segment(xs, x);
        expect(i).toBe(bruteSegment(xs, x));
        if (xs.length < 2 || x <= xs[0]!) expect(t).toBe(0);
        else if (x >= xs[xs.length - 1]!) expect(t).toBe(1);
        else expect(t).toBe((x - xs[i]!) / (xs[i + 1]! - xs[i]!));
      }),
      { numRuns: 500 },
    );
  });
});

describe('interp2', () => {
  const grid2 = fc.tuple(axis(5), axis(4), fc.array(uniform(-5, 5), { minLength: 20, maxLength: 20 })).map(([xs, ys, v]) => {
    const flat = v.slice(0, xs.length * ys.length);
    return { xs, ys, flat, rows: xs.map((_, i) => flat.slice(i * ys.length, (i + 1) * ys.length)) };
  });
  // for all 2-D tables and queries (x, y) in and around them
  // interp2 equals bilinear interpolation by linear scans (rows along y, then along x) to a few
  // ulps of the largest value (clamping writes a + 1·(b − a) where the scan returns b)
  it('should equal a brute-force bilinear interpolation and clamp at the edges', () => {
    fc.assert(
      fc.property(grid2, querySpec, querySpec, ({ xs, ys, rows, flat }, qx, qy) => {
        const x = place(xs, qx);
        const y = place(ys, qy);
        const v = interp2(xs, ys, flat, x, y);
        const ref = bilinear(xs, ys, rows, x, y);
        const max = Math.max(...flat.map(Math.abs));
        expect(Math.abs(v - ref)).toBeLessThanOrEqual(8 * U * max);
        // clamped: never outside the range of the table
        expect(v).toBeLessThanOrEqual(Math.max(...flat) + 8 * U * max);
        expect(v).toBeGreaterThanOrEqual(Math.min(...flat) - 8 * U * max);
      }),
      { numRuns: 500 },
    );
  });

  // for all 2-D tables and grid points (x_i, y_j)
  // interp2 returns the stored value there, to an ulp of the largest value
  it('should return the stored value at every grid point', () => {
    fc.assert(
      fc.property(grid2, ({ xs, ys, rows, flat }) => {
        const max = Math.max(...flat.map(Math.abs));
        for (let i = 0; i < xs.length; i++) {
          for (let j = 0; j < ys.length; j++) {
            expect(Math.abs(interp2(xs, ys, flat, xs[i]!, ys[j]!) - rows[i]![j]!)).toBeLessThanOrEqual(4 * U * max);
          }
        }
      }),
    );
  });
});

describe('Grid', () => {
  // for all breakpoint lists (clusters included) and queries
  // find(x) is the brute-force segment and fraction(find(x), x) its clamped fraction
  it('should find the same segment as a brute-force search', () => {
    fc.assert(
      fc.property(axis(16), querySpec, (xs, q) => {
        const x = place(xs, q);
        const g = new Grid(xs);
        const i = g.find(x);
        expect(i).toBe(bruteSegment(xs, x));
        const t = g.fraction(i, x);
        if (xs.length < 2 || x <= xs[0]!) expect(t).toBe(0);
        else if (x >= xs[xs.length - 1]!) expect(t).toBe(1);
        else expect(t).toBe((x - xs[i]!) / (xs[i + 1]! - xs[i]!));
      }),
      { numRuns: 1000 },
    );
  });

  // for all breakpoint lists and every breakpoint x_i, and every bucket boundary
  // find(x_i) = i (n − 2 for the last), find(an ulp below x_i) = i − 1, and the bucket
  // boundaries (where the index arithmetic rounds) agree with the brute force
  it('should find the right segment at breakpoints exactly and at bucket boundaries', () => {
    fc.assert(
      fc.property(axis(16), (xs) => {
        const g = new Grid(xs);
        const n = xs.length;
        for (let i = 0; i < n; i++) {
          expect(g.find(xs[i]!)).toBe(Math.min(i, Math.max(0, n - 2)));
          if (i > 0) expect(g.find(nextDown(xs[i]!))).toBe(i - 1);
        }
        const nb = g.bucket.length - 1;
        for (let b = 0; b <= nb; b++) {
          const xb = g.first + b / g.invBucketWidth;
          for (const x of [nextDown(xb), xb, nextUp(xb)]) expect(g.find(x)).toBe(bruteSegment(xs, x));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('should map a single breakpoint to segment 0 with fraction 0', () => {
    const g = new Grid([0.3]);
    for (const x of [-1, 0.3, 2]) {
      expect(g.find(x)).toBe(0);
      expect(g.fraction(0, x)).toBe(0);
    }
  });

  it('should reject an empty breakpoint list', () => {
    expect(() => new Grid([])).toThrow(RangeError);
  });
});

describe('unionBreakpoints and resample', () => {
  // for all lists of ascending lists
  // the union is strictly ascending and holds exactly the values of the lists
  it('should merge ascending lists into one strictly ascending list of the same values', () => {
    fc.assert(
      fc.property(fc.array(axis(8), { minLength: 1, maxLength: 3 }), fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), (given, pick) => {
        // plus a list that shares some breakpoints with the first, so that duplicates occur
        const lists = [...given, given[0]!.filter((_, i) => pick[i])];
        const u = unionBreakpoints(lists);
        for (let i = 1; i < u.length; i++) expect(u[i]!).toBeGreaterThan(u[i - 1]!);
        expect(new Set(u)).toEqual(new Set(lists.flat()));
      }),
    );
  });

  // for all tables and any superset of their breakpoints
  // the resampled table is the same function: exact at the old breakpoints, and equal to a
  // few ulps of the largest value everywhere
  it('should leave a piecewise-linear function unchanged when resampled onto more breakpoints', () => {
    fc.assert(
      fc.property(table(8), axis(8), fc.array(uniform(-4, 5), { maxLength: 10 }), ({ xs, ys }, extra, xq) => {
        const at = unionBreakpoints([xs, extra]);
        const rs = Array.from(resample(xs, ys, at));
        for (let i = 0; i < xs.length; i++) expect(rs[at.indexOf(xs[i]!)]).toBe(ys[i]);
        const max = Math.max(...ys.map(Math.abs));
        for (const x of [...xq, ...at]) expect(Math.abs(pwl(at, rs, x) - pwl(xs, ys, x))).toBeLessThanOrEqual(8 * U * max);
      }),
    );
  });
});
