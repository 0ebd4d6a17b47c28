/**
 * COBS (Consistent Overhead Byte Stuffing, Cheshire & Baker 1999), without the delimiter: the
 * encoded form contains no 0x00 byte, so 0x00 can delimit frames on the wire. Both directions
 * write into a caller-provided buffer and allocate nothing.
 *
 * Encoded length of n bytes is at most n + 1 + floor((n - 1) / 254) (n >= 1), see
 * `cobsMaxEncodedLength`; decoded length is at most encoded length - 1.
 */

/** Returned by the decoders when the input is not valid COBS. */
export const COBS_ERROR = -1;

/** Largest possible COBS encoding of `n` bytes (delimiter not included). */
export function cobsMaxEncodedLength(n: number): number {
  return n + 1 + (n > 0 ? Math.floor((n - 1) / 254) : 0);
}

/**
 * Encodes `src[start..end)` into `dst` at `dstOffset`; returns the number of bytes written
 * (no trailing 0x00). Throws RangeError if `dst` is too small.
 */
export function cobsEncode(src: Uint8Array, dst: Uint8Array, dstOffset = 0, start = 0, end = src.length): number {
  if (dst.length - dstOffset < cobsMaxEncodedLength(end - start)) {
    throw new RangeError(`cobsEncode: "dst" has ${dst.length - dstOffset} bytes free, needs ${cobsMaxEncodedLength(end - start)}`);
  }
  let codeAt = dstOffset; // where the current block's code byte goes
  let o = dstOffset + 1;
  let code = 1;
  for (let i = start; i < end; i++) {
    const b = src[i]!;
    if (b === 0) {
      dst[codeAt] = code;
      codeAt = o++;
      code = 1;
    } else {
      dst[o++] = b;
      if (++code === 0xff && i + 1 < end) {
        dst[codeAt] = code;
        codeAt = o++;
        code = 1;
      }
    }
  }
  dst[codeAt] = code;
  return o - dstOffset;
}

/**
 * Decodes the COBS bytes `src[start..end)` (no delimiter) into `dst` at `dstOffset`; returns the
 * decoded length, or COBS_ERROR if the input contains 0x00 or a code byte points past the end.
 * Throws RangeError if `dst` has fewer than `end - start` bytes free (the most decoding can need).
 */
export function cobsDecode(src: Uint8Array, dst: Uint8Array, dstOffset = 0, start = 0, end = src.length): number {
  if (dst.length - dstOffset < end - start) {
    throw new RangeError(`cobsDecode: "dst" has ${dst.length - dstOffset} bytes free, needs ${end - start}`);
  }
  let o = dstOffset;
  let i = start;
  while (i < end) {
    const code = src[i++]!;
    if (code === 0) return COBS_ERROR;
    const blockEnd = i + code - 1;
    if (blockEnd > end) return COBS_ERROR;
    while (i < blockEnd) {
      const b = src[i++]!;
      if (b === 0) return COBS_ERROR;
      dst[o++] = b;
    }
    if (code !== 0xff && i < end) dst[o++] = 0;
  }
  return o - dstOffset;
}
