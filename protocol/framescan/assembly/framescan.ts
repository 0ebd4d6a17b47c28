/**
 * The decoder's per-window hot loop as a WebAssembly module: split the work buffer into runs at
 * 0x00, COBS-decode each run in place and check it (length, version, CRC-32C), recording one
 * outcome per run. AssemblyScript source, compiled by `npm run build:framescan` into
 * ../wasm.ts; not type-checked by the project's tsc. The JS decoder (../../decoder.ts) keeps
 * every decision that needs its state (resynchronisation, oversize runs, counters, payloads);
 * this module does only the byte work, exactly as the decoder's JS fast path does it.
 *
 * Memory (imported, one per decoder, laid out by ../index.ts):
 *   [0, TABLES_BYTES)  CRC-32C slicing-by-16 tables, written by init()
 *   records            one i32 per run: z (index of its 0x00) if the run decoded to a valid
 *                      frame, ~z if it did not (its bytes then restored as they came); one
 *                      EMPTY | z for a stretch of empty runs (consecutive 0x00, idle fill)
 *                      whose last 0x00 is at z
 *   work               the decoder's work buffer (indices below are relative to it)
 */

/** Reflected CRC-32C polynomial. */
const POLY: u32 = 0x82f63b78;
const TABLES: usize = 0;
/** Bytes the tables take at the start of memory; the host places its data after them. */
export const TABLES_BYTES: i32 = 16 * 256 * 4;
const CRC_SIZE: usize = 4;
/** Flag of a record standing for a stretch of empty runs (work indices stay far below it). */
export const EMPTY: i32 = 1 << 30;

// The protocol's limits, given by the host (protocol/messages.ts) to init().
let version: u8 = 0;
let minFrame: i32 = 0;
let maxFrame: i32 = 0;
let maxEncoded: i32 = 0;

/**
 * Takes the protocol's version byte and frame limits (decoded frame size MIN..MAX, encoded run
 * size MAX_ENCODED) and writes the sixteen CRC tables: T[k][b] is the CRC of byte b followed by
 * k zero bytes.
 */
export function init(protocolVersion: i32, minFrameSize: i32, maxFrameSize: i32, maxEncodedFrameSize: i32): void {
  version = <u8>protocolVersion;
  minFrame = minFrameSize;
  maxFrame = maxFrameSize;
  maxEncoded = maxEncodedFrameSize;
  for (let b: u32 = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >>> 1) ^ POLY : c >>> 1;
    store<u32>(TABLES + (<usize>b << 2), c);
  }
  for (let b: u32 = 0; b < 256; b++) {
    let c = load<u32>(TABLES + (<usize>b << 2));
    for (let k: u32 = 1; k < 16; k++) {
      c = load<u32>(TABLES + (<usize>(c & 0xff) << 2)) ^ (c >>> 8);
      store<u32>(TABLES + (<usize>(k * 256 + b) << 2), c);
    }
  }
}

@inline function T(k: usize, x: u32): u32 {
  return load<u32>(TABLES + (k << 10) + (<usize>(x & 0xff) << 2));
}

/** T[k][byte at p]. */
@inline function B(k: usize, p: usize): u32 {
  return load<u32>(TABLES + (k << 10) + (<usize>load<u8>(p) << 2));
}

/** CRC-32C of memory [start, end) (absolute addresses), initial register 0xFFFFFFFF. */
export function crc32c(start: usize, end: usize): u32 {
  let c: u32 = 0xffffffff;
  let i = start;
  while (i + 16 <= end) {
    const a = c ^ load<u32>(i);
    c =
      T(15, a) ^ T(14, a >>> 8) ^ T(13, a >>> 16) ^ T(12, a >>> 24) ^
      B(11, i + 4) ^ B(10, i + 5) ^ B(9, i + 6) ^ B(8, i + 7) ^
      B(7, i + 8) ^ B(6, i + 9) ^ B(5, i + 10) ^ B(4, i + 11) ^
      B(3, i + 12) ^ B(2, i + 13) ^ B(1, i + 14) ^ B(0, i + 15);
    i += 16;
  }
  if (i + 8 <= end) {
    const a = c ^ load<u32>(i);
    const b = load<u32>(i, 4);
    c = T(7, a) ^ T(6, a >>> 8) ^ T(5, a >>> 16) ^ T(4, a >>> 24) ^ T(3, b) ^ T(2, b >>> 8) ^ T(1, b >>> 16) ^ T(0, b >>> 24);
    i += 8;
  }
  if (i + 4 <= end) {
    const a = c ^ load<u32>(i);
    c = T(3, a) ^ T(2, a >>> 8) ^ T(1, a >>> 16) ^ T(0, a >>> 24);
    i += 4;
  }
  while (i < end) {
    c = T(0, c ^ <u32>load<u8>(i)) ^ (c >>> 8);
    i++;
  }
  return ~c;
}

