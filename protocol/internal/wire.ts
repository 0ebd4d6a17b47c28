/**
 * Fixed-point fields: quantise (saturating, NaN → the "not available" code) and back.
 * Every DataView access names its byte order (true = little-endian, the only order used).
 *
 * Scales are integers; decoding divides by the scale so that `raw / scale` is exactly what a
 * test computes for the same raw value.
 */

export const NA_U16 = 0xffff;
export const NA_I16 = -0x8000;
export const NA_U32 = 0xffffffff;
export const NA_I32 = -0x80000000;

/** Read outcome codes (decoders return these instead of a message). */
export const TRUNCATED = 1;
export const BAD_VALUE = 2;
export type ReadError = typeof TRUNCATED | typeof BAD_VALUE;

/** Nearest integer (ties toward +∞), clamped to [lo, hi]; NaN → na. */
function q(x: number, scale: number, lo: number, hi: number, na: number): number {
  if (x !== x) return na;
  const r = Math.round(x * scale);
  return r <= lo ? lo : r >= hi ? hi : r;
}

export function setQU16(v: DataView, o: number, x: number, scale: number): void {
  v.setUint16(o, q(x, scale, 0, 0xfffe, NA_U16), true);
}
export function getQU16(v: DataView, o: number, scale: number): number {
  const r = v.getUint16(o, true);
  return r === NA_U16 ? NaN : r / scale;
}
export function setQI16(v: DataView, o: number, x: number, scale: number): void {
  v.setInt16(o, q(x, scale, -0x7fff, 0x7fff, NA_I16), true);
}
export function getQI16(v: DataView, o: number, scale: number): number {
  const r = v.getInt16(o, true);
  return r === NA_I16 ? NaN : r / scale;
}
export function setQU32(v: DataView, o: number, x: number, scale: number): void {
  v.setUint32(o, q(x, scale, 0, 0xfffffffe, NA_U32), true);
}
export function getQU32(v: DataView, o: number, scale: number): number {
  const r = v.getUint32(o, true);
  return r === NA_U32 ? NaN : r / scale;
}
export function setQI32(v: DataView, o: number, x: number, scale: number): void {
  v.setInt32(o, q(x, scale, -0x7fffffff, 0x7fffffff, NA_I32), true);
}
export function getQI32(v: DataView, o: number, scale: number): number {
  const r = v.getInt32(o, true);
  return r === NA_I32 ? NaN : r / scale;
}

/** Index field: -1 ↔ 0xFFFF, else 0..0xFFFE. */
export function setIndex(v: DataView, o: number, name: string, x: number): void {
  if (x === -1) v.setUint16(o, NA_U16, true);
  else v.setUint16(o, checkUint(name, x, 0xfffe), true);
}
export function getIndex(v: DataView, o: number): number {
  const r = v.getUint16(o, true);
  return r === NA_U16 ? -1 : r;
}

/** Throws RangeError unless x is an integer in [0, max]; returns x. */
export function checkUint(name: string, x: number, max: number): number {
  if (!Number.isInteger(x) || x < 0 || x > max) throw new RangeError(`invalid ${name}: ${x} (integer 0..${max})`);
  return x;
}

/** Throws RangeError unless x is one of the values of `members`; returns x. */
export function checkMember(name: string, x: number, members: Readonly<Record<string, number>>): number {
  for (const k in members) if (members[k] === x) return x;
  throw new RangeError(`invalid ${name}: ${x}`);
}

/** Throws TypeError unless x is a boolean. */
export function checkBool(name: string, x: boolean): boolean {
  if (typeof x !== 'boolean') throw new TypeError(`invalid ${name}: ${String(x)} (boolean)`);
  return x;
}

/** A 32-bit mask given as uint32 or as the int32 that JS bit operators yield; returns it as uint32. */
export function checkMask(name: string, x: number): number {
  if (!Number.isInteger(x) || x < -0x80000000 || x > 0xffffffff) throw new RangeError(`invalid ${name}: ${x} (32-bit mask)`);
  return x >>> 0;
}

/**
 * Lookup tables for the per-cell arrays: entry r (a raw 16-bit field, read unsigned) holds exactly
 * what getQU16 / getQI16 return for it (`r / scale`, or NaN for the NA code). A table load replaces a
 * floating-point division per value on the decoder's hot path. 512 KiB each, built once per
 * (kind, scale) (codec/arrays.ts builds its two when it loads).
 */
const tables = new Map<string, Float64Array>();

/** Table for an unsigned 16-bit field of the given scale (0xFFFF → NaN). */
export function tableU16(scale: number): Float64Array {
  const key = `u${scale}`;
  let t = tables.get(key);
  if (t === undefined) {
    t = new Float64Array(0x10000);
    for (let r = 0; r < 0x10000; r++) t[r] = r === NA_U16 ? NaN : r / scale;
    tables.set(key, t);
  }
  return t;
}

/** Table for a signed 16-bit field of the given scale, indexed by its raw bits (0x8000 → NaN). */
export function tableI16(scale: number): Float64Array {
  const key = `i${scale}`;
  let t = tables.get(key);
  if (t === undefined) {
    t = new Float64Array(0x10000);
    for (let r = 0; r < 0x10000; r++) {
      const x = (r << 16) >> 16;
      t[r] = x === NA_I16 ? NaN : x / scale;
    }
    tables.set(key, t);
  }
  return t;
}
