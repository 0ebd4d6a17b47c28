/**
 * The store's shared columns: BALANCING and SIM_TRUTH columns read ABSENT / NaN until a writer
 * takes them (ensureBalancing, ensureTruth), and are separate columns afterwards.
 */
import { describe, expect, it } from 'vitest';
import { ABSENT, Timeline } from '../../../analyzer/timeline/store.ts';

describe('Timeline shared columns', () => {
  it('should read ABSENT balancing and NaN truth before any such message, in every row it grows to', () => {
    const tl = new Timeline();
    tl.ensureCells(3);
    for (let r = 0; r < 3000; r++) tl.addRow(r * 0.1);
    expect(tl.balancing).toHaveLength(3);
    for (const b of tl.balancing) expect(b.subarray(0, tl.length).every((x) => x === ABSENT)).toBe(true);
    expect(tl.pack.truthSocAvg.subarray(0, tl.length).every((x) => Number.isNaN(x))).toBe(true);
    // one shared column each: the columnar size counts it once
    const shared = tl.columnBytes;
    tl.ensureBalancing();
    tl.ensureTruth();
    expect(tl.columnBytes).toBe(shared + 2 * tl.balancing[0]!.byteLength + 6 * tl.pack.truthSocAvg.byteLength);
  });

  it('should keep the columns apart once taken, through growth and new cells', () => {
    const tl = new Timeline();
    tl.ensureCells(2);
    tl.ensureBalancing();
    tl.ensureTruth();
    tl.ensureCells(3);
    const r = tl.addRow(0);
    tl.balancing[0]![r] = 1;
    tl.pack.truthSocMin[r] = 0.5;
    for (let k = 1; k < 5000; k++) tl.addRow(k * 0.1);
    expect(tl.balancing.map((b) => b[r])).toEqual([1, ABSENT, ABSENT]);
    expect([tl.pack.truthSocMin[r], tl.pack.truthSocAvg[r], tl.pack.truthCurrent_A[r]]).toEqual([0.5, NaN, NaN]);
    expect(tl.balancing[2]![4999]).toBe(ABSENT);
  });
});
