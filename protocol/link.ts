/**
 * The device end of a serial line: a bounded transmit queue of whole frames, drained at the
 * line's byte rate on device time, through optional seeded faults (linkfaults.ts).
 *
 * Pacing: 8N1 framing puts 10 bits on the line per byte, so `baudRate / 10` bytes per second
 * (115200 baud: 11,520 bytes/s). While the queue holds bytes the line sends them back to back;
 * `advance(t_ms)` emits the bytes sent since the previous call (fractions carry over).
 *
 * Overflow (PROTOCOL.md section 2): when a frame does not fit, whole frames are dropped, never a
 * part of one: first the oldest queued telemetry frames, then, if the new frame is telemetry,
 * the new frame itself. Priority frames (INFO, EVENT, ACK, NACK) may also use `reserveBytes`
 * beyond `queueBytes`, and only when that is full too are the oldest priority frames dropped.
 * The frame being sent is never dropped. Every dropped frame has consumed its sequence number,
 * so the reader counts it as missing (`seqMissing`).
 */
import { LinkFaults } from './linkfaults.ts';
import { MAX_ENCODED_FRAME_SIZE } from './messages.ts';

export interface LinkOptions {
  /** Line rate in bit/s (10 bits per byte). */
  baudRate: number;
  /** Transmit buffer for telemetry, bytes (default 4096; at least two maximum frames). */
  queueBytes?: number;
  /** Extra room only priority frames may use, bytes (default 1024). */
  reserveBytes?: number;
  /** Faults applied to each frame as it starts on the line (default none). */
  faults?: LinkFaults | null;
}

export interface LinkCounters {
  framesQueued: number;
  /** Frames that went on the line (as the faults left them). */
  framesSent: number;
  /** Frames dropped because the queue was full (telemetry + priority). */
  framesDropped: number;
  priorityDropped: number;
  bytesSent: number;
  /** Most bytes ever waiting. */
  queueHighWater: number;
}

interface Queued {
  bytes: Uint8Array;
  priority: boolean;
  /** Not a frame (never dropped, never faulted, not counted). */
  raw?: boolean;
}

const EMPTY = new Uint8Array(0);
/** Credit one byte costs: 10 bits (8N1) × 1000 ms/s, against `baud` units gained per ms. */
const BYTE_COST = 10_000;

/** Bytes per second on a line of `baudRate` bit/s with 8N1 framing. */
export function bytesPerSecond(baudRate: number): number {
  return baudRate / 10;
}

export class PacedLink {
  readonly counters: LinkCounters = {
    framesQueued: 0,
    framesSent: 0,
    framesDropped: 0,
    priorityDropped: 0,
    bytesSent: 0,
    queueHighWater: 0,
  };
  readonly faults: LinkFaults | null;
  /** Line rate, bit/s: the credit gains `baud` units per ms and a byte costs BYTE_COST (exact in integers). */
  private readonly baud: number;
  private readonly capacity: number;
  private readonly reserve: number;
  private readonly out: (bytes: Uint8Array) => void;
  private queue: Queued[] = [];
  private head = 0;
  /** Dropped entries (EMPTY) still in `queue` at or after `head`. */
  private holes = 0;
  private queued = 0;
  /** Frame on the line: its bytes (after faults), how far it got, where it stalls. */
  private cur: Uint8Array | null = null;
  private pos = 0;
  private stallAt = -1;
  private stallLeft_ms = 0;
  private credit = 0;
  private t_ms = NaN;

  constructor(out: (bytes: Uint8Array) => void, options: LinkOptions) {
    if (typeof out !== 'function') throw new TypeError(`"out" must be a function: ${String(out)}`);
    if (typeof options !== 'object' || options === null) throw new TypeError(`"options" must be an object: ${String(options)}`);
    const { baudRate, queueBytes = 4096, reserveBytes = 1024, faults = null } = options;
    if (typeof baudRate !== 'number' || !(baudRate > 0) || !Number.isFinite(baudRate))
      throw new TypeError(`"baudRate" must be a positive number: ${String(baudRate)}`);
    if (!Number.isInteger(queueBytes) || queueBytes < 2 * (MAX_ENCODED_FRAME_SIZE + 1)) {
      throw new TypeError(`"queueBytes" must be an integer >= ${2 * (MAX_ENCODED_FRAME_SIZE + 1)}: ${String(queueBytes)}`);
    }
    if (!Number.isInteger(reserveBytes) || reserveBytes < 0) throw new TypeError(`"reserveBytes" must be an integer >= 0: ${String(reserveBytes)}`);
    if (faults !== null && !(faults instanceof LinkFaults)) throw new TypeError(`"faults" must be a LinkFaults: ${String(faults)}`);
    this.out = out;
    this.baud = baudRate;
    this.capacity = queueBytes;
    this.reserve = reserveBytes;
    this.faults = faults;
  }

  /** Bytes waiting (queued frames, not the one on the line). */
  get queuedBytes(): number {
    return this.queued;
  }

  /** True when nothing is queued or on the line. */
  get idle(): boolean {
    return this.cur === null && this.queued === 0;
  }

