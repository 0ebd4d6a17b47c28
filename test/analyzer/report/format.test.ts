/** Time and number formatting of the reports (analyzer/report/format.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fmtTime } from '../../../analyzer/report/format.ts';

/** Seconds a label h:mm:ss.s or m:ss.s stands for. */
function seconds(label: string): number {
  const neg = label.startsWith('-');
  const parts = label.replace('-', '').split(':').map(Number);
  const s = parts.reduce((acc, x) => acc * 60 + x, 0);
  return neg ? -s : s;
}

describe('fmtTime', () => {
  // 59.96 s once read 0:60.0 (the seconds rounded after the minutes were taken)
  it('should round before splitting into hours, minutes and seconds', () => {
    expect(fmtTime(59.96)).toBe('1:00.0');
    expect(fmtTime(3599.96)).toBe('1:00:00.0');
    expect(fmtTime(59.94)).toBe('0:59.9');
    expect(fmtTime(86_399.9)).toBe('23:59:59.9');
    expect(fmtTime(12.345, 3)).toBe('0:12.345');
    expect(fmtTime(12.5, 0)).toBe('0:13');
    expect(fmtTime(NaN)).toBe('NaN');
  });

  // any time within ±10 days and 0..3 decimals / the label reads back to the time within half a
  // unit of its last digit, its seconds and minutes below 60, holds
  it('should read back to the time it stands for', () => {
    fc.assert(
      fc.property(fc.double({ min: -864_000, max: 864_000, noNaN: true }), fc.integer({ min: 0, max: 3 }), (t, d) => {
        const label = fmtTime(t, d);
        expect(Math.abs(seconds(label) - t)).toBeLessThanOrEqual(0.5 * 10 ** -d + 1e-6);
        const fields = label.replace('-', '').split(':');
        for (const f of fields.slice(1)) expect(Number(f)).toBeLessThan(60);
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
});
