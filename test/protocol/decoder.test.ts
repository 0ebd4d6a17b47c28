import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BOOT_WINDOW_MS } from '../../protocol/clock.ts';
import { Decoder, decodeAll as decodeAllWith, type SkipReason } from '../../protocol/decoder.ts';
import { Encoder } from '../../protocol/encoder.ts';
import { encodeFrame } from '../../protocol/frame.ts';
import { CELL_VOLTAGES_MAX_COUNT, MAX_ENCODED_FRAME_SIZE, MessageType, type Decoded, type Message } from '../../protocol/messages.ts';
import * as A from './arbitraries.ts';
import { applyDamages, buildStream, checkRecovery, damage, decodeInPieces as decodeInPiecesWith, placeDamages } from './damage.ts';
import { concat, frameOf, stuff, unstuff } from './helpers.ts';
import { RECORDS_MAX } from '../../protocol/framescan/index.ts';
import { classifyRuns } from './reference-reader.ts';

const ack = (commandSeq: number): Message => ({ type: MessageType.ACK, commandSeq, commandType: 0x81 });
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });
const zeros = (b: Uint8Array): number => b.reduce((n, x) => n + (x === 0 ? 1 : 0), 0);

// Every test runs on both decoding paths: the WebAssembly frame scanner ('auto' under Node) and
// the JavaScript one.
describe.each(['auto', 'js'] as const)('Decoder (engine %s)', (engine) => {
  const decodeAll = (bytes: Uint8Array) => decodeAllWith(bytes, { engine });
  const decodeInPieces = (bytes: Uint8Array, cs: readonly number[], reuse = false) => decodeInPiecesWith(bytes, cs, reuse, engine);

  it('should run on the path asked for', () => {
    expect(new Decoder({ engine }).engine).toBe(engine === 'js' ? 'js' : 'wasm');
  });

  // for all streams and all ways to cut them into chunks, the decoder returns the same messages and counters
  it('should return the same messages for any chunking', () => {
    fc.assert(
      fc.property(A.timedMessages(A.message, 12), cuts, (items, cs) => {
        const s = buildStream(items);
        const whole = decodeInPieces(s.bytes, []);
        const pieces = decodeInPieces(s.bytes, cs);
        expect(whole.messages).toEqual(s.messages);
        expect(pieces.messages).toEqual(s.messages);
        expect(pieces.counters).toEqual(whole.counters);
      }),
      { numRuns: 150 },
    );
  });

  // for all streams, feeding one byte at a time gives the same messages as feeding it whole
  it('should decode a stream fed one byte at a time', () => {
    fc.assert(
      fc.property(A.timedMessages(A.smallMessage, 6), (items) => {
        const s = buildStream(items);
        const got: Decoded[] = [];
        const d = new Decoder({ engine });
        for (let i = 0; i < s.bytes.length; i++) got.push(...d.push(s.bytes.subarray(i, i + 1)));
        expect(got).toEqual(s.messages);
        expect(d.counters.frames).toBe(items.length);
      }),
      { numRuns: 50 },
    );
  });

  // idle fill (PROTOCOL.md section 3): for all streams, a stretch of 0x00 of any length (within a
  // window, or past one) decodes exactly like a single 0x00, after a frame or after junk (a bad
  // run, a run past the maximum that is being dropped), under any chunking
  it('should decode a stretch of idle fill like one 0x00', () => {
    const junk = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 500, max: 1200 }));
    const fill = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 60_000, max: 140_000 }));
    const stretch = fc.record({ where: fc.nat(), junk, fill, seed: fc.integer({ min: 1, max: 255 }) });
    fc.assert(
      fc.property(A.timedMessages(A.message, 8), fc.array(stretch, { minLength: 1, maxLength: 3 }), cuts, (items, stretches, cs) => {
        const s = buildStream(items);
        // after frame k's own 0x00 (k = -1: after the leading 0x00): junk (no 0x00 in it), then the fill
        const ends = [0, ...s.spans.map((sp) => sp.end)];
        const at = new Map(stretches.map((x) => [ends[x.where % ends.length]!, x]));
        const build = (one: boolean): Uint8Array => {
          const parts: Uint8Array[] = [];
          let p = 0;
          for (const e of [...at.keys()].sort((a, b) => a - b)) {
            const x = at.get(e)!;
            parts.push(s.bytes.subarray(p, e + 1));
            parts.push(Uint8Array.from({ length: x.junk }, (_, i) => 1 + ((x.seed + i * 7) % 255)));
            parts.push(new Uint8Array(one ? 1 : x.fill));
            p = e + 1;
          }
          parts.push(s.bytes.subarray(p));
          return concat(...parts);
        };
        const filled = decodeInPieces(build(false), cs);
        const single = decodeInPieces(build(true), []);
        expect(filled.messages).toEqual(single.messages);
        expect(filled.counters).toEqual(single.counters);
        if ([...at.values()].every((x) => x.junk === 0)) expect(filled.messages).toEqual(s.messages);
      }),
      { numRuns: 80 },
    );
  });

  it('should decode a multi-megabyte chunk in one push', () => {
    const enc = new Encoder();
    const v = Float64Array.from({ length: 100 }, (_, i) => 3 + i / 1000);
    for (let k = 0; k < 12000; k++) enc.encode({ type: MessageType.CELL_VOLTAGES, offset: 0, voltages_V: v }, k);
    const bytes = enc.take();
    expect(bytes.length).toBeGreaterThan(2_000_000);
    const d = new Decoder({ engine });
    const got = d.push(bytes);
    expect(got.length).toBe(12000);
    expect(got[11999]).toMatchObject({ seq: 11999, t_ms: 11999, offset: 0 });
    expect(d.counters).toMatchObject({ frames: 12000, messages: 12000, bytesDiscarded: 0, seqGaps: 0 });
  });

  // for all streams, reuse mode delivers the same values as fresh mode (copied as they arrive)
  it('should deliver the same values in reuse mode', () => {
    fc.assert(
      fc.property(A.timedMessages(A.message, 12), cuts, (items, cs) => {
        const s = buildStream(items);
        expect(decodeInPieces(s.bytes, cs, true).messages).toEqual(s.messages);
      }),
      { numRuns: 100 },
    );
  });

  it('should reuse the object of a chunked type and offset in reuse mode, and not otherwise', () => {
    const enc = new Encoder();
    const cv = (x: number): Message => ({ type: MessageType.CELL_VOLTAGES, offset: 4, voltages_V: Float64Array.of(x, x) });
    enc.encode(cv(3), 1);
    enc.encode(cv(3.5), 2);
    const seen: Decoded[] = [];
    new Decoder({ engine, reuse: true, onMessage: (m) => seen.push(m) }).push(enc.view());
    expect(seen[0]).toBe(seen[1]);
    expect(seen[1]).toMatchObject({ seq: 1, t_ms: 2, voltages_V: Float64Array.of(3.5, 3.5) });
    const fresh = decodeAll(enc.view());
    expect(fresh[0]).not.toBe(fresh[1]);
  });

  // for all damaged streams, any chunking: every run between two 0x00 is classified (frame,
  // CRC error, COBS error, short, bad version, oversize) exactly as a plain reader written from
  // PROTOCOL.md section 7 does (the decoder's fast path undoes its work on a bad run)
  it('should classify every run as the reference reader does', () => {
    fc.assert(
      fc.property(A.timedMessages(A.message, 10), fc.array(damage, { maxLength: 6 }), cuts, (items, ds, cs) => {
        const s = buildStream(items);
        const { bytes } = applyDamages(s.bytes, placeDamages(s.bytes.length, ds));
        const ref = classifyRuns(concat(bytes, Uint8Array.of(0)));
        const { counters: c } = decodeInPieces(concat(bytes, Uint8Array.of(0)), cs);
        expect({
          frames: c.frames,
          crcErrors: c.crcErrors,
          cobsErrors: c.cobsErrors,
          shortFrames: c.shortFrames,
          badVersions: c.badVersions,
          oversizeRuns: c.oversizeRuns,
        }).toEqual(ref);
      }),
      { numRuns: 300 },
    );
  });

  // fixed (in the reference reader): a stream whose leading 0x00 was lost starts with a whole
  // frame; PROTOCOL.md section 7 decodes the run before the first 0x00 like any other
  it('should count a valid frame before the first 0x00, as the reference reader does', () => {
    const f = encodeFrame(ack(5), 1, 2); // its 0x00 after it, none before
    const d = new Decoder({ engine });
    expect(d.push(f).map((m) => m.seq)).toEqual([1]);
    expect(d.counters).toMatchObject({ frames: 1, presyncBytes: 0 });
    expect(classifyRuns(f)).toMatchObject({ frames: 1 });
  });

  it('should reuse the PACK_STATUS object in reuse mode, refilled', () => {
    const status = (soc: number): Message => ({
      type: MessageType.PACK_STATUS,
      state: 3,
      mainPositiveClosed: true,
      mainNegativeClosed: true,
      prechargeClosed: false,
      balancingCount: 0,
      packVoltage_V: 50,
      current_A: -1,
      soc,
      soh: 1,
      cellVoltageMin_V: 3,
      cellVoltageMax_V: 3.1,
      cellVoltageMinIndex: 0,
      cellVoltageMaxIndex: 1,
      temperatureMin_C: 20,
      temperatureMax_C: 21,
      temperatureMinIndex: 0,
      temperatureMaxIndex: 1,
      faultMask: 0,
      warningMask: 0,
      infoMask: 0,
      chargeCurrentLimit_A: 10,
      dischargeCurrentLimit_A: 20,
    });
    const enc = new Encoder();
    enc.encode(status(0.5), 1);
    enc.encode(status(0.25), 2);
    const seen: Decoded[] = [];
    new Decoder({ engine, reuse: true, onMessage: (m) => seen.push(m) }).push(enc.view());
    expect(seen[0]).toBe(seen[1]);
    expect(seen[1]).toMatchObject({ seq: 1, t_ms: 2, soc: 0.25 });
    expect(decodeAll(enc.view())[0]).toMatchObject({ soc: 0.5 });
  });

  it('should count missing frames across the u16 wrap, duplicates and steps back', () => {
    const seqs = [65533, 65534, 1, 2, 2, 5, 100, 100, 40000, 40001];
    const skipped: SkipReason[] = [];
    const d = new Decoder({ engine, onSkip: (_t, _s, _ms, why) => skipped.push(why) });
    // a repeated frame repeats its clock too
    const got = d.push(concat(Uint8Array.of(0), ...seqs.map((s, i) => encodeFrame(ack(i), s, 10 * (i > 0 && seqs[i - 1] === s ? i - 1 : i)))));
    expect(got.map((m) => m.seq)).toEqual([65533, 65534, 1, 2, 5, 100, 40000, 40001]);
    // 65534 → 1 skips 65535 and 0; 2 → 5 skips 3 and 4; 5 → 100 skips 94; 100 → 40000 is a step back
    expect(d.counters).toMatchObject({ seqGaps: 3, seqMissing: 2 + 2 + 94, duplicates: 2, seqBackwards: 1 });
    expect(skipped).toEqual(['duplicate', 'duplicate']);
  });

  // for all counts a sender may have reached before a reset (its new count, from 0, lands ahead
  // of the old one about half the time) and all clocks it may have reached (past 2^31 ms too,
  // where the signed difference reads the new clock as ahead: the boot window; short of the
  // last BOOT_WINDOW_MS before the clock's wrap, where a reset looks like the wrap), the reset
  // is a restart: one step back, never a gap, and never a duplicate (the new count equal to the
  // last, 1 in 65536)
  it('should count a sender reset as a restart, wherever the old count was', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 0xffff }), fc.constant(0)),
        fc.integer({ min: 1, max: 50 }),
        fc.oneof(fc.integer({ min: 1, max: 2 ** 31 - 10_000 }), fc.integer({ min: 2 ** 31 - 10_000, max: 2 ** 32 - BOOT_WINDOW_MS - 5_001 })),
        (last, n, clock) => {
          const before = Array.from({ length: n }, (_, i) => encodeFrame(ack(i), (last - n + 1 + i) & 0xffff, clock + 100 * i));
          const after = Array.from({ length: 5 }, (_, i) => encodeFrame(ack(i), i, 100 * (i >> 1))); // seq and clock from 0
          const d = new Decoder({ engine });
          expect(d.push(concat(Uint8Array.of(0), ...before, ...after))).toHaveLength(n + 5);
          expect(d.counters).toMatchObject({ seqGaps: 0, seqMissing: 0, seqBackwards: 1, duplicates: 0 });
        },
      ),
      { numRuns: 200 },
    );
  });

  // frames of one tick share their t_ms: a gap between them, or with the clock going forward, is loss
  it('should count a gap as loss while the clock stands or goes forward', () => {
    const d = new Decoder({ engine });
    d.push(concat(Uint8Array.of(0), encodeFrame(ack(0), 10, 5000), encodeFrame(ack(1), 14, 5000), encodeFrame(ack(2), 20, 6000)));
    expect(d.counters).toMatchObject({ seqGaps: 2, seqMissing: 3 + 5, seqBackwards: 0 });
  });

  // only a repeat is a duplicate: the same count with the clock ahead means it went round
  it('should count the same seq with a later clock as 65535 frames lost, not a duplicate', () => {
    const d = new Decoder({ engine });
    const got = d.push(concat(Uint8Array.of(0), encodeFrame(ack(0), 7, 1000), encodeFrame(ack(1), 7, 1000), encodeFrame(ack(2), 7, 1_600_000)));
    expect(got.map((m) => m.t_ms)).toEqual([1000, 1_600_000]);
    expect(d.counters).toMatchObject({ duplicates: 1, seqGaps: 1, seqMissing: 65535, seqBackwards: 0 });
  });

  it('should deliver duplicates when dropDuplicates is false', () => {
    const d = new Decoder({ engine, dropDuplicates: false });
    const f = encodeFrame(ack(1), 5, 0);
    expect(d.push(concat(Uint8Array.of(0), f, f)).length).toBe(2);
    expect(d.counters.duplicates).toBe(1);
  });

  it('should skip and count unknown types and other versions, then go on', () => {
    const skipped: [number, number, SkipReason][] = [];
    const d = new Decoder({ engine, onSkip: (t, s, _ms, why) => skipped.push([t, s, why]) });
    const got = d.push(
      concat(
        Uint8Array.of(0),
        frameOf(0x5a, Uint8Array.of(1, 2, 3), 0),
        frameOf(0xbf, new Uint8Array(0), 1),
        frameOf(MessageType.ACK, Uint8Array.of(1, 0, 0x81, 0), 2, 0, 2),
        encodeFrame(ack(9), 3, 0),
      ),
    );
    expect(got).toEqual([{ ...ack(9), seq: 3, t_ms: 0 }]);
    expect(d.counters).toMatchObject({ frames: 3, unknownTypes: 2, badVersions: 1, messages: 1, seqGaps: 1, seqMissing: 1 });
    expect(skipped).toEqual([
      [0x5a, 0, 'unknown-type'],
      [0xbf, 1, 'unknown-type'],
    ]);
  });

  it('should drop a run longer than the maximum frame without buffering it, then resynchronise', () => {
    const garbage = new Uint8Array(1 << 20).fill(0x41);
    const f = encodeFrame(ack(1), 0, 0);
    for (const piece of [1, 7, 1000, 1 << 16, 1 << 21]) {
      const bytes = concat(Uint8Array.of(0), garbage, Uint8Array.of(0), f);
      const d = new Decoder({ engine });
      const got: Decoded[] = [];
      for (let p = 0; p < bytes.length; p += piece) got.push(...d.push(bytes.subarray(p, p + piece)));
      expect(got.length).toBe(1);
      expect(d.counters).toMatchObject({ oversizeRuns: 1, bytesDiscarded: garbage.length, crcErrors: 0 });
    }
  });

  it('should accept the largest frame and reject runs that are or decode longer', () => {
    const largest: Message = {
      type: MessageType.CELL_VOLTAGES,
      offset: 0,
      voltages_V: new Float64Array(CELL_VOLTAGES_MAX_COUNT).fill(3.3),
    };
    const f = encodeFrame(largest, 0x0101, 0x01010101);
    expect(f.length).toBeLessThanOrEqual(MAX_ENCODED_FRAME_SIZE + 1);
    expect(decodeAll(concat(Uint8Array.of(0), f))).toEqual([{ ...largest, seq: 0x0101, t_ms: 0x01010101 }]);
    // a 512-byte frame without a zero byte takes exactly MAX_ENCODED_FRAME_SIZE bytes and is accepted
    let t = 0x01010101;
    let longest = frameOf(0x5a, new Uint8Array(500).fill(1), 0x0101, t);
    while (longest.length !== MAX_ENCODED_FRAME_SIZE + 1) longest = frameOf(0x5a, new Uint8Array(500).fill(1), 0x0101, ++t);
    const d0 = new Decoder({ engine });
    d0.push(concat(Uint8Array.of(0), longest));
    expect(d0.counters).toMatchObject({ frames: 1, unknownTypes: 1, oversizeRuns: 0, bytesDiscarded: 0 });
    // 515 code bytes 0x01 are valid COBS for 514 zero bytes: longer than MAX_FRAME_SIZE
    const ones = new Uint8Array(MAX_ENCODED_FRAME_SIZE).fill(1);
    const d = new Decoder({ engine });
    d.push(concat(Uint8Array.of(0), ones, Uint8Array.of(0)));
    expect(d.counters).toMatchObject({ oversizeRuns: 1, cobsErrors: 0, bytesDiscarded: MAX_ENCODED_FRAME_SIZE });
    const d2 = new Decoder({ engine });
    d2.push(concat(Uint8Array.of(0), ones, Uint8Array.of(1, 0)));
    expect(d2.counters).toMatchObject({ oversizeRuns: 1, bytesDiscarded: MAX_ENCODED_FRAME_SIZE + 1 });
  });

  it('should treat bytes before the first delimiter as presync, not as an error', () => {
    const s = buildStream([
      { m: ack(1), t_ms: 0 },
      { m: ack(2), t_ms: 1 },
    ]);
    const mid = s.bytes.subarray(5); // joined in the middle of frame 0
    const d = new Decoder({ engine });
    expect(d.push(mid).map((m) => m.seq)).toEqual([1]);
    expect(d.counters).toMatchObject({ presyncBytes: s.spans[0]!.end - 5, crcErrors: 0, cobsErrors: 0 });
    // a stream that starts exactly at a frame without a leading 0x00 loses nothing
    expect(decodeAll(s.bytes.subarray(1)).map((m) => m.seq)).toEqual([0, 1]);
  });

  it('should count a CRC failure, a COBS error and a short frame, and resynchronise after each', () => {
    const f = encodeFrame(ack(1), 0, 0);
    const raw = unstuff(f);
    raw[raw.length - 1]! ^= 0x10; // a CRC byte
    const bad = stuff(raw);
    const d = new Decoder({ engine });
    const got = d.push(concat(Uint8Array.of(0), bad, Uint8Array.of(9, 1, 2, 0), Uint8Array.of(3, 1, 2, 0), encodeFrame(ack(2), 1, 0)));
    expect(got.map((m) => m.seq)).toEqual([1]);
    expect(d.counters).toMatchObject({ crcErrors: 1, cobsErrors: 1, shortFrames: 1, bytesDiscarded: f.length - 1 + 6 });
  });

  // for all byte strings, the decoder neither throws nor loses track of bytes
  it('should never throw on garbage and account for every byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), cuts, (bytes, cs) => {
        const { counters: c } = decodeInPieces(bytes, cs);
        const accounted = c.frameBytes + c.bytesDiscarded + c.presyncBytes + c.incompleteBytes + zeros(bytes);
        expect(accounted).toBe(bytes.length);
      }),
      { numRuns: 300 },
    );
  });

  // for all streams and damage (bit flips, insertions, deletions, truncation) such that some frames are
  // untouched: every untouched frame is recovered and every accepted message is an original one, in order
  it('should recover every untouched frame and accept no damaged one', () => {
    fc.assert(
      fc.property(A.timedMessages(A.smallMessage, 10), fc.array(damage, { minLength: 1, maxLength: 4 }), cuts, (items, ds, cs) => {
        const s = buildStream(items);
        const { bytes, touched } = applyDamages(s.bytes, placeDamages(s.bytes.length, ds));
        const { messages, counters } = decodeInPieces(bytes, cs);
        expect(checkRecovery(s, touched, messages)).toBeNull();
        const accounted = counters.frameBytes + counters.bytesDiscarded + counters.presyncBytes + counters.incompleteBytes + zeros(bytes);
        expect(accounted).toBe(bytes.length);
      }),
      { numRuns: 300 },
    );
  });

  it('should count the frames of a cut-out stretch as missing', () => {
    const s = buildStream(Array.from({ length: 20 }, (_, i) => ({ m: ack(i), t_ms: i })));
    // remove frames 5..9 entirely (their bytes and delimiters)
    const bytes = concat(s.bytes.subarray(0, s.spans[5]!.start + 1), s.bytes.subarray(s.spans[9]!.end + 1));
    const d = new Decoder({ engine });
    expect(d.push(bytes).length).toBe(15);
    expect(d.counters).toMatchObject({ seqGaps: 1, seqMissing: 5, crcErrors: 0, bytesDiscarded: 0 });
  });

  it('should validate its options with TypeError naming the option', () => {
    expect(() => new Decoder({ onMessage: 3 as never })).toThrow(/"onMessage"/);
    expect(() => new Decoder({ engine, onSkip: 'x' as never })).toThrow(/"onSkip"/);
    expect(() => new Decoder({ dropDuplicates: 1 as never })).toThrow(/"dropDuplicates"/);
    expect(() => new Decoder({ engine, reuse: 'yes' as never })).toThrow(TypeError);
    expect(() => new Decoder(null as never)).toThrow(/"options"/);
  });

  it('should forget the stream on reset but keep the counters', () => {
    const d = new Decoder({ engine });
    const f = encodeFrame(ack(1), 7, 0);
    d.push(concat(Uint8Array.of(0), f, f.subarray(0, 4)));
    d.reset();
    expect(d.push(f).length).toBe(1); // no duplicate (lastSeq forgotten), no stale partial run
    expect(d.counters).toMatchObject({ frames: 2, duplicates: 0 });
  });
});

