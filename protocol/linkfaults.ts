/**
 * Seeded link faults for the emulated serial line (the mock transport and tests): whole frames
 * dropped, corrupted, duplicated or delayed, and single bytes dropped, corrupted or duplicated,
 * each with its own rate. Every fault is counted, so a test can check that a reader's counters
 * (protocol/decoder.ts) match exactly what the line did:
 *
 * - a dropped frame never reaches the reader: its seq is missing (`seqMissing`);
 * - a corrupted frame has one data byte (never a COBS code byte, never the 0x00 delimiter) XORed
 *   with a non-zero mask that does not make it 0x00: the run keeps its length and COBS structure,
 *   so the reader counts exactly one CRC error (CRC-32C catches every single-byte error) and
 *   one missing seq;
 * - a duplicated frame is sent twice in a row: the reader counts one duplicate;
 * - byte faults hit bytes of the frame's COBS run, never its 0x00 delimiter and never creating
 *   one, so the frame boundaries stay where they were: a frame hit by one or more byte faults
 *   becomes exactly one rejected run (CRC, COBS, short or oversize) and one missing seq;
 * - a delay stalls the line for `delay_ms` at a random byte of the frame (possibly mid-frame): a
 *   serial line never reorders bytes, so a delay changes arrival times only, never the frames a
 *   reader gets.
 *
 * At most one frame fault applies to a frame (drop, else corrupt, else duplicate, else the byte
 * faults); a delay can come on top of any of them. Faults apply only while `enabled`.
 */
import { mulberry32 } from './internal/random.ts';

export interface LinkFaultRates {
  /** Probability per frame that it is lost. */
  dropFrame?: number;
  /** Probability per frame that one of its data bytes is corrupted. */
  corruptFrame?: number;
  /** Probability per frame that it is sent twice. */
  duplicateFrame?: number;
  /** Probability per frame that the line stalls for `delay_ms` within it. */
  delayFrame?: number;
  /** Probability per byte (of frames not hit by a frame fault) that it is lost. */
  dropByte?: number;
  /** ... that it is replaced by another non-zero value. */
  corruptByte?: number;
  /** ... that it is sent twice. */
  duplicateByte?: number;
  /** Length of a stall, ms (default 50). */
  delay_ms?: number;
}

export interface LinkFaultCounters {
  /** Frames offered to the line while enabled. */
  frames: number;
  framesDropped: number;
  framesCorrupted: number;
  framesDuplicated: number;
  framesDelayed: number;
  /** Total stall time, ms. */
  delay_ms: number;
  bytesDropped: number;
  bytesCorrupted: number;
  bytesDuplicated: number;
  /** Frames hit by at least one byte fault. */
  framesByteDamaged: number;
}

/** What the line sends for one frame. */
export interface FaultedFrame {
  bytes: Uint8Array;
  /** Stall the line before bytes[stallAt] (-1: no stall). */
  stallAt: number;
  stall_ms: number;
}

const RATE_KEYS = ['dropFrame', 'corruptFrame', 'duplicateFrame', 'delayFrame', 'dropByte', 'corruptByte', 'duplicateByte'] as const;

export function newLinkFaultCounters(): LinkFaultCounters {
  return {
    frames: 0,
    framesDropped: 0,
    framesCorrupted: 0,
    framesDuplicated: 0,
    framesDelayed: 0,
    delay_ms: 0,
    bytesDropped: 0,
    bytesCorrupted: 0,
    bytesDuplicated: 0,
    framesByteDamaged: 0,
  };
}

export class LinkFaults {
  readonly counters: LinkFaultCounters = newLinkFaultCounters();
  /** Faults apply only while true. */
  enabled = true;
  private readonly rates: Required<LinkFaultRates>;
  private readonly rnd: () => number;
  private readonly byteRate: number;

