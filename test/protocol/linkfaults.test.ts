import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decoder, type DecoderCounters } from '../../protocol/decoder.ts';
import { Encoder } from '../../protocol/encoder.ts';
import { LinkFaults, type LinkFaultRates } from '../../protocol/linkfaults.ts';
import type { Decoded, Message } from '../../protocol/messages.ts';
import * as A from './arbitraries.ts';

const rate = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.3, noNaN: true }));
const byteRate = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.01, noNaN: true }));
const rates: fc.Arbitrary<LinkFaultRates> = fc.record({
  dropFrame: rate,
  corruptFrame: rate,
  duplicateFrame: rate,
  delayFrame: rate,
  dropByte: byteRate,
  corruptByte: byteRate,
  duplicateByte: byteRate,
});

/** Sends messages through the faults (first and last frame clean) and decodes what arrives. */
function throughFaults(items: readonly { m: Message; t_ms: number }[], r: LinkFaultRates, seed: number) {
  const faults = new LinkFaults(r, seed);
  const enc = new Encoder({ leadingDelimiter: false });
  const parts: Uint8Array[] = [new Uint8Array(1)];
  const sent: number[] = [];
  items.forEach(({ m, t_ms }, i) => {
    const seq = enc.encode(m, t_ms);
    sent.push(seq);
    faults.enabled = i > 0 && i < items.length - 1;
    const f = faults.apply(enc.take());
    parts.push(f.bytes);
    if (f.stallAt >= 0) expect(f.stallAt).toBeLessThan(f.bytes.length);
  });
  const got: Decoded[] = [];
  const d = new Decoder({ onMessage: (m) => got.push(m) });
  for (const p of parts) d.push(p);
  d.finish();
  return { faults, counters: d.counters, got, sent };
}

function rejected(c: DecoderCounters): number {
  return c.crcErrors + c.cobsErrors + c.shortFrames + c.badVersions + c.oversizeRuns;
}

describe('LinkFaults', () => {
  // for all message streams, fault rates and seeds (first and last frame clean), such that the
  // stream is sent through the faults and decoded, the decoder's counters match the injected
  // faults exactly: duplicates, rejected runs, missing frames
  it('should inject faults the decoder counts exactly', () => {
    fc.assert(
      fc.property(A.timedMessages(A.smallMessage, 40, 2), rates, fc.integer(), (items, r, seed) => {
        const { faults, counters: c, got } = throughFaults(items, r, seed);
        const f = faults.counters;
        expect(c.duplicates).toBe(f.framesDuplicated);
        expect(rejected(c)).toBe(f.framesCorrupted + f.framesByteDamaged);
        expect(c.crcErrors).toBeGreaterThanOrEqual(f.framesCorrupted);
        const lost = f.framesDropped + f.framesCorrupted + f.framesByteDamaged;
        expect(c.seqMissing).toBe(lost);
        expect(got.length).toBe(items.length - lost);
        expect(c.presyncBytes).toBe(0);
        expect(c.incompleteBytes).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  // for all streams and seeds, such that only delays are injected, every frame arrives (a serial
  // line never reorders bytes)
  it('should never lose or reorder a frame when it only delays', () => {
    fc.assert(
      fc.property(A.timedMessages(A.smallMessage, 20), fc.integer(), (items, seed) => {
        const { faults, counters: c, got, sent } = throughFaults(items, { delayFrame: 0.5, delay_ms: 30 }, seed);
        expect(got.map((m) => m.seq)).toEqual(sent);
        expect(c.seqMissing + rejected(c)).toBe(0);
        expect(faults.counters.delay_ms).toBe(30 * faults.counters.framesDelayed);
      }),
      { numRuns: 50 },
    );
  });

  it('should give the same faults for the same seed', () => {
    const frame = Uint8Array.of(3, 1, 2, 2, 5, 0);
    const run = (): Uint8Array[] => {
      const f = new LinkFaults({ dropFrame: 0.2, corruptFrame: 0.2, duplicateByte: 0.1 }, 7);
      return Array.from({ length: 50 }, () => f.apply(frame).bytes);
    };
    expect(run()).toEqual(run());
  });

  it('should corrupt only data bytes, never into 0x00', () => {
    const f = new LinkFaults({ corruptFrame: 1 }, 3);
    const frame = Uint8Array.of(2, 9, 1, 4, 7, 7, 7, 0); // codes at 0, 2, 3
    for (let i = 0; i < 200; i++) {
      const out = f.apply(frame).bytes;
      const diff = [...out].map((b, k) => (b !== frame[k] ? k : -1)).filter((k) => k >= 0);
      expect(diff).toHaveLength(1);
      expect([1, 4, 5, 6]).toContain(diff[0]);
      expect(out[diff[0]!]).not.toBe(0);
    }
  });

  it('should reject rates that are not probabilities, naming the option', () => {
    expect(() => new LinkFaults({ dropFrame: 1.5 }, 1)).toThrow(/"dropFrame"/);
    expect(() => new LinkFaults({ dropFrame: Number.NaN }, 1)).toThrow(TypeError);
    expect(() => new LinkFaults({ bogus: 0.1 } as LinkFaultRates, 1)).toThrow(/"bogus"/);
    expect(() => new LinkFaults({ delay_ms: -1 }, 1)).toThrow(/"delay_ms"/);
  });
});
