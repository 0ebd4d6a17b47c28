/**
 * The chunked per-cell and per-sensor messages: CELL_VOLTAGES, TEMPERATURES, BALANCING.
 * Each payload starts with u16 offset (index of the first entry) and u16 count.
 */
import {
  BALANCING_MAX_COUNT,
  CELL_VOLTAGES_MAX_COUNT,
  MAX_CELLS,
  MAX_TEMPERATURE_SENSORS,
  MessageType,
  TEMPERATURES_MAX_COUNT,
  type Balancing,
  type CellVoltages,
  type Temperatures,
} from '../messages.ts';
import type { Codec } from './codec.ts';
import { BAD_VALUE, TRUNCATED, checkUint, setQI16, setQU16, tableI16, tableU16, type ReadError } from '../internal/wire.ts';

/** raw → value tables (see internal/wire.ts); module constants, so the engine can fold their bounds. */
const VOLTS_OF = tableU16(10000);
const CELSIUS_OF = tableI16(100);

export const CHUNK_HEADER_SIZE = 4;

/**
 * The same tables rounded to float32, for a reader that stores the values as Float32Array (the
 * analyser's timeline): entry r is `Math.fround` of what `read` gives for raw r, so storing it
 * is storing the decoded value.
 */
export const CELL_VOLTS_F32 = Float32Array.from(VOLTS_OF);
export const CELSIUS_F32 = Float32Array.from(CELSIUS_OF);

/**
 * Checks the header of a CELL_VOLTAGES or TEMPERATURES payload of `len` bytes at `o` as `read`
 * does: its entry count n, or -TRUNCATED / -BAD_VALUE. The n raw u16 entries follow at
 * `o + CHUNK_HEADER_SIZE`; the offset is the u16 at `o`. For a reader that takes the entries
 * straight from the wire (a Decoder `direct` sink).
 */
export function chunkEntries(v: DataView, o: number, len: number, type: number): number {
  if (len < CHUNK_HEADER_SIZE) return -TRUNCATED;
  const offset = v.getUint16(o, true);
  const n = v.getUint16(o + 2, true);
  if (len < CHUNK_HEADER_SIZE + 2 * n) return -TRUNCATED;
  if (offset + n > (type === MessageType.CELL_VOLTAGES ? MAX_CELLS : MAX_TEMPERATURE_SENSORS)) return -BAD_VALUE;
  return n;
}

/**
 * out[i] = table[raw u16 at p + 2i] for i < n: two little-endian u16 per 32-bit load, four per
 * iteration (about twice as fast as a division per value on Node 20). One function per table
 * keeps each table a constant.
 */
function readVolts(v: DataView, p: number, n: number, out: Float64Array): void {
  const tab = VOLTS_OF;
  let i = 0;
  for (; i + 3 < n; i += 4, p += 8) {
    const x = v.getUint32(p, true);
    const y = v.getUint32(p + 4, true);
    out[i] = tab[x & 0xffff]!;
    out[i + 1] = tab[x >>> 16]!;
    out[i + 2] = tab[y & 0xffff]!;
    out[i + 3] = tab[y >>> 16]!;
  }
  for (; i < n; i++, p += 2) out[i] = tab[v.getUint16(p, true)]!;
}

function readCelsius(v: DataView, p: number, n: number, out: Float64Array): void {
  const tab = CELSIUS_OF;
  let i = 0;
  for (; i + 3 < n; i += 4, p += 8) {
    const x = v.getUint32(p, true);
    const y = v.getUint32(p + 4, true);
    out[i] = tab[x & 0xffff]!;
    out[i + 1] = tab[x >>> 16]!;
    out[i + 2] = tab[y & 0xffff]!;
    out[i + 3] = tab[y >>> 16]!;
  }
  for (; i < n; i++, p += 2) out[i] = tab[v.getUint16(p, true)]!;
}

/** Validates offset and count of a chunk to be sent; returns count. */
function checkChunk(offset: number, count: number, maxCount: number, maxTotal: number): number {
  checkUint('offset', offset, maxTotal);
  checkUint('count', count, maxCount);
  if (offset + count > maxTotal) throw new RangeError(`invalid offset + count: ${offset} + ${count} > ${maxTotal}`);
  return count;
}

