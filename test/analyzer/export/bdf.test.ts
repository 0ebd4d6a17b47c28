/**
 * The Battery Data Format CSV of one series group: BDF's preferred labels in the header, the
 * temperature column only where each group has its own sensor, and the values of the timeline.
 */
import { describe, expect, it } from 'vitest';
import { bdfChunks } from '../../../analyzer/export/csv.ts';
import { Present } from '../../../analyzer/timeline/store.ts';
import { timelineFromBytes } from '../../../analyzer/timeline/ingest.ts';
import { generateCapture } from '../generate.ts';

const rowsOf = (chunks: Iterable<string>): string[][] =>
  [...chunks]
    .join('')
    .trimEnd()
    .split('\n')
    .map((l) => l.split(','));

describe('bdfChunks', () => {
  it('should add Surface Temperature T1 with the group sensor when there is one sensor per group', () => {
    const tl = timelineFromBytes(generateCapture({ ns: 4, nt: 4, seed: 3 })).timeline;
    const rows = rowsOf(bdfChunks(tl, 2, 50));
    expect(rows[0]).toEqual(['Test Time / s', 'Voltage / V', 'Current / A', 'Surface Temperature T1 / degC']);
    const want: string[][] = [];
    for (let r = 0; r < tl.length; r++) {
      if ((tl.present[r]! & Present.CELLS) === 0) continue;
      const t = tl.temperature_C[2]![r]!;
      want.push([tl.t_s[r]!.toFixed(3), tl.cellVoltage_V[2]![r]!.toFixed(5), tl.pack.current_A[r]!.toFixed(4), Number.isNaN(t) ? '' : t.toFixed(3)]);
    }
    expect(want.length).toBeGreaterThan(100);
    expect(rows.slice(1)).toEqual(want);
  });

  it('should leave the temperature column out when sensors do not map one to one onto groups', () => {
    const tl = timelineFromBytes(generateCapture({ ns: 6, nt: 2, seed: 3 })).timeline;
    const rows = rowsOf(bdfChunks(tl, 0));
    expect(rows[0]).toEqual(['Test Time / s', 'Voltage / V', 'Current / A']);
    expect(rows.every((r) => r.length === 3)).toBe(true);
  });
});
