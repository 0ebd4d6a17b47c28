/**
 * The WebAssembly frame scanner on its own: its CRC-32C against the JavaScript one, and the run
 * records it writes for a window (the decoder's use of it is tested, path against path, in
 * ../decoder.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { crc32cBytewise, CRC32C_CHECK } from '../../../protocol/crc.ts';
import { EMPTY, RECORDS_MAX, newFrameScan } from '../../../protocol/framescan/index.ts';
import { encodeFrame } from '../../../protocol/frame.ts';
import { MessageType } from '../../../protocol/messages.ts';
import { concat, unstuff } from '../helpers.ts';

const SIZE = 70_000;

function scanner() {
  const fs = newFrameScan(SIZE);
  if (fs === null) throw new Error('WebAssembly frame scanner unavailable under Node');
  return fs;
}

/** All records of a scan of `bytes` (placed at the start of the work buffer). */
function records(bytes: Uint8Array): number[] {
  const fs = scanner();
  fs.work.set(bytes);
  fs.work[bytes.length] = 0;
  const out: number[] = [];
  let s = 0;
  for (;;) {
    const n = fs.scan(s, s, bytes.length);
    for (let k = 0; k < n; k++) {
      const r = fs.records[k]!;
      out.push(r);
      s = (r >= EMPTY ? r ^ EMPTY : r < 0 ? ~r : r) + 1;
    }
    if (n < RECORDS_MAX) return out;
  }
}

describe('frame scanner', () => {
  it('computes the CRC-32C check value', () => {
    const fs = scanner();
    fs.work.set(new TextEncoder().encode('123456789'), 3);
    expect(fs.crc32c(3, 12)).toBe(CRC32C_CHECK);
  });

  // for all byte strings and all sub-ranges, the scanner's CRC equals the byte-wise reference
  it('computes the same CRC-32C as the JavaScript reference over any range', () => {
    const fs = scanner();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
        const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
        fs.work.set(bytes, 5);
        expect(fs.crc32c(5 + start, 5 + end)).toBe(crc32cBytewise(bytes, start, end));
      }),
      { numRuns: 500 },
    );
  });

  it('records a valid frame as z, decoded in place, and a damaged one as ~z, its bytes untouched', () => {
    const ack = encodeFrame({ type: MessageType.ACK, commandSeq: 0x0100, commandType: 0x81 }, 0x0001, 0x01000000);
    const bad = ack.slice();
    bad[5] = bad[5]! ^ 0x40;
    const bytes = concat(ack, bad); // each frame ends with its 0x00
    const z1 = ack.length - 1;
    const z2 = bytes.length - 1;
    const fs = scanner();
    fs.work.set(bytes);
    fs.work[bytes.length] = 0;
    expect(fs.scan(0, 0, bytes.length)).toBe(2);
    expect([fs.records[0], fs.records[1]]).toEqual([z1, ~z2]);
    expect(fs.work.subarray(z1 + 1, z2 + 1)).toEqual(bad);
    expect(fs.work.subarray(1, z1)).toEqual(unstuff(ack)); // the decoded frame follows the first code byte
  });

  it('records more runs than one call holds over several calls', () => {
    const n = RECORDS_MAX * 2 + 7;
    const runs = new Uint8Array(2 * n); // n runs of one byte (too short for a frame), each with its 0x00
    for (let i = 0; i < n; i++) runs[2 * i] = 1;
    const got = records(runs);
    expect(got.length).toBe(n);
    expect(got.every((r, i) => r === ~(2 * i + 1))).toBe(true);
  });

  // idle fill: any stretch of consecutive 0x00 (empty runs) is one record, EMPTY | its last 0x00,
  // wherever it lies against the scanner's 16-byte loads and the window's end
  it('records a stretch of empty runs as one record, wherever it starts and ends', () => {
    const ack = encodeFrame({ type: MessageType.ACK, commandSeq: 7, commandType: 0x81 }, 1, 2);
    fc.assert(
      fc.property(fc.nat(40), fc.nat(40), fc.nat(70), fc.boolean(), (lead, gap, tail, endsInZeros) => {
        // [lead zeros] frame [gap zeros] frame [tail zeros] [a cut run, unless endsInZeros]
        const parts = [new Uint8Array(lead), ack, new Uint8Array(gap), ack, new Uint8Array(tail)];
        if (!endsInZeros) parts.push(Uint8Array.of(5, 1, 2));
        const bytes = concat(...parts);
        const want: number[] = [];
        let p = 0;
        if (lead > 0) want.push(EMPTY | (lead - 1));
        p += lead + ack.length;
        want.push(p - 1);
        if (gap > 0) want.push(EMPTY | (p + gap - 1));
        p += gap + ack.length;
        want.push(p - 1);
        if (tail > 0) want.push(EMPTY | (p + tail - 1));
        expect(records(bytes)).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });
});

describe('frame scanner fallback', () => {
  it('leaves the decoder on its JavaScript path where there is no WebAssembly', async () => {
    vi.resetModules();
    vi.stubGlobal('WebAssembly', undefined);
    try {
      const { Decoder } = await import('../../../protocol/decoder.ts');
      const d = new Decoder();
      expect(d.engine).toBe('js');
      const ack = encodeFrame({ type: MessageType.ACK, commandSeq: 3, commandType: 0x81 }, 1, 2);
      expect(d.push(ack)).toMatchObject([{ type: MessageType.ACK, seq: 1, t_ms: 2, commandSeq: 3 }]);
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });
});