describe('Decoder paths', () => {
  // for all damaged streams and any chunking, the WebAssembly and JavaScript paths deliver the
  // same messages and the same counters
  it('should decode alike on the WebAssembly and JavaScript paths', () => {
    fc.assert(
      fc.property(A.timedMessages(A.message, 10), fc.array(damage, { maxLength: 6 }), cuts, cuts, (items, ds, cs1, cs2) => {
        const s = buildStream(items);
        const { bytes } = applyDamages(s.bytes, placeDamages(s.bytes.length, ds));
        const wasm = decodeInPiecesWith(bytes, cs1, false, 'auto');
        const js = decodeInPiecesWith(bytes, cs2, false, 'js');
        expect(wasm.messages).toEqual(js.messages);
        expect(wasm.counters).toEqual(js.counters);
      }),
      { numRuns: 300 },
    );
  });

  // a 64 KiB window of empty runs, or of short frames between empty runs, holds more runs than
  // the scanner records per call (framescan RECORDS_MAX): the decoder asks again until the
  // window is done
  it('should decode alike windows with more runs than one scanner call records', () => {
    const enc = new Encoder({ leadingDelimiter: false });
    for (let k = 0; k < 12000; k++) enc.encode({ type: MessageType.ACK, commandSeq: k & 0xffff, commandType: 0x81 }, k);
    const frames = enc.take(); // 18 bytes a frame, its 0x00 last: 3,641 runs a window
    const padded = new Uint8Array((frames.length / 18) * 19); // each frame followed by an empty run
    for (let p = 0, o = 0; p < frames.length; p += 18, o += 19) padded.set(frames.subarray(p, p + 18), o);
    const bytes = concat(frames, new Uint8Array(70_000), padded, frames.subarray(0, 5000));
    const runsIn = (b: Uint8Array) => zeros(b.subarray(0, 65536));
    expect([runsIn(frames) < RECORDS_MAX, runsIn(padded) > RECORDS_MAX]).toEqual([true, true]);
    const wasm = decodeInPiecesWith(bytes, [], false, 'auto');
    const js = decodeInPiecesWith(bytes, [0.5], false, 'js');
    expect(wasm.counters).toEqual(js.counters);
    expect(wasm.messages).toEqual(js.messages);
    expect(wasm.messages.length).toBe(12000 + 12000 + Math.floor(5000 / 18));
  });

  it('should decode alike a stream of frames longer than 254 bytes and of runs past the maximum', () => {
    const enc = new Encoder();
    const v = Float64Array.from({ length: CELL_VOLTAGES_MAX_COUNT }, (_, i) => 3 + i / 1000);
    for (let k = 0; k < 50; k++) enc.encode({ type: MessageType.CELL_VOLTAGES, offset: 0, voltages_V: v }, k);
    const frames = enc.take();
    const long = new Uint8Array(3 * MAX_ENCODED_FRAME_SIZE).fill(7);
    const bytes = concat(frames, long, Uint8Array.of(0), frames);
    const wasm = decodeInPiecesWith(bytes, [0.3, 0.31, 0.7], false, 'auto');
    const js = decodeInPiecesWith(bytes, [], false, 'js');
    expect(wasm.messages.length).toBe(100);
    expect(wasm.messages).toEqual(js.messages);
    expect(wasm.counters).toEqual(js.counters);
    expect(wasm.counters.oversizeRuns).toBe(1);
  });
});
