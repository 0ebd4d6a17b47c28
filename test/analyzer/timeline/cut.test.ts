/**
 * Cutting a window out of a capture (analyzer/timeline/cut.ts). Laws: the two parts of a capture
 * cut at any time are the capture again, byte for byte (damage and restarts included), in any
 * chunking; the piece's timeline is the whole capture's rows in the window, on an axis shifted by
 * the piece's first frame; garbage never throws. And the cases at the edges: a late frame
 * across the cut, damage before the first kept frame, a restart before the piece's first row,
 * reading stopped early. CUT_RUNS=N runs the two properties N times instead of 60 (a soak: six
 * runs of 400 each passed when this landed).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaptureCutter, type CutSummary } from '../../../analyzer/timeline/cut.ts';
import { timelineFromBytes } from '../../../analyzer/timeline/ingest.ts';
import type { Timeline } from '../../../analyzer/timeline/store.ts';
import { Encoder } from '../../../protocol/encoder.ts';
import { LinkFaults } from '../../../protocol/linkfaults.ts';
import { MessageType } from '../../../protocol/messages.ts';
import { encodeRestarted, generateMessages } from '../generate.ts';

/** Cuts `bytes` fed in chunks of the given sizes (cycled). */
function cut(bytes: Uint8Array, from_s: number, to_s: number, chunks: readonly number[] = [1 << 16]): { bytes: Uint8Array; summary: CutSummary } {
  const parts: Uint8Array[] = [];
  const c = new CaptureCutter({ from_s, to_s }, (b) => parts.push(b.slice()));
  let p = 0;
  for (let k = 0; p < bytes.length && !c.done; k++) {
    const n = chunks[k % chunks.length]!;
    c.push(bytes.subarray(p, p + n));
    p += n;
  }
  const summary = c.finish();
  return { bytes: concat(parts), summary };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  n = 0;
  for (const p of parts) {
    out.set(p, n);
    n += p.length;
  }
  return out;
}

interface Session {
  seed: number;
  restarts_s: number[];
  link: { dropFrame: number; corruptFrame: number; duplicateFrame: number; dropByte: number; corruptByte: number; duplicateByte: number };
}

/** A short generated session (2 Hz, 4 cells) with device restarts and link faults. */
function session(d: Session): Uint8Array {
  const msgs = generateMessages({
    seed: d.seed,
    ns: 4,
    nt: 2,
    rate_Hz: 2,
    phases: [
      { current_A: 0, duration_s: 20, state: 'STANDBY' },
      { current_A: -50, duration_s: 60, state: 'NORMAL' },
      { current_A: 0, duration_s: 20, state: 'STANDBY' },
    ],
  });
  return encodeRestarted(msgs, d.restarts_s, new LinkFaults(d.link, d.seed));
}

const NO_FAULTS = { dropFrame: 0, corruptFrame: 0, duplicateFrame: 0, dropByte: 0, corruptByte: 0, duplicateByte: 0 };
const rate = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.05, noNaN: true }));
const arbSession: fc.Arbitrary<Session> = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
  restarts_s: fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { maxLength: 3 }).map((a) => a.sort((x, y) => x - y)),
  link: fc.record({ dropFrame: rate, corruptFrame: rate, duplicateFrame: rate, dropByte: rate, corruptByte: rate, duplicateByte: rate }),
});
const arbChunks = fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 5 });

/** Row time in whole ms (the clock's unit). */
const ms = (t_s: number): number => Math.round(t_s * 1000);

/**
 * The rows of `whole` in [from_s, to_s) and those of `piece` from from_s on agree: the piece's
 * times are the whole's less `origin_s` (its first frame), and (`values`) every channel's values
 * are equal.
 */