  constructor(rates: LinkFaultRates, seed: number) {
    if (typeof rates !== 'object' || rates === null) throw new TypeError(`"rates" must be an object: ${String(rates)}`);
    for (const k of Object.keys(rates)) {
      if (!(RATE_KEYS as readonly string[]).includes(k) && k !== 'delay_ms')
        throw new TypeError(`"${k}" is not a link fault (${RATE_KEYS.join(', ')}, delay_ms)`);
    }
    const r: Required<LinkFaultRates> = {
      dropFrame: 0,
      corruptFrame: 0,
      duplicateFrame: 0,
      delayFrame: 0,
      dropByte: 0,
      corruptByte: 0,
      duplicateByte: 0,
      delay_ms: 50,
      ...rates,
    };
    for (const k of RATE_KEYS) {
      const x = r[k];
      if (typeof x !== 'number' || !(x >= 0 && x <= 1)) throw new TypeError(`"${k}" must be a probability 0..1: ${String(x)}`);
    }
    if (typeof r.delay_ms !== 'number' || !(r.delay_ms >= 0) || !Number.isFinite(r.delay_ms)) {
      throw new TypeError(`"delay_ms" must be a finite number >= 0: ${String(r.delay_ms)}`);
    }
    if (!Number.isInteger(seed)) throw new TypeError(`"seed" must be an integer: ${String(seed)}`);
    this.rates = r;
    this.rnd = mulberry32(seed);
    this.byteRate = r.dropByte + r.corruptByte + r.duplicateByte;
  }

  /** The bytes the line carries for `frame` (its COBS run followed by 0x00). */
  apply(frame: Uint8Array): FaultedFrame {
    if (!this.enabled) return { bytes: frame, stallAt: -1, stall_ms: 0 };
    const c = this.counters;
    const r = this.rates;
    const rnd = this.rnd;
    c.frames++;
    let bytes = frame;
    if (rnd() < r.dropFrame) {
      c.framesDropped++;
      bytes = new Uint8Array(0);
    } else if (rnd() < r.corruptFrame) {
      c.framesCorrupted++;
      bytes = this.corrupt(frame);
    } else if (rnd() < r.duplicateFrame) {
      c.framesDuplicated++;
      bytes = new Uint8Array(frame.length * 2);
      bytes.set(frame);
      bytes.set(frame, frame.length);
    } else if (this.byteRate > 0) {
      bytes = this.byteFaults(frame);
    }
    let stallAt = -1;
    let stall_ms = 0;
    if (bytes.length > 0 && rnd() < r.delayFrame) {
      c.framesDelayed++;
      c.delay_ms += r.delay_ms;
      stallAt = Math.floor(rnd() * bytes.length);
      stall_ms = r.delay_ms;
    }
    return { bytes, stallAt, stall_ms };
  }

  /** One data byte (not a code byte, not the delimiter) XORed with a mask that keeps it non-zero. */
  private corrupt(frame: Uint8Array): Uint8Array {
    const data: number[] = [];
    const end = frame.length - 1; // the 0x00 delimiter
    for (let i = 0; i < end;) {
      const code = frame[i]!;
      for (let k = i + 1; k < i + code && k < end; k++) data.push(k);
      i += code;
    }
    const out = frame.slice();
    if (data.length === 0) return out; // cannot happen for a valid frame (version byte)
    const at = data[Math.floor(this.rnd() * data.length)]!;
    out[at] = this.otherNonZero(out[at]!);
    return out;
  }

  /** A uniformly chosen value in 1..255 other than b. */
  private otherNonZero(b: number): number {
    const x = 1 + Math.floor(this.rnd() * 254); // 1..254
    return x >= b ? x + 1 : x;
  }

  private byteFaults(frame: Uint8Array): Uint8Array {
    const r = this.rates;
    const c = this.counters;
    const end = frame.length - 1;
    const out: number[] = [];
    let hit = false;
    for (let i = 0; i < end; i++) {
      const b = frame[i]!;
      const x = this.rnd();
      if (x < r.dropByte) {
        c.bytesDropped++;
        hit = true;
      } else if (x < r.dropByte + r.corruptByte) {
        c.bytesCorrupted++;
        hit = true;
        out.push(this.otherNonZero(b));
      } else if (x < this.byteRate) {
        c.bytesDuplicated++;
        hit = true;
        out.push(b, b);
      } else {
        out.push(b);
      }
    }
    if (!hit) return frame;
    c.framesByteDamaged++;
    out.push(0);
    return Uint8Array.from(out);
  }
}
