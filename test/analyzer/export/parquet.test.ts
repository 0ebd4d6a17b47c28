/**
 * writeParquet's own column chunks (analyzer/export/chunk.ts) read back with an independent
 * reader (hyparquet): any batches of any column kind, with NA, give back their values, and each
 * row group's statistics are the min, max and NA count of its values.
 */
import fc from 'fast-check';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { writeParquet } from '../../../analyzer/export/parquet.ts';
import type { Batch, Cell, ColumnSpec, TableSpec } from '../../../analyzer/export/schema.ts';

const COLUMNS: ColumnSpec[] = [
  { name: 'i', kind: 'int', unit: '' },
  { name: 'v', kind: 'decimal', scale: 3, unit: 'V' },
  { name: 'x', kind: 'double', unit: 's' },
  { name: 't', kind: 'double', unit: 's', dictionary: true, required: true },
  { name: 's', kind: 'string', unit: '' },
  { name: 'b', kind: 'bool', unit: '' },
];
const SPEC = { name: 'events', columns: COLUMNS } as TableSpec;

const na = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { freq: 4 });
const row = fc.tuple(
  na(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
  na(fc.integer({ min: -999_999_999, max: 999_999_999 }).map((q) => q / 1000)),
  na(fc.double({ noNaN: true })),
  fc.constantFrom(0, 0.1, 0.2, 1e9, -3.5),
  na(fc.constantFrom('', 'a', 'ab', 'é', '€uro', 'b,"c"', '😀')),
  na(fc.boolean()),
);

/** Batches of the rows, numeric columns as Float64Array (NaN = NA) as tables.ts makes them. */
function batchesOf(groups: Cell[][][]): Batch[] {
  return groups.map((rows) => ({
    rows: rows.length,
    columns: COLUMNS.map((c, j) => {
      const col = rows.map((r) => r[j]!);
      return c.kind === 'string' || c.kind === 'bool' ? col : Float64Array.from(col, (x) => (x === null ? NaN : (x as number)));
    }),
  }));
}

async function write(batches: Batch[]): Promise<ArrayBuffer> {
  const w = new ByteWriter();
  await writeParquet(SPEC, () => batches, w);
  return w.getBuffer();
}

function minMax(xs: Cell[]): [Cell, Cell] | null {
  const v = xs.filter((x) => x !== null);
  if (v.length === 0) return null;
  const sorted = [...v].sort((a, b) => (a! < b! ? -1 : a! > b! ? 1 : 0));
  return [sorted[0]!, sorted.at(-1)!].map((x) => (x === 0 ? 0 : x)) as [Cell, Cell];
}

describe('writeParquet column chunks', () => {
  it('should read back every value, NA as null, for any batches of every column kind', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(row, { minLength: 1, maxLength: 60 }), { minLength: 0, maxLength: 3 }), async (groups) => {
        const buf = await write(batchesOf(groups as Cell[][][]));
        const got = (await parquetReadObjects({ file: buf })) as Record<string, unknown>[];
        const want = groups.flat().map((r) => Object.fromEntries(COLUMNS.map((c, j) => [c.name, r[j]])));
        expect(got).toEqual(want);
      }),
      { numRuns: 60 },
    );
  });

  it('should give each row group statistics equal to the min, max and NA count of its values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(row, { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 3 }), async (groups) => {
        const meta = parquetMetadata(await write(batchesOf(groups as Cell[][][])));
        groups.forEach((rows, g) => {
          for (const j of [0, 1, 2, 3, 5]) {
            const col = rows.map((r) => r[j] as Cell);
            const s = meta.row_groups[g]!.columns[j]!.meta_data!.statistics!;
            expect(Number(s.null_count)).toBe(col.filter((x) => x === null).length);
            const mm = minMax(col);
            // (a zero min is written as −0, a zero max as +0: the Parquet rule; compared as 0)
            const stat = (x: unknown): unknown => (typeof x === 'bigint' ? Number(x) : x === 0 ? 0 : x);
            expect(mm === null ? undefined : [stat(s.min_value), stat(s.max_value)], COLUMNS[j]!.name).toEqual(mm ?? undefined);
          }
        });
      }),
      { numRuns: 40 },
    );
  });

  it('should store a decimal column as INT32 DECIMAL raw units, or as DOUBLE when a value is not exact', async () => {
    const rows: Cell[][] = [
      [1, 3.5, 0, 0, 'a', true],
      [2, 1.25, 1, 0, 'a', false],
    ];
    const meta = parquetMetadata(await write(batchesOf([rows])));
    const v = meta.schema.find((e) => e.name === 'v')!;
    expect([v.type, v.converted_type, v.scale, v.precision]).toEqual(['INT32', 'DECIMAL', 3, 9]);
    const inexact = parquetMetadata(await write(batchesOf([[...rows, [3, 1.0001, 2, 0, null, null]]])));
    expect(inexact.schema.find((e) => e.name === 'v')!.type).toBe('DOUBLE');
    expect(inexact.key_value_metadata?.find((k) => k.key === 'natrium.double_columns')?.value).toBe('v');
  });
});