  /**
   * Queues one whole frame (its COBS run and 0x00). Returns false if it was dropped. `priority`:
   * INFO, EVENT, ACK and NACK, which telemetry makes way for.
   */
  send(frame: Uint8Array, priority = false): boolean {
    const n = frame.length;
    const c = this.counters;
    c.framesQueued++;
    const room = this.capacity + (priority ? this.reserve : 0);
    if (this.queued + n > room) {
      this.dropOldest(false, room - n);
      if (this.queued + n > room) {
        if (!priority) {
          c.framesDropped++;
          return false;
        }
        this.dropOldest(true, room - n);
      }
    }
    this.queue.push({ bytes: frame, priority });
    this.queued += n;
    if (this.queued > c.queueHighWater) c.queueHighWater = this.queued;
    return true;
  }

  /** Bytes that are not a frame (the 0x00 a sender sends at start): queued ahead of nothing, never dropped or faulted. */
  sendRaw(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.queue.push({ bytes, priority: true, raw: true });
    this.queued += bytes.length;
  }

  /** Drops the oldest queued frames of the given class until `queued <= limit`. */
  private dropOldest(priority: boolean, limit: number): void {
    const q = this.queue;
    for (let i = this.head; i < q.length && this.queued > limit; i++) {
      const e = q[i]!;
      if (e.priority !== priority || e.raw || e.bytes.length === 0) continue;
      this.queued -= e.bytes.length;
      e.bytes = EMPTY; // a hole, skipped by next()
      this.holes++;
      this.counters.framesDropped++;
      if (priority) this.counters.priorityDropped++;
    }
    // a line held for long (flow control) drops a frame for every frame queued: without this the
    // holes would pile up behind the frame waiting at the head and every drop would scan them all
    if (this.holes >= 64 && 2 * this.holes >= this.queue.length - this.head) {
      this.queue = this.queue.slice(this.head).filter((e) => e.bytes.length > 0);
      this.head = 0;
      this.holes = 0;
    }
  }

  /**
   * Moves the line to device time t_ms without sending (flow control: the port downstream is
   * full). Frames keep queueing meanwhile, and overflow as described above.
   */
  hold(t_ms: number): void {
    if (!(t_ms >= this.t_ms) && !Number.isNaN(this.t_ms)) throw new RangeError(`hold: time went back from ${this.t_ms} to ${t_ms} ms`);
    this.t_ms = t_ms;
    this.credit = 0;
  }

  /** Moves the line to device time t_ms, emitting (through `out`) the bytes it sent meanwhile. */
  advance(t_ms: number): void {
    if (Number.isNaN(this.t_ms)) this.t_ms = t_ms;
    const dt = t_ms - this.t_ms;
    if (!(dt >= 0)) throw new RangeError(`advance: time went back from ${this.t_ms} to ${t_ms} ms`);
    this.t_ms = t_ms;
    if (this.idle) {
      this.credit = 0; // an idle line saves nothing up
      return;
    }
    const baud = this.baud;
    this.credit += dt * baud;
    let first: Uint8Array | null = null;
    let more: Uint8Array[] | null = null;
    let total = 0;
    for (;;) {
      if (this.cur === null && !this.next()) {
        this.credit = 0;
        break;
      }
      if (this.pos === this.stallAt) {
        const need = this.stallLeft_ms * baud;
        if (this.credit < need) {
          this.stallLeft_ms -= this.credit / baud;
          this.credit = 0;
          break;
        }
        this.credit -= need;
        this.stallLeft_ms = 0;
        this.stallAt = -1;
      }
      const cur = this.cur!;
      const stop = this.stallAt > this.pos ? this.stallAt : cur.length;
      const n = Math.min(stop - this.pos, Math.floor(this.credit / BYTE_COST));
      if (n > 0) {
        const part = cur.subarray(this.pos, this.pos + n);
        if (first === null) first = part;
        else (more ??= []).push(part);
        total += n;
        this.credit -= n * BYTE_COST;
        this.pos += n;
      }
      if (this.pos === cur.length) this.cur = null;
      else if (this.pos !== this.stallAt) break; // out of credit
    }
    if (first === null) return;
    this.counters.bytesSent += total;
    if (more === null) {
      this.out(first);
      return;
    }
    const all = new Uint8Array(total);
    all.set(first);
    let o = first.length;
    for (const part of more) {
      all.set(part, o);
      o += part.length;
    }
    this.out(all);
  }

  /** Takes the next frame off the queue and puts it on the line (through the faults). */
  private next(): boolean {
    for (;;) {
      const q = this.queue;
      if (this.head >= q.length) return false;
      const e = q[this.head++]!;
      if (this.head >= 64 && this.head * 2 >= q.length) {
        this.queue = q.slice(this.head);
        this.head = 0;
      }
      if (e.bytes.length === 0) {
        this.holes--;
        continue; // dropped while queued
      }
      this.queued -= e.bytes.length;
      if (e.raw) {
        this.start(e.bytes, -1, 0);
        return true;
      }
      this.counters.framesSent++;
      if (this.faults === null) {
        this.start(e.bytes, -1, 0);
        return true;
      }
      const f = this.faults.apply(e.bytes);
      if (f.bytes.length === 0) continue; // lost on the line
      this.start(f.bytes, f.stallAt, f.stall_ms);
      return true;
    }
  }

  private start(bytes: Uint8Array, stallAt: number, stall_ms: number): void {
    this.cur = bytes;
    this.pos = 0;
    this.stallAt = stallAt;
    this.stallLeft_ms = stall_ms;
  }
}
