/**
 * The per-cell and per-sensor arrays straight from the wire (the assembler as the decoder's
 * `direct` sink) against the same bytes decoded into messages and pushed one by one: the same
 * store, ranges and counters, on clean and damaged captures alike.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SnapshotAssembler } from '../../../analyzer/timeline/assembler.ts';
import { TimelineBuilder } from '../../../analyzer/timeline/ingest.ts';
import { PACK_CHANNELS, type Timeline } from '../../../analyzer/timeline/store.ts';
import { Decoder, type DecoderCounters } from '../../../protocol/decoder.ts';
import { BAD_VALUE, TRUNCATED } from '../../../protocol/internal/wire.ts';
import { MAX_CELLS, MessageType, type Decoded } from '../../../protocol/messages.ts';
import { applyDamages, damage, placeDamages } from '../../protocol/damage.ts';
import { frameOf } from '../../protocol/helpers.ts';
import { generateCapture, type Phase } from '../generate.ts';

const PHASES: Phase[] = [
  { current_A: 0, duration_s: 3, state: 'STANDBY' },
  { current_A: -75, duration_s: 8, state: 'NORMAL' },
  { current_A: 40, duration_s: 5, state: 'CHARGE' },
];

/** Every value a reader can see, ranges included. */
function everything(tl: Timeline, counters: DecoderCounters, asm: SnapshotAssembler): unknown {
  const n = tl.length;
  const arr = (a: ArrayLike<number>): number[] => Array.from(a).slice(0, n);
  return {
    n,
    t: arr(tl.t_s),
    present: arr(tl.present),
    pack: PACK_CHANNELS.map((c) => arr(tl.pack[c])),
    cells: tl.cellVoltage_V.map(arr),
    temps: tl.temperature_C.map(arr),
    ranges: [tl.ranges.cells, tl.ranges.temperatures].map((r) => (r.valid ? [r.closed, r.columns, arr(r.min), arr(r.max), arr(r.fill)] : 'invalid')),
    seqGaps: tl.seqGaps,
    typeGaps: tl.typeGaps,
    clockSteps: tl.clockSteps,
    received: tl.received.entries(),
    late: asm.lateFrames,
    lost: asm.seqLost,
    counters,
  };
}

/** The same bytes through decoded messages, pushed one at a time (no direct sink). */
function viaMessages(bytes: Uint8Array): unknown {
  const asm = new SnapshotAssembler();
  const d = new Decoder({ reuse: true, onMessage: (m) => asm.push(m), onSkip: (_type, seq, t_ms) => asm.skip(seq, t_ms) });
  d.push(bytes);
  d.finish();
  asm.finish();
  return everything(asm.timeline, d.counters, asm);
}

function viaDirect(bytes: Uint8Array, sizes: readonly number[]): unknown {
  const b = new TimelineBuilder();
  for (let p = 0, i = 0; p < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    b.push(bytes.subarray(p, p + n));
    p += n;
  }
  b.finish();
  return everything(b.timeline, b.counters, b.assembler);
}

describe('timeline straight from the wire', () => {
  // for all damaged captures with NA values and lost frames, in any chunking / the direct path stores what the message path stores
  it('should store what the message path stores, damage, NA and loss included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 160 }), { maxLength: 8 }),
        fc.array(damage, { maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 10 }),
        (seed, naTicks, ds, sizes) => {
          const na = new Set(naTicks);
          const clean = generateCapture({
            phases: PHASES,
            ns: 7,
            nt: 3,
            seed,
            mutate: (t) => {
              if (!na.has(t.k)) return;
              t.cellVoltage_V[t.k % 7] = NaN;
              t.temperature_C[t.k % 3] = NaN;
            },
            drop: (type, t) => type === MessageType.TEMPERATURES && t.k % 37 === 5,
          });
          const { bytes } = applyDamages(clean, placeDamages(clean.length, ds));
          expect(viaDirect(bytes, sizes)).toEqual(viaMessages(bytes));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('should count and skip a chunk its header refuses, as the codec does', () => {
    const truncated = new Uint8Array([0, 0, 3, 0, 1, 2]); // 3 entries announced, 1 sent
    const beyond = new Uint8Array(4 + 2);
    new DataView(beyond.buffer).setUint16(0, MAX_CELLS, true); // offset 512 + 1 entry > MAX_CELLS
    new DataView(beyond.buffer).setUint16(2, 1, true);
    const good = new Uint8Array([0, 0, 1, 0, 0x10, 0x80]); // 1 entry at offset 0: 0x8010 / 10000 V
    const bytes = [
      frameOf(MessageType.CELL_VOLTAGES, truncated, 1, 100),
      frameOf(MessageType.CELL_VOLTAGES, beyond, 2, 200),
      frameOf(MessageType.CELL_VOLTAGES, good, 3, 300),
    ];
    const seen: { type: number; e: number }[] = [];
    const skipped: string[] = [];
    const messages: Decoded[] = [];
    const d = new Decoder({
      onMessage: (m) => messages.push(m),
      onSkip: (_t, seq, _ms, why) => skipped.push(`${seq}:${why}`),
      direct: {
        types: [MessageType.CELL_VOLTAGES],
        payload: (type, _seq, _t, _b, v, o, len) => {
          const n = v.getUint16(o + 2, true);
          const e = len < 4 + 2 * n ? TRUNCATED : v.getUint16(o, true) + n > MAX_CELLS ? BAD_VALUE : 0;
          seen.push({ type, e });
          return e;
        },
      },
    });
    for (const b of bytes) d.push(b);
    d.finish();
    expect(seen).toEqual([
      { type: MessageType.CELL_VOLTAGES, e: TRUNCATED },
      { type: MessageType.CELL_VOLTAGES, e: BAD_VALUE },
      { type: MessageType.CELL_VOLTAGES, e: 0 },
    ]);
    expect(skipped).toEqual(['1:truncated', '2:bad-value']);
    expect(messages).toEqual([]); // the direct type never comes as a message
    expect(d.counters).toMatchObject({ frames: 3, messages: 1, truncatedPayloads: 1, badValues: 1 });

    // the assembler as the sink refuses the same two and stores the good one
    const b = new TimelineBuilder();
    for (const x of bytes) b.push(x);
    const tl = b.finish();
    expect(b.counters).toMatchObject({ messages: 1, truncatedPayloads: 1, badValues: 1 });
    expect(tl.cellVoltage_V[0]![tl.length - 1]).toBe(Math.fround(0x8010 / 10000));
  });

  it('should refuse a direct sink that is not one', () => {
    expect(() => new Decoder({ direct: {} as never })).toThrow(/"direct" must be an object with "types" and "payload"/);
    expect(() => new Decoder({ direct: { types: [256], payload: () => 0 } })).toThrow(/"direct.types" must hold type ids 0..255: 256/);
  });
});
