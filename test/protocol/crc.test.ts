import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CRC32C_CHECK, crc32c, crc32cBytewise, crc32cView } from '../../protocol/crc.ts';

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('crc32c', () => {
  it('should give the check value 0xE3069283 for "123456789"', () => {
    expect(CRC32C_CHECK).toBe(0xe3069283);
    const b = ascii('123456789');
    expect(crc32c(b)).toBe(0xe3069283);
    expect(crc32cBytewise(b)).toBe(0xe3069283);
    expect(crc32cView(new DataView(b.buffer), 0, b.length)).toBe(0xe3069283);
  });

  it('should match the known vectors of RFC 3720 (iSCSI) B.4', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  // for all byte strings and sub-ranges [start, end), the sliced, DataView and byte-wise CRCs agree
  it('should agree with the byte-wise reference on every range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (b, x, y) => {
        const start = b.length === 0 ? 0 : x % (b.length + 1);
        const end = start + (b.length - start === 0 ? 0 : y % (b.length - start + 1));
        const ref = crc32cBytewise(b, start, end);
        expect(crc32c(b, start, end)).toBe(ref);
        expect(crc32cView(new DataView(b.buffer, b.byteOffset, b.byteLength), start, end)).toBe(ref);
      }),
    );
  });

  // for all a, b: crc(a ++ b) = crc(b) continued from crc(a)
  it('should continue a running CRC across a split', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 }), (a, b) => {
        const ab = new Uint8Array(a.length + b.length);
        ab.set(a);
        ab.set(b, a.length);
        expect(crc32c(b, 0, b.length, crc32c(a))).toBe(crc32c(ab));
      }),
    );
  });

  // for all byte strings and any single flipped bit, the CRC changes (CRC detects all 1-bit errors)
  it('should change when any one bit flips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 512 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (b, at, bit) => {
        const c = b.slice();
        c[at % c.length]! ^= 1 << bit;
        expect(crc32c(c)).not.toBe(crc32c(b));
      }),
    );
  });
});
