/**
 * One table of one source as a Parquet file. Snappy, one row group per batch (BATCH_ROWS rows),
 * column statistics on. Isomorphic: the bytes go to a hyparquet-writer `Writer` (a ByteWriter in
 * memory; the Node edge flushes one to a file after each row group, analyzer/node/export.ts).
 * The column chunks are encoded from the batch's arrays (chunk.ts); page headers, Snappy and the
 * footer come from hyparquet-writer (pure JS: runs in the browser too).
 *
 * A `decimal` column is written as INT32 DECIMAL(9, scale), i.e. integer raw units, delta-encoded
 * (DELTA_BINARY_PACKED), when every value of the file is exact at its scale; otherwise as DOUBLE
 * (the file's key-value metadata `natrium.double_columns` lists those). Two passes over the
 * batches: the first decides, the second writes.
 */
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import type { Writer } from 'hyparquet-writer/src/types.js';
import { type ChunkPlan, type FileMetaData, type RowGroup, type SchemaElement, writeChunk } from './chunk.ts';
import { type Batch, type ColumnSpec, type ColumnValues, type TableSpec } from './schema.ts';

const PRECISION = 9;
const MAX_UNSCALED = 999_999_999;
/** 'PAR1', the first and last four bytes of a Parquet file. */
const MAGIC = 0x31524150;

/** True when every non-NA value is an integer number of 10^-scale within DECIMAL(9). */
export function exactAt(values: ColumnValues, scale: number): boolean {
  const k = 10 ** scale;
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined || v !== v) continue;
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
        ? {
            ...base,
            type: 'INT32',
            converted_type: 'DECIMAL',
            scale: c.scale,
            precision: PRECISION,
            logical_type: { type: 'DECIMAL', scale: c.scale!, precision: PRECISION },
          }
        : { ...base, type: 'DOUBLE' };
    case 'int':
      return { ...base, type: 'INT32' };
    case 'string':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    case 'bool':
      return { ...base, type: 'BOOLEAN' };
  }
}

function plan(c: ColumnSpec, asDecimal: boolean): ChunkPlan {
  const e = element(c, asDecimal);
  switch (c.kind) {
    case 'decimal':
      return asDecimal ? { element: e, form: 'int32', scale: c.scale! } : { element: e, form: 'double', scale: null };
    case 'int':
      return { element: e, form: 'int32', scale: null };
    case 'double':
      return { element: e, form: c.dictionary ? 'dict-double' : 'double', scale: null };
    case 'string':
    case 'bool':
      return { element: e, form: c.kind, scale: null };
  }
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
  const plans = spec.columns.map((c, j) => plan(c, decimal[j]!));
  const kvMetadata = Object.entries({ ...kv, 'natrium.table': spec.name, 'natrium.double_columns': doubleColumns.join(',') }).map(([key, value]) => ({
    key,
    value,
  }));
  writer.appendUint32(MAGIC);
  const rowGroups: RowGroup[] = [];
  let rows = 0;
  for (const b of batches()) {
    const start = writer.offset;
    const columns = plans.map((p, j) => writeChunk(writer, p, b.columns[j]!));
    let bytes = 0n;
    for (const c of columns) bytes += c.meta_data!.total_uncompressed_size;
    rowGroups.push({ columns, num_rows: BigInt(b.rows), total_byte_size: bytes, total_compressed_size: BigInt(writer.offset - start) });
    rows += b.rows;
    await writer.flush?.();
  }
  const metadata = {
    version: 2,
    created_by: 'natrium',
    num_rows: BigInt(rows),
    row_groups: rowGroups,
    key_value_metadata: kvMetadata,
    schema: [{ name: 'root', num_children: spec.columns.length }, ...plans.map((p) => p.element)],
  } as Omit<FileMetaData, 'metadata_length'> as FileMetaData;
  writeMetadata(writer, metadata);
  writer.appendUint32(MAGIC);
  await writer.finish();
  return { rows, doubleColumns };
}
