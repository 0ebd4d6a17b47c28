/**
 * One table of one source as a Parquet file, through hyparquet-writer (pure JS: runs in the
 * browser too). Snappy, one row group per batch (BATCH_ROWS rows), column statistics on.
 * Isomorphic: the bytes go to a hyparquet-writer `Writer` (a ByteWriter in memory; the Node edge
 * flushes one to a file after each row group, analyzer/node/export.ts).
 *
 * A `decimal` column is written as INT32 DECIMAL(9, scale), i.e. integer raw units, delta-encoded
 * (DELTA_BINARY_PACKED), when every value of the file is exact at its scale; otherwise as DOUBLE
 * (the file's key-value metadata `natrium.double_columns` lists those). Two passes over the
 * batches: the first decides, the second writes.
 */
import { ParquetWriter } from 'hyparquet-writer';
import type { ColumnSource, Writer } from 'hyparquet-writer/src/types.js';
import { type Batch, type Cell, type ColumnSpec, type ColumnValues, type TableSpec, isNumeric } from './schema.ts';

/** The writer's own schema element type (its hyparquet dependency, not the reader the tests use). */
type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

const PRECISION = 9;
const MAX_UNSCALED = 999_999_999;

/** True when every non-NA value is an integer number of 10^-scale within DECIMAL(9). */
export function exactAt(values: ColumnValues, scale: number): boolean {
  const k = 10 ** scale;
  for (const v of values) {
    if (v === null || Number.isNaN(v)) continue;
    if (typeof v !== 'number') return false;
    const q = Math.round(v * k);
    if (Math.abs(q) > MAX_UNSCALED) return false;
    // a float32 source (cell columns) is exact when the raw value maps back to the same float32
    if (q / k !== v && Math.fround(q / k) !== v) return false;
  }
  return true;
}

function element(c: ColumnSpec, asDecimal: boolean): SchemaElement {
  const base = { name: c.name, repetition_type: c.required ? ('REQUIRED' as const) : ('OPTIONAL' as const) };
  switch (c.kind) {
    case 'double':
      return { ...base, type: 'DOUBLE' };
    case 'decimal':
      return asDecimal
        ? { ...base, type: 'INT32', scale: c.scale, precision: PRECISION, logical_type: { type: 'DECIMAL', scale: c.scale!, precision: PRECISION } }
        : { ...base, type: 'DOUBLE' };
    case 'int':
      return { ...base, type: 'INT32' };
    case 'string':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    case 'bool':
      return { ...base, type: 'BOOLEAN' };
  }
}

/**
 * A numeric column for the writer: a typed array when it has no NA (no boxed numbers, no
 * definition-level work), else an array with null for NA. `int` rounds to integer raw units.
 */
function numeric(values: ColumnValues, int: ((v: number) => number) | null): ColumnSource['data'] {
  const n = values.length;
  let na = false;
  for (let i = 0; i < n && !na; i++) na = values[i] === null || Number.isNaN(values[i]);
  if (!na) {
    if (int === null) return values instanceof Float64Array ? values : Float64Array.from(values as number[]);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = int(values[i] as number);
    return out;
  }
  const out: (number | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    out[i] = v === null || Number.isNaN(v) ? null : int === null ? (v as number) : int(v as number);
  }
  return out;
}

function columnData(spec: TableSpec, decimal: boolean[], b: Batch): ColumnSource[] {
  return spec.columns.map((c, j) => {
    const values = b.columns[j]!;
    if (c.kind === 'decimal' && decimal[j]) {
      const k = 10 ** c.scale!;
      return { name: c.name, data: numeric(values, (v) => Math.round(v * k)), encoding: 'DELTA_BINARY_PACKED' };
    }
    if (c.kind === 'int') {
      const data = numeric(values, (v) => v | 0);
      return c.name === 'row' ? { name: c.name, data, encoding: 'DELTA_BINARY_PACKED' } : { name: c.name, data };
    }
    if (isNumeric(c.kind)) return { name: c.name, data: numeric(values, null), ...(c.dictionary ? { encoding: 'RLE_DICTIONARY' as const } : {}) };
    return { name: c.name, data: values as Cell[] };
  });
}

export interface ParquetResult {
  rows: number;
  /** Decimal columns written as DOUBLE (a value not exact at the column's scale). */
  doubleColumns: string[];
}

/**
 * Writes the batches of one table to `writer` and finishes the file. `batches` is called twice
 * (it must give the same rows each time): first with the indices of the decimal columns only
 * (the exactness pass), then for all columns.
 */
export async function writeParquet(
  spec: TableSpec,
  batches: (only?: ReadonlySet<number>) => Iterable<Batch>,
  writer: Writer,
  kv: Record<string, string> = {},
): Promise<ParquetResult> {
  const decimal = spec.columns.map((c) => c.kind === 'decimal');
  const decimalIndices = new Set(spec.columns.flatMap((c, j) => (c.kind === 'decimal' ? [j] : [])));
  for (const b of decimalIndices.size > 0 ? batches(decimalIndices) : []) {
    spec.columns.forEach((c, j) => {
      if (decimal[j] && !exactAt(b.columns[j]!, c.scale!)) decimal[j] = false;
    });
  }
  const doubleColumns = spec.columns.filter((c, j) => c.kind === 'decimal' && !decimal[j]).map((c) => c.name);
  const schema: SchemaElement[] = [
    { name: 'root', num_children: spec.columns.length },
    ...spec.columns.map((c, j) => element(c, decimal[j]!)),
  ];
  const kvMetadata = Object.entries({ ...kv, 'natrium.table': spec.name, 'natrium.double_columns': doubleColumns.join(',') })
    .map(([key, value]) => ({ key, value }));
  const pw = new ParquetWriter({ writer, schema, codec: 'SNAPPY', statistics: true, kvMetadata, createdBy: 'natrium' });
  let rows = 0;
  for (const b of batches()) {
    await pw.write({ columnData: columnData(spec, decimal, b), rowGroupSize: b.rows });
    rows += b.rows;
  }
  // the DECIMAL converted type is set only now: while writing, hyparquet-writer would rescale
  // the already-scaled integers (unconvert); readers that know only converted types need it
  for (const e of schema) if (e.logical_type?.type === 'DECIMAL') e.converted_type = 'DECIMAL';
  await pw.finish();
  return { rows, doubleColumns };
}
