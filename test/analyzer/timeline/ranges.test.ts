/**
 * Row ranges (analyzer/timeline/ranges.ts) against a plain reading of every row, the candidate
 * rows against a filter of every row, and the ranges the snapshot assembler keeps against a pass
 * over the columns it filled.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SnapshotAssembler } from '../../../analyzer/timeline/assembler.ts';
import { timelineFromBytes } from '../../../analyzer/timeline/ingest.ts';
import { RowFill, candidateRows, computeRows, rowRanges } from '../../../analyzer/timeline/ranges.ts';
import { Timeline } from '../../../analyzer/timeline/store.ts';
import { type Decoded, MessageType } from '../../../protocol/messages.ts';
import { generateCapture } from '../generate.ts';

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

describe('row ranges kept by the snapshot assembler', () => {
  const plain = (tl: Timeline, cols: Float32Array[], n: number) => {
    const min = new Float32Array(n);
    const max = new Float32Array(n);
    const fill = new Uint8Array(n);
    computeRows(cols, 0, n, min, max, fill);
    return { min: Array.from(min), max: Array.from(max), fill: Array.from(fill) };
  };
  const kept = (rc: { min: Float32Array; max: Float32Array; fill: Uint8Array }, n: number) => ({
    min: Array.from(rc.min.subarray(0, n)),
    max: Array.from(rc.max.subarray(0, n)),
    fill: Array.from(rc.fill.subarray(0, n)),
  });

  it('should keep them on a clean capture', () => {
    const { timeline: tl } = timelineFromBytes(generateCapture({ phases: [{ current_A: -20, duration_s: 5, state: 'NORMAL' }], ns: 6, nt: 3 }));
    expect(tl.ranges.cells.valid && tl.ranges.temperatures.valid).toBe(true);
    expect(tl.ranges.cells.closed).toBe(tl.length);
    expect(kept(tl.ranges.cells, tl.length)).toEqual(plain(tl, tl.cellVoltage_V, tl.length));
    expect(kept(tl.ranges.temperatures, tl.length)).toEqual(plain(tl, tl.temperature_C, tl.length));
  });

  // for all sequences of ticks whose CELL_VOLTAGES chunks come in order, out of order, twice, in
  // part or late (into the row before), with NA, and an INFO that may add cells part-way / the
  // ranges of every row (kept, or computed where the assembler gave up) equal a pass over the
  // columns, holds
  it('should give every row the range of its columns whatever order the chunks come in', () => {
    const chunk = fc.record({ offset: fc.integer({ min: 0, max: 5 }), values: fc.array(value, { minLength: 1, maxLength: 3 }), late: fc.boolean() });
    const tick = fc.array(chunk, { minLength: 0, maxLength: 4 });
    fc.assert(
      fc.property(fc.array(tick, { minLength: 1, maxLength: 30 }), fc.option(fc.integer({ min: 0, max: 29 })), (ticks, infoAt) => {
        const asm = new SnapshotAssembler();
        const tl = asm.timeline;
        let seq = 0;
        const cells = (t_ms: number, offset: number, values: number[]): void =>
          asm.push({ type: MessageType.CELL_VOLTAGES, seq: seq++, t_ms, offset, voltages_V: Float64Array.from(values) } as Decoded);
        ticks.forEach((chunks, k) => {
          if (k === infoAt) tl.ensureCells(8);
          for (const c of chunks) cells(c.late && k > 0 ? 1000 + 100 * (k - 1) : 1000 + 100 * k, c.offset, c.values);
        });
        asm.finish();
        const n = tl.length;
        expect(rowRanges(tl, 'cells')).toMatchObject({ rows: n });
        const got = rowRanges(tl, 'cells');
        expect(kept(got, n)).toEqual(plain(tl, tl.cellVoltage_V, n));
      }),
      { numRuns: 300, seed: 23 },
    );
  });
});
