/**
 * The exceedance scan (analyzer/rules/envelope/internal/episodes.ts) jumping between candidate
 * rows gives what reading every row gives, for any superset of the rows beyond the MOL limits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Bands, type Episode, EpisodeTracker, scanRange32 } from '../../../../analyzer/rules/envelope/internal/episodes.ts';

const BANDS: Bands = { hi1: 4, hi2: 4.1, hi3: 4.2, lo1: 2, lo2: 1.9, lo3: 1.8 };
const PERIOD_S = 0.1;

function scan(
  cols: Float32Array[],
  ts: Float64Array,
  ranges: [number, number][],
  candidates: Int32Array | null,
): { episodes: Episode[]; over: number[]; under: number[] } {
  const n = ts.length;
  const episodes: Episode[] = [];
  const over = new EpisodeTracker('over', 0.3, 0.5, 1, PERIOD_S, episodes);
  const under = new EpisodeTracker('under', 0.3, 0.5, 1, PERIOD_S, episodes);
  const overRows = new Uint8Array(n);
  const underRows = new Uint8Array(n);
  cols.forEach((c, i) => {
    over.begin(i);
    under.begin(i);
    for (const [r0, r1] of ranges) scanRange32(c, ts, r0, r1, BANDS, 0, over, under, overRows, underRows, candidates);
  });
  over.finish();
  under.finish();
  return { episodes, over: Array.from(overRows), under: Array.from(underRows) };
}

describe('scanRange with candidate rows', () => {
  // for all columns of 2..300 rows of values inside, beyond each tier and NaN, split into 1..3
  // ranges, and candidate rows = the rows beyond the MOL in some column plus random others / the
  // episodes and per-row levels equal those of reading every row, holds
  it('should find the episodes of reading every row', () => {
    const value = fc.constantFrom(3, 3.5, 4.05, 4.15, 4.3, 1.95, 1.85, 1.5, NaN);
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 300 })
          .chain((n) =>
            fc.tuple(
              fc.array(fc.array(value, { minLength: n, maxLength: n }), { minLength: 1, maxLength: 3 }),
              fc.array(fc.boolean(), { minLength: n, maxLength: n }),
              fc.uniqueArray(fc.integer({ min: 1, max: n - 1 }), { maxLength: 2 }),
            ),
          ),
        ([values, extra, cuts]) => {
          const n = values[0]!.length;
          const cols = values.map((v) => Float32Array.from(v));
          const ts = Float64Array.from({ length: n }, (_, r) => r * PERIOD_S + (r > n / 2 ? 2 : 0));
          const bounds = [0, ...[...cuts].sort((a, b) => a - b), n];
          const ranges = bounds.slice(1).map((b, k): [number, number] => [bounds[k]!, b]);
          const beyond = (r: number): boolean => cols.some((c) => c[r]! > BANDS.hi1 || c[r]! < BANDS.lo1);
          const candidates = Int32Array.from({ length: n }, (_, r) => r).filter((r) => beyond(r) || extra[r]!);
          expect(scan(cols, ts, ranges, candidates)).toEqual(scan(cols, ts, ranges, null));
        },
      ),
      { numRuns: 300, seed: 17 },
    );
  });
});
