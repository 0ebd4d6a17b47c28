/**
 * Encoder: messages → wire bytes. Owns an output buffer that grows by doubling and the sender's
 * sequence counter (u16, +1 per frame, wraps). The stream starts with one 0x00 so that a reader
 * joining at the first byte is synchronised; every frame is followed by 0x00.
 */
import { cobsEncode } from './cobs.ts';
import { writeFrame } from './frame.ts';
import { checkUint } from './internal/wire.ts';
import { MAX_ENCODED_FRAME_SIZE, MAX_FRAME_SIZE, type Message } from './messages.ts';

export interface EncoderOptions {
  /** Sequence number of the first frame (default 0). */
  initialSeq?: number;
  /** Initial output capacity in bytes (default 4096). */
  initialCapacity?: number;
  /** Write a 0x00 before the first frame (default true). */
  leadingDelimiter?: boolean;
}

export class Encoder {
  /** Sequence number the next frame will carry. */
  seq: number;
  private out: Uint8Array;
  private len = 0;
  private readonly raw = new Uint8Array(MAX_FRAME_SIZE);
  private readonly rawView = new DataView(this.raw.buffer);

  constructor(options: EncoderOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError(`"options" must be an object: ${String(options)}`);
    const { initialSeq = 0, initialCapacity = 4096, leadingDelimiter = true } = options;
    if (!Number.isInteger(initialSeq) || initialSeq < 0 || initialSeq > 0xffff) {
      throw new TypeError(`"initialSeq" must be an integer 0..65535: ${initialSeq}`);
    }
    if (!Number.isInteger(initialCapacity) || initialCapacity < 1) {
      throw new TypeError(`"initialCapacity" must be a positive integer: ${initialCapacity}`);
    }
    this.seq = initialSeq;
    this.out = new Uint8Array(initialCapacity);
    if (leadingDelimiter) this.out[this.len++] = 0;
  }

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.len;
  }

  /**
   * Appends the frame of `m` stamped with device time `t_ms` (u32) and the next sequence number;
   * returns that sequence number. Throws (and writes nothing) if `m` cannot be encoded.
   */
  encode(m: Message, t_ms: number): number {
    const seq = this.seq;
    this.encodeWithSeq(m, seq, t_ms);
    this.seq = (seq + 1) & 0xffff;
    return seq;
  }

  /** Appends a frame with an explicit sequence number (retransmissions, tests); the counter is not advanced. */
  encodeWithSeq(m: Message, seq: number, t_ms: number): void {
    const n = writeFrame(this.raw, this.rawView, m, seq, t_ms);
    this.ensure(MAX_ENCODED_FRAME_SIZE + 1);
    const w = cobsEncode(this.raw, this.out, this.len, 0, n);
    this.out[this.len + w] = 0;
    this.len += w + 1;
  }

  /** Appends raw bytes (idle delimiters, test damage). */
  writeRaw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.out.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** View of the bytes written so far; valid until the next write or take. */
  view(): Uint8Array {
    return this.out.subarray(0, this.len);
  }

  /** Copy of the bytes written so far; empties the buffer (the sequence counter goes on). */
  take(): Uint8Array {
    const r = this.out.slice(0, this.len);
    this.len = 0;
    return r;
  }

  /** Empties the buffer and sets the next sequence number. */
  reset(seq = 0): void {
    this.len = 0;
    this.seq = checkUint('seq', seq, 0xffff);
  }

  private ensure(extra: number): void {
    const need = this.len + extra;
    if (need <= this.out.length) return;
    let cap = this.out.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.out.subarray(0, this.len));
    this.out = next;
  }
}