export const cellVoltagesCodec: Codec<CellVoltages> = {
  type: MessageType.CELL_VOLTAGES,
  chunked: true,
  size: (m) => CHUNK_HEADER_SIZE + 2 * checkChunk(m.offset, m.voltages_V.length, CELL_VOLTAGES_MAX_COUNT, MAX_CELLS),
  write(_b, v, o, m) {
    const a = m.voltages_V;
    const n = a.length;
    v.setUint16(o, m.offset, true);
    v.setUint16(o + 2, n, true);
    for (let i = 0, p = o + CHUNK_HEADER_SIZE; i < n; i++, p += 2) setQU16(v, p, a[i]!, 10000);
  },
  read(_b, v, o, len, seq, t_ms, into) {
    const n = chunkEntries(v, o, len, MessageType.CELL_VOLTAGES);
    if (n < 0) return -n as ReadError;
    const offset = v.getUint16(o, true);
    const a = into !== undefined && into.voltages_V.length === n ? into.voltages_V : new Float64Array(n);
    readVolts(v, o + CHUNK_HEADER_SIZE, n, a);
    if (into !== undefined && a === into.voltages_V) {
      into.seq = seq;
      into.t_ms = t_ms;
      into.offset = offset;
      return into;
    }
    return { type: MessageType.CELL_VOLTAGES, seq, t_ms, offset, voltages_V: a };
  },
};

export const temperaturesCodec: Codec<Temperatures> = {
  type: MessageType.TEMPERATURES,
  chunked: true,
  size: (m) => CHUNK_HEADER_SIZE + 2 * checkChunk(m.offset, m.temperatures_C.length, TEMPERATURES_MAX_COUNT, MAX_TEMPERATURE_SENSORS),
  write(_b, v, o, m) {
    const a = m.temperatures_C;
    const n = a.length;
    v.setUint16(o, m.offset, true);
    v.setUint16(o + 2, n, true);
    for (let i = 0, p = o + CHUNK_HEADER_SIZE; i < n; i++, p += 2) setQI16(v, p, a[i]!, 100);
  },
  read(_b, v, o, len, seq, t_ms, into) {
    const n = chunkEntries(v, o, len, MessageType.TEMPERATURES);
    if (n < 0) return -n as ReadError;
    const offset = v.getUint16(o, true);
    const a = into !== undefined && into.temperatures_C.length === n ? into.temperatures_C : new Float64Array(n);
    readCelsius(v, o + CHUNK_HEADER_SIZE, n, a);
    if (into !== undefined && a === into.temperatures_C) {
      into.seq = seq;
      into.t_ms = t_ms;
      into.offset = offset;
      return into;
    }
    return { type: MessageType.TEMPERATURES, seq, t_ms, offset, temperatures_C: a };
  },
};

export const balancingCodec: Codec<Balancing> = {
  type: MessageType.BALANCING,
  chunked: true,
  size: (m) => CHUNK_HEADER_SIZE + ((checkChunk(m.offset, m.active.length, BALANCING_MAX_COUNT, MAX_CELLS) + 7) >> 3),
  write(b, v, o, m) {
    const a = m.active;
    const n = a.length;
    v.setUint16(o, m.offset, true);
    v.setUint16(o + 2, n, true);
    const p = o + CHUNK_HEADER_SIZE;
    b.fill(0, p, p + ((n + 7) >> 3));
    for (let i = 0; i < n; i++) {
      const x = a[i]!;
      if (x > 1) throw new RangeError(`invalid active[${i}]: ${x} (0 or 1)`);
      b[p + (i >> 3)]! |= x << (i & 7);
    }
  },
  read(b, v, o, len, seq, t_ms, into) {
    if (len < CHUNK_HEADER_SIZE) return TRUNCATED;
    const offset = v.getUint16(o, true);
    const n = v.getUint16(o + 2, true);
    if (len < CHUNK_HEADER_SIZE + ((n + 7) >> 3)) return TRUNCATED;
    if (offset + n > MAX_CELLS) return BAD_VALUE;
    const a = into !== undefined && into.active.length === n ? into.active : new Uint8Array(n);
    const p = o + CHUNK_HEADER_SIZE;
    for (let i = 0; i < n; i++) a[i] = (b[p + (i >> 3)]! >> (i & 7)) & 1;
    if (into !== undefined && a === into.active) {
      into.seq = seq;
      into.t_ms = t_ms;
      into.offset = offset;
      return into;
    }
    return { type: MessageType.BALANCING, seq, t_ms, offset, active: a };
  },
};
