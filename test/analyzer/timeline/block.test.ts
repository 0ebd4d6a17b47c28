/** ColumnBlock: a family of Float32 columns in one buffer. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ColumnBlock } from '../../../analyzer/timeline/block.ts';

describe('ColumnBlock', () => {
  // for all sequences of grows, new columns and writes / every column keeps what was written, the rest is NaN
  it('should keep every written value through growth and new columns, and be NaN elsewhere', () => {
    type Op = { kind: 'grow'; cap: number } | { kind: 'ensure'; n: number } | { kind: 'write'; k: number; r: number; x: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('grow' as const), cap: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.constantFrom(16, 32, 64)) }),
      fc.record({ kind: fc.constant('ensure' as const), n: fc.integer({ min: 0, max: 6 }) }),
      fc.record({ kind: fc.constant('write' as const), k: fc.nat(5), r: fc.nat(63), x: fc.float({ noNaN: true }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const b = new ColumnBlock();
        const model = new Map<string, number>();
        for (const o of ops) {
          if (o.kind === 'grow') {
            b.grow(o.cap);
            expect(b.capacity).toBeGreaterThanOrEqual(o.cap);
          } else if (o.kind === 'ensure') b.ensure(o.n);
          else if (o.k < b.columns.length && o.r < b.capacity) {
            b.columns[o.k]![o.r] = o.x; // through the view: the buffer sees it
            model.set(`${o.k}/${o.r}`, o.x);
          }
        }
        expect(b.data.length).toBe(b.capacity * b.columns.length);
        // odd once allocated: a row's values must not share a few L1 cache sets (block.ts)
        if (b.capacity > 0) expect(b.capacity % 2).toBe(1);
        for (let k = 0; k < b.columns.length; k++) {
          const col = b.columns[k]!;
          expect(col.length).toBe(b.capacity);
          expect(col.buffer).toBe(b.data.buffer);
          for (let r = 0; r < b.capacity; r++) {
            const want = model.get(`${k}/${r}`);
            expect(b.data[k * b.capacity + r]).toBe(col[r]);
            if (want === undefined) expect(col[r]).toBeNaN();
            else expect(col[r]).toBe(want);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
