/** analyzer/findings.ts: the order findings are listed in. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { naturalCompare } from '../../analyzer/findings.ts';

const sign = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0);
/** Strings rich in digit runs, leading zeros and the characters ids are made of. */
const idLike = fc
  .array(fc.constantFrom('cell', ' ', '-', '/', '.', 'a', 'Z', '0', '1', '2', '9', '10', '007', '~', 'é'), { maxLength: 8 })
  .map((p) => p.join(''));

describe('naturalCompare', () => {
  // for all non-negative integers a, b and a prefix / such that the subjects are "<prefix>a" and
  // "<prefix>b" / they compare as a and b do, holds
  it('should order subjects by the value of their numbers', () => {
    fc.assert(
      fc.property(fc.nat(1e9), fc.nat(1e9), fc.constantFrom('cell ', 'sensor ', 'envelope.cell_voltage/cell-'), (a, b, p) => {
        expect(sign(naturalCompare(`${p}${a}`, `${p}${b}`))).toBe(sign(a - b));
      }),
    );
  });

  it('should list cells as a reader counts them', () => {
    const cells = ['cell 10', 'cell 2', 'cell 1', 'cell 100', 'cell 0', 'cell 21', 'pack', 'cell 9'];
    expect([...cells].sort(naturalCompare)).toEqual(['cell 0', 'cell 1', 'cell 2', 'cell 9', 'cell 10', 'cell 21', 'cell 100', 'pack']);
  });

  // for all strings a, b, c / — / the comparison is 0 exactly for equal strings, antisymmetric and
  // transitive (a total order, so sorting is well defined and the same in every runtime), holds
  it('should be a total order', () => {
    fc.assert(
      fc.property(idLike, idLike, idLike, (a, b, c) => {
        expect(naturalCompare(a, b) === 0).toBe(a === b);
        expect(sign(naturalCompare(a, b)) + sign(naturalCompare(b, a))).toBe(0);
        if (naturalCompare(a, b) <= 0 && naturalCompare(b, c) <= 0) expect(naturalCompare(a, c)).toBeLessThanOrEqual(0);
      }),
      { numRuns: 2000 },
    );
  });

  // for all strings without digits / — / the order is the code-unit order, holds
  it('should compare text without digits by code unit', () => {
    const noDigits = fc.string().filter((s) => !/\d/.test(s));
    fc.assert(
      fc.property(noDigits, noDigits, (a, b) => {
        expect(sign(naturalCompare(a, b))).toBe(a < b ? -1 : a > b ? 1 : 0);
      }),
    );
  });
});
