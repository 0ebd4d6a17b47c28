/**
 * Parquet column chunks written straight from a batch's column arrays. Isomorphic.
 *
 * hyparquet-writer's own column path works value by value on JS values (a definition level, a
 * statistics comparison, a dictionary probe and a page-size estimate per value, arrays of boxed
 * numbers in between); for the long `cells` table that was most of an export's time. Here one
 * tight loop over a Float64Array (NaN = NA) yields the non-NA values as a typed array, the null
 * count and min/max; the value encodings, page headers, Snappy and the footer still come from
 * the library. One data page (format v2) per chunk, so a chunk is at most one batch
 * (schema.ts BATCH_ROWS rows).
 *
 * Encodings: integers (`int`, and `decimal` as integer raw units) DELTA_BINARY_PACKED; doubles
 * PLAIN, or RLE_DICTIONARY when the column asks for it (a long table's time); strings
 * RLE_DICTIONARY; booleans RLE.
 */
import { ByteWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { deltaBinaryPack } from 'hyparquet-writer/src/delta.js';
import { writeRleBitPackedHybrid } from 'hyparquet-writer/src/encoding.js';
import type { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import type { Writer } from 'hyparquet-writer/src/types.js';
import type { Cell, ColumnValues } from './schema.ts';

export type FileMetaData = Parameters<typeof writeMetadata>[1];
export type RowGroup = FileMetaData['row_groups'][number];
export type ColumnChunk = RowGroup['columns'][number];
export type SchemaElement = FileMetaData['schema'][number];
type ColumnMetaData = NonNullable<ColumnChunk['meta_data']>;
type Statistics = NonNullable<ColumnMetaData['statistics']>;
type Encoding = ColumnMetaData['encodings'][number];

/** How one column of a file is stored. */
export interface ChunkPlan {
  element: SchemaElement;
  /** int32: `int` or `decimal` (then `scale` > 0 or DECIMAL(9, 0)); else the stored form. */
  form: 'int32' | 'double' | 'dict-double' | 'string' | 'bool';
  /** Raw units = round(value × 10^scale) (decimal columns); null: `int` (value | 0). */
  scale: number | null;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Definition levels of an OPTIONAL column (RLE/bit-packed hybrid, width 1); empty if REQUIRED.
 * `defs` gives them one per row (1 defined, 0 NA) when the column has some NA but not only NA.
 */
function levelBytes(optional: boolean, n: number, nulls: number, defs: () => Uint8Array): Uint8Array {
  if (!optional) return new Uint8Array(0);
  const w = new ByteWriter(64);
  if (nulls === 0 || nulls === n) {
    // one RLE run
    w.appendVarInt(n * 2);
    w.appendUint8(nulls === 0 ? 1 : 0);
  } else writeRleBitPackedHybrid(w, defs(), 1);
  return w.getBytes();
}

function numericDefs(v: Float64Array): Uint8Array {
  const defs = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) defs[i] = v[i] === v[i] ? 1 : 0;
  return defs;
}

function cellDefs(v: Cell[]): Uint8Array {
  const defs = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) defs[i] = v[i] === null || v[i] === undefined ? 0 : 1;
  return defs;
}

interface Page {
  levels: Uint8Array;
  body: Uint8Array;
  encoding: Encoding;
  count: number;
  nulls: number;
}

/** Writes a DATA_PAGE_V2 (levels uncompressed, values Snappy); returns its uncompressed size. */
function writeDataPage(writer: Writer, p: Page): number {
  const compressed = snappyCompress(p.body);
  const h0 = writer.offset;
  writePageHeader(writer, {
    type: 'DATA_PAGE_V2',
    uncompressed_page_size: p.levels.length + p.body.length,
    compressed_page_size: p.levels.length + compressed.length,
    data_page_header_v2: {
      num_values: p.count,
      num_nulls: p.nulls,
      num_rows: p.count,
      encoding: p.encoding,
      definition_levels_byte_length: p.levels.length,
      repetition_levels_byte_length: 0,
      is_compressed: true,
    },
  });
  const header = writer.offset - h0;
  writer.appendBytes(p.levels);
  writer.appendBytes(compressed);
  return header + p.levels.length + p.body.length;
}

/** Writes a PLAIN dictionary page; returns its uncompressed size. */
function writeDictionaryPage(writer: Writer, body: Uint8Array, count: number): number {
  const compressed = snappyCompress(body);
  const h0 = writer.offset;
  writePageHeader(writer, {
    type: 'DICTIONARY_PAGE',
    uncompressed_page_size: body.length,
    compressed_page_size: compressed.length,
    dictionary_page_header: { num_values: count, encoding: 'PLAIN' },
  });
  const header = writer.offset - h0;
  writer.appendBytes(compressed);
  return header + body.length;
}

const bytesOf = (a: Float64Array): Uint8Array => {
  if (LITTLE_ENDIAN) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.length * 8);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) dv.setFloat64(i * 8, a[i]!, true);
  return out;
};