function expectRowsAgree(whole: Timeline, piece: Timeline, origin_s: number, from_s = origin_s, to_s = Infinity, values = true): void {
  const rows: number[] = [];
  for (let r = 0; r < whole.length; r++) if (whole.t_s[r]! >= from_s && whole.t_s[r]! < to_s) rows.push(r);
  let i0 = 0;
  while (i0 < piece.length && ms(piece.t_s[i0]!) < ms(from_s) - ms(origin_s)) i0++;
  expect(piece.length - i0).toBe(rows.length);
  rows.forEach((r, j) => {
    const i = i0 + j;
    expect(ms(piece.t_s[i]!)).toBe(ms(whole.t_s[r]!) - ms(origin_s));
    if (!values) return;
    expect(piece.present[i]).toBe(whole.present[r]);
    expect(piece.state[i]).toBe(whole.state[r]);
    expect(piece.pack.current_A[i]).toBe(whole.pack.current_A[r]);
    expect(piece.pack.soc[i]).toBe(whole.pack.soc[r]);
    for (let k = 0; k < piece.ns; k++) expect(piece.cellVoltage_V[k]![i]).toBe(whole.cellVoltage_V[k]![r]);
  });
  if (rows.length === 0) return;
  const restartsIn = whole.clockSteps.filter((c) => c.row > rows[0]! && c.row <= rows[rows.length - 1]!).length;
  expect(piece.clockSteps.length).toBe(restartsIn);
}

