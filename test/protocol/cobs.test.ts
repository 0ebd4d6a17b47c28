import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COBS_ERROR, cobsDecode, cobsEncode, cobsMaxEncodedLength } from '../../protocol/cobs.ts';
import { Decoder } from '../../protocol/decoder.ts';
import { Encoder } from '../../protocol/encoder.ts';
import { MessageType, type Decoded } from '../../protocol/messages.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(s.split(' ').filter(Boolean), (x) => parseInt(x, 16));
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function encode(src: Uint8Array): Uint8Array {
  const dst = new Uint8Array(cobsMaxEncodedLength(src.length));
  return dst.slice(0, cobsEncode(src, dst));
}
function decode(src: Uint8Array): Uint8Array | number {
  const dst = new Uint8Array(src.length);
  const n = cobsDecode(src, dst);
  return n < 0 ? n : dst.slice(0, n);
}

/** The examples of the Wikipedia article "Consistent Overhead Byte Stuffing" (delimiter left off). */
const VECTORS: [number[], number[]][] = [
  [[0x00], [0x01, 0x01]],
  [
    [0x00, 0x00],
    [0x01, 0x01, 0x01],
  ],
  [
    [0x00, 0x11, 0x00],
    [0x01, 0x02, 0x11, 0x01],
  ],
  [
    [0x11, 0x22, 0x00, 0x33],
    [0x03, 0x11, 0x22, 0x02, 0x33],
  ],
  [
    [0x11, 0x22, 0x33, 0x44],
    [0x05, 0x11, 0x22, 0x33, 0x44],
  ],
  [
    [0x11, 0x00, 0x00, 0x00],
    [0x02, 0x11, 0x01, 0x01, 0x01],
  ],
  [range(0x01, 0xfe), [0xff, ...range(0x01, 0xfe)]],
  [
    [0x00, ...range(0x01, 0xfe)],
    [0x01, 0xff, ...range(0x01, 0xfe)],
  ],
  [range(0x01, 0xff), [0xff, ...range(0x01, 0xfe), 0x02, 0xff]],
  [
    [...range(0x02, 0xff), 0x00],
    [0xff, ...range(0x02, 0xff), 0x01, 0x01],
  ],
  [
    [...range(0x03, 0xff), 0x00, 0x01],
    [0xfe, ...range(0x03, 0xff), 0x02, 0x01],
  ],
];

describe('cobs', () => {
  it.each(VECTORS.map(([d, e], i) => [i, d, e] as const))('should encode and decode Wikipedia example %i', (_i, d, e) => {
    expect(Array.from(encode(Uint8Array.from(d)))).toEqual(e);
    expect(Array.from(decode(Uint8Array.from(e)) as Uint8Array)).toEqual(d);
  });

  it('should encode the empty string as 01', () => {
    expect(Array.from(encode(new Uint8Array(0)))).toEqual([1]);
    expect(decode(hex('01'))).toEqual(new Uint8Array(0));
  });

  it('should reject a zero byte and a code pointing past the end', () => {
    expect(decode(hex('03 11 00'))).toBe(COBS_ERROR);
    expect(decode(hex('00'))).toBe(COBS_ERROR);
    expect(decode(hex('05 11 22'))).toBe(COBS_ERROR);
  });

  it('should throw RangeError when the destination is too small', () => {
    expect(() => cobsEncode(new Uint8Array(10), new Uint8Array(10))).toThrow(RangeError);
    expect(() => cobsDecode(new Uint8Array(10), new Uint8Array(9))).toThrow(RangeError);
  });

  // for all byte strings d: decode(encode(d)) = d, encode(d) has no 0x00 and fits the stated bound
  it('should round-trip any bytes with no zero in the encoding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), (d) => {
        const e = encode(d);
        expect(e.includes(0)).toBe(false);
        expect(e.length).toBeLessThanOrEqual(cobsMaxEncodedLength(d.length));
        expect(decode(e)).toEqual(d);
      }),
    );
  });

  // for all byte strings with no zero byte, the bound n + 1 + floor((n-1)/254) is reached exactly
  it('should reach the maximum length on zero-free input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ min: 1, minLength: 1, maxLength: 1200 }), (d) => {
        expect(encode(d).length).toBe(cobsMaxEncodedLength(d.length));
      }),
    );
  });

  // for all byte strings and offsets, encoding into the middle of a buffer writes only its own range
  it('should write only inside the given destination range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 0, max: 20 }), (d, at) => {
        const dst = new Uint8Array(at + cobsMaxEncodedLength(d.length) + 5).fill(0xaa);
        const n = cobsEncode(d, dst, at);
        expect(dst.subarray(0, at).every((x) => x === 0xaa)).toBe(true);
        expect(dst.subarray(at + n).every((x) => x === 0xaa)).toBe(true);
        const back = new Uint8Array(n + 3);
        expect(back.subarray(2, 2 + cobsDecode(dst, back, 2, at, at + n))).toEqual(d);
      }),
    );
  });
});

describe('the trailing-block variant readers must accept (PROTOCOL.md §3)', () => {
  /** A CELL_VOLTAGES frame whose COBS form ends with a full 254-byte block (code 0xFF). */
  function frameEndingInFullBlock(): Uint8Array {
    // after the count's high byte (frame offset 11, the last 0x00), 125 voltages + the CRC = 254 bytes
    for (let k = 0; ; k++) {
      const v = Float64Array.from({ length: 125 }, (_, i) => (0x7f01 + ((i + k) % 100)) / 10000); // no 0x00 byte
      const enc = new Encoder({ leadingDelimiter: false });
      enc.encode({ type: MessageType.CELL_VOLTAGES, offset: 0, voltages_V: v }, 0);
      const wire = enc.take();
      if (wire[wire.length - 2 - 254] === 0xff) return wire; // the CRC has no 0x00 byte either
    }
  }

  it('should decode a final 0xFF block with and without an empty 0x01 block after it alike', () => {
    const block = Uint8Array.from(range(1, 254));
    expect(decode(concatBytes(Uint8Array.of(0xff), block))).toEqual(block);
    expect(decode(concatBytes(Uint8Array.of(0xff), block, Uint8Array.of(0x01)))).toEqual(block);
    expect(encode(block)).toEqual(concatBytes(Uint8Array.of(0xff), block)); // natrium sends the shorter form
  });

  // fixed: the Decoder's general path counted the last 0xFF code as a dropped byte, so natrium's
  // own short form failed the CRC (a frame ending in 254 non-zero bytes; random tests rarely make one)
  it.each(['auto', 'js'] as const)('should give the same frame through the Decoder in both forms (engine %s)', (engine) => {
    const short = frameEndingInFullBlock();
    const long = concatBytes(short.subarray(0, short.length - 1), Uint8Array.of(0x01, 0x00));
    const decodeAll = (bytes: Uint8Array) => {
      const msgs: Decoded[] = [];
      const d = new Decoder({ engine, onMessage: (m) => msgs.push(structuredClone(m)) });
      d.push(concatBytes(Uint8Array.of(0), bytes));
      return { msgs, c: d.counters };
    };
    const a = decodeAll(short);
    const b = decodeAll(long);
    expect(a.msgs).toHaveLength(1);
    expect(b.msgs).toEqual(a.msgs);
    expect([b.c.frames, b.c.cobsErrors, b.c.crcErrors, b.c.shortFrames]).toEqual([1, 0, 0, 0]);
    expect(a.c.frameBytes).toBe(short.length - 1); // the delimiter is not a frame byte (PROTOCOL.md §7)
    expect(b.c.frameBytes).toBe(long.length - 1);
  });
});

function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