/** Non-NA values of a numeric column with their count of NA and min/max (NaN = NA). */
interface Dense {
  values: Float64Array;
  nulls: number;
  min: number;
  max: number;
}

function dense(v: Float64Array): Dense {
  let nulls = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x !== x) nulls++;
    else {
      if (x < min) min = x;
      if (x > max) max = x;
    }
  }
  if (nulls === 0) return { values: v, nulls, min, max };
  const out = new Float64Array(v.length - nulls);
  let m = 0;
  for (let i = 0; i < v.length; i++) if (v[i] === v[i]) out[m++] = v[i]!;
  return { values: out, nulls, min, max };
}

/** A numeric batch column as a Float64Array (NA as NaN). */
export function asFloat64(values: ColumnValues): Float64Array {
  if (values instanceof Float64Array) return values;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    out[i] = x === null || x === undefined ? NaN : (x as number);
  }
  return out;
}

/** The DELTA_BINARY_PACKED page of the raw integers, with their min and max (of the integers,
 * so that a value wrapped into INT32, e.g. a mask with bit 31, has statistics that match it). */
function intPage(d: Dense, scale: number | null): { body: Uint8Array; min: number; max: number } {
  const n = d.values.length;
  const ints = new Int32Array(n);
  const src = d.values;
  if (scale === null) for (let i = 0; i < n; i++) ints[i] = src[i]! | 0;
  else {
    const k = 10 ** scale;
    for (let i = 0; i < n; i++) ints[i] = Math.round(src[i]! * k);
  }
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const q = ints[i]!;
    if (q < min) min = q;
    if (q > max) max = q;
  }
  const w = new ByteWriter(n * 4 + 64);
  deltaBinaryPack(w, ints, 'INT32');
  return { body: w.getBytes(), min, max };
}

/** Dictionary of a double column; a long table repeats its time per entry, so the next value is
 * first looked for right after the previous one's slot. */
function dictDouble(v: Float64Array): { dict: Float64Array; indexes: Int32Array } {
  const slot = new Map<number, number>();
  const dict: number[] = [];
  const indexes = new Int32Array(v.length);
  let prev = -1;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    const guess = prev + 1 < dict.length ? prev + 1 : 0;
    let k: number;
    if (dict[guess] === x) k = guess;
    else {
      const s = slot.get(x);
      if (s === undefined) {
        k = dict.length;
        dict.push(x);
        slot.set(x, k);
      } else k = s;
    }
    indexes[i] = k;
    prev = k;
  }
  return { dict: Float64Array.from(dict), indexes };
}

function indexPage(indexes: Int32Array | number[], dictSize: number): Uint8Array {
  const bitWidth = Math.ceil(Math.log2(Math.max(1, dictSize)));
  const w = new ByteWriter(indexes.length * 2 + 64);
  w.appendUint8(bitWidth);
  writeRleBitPackedHybrid(w, indexes, bitWidth);
  return w.getBytes();
}

const utf8 = new TextEncoder();

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

interface Encoded {
  pages: Page;
  dictionary?: { body: Uint8Array; count: number };
  statistics: Statistics;
}

function encodeNumeric(plan: ChunkPlan, values: ColumnValues, optional: boolean): Encoded {
  const v = asFloat64(values);
  const d = dense(v);
  const levels = levelBytes(optional, v.length, d.nulls, () => numericDefs(v));
  const none = d.values.length === 0;
  const page = { levels, count: v.length, nulls: d.nulls };
  if (plan.form === 'int32') {
    const p = intPage(d, plan.scale);
    // a DECIMAL's statistics are its raw units as bigint (the library would rescale a number)
    const stat = (q: number): number | bigint => (plan.scale !== null ? BigInt(q) : q);
    return {
      pages: { ...page, body: p.body, encoding: 'DELTA_BINARY_PACKED' },
      statistics: { null_count: BigInt(d.nulls), ...(none ? {} : { min_value: stat(p.min), max_value: stat(p.max) }) },
    };
  }
  // Parquet statistics: min −0, max +0 for a zero
  // (nan_count, a newer Statistics field the footer writer knows: 0, NaN is NA here)
  const statistics = {
    null_count: BigInt(d.nulls),
    nan_count: 0n,
    ...(none ? {} : { min_value: d.min === 0 ? -0 : d.min, max_value: d.max === 0 ? 0 : d.max }),
  } as Statistics;
  if (plan.form === 'double') return { pages: { ...page, body: bytesOf(d.values), encoding: 'PLAIN' }, statistics };
  if (none) return { pages: { ...page, body: new Uint8Array(0), encoding: 'PLAIN' }, statistics };
  const { dict, indexes } = dictDouble(d.values);
  return {
    pages: { ...page, body: indexPage(indexes, dict.length), encoding: 'RLE_DICTIONARY' },
    dictionary: { body: bytesOf(dict).slice(), count: dict.length },
    statistics,
  };
}