describe('CaptureCutter', () => {
  it('should give back the capture, byte for byte, from its two parts cut at any time, in any chunking', () => {
    fc.assert(
      fc.property(arbSession, fc.double({ min: -1, max: 110, noNaN: true }), arbChunks, (d, at_s, chunks) => {
        const bytes = session(d);
        const a = cut(bytes, -Infinity, at_s, chunks);
        const b = cut(bytes, at_s, Infinity, chunks);
        // the second part starts with its own 0x00 unless it is the whole capture
        const bBody = a.bytes.length > 0 && b.bytes.length > 0 ? b.bytes.subarray(1) : b.bytes;
        expect(b.bytes.length === 0 || a.bytes.length === 0 || b.bytes[0] === 0).toBe(true);
        if (b.summary.lateFrames > 0) {
          // frames the whole capture took for late ones (a restart soon after a loss looks like that)
          // go to the part of their time, or are left out where a part could not place them
          expect(a.bytes.length + bBody.length).toBeLessThanOrEqual(bytes.length);
          if (a.summary.dropped + b.summary.dropped > 0) expect(a.bytes.length + bBody.length).toBeLessThan(bytes.length);
        } else if (b.summary.framesRead > 0) {
          // every byte is in one part (damage after the last frame too)
          expect(concat([a.bytes, bBody])).toEqual(bytes);
        } else expect(a.bytes.length + b.bytes.length).toBe(0); // no frame at all
        expect(a.summary.framesRead).toBeGreaterThanOrEqual(a.summary.frames);
        expect(a.summary.frames + b.summary.frames + a.summary.dropped + b.summary.dropped).toBe(b.summary.framesRead);
      }),
      { numRuns: Number(process.env.CUT_RUNS ?? 60) },
    );
  });

  it("should give a piece whose timeline is the whole capture's rows in the window, on an axis from its first frame", () => {
    fc.assert(
      fc.property(arbSession, fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 1, max: 60, noNaN: true }), (d, from_s, len_s) => {
        const bytes = session(d);
        const piece = cut(bytes, from_s, from_s + len_s);
        const whole = timelineFromBytes(bytes).timeline;
        if (piece.summary.frames === 0) {
          // nothing to place: then the whole capture has no row there either
          for (let r = 0; r < whole.length; r++) expect(whole.t_s[r]! >= from_s && whole.t_s[r]! < from_s + len_s).toBe(false);
          return;
        }
        const p = timelineFromBytes(piece.bytes);
        expect(p.decoder.counters.frames).toBe(piece.summary.frames);
        // a frame left out (see the late-frame test) was written into a row of the whole capture
        expectRowsAgree(whole, p.timeline, piece.summary.first_s, piece.summary.first_s, from_s + len_s, piece.summary.dropped === 0);
        // no frame of the piece is before its first or after the window
        expect(piece.summary.first_s).toBeGreaterThanOrEqual(from_s);
        expect(piece.summary.last_s).toBeLessThan(from_s + len_s);
      }),
      {
        numRuns: Number(process.env.CUT_RUNS ?? 60),
        // restarts the whole capture took for late frames (their seqs counted lost): a late
        // first frame once made a row of its own in the piece, and a late per-cell truth frame
        // once counted towards the current row in the assembler
        examples: [
          [{ seed: 387962358, restarts_s: [3], link: { ...NO_FAULTS, dropByte: 0.03670668089762331 } }, 5e-324, 1],
          [{ seed: 722062157, restarts_s: [2], link: { ...NO_FAULTS, dropByte: 0.04920603805221629, duplicateByte: 0.05 } }, 5e-324, 1.0000000000000002],
        ],
      },
    );
  });

  it('should keep the damage inside the window, as errors of the piece', () => {
    const bytes = session({
      seed: 7,
      restarts_s: [],
      link: { dropFrame: 0, corruptFrame: 0.05, duplicateFrame: 0, dropByte: 0, corruptByte: 0, duplicateByte: 0 },
    });
    const whole = timelineFromBytes(bytes);
    const a = cut(bytes, -Infinity, 50);
    const b = cut(bytes, 50, Infinity);
    const ca = timelineFromBytes(a.bytes).decoder.counters;
    const cb = timelineFromBytes(b.bytes).decoder.counters;
    expect(whole.decoder.counters.crcErrors).toBeGreaterThan(4);
    expect(ca.crcErrors + cb.crcErrors).toBe(whole.decoder.counters.crcErrors);
    expect(ca.crcErrors).toBeGreaterThan(0);
    expect(cb.crcErrors).toBeGreaterThan(0);
    expect(cb.presyncBytes).toBe(0);
  });

  it('should leave out a frame the link delayed across the start of the piece, so that the piece sees no device restart', () => {
    const msgs = generateMessages({ seed: 3, ns: 4, nt: 2, rate_Hz: 2, phases: [{ current_A: 0, duration_s: 30, state: 'STANDBY' }] });
    // the PACK_STATUS of 9.5 s (the first frame of its tick) arrives after the frames of 10.0 and 10.5 s: a late frame
    const late = msgs.findIndex((m) => m.type === MessageType.PACK_STATUS && m.t_ms >= 9500);
    const lateMs = msgs[late]!.t_ms;
    const after = msgs.findIndex((m) => m.t_ms >= lateMs + 1000);
    const order = [...msgs.slice(0, late), ...msgs.slice(late + 1, after), msgs[late]!, ...msgs.slice(after)];
    const enc = new Encoder({ initialCapacity: 1 << 12 });
    for (const m of order) enc.encodeWithSeq(m, m.seq, m.t_ms);
    const bytes = enc.view().slice();
    const t0 = order[0]!.t_ms; // the capture's axis starts at its first frame
    const whole = timelineFromBytes(bytes);
    expect(whole.timeline.clockSteps).toHaveLength(0); // late, not a restart
    const row = whole.timeline.rowAt((lateMs - t0) / 1000);
    expect(whole.timeline.pack.current_A[row]).not.toBeNaN(); // and it filled its row

    // the window starts after the late frame's time: it is simply not in the piece
    const piece = cut(bytes, (lateMs + 500 - t0) / 1000, Infinity);
    expect(piece.summary.dropped).toBe(0);
    const p = timelineFromBytes(piece.bytes);
    expect(p.timeline.clockSteps).toHaveLength(0);
    expect(p.assembler.seqLost).toBe(0);
    expectRowsAgree(whole.timeline, p.timeline, piece.summary.first_s);

    // the window starts at its tick: the piece starts with the tick's other frames, the late one (seq behind them) is left out
    const piece2 = cut(bytes, (lateMs - t0) / 1000, Infinity);
    expect(piece2.summary.first_s).toBe((lateMs - t0) / 1000);
    expect(piece2.summary.dropped).toBe(1);
    const p2 = timelineFromBytes(piece2.bytes);
    expect(p2.timeline.clockSteps).toHaveLength(0);
    expect(p2.timeline.pack.current_A[0]).toBeNaN(); // the first row lacks the status the link delayed
    expectRowsAgree(whole.timeline, p2.timeline, piece2.summary.first_s, piece2.summary.first_s + 0.4);
  });

  it("should start the piece again at a device restart that comes before the piece's first row", () => {
    const msgs = generateMessages({ seed: 5, ns: 4, nt: 2, rate_Hz: 2, phases: [{ current_A: 0, duration_s: 30, state: 'STANDBY' }] });
    // an INFO whose tick's other frames were lost, then the device restarts: the whole capture
    // continues its axis from the last row (before the INFO), so the new run's first rows come
    // before the INFO's time, and a piece starting between the last row and the INFO must not
    // begin with that INFO (it would continue from it instead)
    const info = msgs.find((m) => m.type === MessageType.INFO && m.t_ms >= 4000)!;
    const kept = msgs.filter((m) => m.t_ms !== info.t_ms || m === info);
    const bytes = encodeRestarted(kept, [(info.t_ms + 500) / 1000]);
    const whole = timelineFromBytes(bytes);
    expect(whole.timeline.clockSteps).toHaveLength(1);
    const t0 = kept[0]!.t_ms;
    const from_s = (info.t_ms - 200 - t0) / 1000;
    const piece = cut(bytes, from_s, Infinity);
    expect(piece.summary.dropped).toBe(1); // the INFO
    expect(piece.summary.first_s).toBeGreaterThanOrEqual(from_s);
    const p = timelineFromBytes(piece.bytes);
    expect(p.timeline.clockSteps).toHaveLength(0);
    expectRowsAgree(whole.timeline, p.timeline, piece.summary.first_s);
  });

  it('should stop reading once no later frame can fall inside the window, with the same piece', () => {
    const bytes = session({
      seed: 11,
      restarts_s: [40],
      link: { dropFrame: 0, corruptFrame: 0, duplicateFrame: 0, dropByte: 0, corruptByte: 0, duplicateByte: 0 },
    });
    const early = cut(bytes, 5, 15);
    expect(early.summary.stoppedEarly).toBe(true);
    expect(early.summary.end_s).toBeLessThan(30);
    const c = new CaptureCutter({ from_s: 5, to_s: Infinity }, () => {});
    c.push(bytes);
    expect(c.finish()).toEqual(c.finish()); // finish is idempotent
    const all = cut(bytes, -Infinity, Infinity);
    expect(all.bytes).toEqual(bytes);
    expect(all.summary.stoppedEarly).toBe(false);
    expect(all.summary.first_s).toBe(0);
    const p = timelineFromBytes(early.bytes).timeline;
    expectRowsAgree(timelineFromBytes(bytes).timeline, p, early.summary.first_s, early.summary.first_s, 15);
  });

  it('should never throw on garbage, and write only bytes of the input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.double({ min: -10, max: 10, noNaN: true }), arbChunks, (bytes, from_s, chunks) => {
        const r = cut(bytes, from_s, from_s + 5, chunks);
        expect(r.summary.frames).toBeLessThanOrEqual(r.summary.framesRead);
        expect(r.bytes.length).toBeLessThanOrEqual(bytes.length + 1);
      }),
    );
  });

  it('should refuse a window that is empty or NaN', () => {
    expect(() => new CaptureCutter({ from_s: 5, to_s: 5 }, () => {})).toThrow(/from_s < to_s/);
    expect(() => new CaptureCutter({ from_s: NaN, to_s: 5 }, () => {})).toThrow(/from_s < to_s/);
  });
});
