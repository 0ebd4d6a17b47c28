/**
 * Row ranges (analyzer/timeline/ranges.ts) against a plain reading of every row, and the
 * candidate rows against a filter of every row.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RowFill, candidateRows, rowRanges } from '../../../analyzer/timeline/ranges.ts';
import { Timeline } from '../../../analyzer/timeline/store.ts';

const value = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(3.2, 3.5001, 4.25, -1) }, { weight: 1, arbitrary: fc.constant(NaN) });

describe('rowRanges', () => {
  // for all timelines of 1..5000 rows (across the blocks) and 1..4 columns with NaN / the least and
  // greatest value of each row, its fill and the rows beyond [lo, hi] are the plain reading's, holds
  it('should give each row its least and greatest value and how many columns hold one', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 4 })
          .chain((n) => fc.tuple(fc.constant(n), fc.array(fc.array(value, { minLength: n, maxLength: n }), { minLength: 1, maxLength: 5000 }))),
        ([columns, rows]) => {
          const tl = new Timeline();
          tl.ensureSensors(columns);
          rows.forEach((vs, k) => {
            const r = tl.addRow(k * 0.1);
            vs.forEach((v, i) => (tl.temperature_C[i]![r] = v));
          });
          const rg = rowRanges(tl, 'temperatures');
          expect(rg.rows).toBe(rows.length);
          const want = rows.map((vs) => {
            const ok = vs.map(Math.fround).filter((v) => !Number.isNaN(v));
            return {
              min: ok.length > 0 ? Math.min(...ok) : Infinity,
              max: ok.length > 0 ? Math.max(...ok) : -Infinity,
              fill: ok.length === columns ? RowFill.ALL : ok.length === 0 ? RowFill.NONE : RowFill.SOME,
            };
          });
          expect(Array.from(rg.min)).toEqual(want.map((w) => w.min));
          expect(Array.from(rg.max)).toEqual(want.map((w) => w.max));
          expect(Array.from(rg.fill)).toEqual(want.map((w) => w.fill));
          const beyond = want.flatMap((w, r) => (w.min < 0 || w.max > 4 ? [r] : []));
          expect(Array.from(candidateRows(rg, 0, 4))).toEqual(beyond);
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });
});