/** Address of the first 0x00 at or after `i`, sixteen bytes at a time (a 0x00 sentinel must follow). */
@inline function nextZero(i: usize): usize {
  let m = i8x16.bitmask(i8x16.eq(v128.load(i), i8x16.splat(0)));
  while (m == 0) {
    i += 16;
    m = i8x16.bitmask(i8x16.eq(v128.load(i), i8x16.splat(0)));
  }
  return i + <usize>ctz(m);
}

/** Address of the first byte other than 0x00 in [i, end), or end. */
@inline function nextNonZero(i: usize, end: usize): usize {
  while (i + 16 <= end) {
    const m = ~i8x16.bitmask(i8x16.eq(v128.load(i), i8x16.splat(0))) & 0xffff;
    if (m != 0) return i + <usize>ctz(m);
    i += 16;
  }
  while (i < end && load<u8>(i) == 0) i++;
  return i;
}

/**
 * Puts back the code bytes that the fast path zeroed in the run [s, z) (which held no 0x00),
 * whose chain walk stopped at `last`: each zeroed byte was the distance to the next chain
 * position, i.e. to the next zero in the run, or to `last` for the final one.
 */
function restore(s: usize, z: usize, last: usize): void {
  let i = s + <usize>load<u8>(s);
  while (i < z && i != last) {
    let j = i + 1;
    while (j < z && load<u8>(j) != 0) j++;
    if (j == z) j = last;
    store<u8>(i, <u8>(j - i));
    i = j;
  }
}

/**
 * Scans the work buffer at address `work` from run start `s` (relative to it), looking for 0x00
 * from `from` (work[s..from) holds none) up to `end`, where the caller has put a 0x00 sentinel
 * followed by at least 15 readable bytes. Records at most `max` runs at address `records`;
 * returns how many. A run of 1..maxEncoded bytes whose COBS chain ends at its 0x00 without a
 * 0xFF code, and which decodes to a frame of minFrame..maxFrame bytes with the right version
 * byte and CRC, is left decoded in place (its code bytes zeroed) and recorded as z; an empty
 * run and the empty runs right after it (a stretch of 0x00) are one record, EMPTY | z of the last
 * 0x00; every other run is recorded as ~z, its bytes as they came.
 */
export function scan(work: usize, records: usize, s: i32, from: i32, end: i32, max: i32): i32 {
  let n = 0;
  let sa = work + <usize>s;
  let fa = work + <usize>from;
  const ea = work + <usize>end;
  while (n < max) {
    const za = nextZero(fa);
    if (za == ea) break;
    const runLen = <i32>(za - sa);
    if (runLen == 0) {
      // idle fill: every 0x00 up to the next other byte (or the window's end) ends an empty run
      const last = nextNonZero(za + 1, ea) - 1;
      store<i32>(records + (<usize>n << 2), EMPTY | <i32>(last - work));
      n++;
      sa = fa = last + 1;
      continue;
    }
    let ok = false;
    if (runLen <= maxEncoded) {
      const first = load<u8>(sa);
      let i = sa + <usize>first;
      while (i < za) {
        const code = load<u8>(i);
        if (code == 0xff) break;
        store<u8>(i, 0);
        i += <usize>code;
      }
      const f = sa + 1;
      const len = runLen - 1;
      ok =
        i == za && first != 0xff && len >= minFrame && len <= maxFrame && load<u8>(f) == version &&
        crc32c(f, za - CRC_SIZE) == load<u32>(za - CRC_SIZE);
      if (!ok) restore(sa, za, i);
    }
    const z = <i32>(za - work);
    store<i32>(records + (<usize>n << 2), ok ? z : ~z);
    n++;
    sa = fa = za + 1;
  }
  return n;
}