function encodeString(values: ColumnValues, optional: boolean): Encoded {
  const v = values as Cell[];
  const slot = new Map<string, number>();
  const dict: string[] = [];
  const indexes = new Int32Array(v.length);
  let m = 0;
  let last: Cell = null;
  let lastK = -1;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x === null || x === undefined) continue;
    // a run of one value (capture_id: the whole column) costs one comparison per row
    if (x !== last) {
      const s = typeof x === 'string' ? x : String(x);
      let k = slot.get(s);
      if (k === undefined) slot.set(s, (k = dict.push(s) - 1));
      last = x;
      lastK = k;
    }
    indexes[m++] = lastK;
  }
  const nulls = v.length - m;
  const levels = levelBytes(optional, v.length, nulls, () => cellDefs(v));
  if (dict.length === 0) {
    return { pages: { levels, body: new Uint8Array(0), encoding: 'PLAIN', count: v.length, nulls }, statistics: { null_count: BigInt(nulls) } };
  }
  const bytes = dict.map((s) => utf8.encode(s));
  const body = new ByteWriter(bytes.reduce((n, b) => n + b.length + 4, 64));
  let min: Uint8Array | undefined;
  let max: Uint8Array | undefined;
  for (const b of bytes) {
    body.appendUint32(b.length);
    body.appendBytes(b);
    if (min === undefined || compareBytes(b, min) < 0) min = b;
    if (max === undefined || compareBytes(b, max) > 0) max = b;
  }
  return {
    pages: { levels, body: indexPage(indexes.subarray(0, m), dict.length), encoding: 'RLE_DICTIONARY', count: v.length, nulls },
    dictionary: { body: body.getBytes().slice(), count: dict.length },
    statistics: { null_count: BigInt(nulls), ...(min ? { min_value: min, max_value: max } : {}) },
  };
}

function encodeBool(values: ColumnValues, optional: boolean): Encoded {
  const v = values as Cell[];
  const bits: number[] = [];
  for (const x of v) if (x !== null && x !== undefined) bits.push(x ? 1 : 0);
  const nulls = v.length - bits.length;
  const rle = new ByteWriter(bits.length / 8 + 64);
  writeRleBitPackedHybrid(rle, bits, 1);
  const body = new ByteWriter(rle.offset + 4);
  body.appendUint32(rle.offset);
  body.appendBytes(rle.getBytes());
  const some = bits.length > 0;
  return {
    pages: { levels: levelBytes(optional, v.length, nulls, () => cellDefs(v)), body: body.getBytes(), encoding: 'RLE', count: v.length, nulls },
    statistics: { null_count: BigInt(nulls), ...(some ? { min_value: !bits.includes(0), max_value: bits.includes(1) } : {}) },
  };
}

/** Writes one column of one batch as a column chunk; returns its metadata. */
export function writeChunk(writer: Writer, plan: ChunkPlan, values: ColumnValues, codec: 'SNAPPY' = 'SNAPPY'): ColumnChunk {
  const optional = plan.element.repetition_type !== 'REQUIRED';
  const e =
    plan.form === 'string' ? encodeString(values, optional) : plan.form === 'bool' ? encodeBool(values, optional) : encodeNumeric(plan, values, optional);
  const start = writer.offset;
  let uncompressed = 0;
  let dictionaryOffset: bigint | undefined;
  const encodings: Encoding[] = [];
  const stats: NonNullable<ColumnMetaData['encoding_stats']> = [];
  if (e.dictionary) {
    dictionaryOffset = BigInt(writer.offset);
    uncompressed += writeDictionaryPage(writer, e.dictionary.body, e.dictionary.count);
    encodings.push('PLAIN');
    stats.push({ page_type: 'DICTIONARY_PAGE', encoding: 'PLAIN', count: 1 });
  }
  const dataOffset = BigInt(writer.offset);
  uncompressed += writeDataPage(writer, e.pages);
  encodings.push(e.pages.encoding);
  stats.push({ page_type: 'DATA_PAGE_V2', encoding: e.pages.encoding, count: 1 });
  return {
    file_offset: BigInt(start),
    meta_data: {
      type: plan.element.type!,
      encodings,
      path_in_schema: [plan.element.name],
      codec,
      num_values: BigInt(values.length),
      total_compressed_size: BigInt(writer.offset - start),
      total_uncompressed_size: BigInt(uncompressed),
      data_page_offset: dataOffset,
      dictionary_page_offset: dictionaryOffset,
      statistics: e.statistics,
      encoding_stats: stats,
    },
  };
}
