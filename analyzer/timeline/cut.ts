/**
 * A window of a capture as a capture of its own: the wire bytes of every frame whose time lies in
 * [from_s, to_s), on the axis the analyser's reports and the viewer use (seconds of device time
 * from the first frame, the u32 clock unwrapped, device restarts and late frames as the snapshot
 * assembler places them: DeviceClock, clock.ts). What a report says ("from the restart at
 * 5400.001 s"; a finding's t_start_s) is where to cut.
 *
 * The bytes are the original ones, frame by frame: the piece decodes, replays and analyses like
 * the capture it came from, its report's times counting from its own first frame. Damage stays
 * where it was: bytes that form no frame (a CRC or COBS failure, line noise, a command) go with
 * the frame that follows them, so damage inside the window is in the piece and its data-quality
 * checks report it. A piece that does not start where the capture starts begins with one 0x00,
 * so that a damaged first run counts as an error there too (before a reader's first 0x00 it
 * would count as presync bytes).
 *
 * Frames inside the window are left out (and counted) where the piece could not place them as
 * the whole capture does, so that its rows are the whole's (the property test's law): late frames
 * (ones the link delayed, which DeviceClock gives their own time behind the last frame's) that
 * would be the piece's first frame or are earlier than it, whose loss was counted before the
 * piece began (the piece would take them for a device restart), or that arrive once the current
 * row is beyond the window (the piece would take them for a new row or a restart); and frames
 * with no row (INFO, EVENT, ACK, NACK) at the piece's start when the device restarts before its
 * first row (the whole capture continues its axis from its last row, the piece would from them).
 * All other frames in the window are kept, in their order.
 *
 * Isomorphic: chunks of Uint8Array in, views of the kept bytes out (`onBytes`, valid during the
 * call). Each frame goes through its own Decoder push: ~330 MB/s (a 6 h capture of the default
 * pack, 125 MB, in 0.38 s), half the decoder's full speed.
 */
import { type DirectSink, Decoder } from '../../protocol/decoder.ts';
import { MessageType } from '../../protocol/messages.ts';
import { chunkEntries } from '../../protocol/codec/arrays.ts';
import { DeviceClock, LATE_WINDOW_MS } from './clock.ts';
import { Timeline } from './store.ts';

/** What a cut kept, and what it read. Times are on the whole capture's axis (s). */
export interface CutSummary {
  /** Valid frames in the piece. */
  frames: number;
  /** Bytes written (the leading 0x00 included). */
  bytes: number;
  /** Time of the piece's first and last frame (NaN when it holds none): its report's times count from `first_s`. */
  first_s: number;
  last_s: number;
  /** Valid frames read, and the time of the last one (the capture's span, if it was read to the end). */
  framesRead: number;
  end_s: number;
  /** Frames read that the link delayed (DeviceClock gave them their own time, behind the last frame's). */
  lateFrames: number;
  /** Frames inside the window left out (see the module comment). */
  dropped: number;
  /** Reading stopped early: no later frame could fall inside the window. */
  stoppedEarly: boolean;
}

/** Frame types the assembler does not place in a row (their time does not move the row clock). */
function rowless(type: number): boolean {
  return type === MessageType.INFO || type === MessageType.EVENT || type === MessageType.ACK || type === MessageType.NACK;
}

export class CaptureCutter {
  /** True once no later frame can fall inside the window: stop reading. */
  done = false;
  private finished = false;
  private readonly from_s: number;
  private readonly to_s: number;
  private readonly onBytes: (b: Uint8Array) => void;
  private readonly decoder: Decoder;
  private readonly timeline = new Timeline();
  private readonly clock = new DeviceClock(this.timeline);
  /** The assembler's current row time (ms), which DeviceClock continues from at a restart. */
  private rowT_ms = NaN;
  /** The last pushed run's frame: its time in ms, NaN when it was none (damage, a command). */
  private frameT_ms = NaN;
  private frameSeq = 0;
  /** The last pushed run's frame was a late one (DeviceClock gave it its own time behind the last). */
  private frameLate = false;
  /** The seq DeviceClock follows (that of the last frame that was not late), -1 before the first. */
  private clockSeq = -1;
  /** The bytes of an unfinished run (its 0x00 not seen yet). */
  private carry = new Uint8Array(1024);
  private carryLen = 0;
  /** Runs that formed no frame since the last frame, to go with the next frame if it is kept. */
  private pending = new Uint8Array(1024);
  private pendingLen = 0;
  /** Input offset of the first pending byte. */
  private pendingAt = 0;
  /** Bytes of the input read so far, and whether the piece has started (its first byte is not the input's). */
  private readBytes = 0;
  private started = false;
  private lastKept = false;
  /** The current row is at or beyond `to_s`: a frame inside the window now can only be a late one. */
  private passedEnd = false;
  private firstSeq = -1;
  /**
   * The piece's bytes until its first row frame (one the assembler puts in a row: not INFO, EVENT,
   * ACK, NACK), held back: a device restart before that row would make the piece continue its
   * axis from those frames where the whole capture continues from its last row, so the piece
   * then starts again from the restart and they are left out.
   */
  private head = new Uint8Array(256);
  private headLen = 0;
  private headFrames = 0;
  private rowKept = false;
  /** The last pushed run's frame goes into a row (see `head`), a new one. */
  private frameRow = false;
  private frameNewRow = false;
  /** Device restarts the clock had seen when the piece started. */
  private restartsAtStart = 0;
  private readonly summary: CutSummary = {
    frames: 0,
    bytes: 0,
    first_s: NaN,
    last_s: NaN,
    framesRead: 0,
    end_s: NaN,
    lateFrames: 0,
    dropped: 0,
    stoppedEarly: false,
  };
  private readonly zero = new Uint8Array(1);

  /** `from_s` < `to_s` (either may be ±Infinity): the half-open window, s from the capture's first frame. */
  constructor(window: { from_s: number; to_s: number }, onBytes: (b: Uint8Array) => void) {
    const { from_s, to_s } = window;
    if (Number.isNaN(from_s) || Number.isNaN(to_s) || !(from_s < to_s)) throw new RangeError(`the window must have from_s < to_s: ${from_s}, ${to_s}`);
    this.from_s = from_s;
    this.to_s = to_s;
    this.onBytes = onBytes;
    const sink: DirectSink = {
      types: [MessageType.CELL_VOLTAGES, MessageType.TEMPERATURES],
      // the same validity as the assembler's own direct sink
      payload: (type, seq, t_ms, _b, v, o, len) => {
        const n = chunkEntries(v, o, len, type);
        if (n < 0) return -n;
        this.placed(type, seq, t_ms, true);
        return 0;
      },
    };
    this.decoder = new Decoder({
      reuse: true,
      direct: sink,
      onMessage: (m) => this.placed(m.type, m.seq, m.t_ms, true),
      onSkip: (type, seq, t_ms) => this.placed(type, seq, t_ms, false),
    });
  }

  /** Valid frames read so far. */
  get framesRead(): number {
    return this.summary.framesRead;
  }

  /** A frame as the snapshot assembler sees it (`push`, `payload` or `skip`): its time, and the row clock. */
  private placed(type: number, seq: number, t_ms: number, delivered: boolean): void {
    if (delivered && type >= 0x80) return; // commands: the assembler ignores them (no time)
    const steps = this.timeline.clockSteps.length;
    const t = this.clock.time(t_ms, seq, this.rowT_ms);
    // a seq behind the last is a late frame or a device restart, and only a restart is recorded
    this.frameLate = this.clockSeq >= 0 && ((seq - this.clockSeq) & 0xffff) >= 0x8000 && this.timeline.clockSteps.length === steps;
    if (!this.frameLate) this.clockSeq = seq;
    this.frameRow = delivered && !rowless(type);
    this.frameNewRow = this.frameRow && !(t <= this.rowT_ms);
    if (this.frameNewRow) this.rowT_ms = t;
    this.frameT_ms = t;
    this.frameSeq = seq;
  }

  push(chunk: Uint8Array): void {
    let p = 0;
    const n = chunk.length;
    while (p < n && !this.done) {
      const z = chunk.indexOf(0, p);
      if (z < 0) {
        this.carry = append(this.carry, this.carryLen, chunk, p, n);
        this.carryLen += n - p;
        return;
      }
      if (this.carryLen > 0) {
        this.carry = append(this.carry, this.carryLen, chunk, p, z + 1);
        const run = this.carry.subarray(0, this.carryLen + z + 1 - p);
        this.carryLen = 0;
        this.run(run, false);
      } else this.run(chunk.subarray(p, z + 1), false);
      p = z + 1;
    }
  }

  /** End of input: a last run without its 0x00 counts if it is a whole frame. Idempotent. */
  finish(): CutSummary {
    if (this.finished) return { ...this.summary };
    this.finished = true;
    if (!this.done && this.carryLen > 0) {
      const run = this.carry.subarray(0, this.carryLen);
      this.carryLen = 0;
      this.run(run, true);
    }
    // damage after the piece's last frame belongs to it when the window ran to the end
    if (!this.done && this.lastKept && this.pendingLen > 0) this.emit(this.pending.subarray(0, this.pendingLen));
    this.pendingLen = 0;
    this.releaseHead(); // a piece with no row frame at all (INFOs, EVENTs only)
    this.summary.stoppedEarly = this.done;
    this.done = true;
    return { ...this.summary };
  }

  /** One run (its 0x00 included, unless `last`). */
  private run(run: Uint8Array, last: boolean): void {
    const at = this.readBytes;
    this.readBytes += run.length;
    this.frameT_ms = NaN;
    this.decoder.push(run);
    if (last) this.decoder.finish();
    const t_ms = this.frameT_ms;
    if (Number.isNaN(t_ms)) {
      this.pending = append(this.pending, this.pendingLen, run, 0, run.length);
      this.pendingLen += run.length;
      if (this.pendingLen === run.length) this.pendingAt = at;
      return;
    }
    const s = this.summary;
    const t_s = t_ms / 1000;
    s.framesRead++;
    s.end_s = t_s;
    if (this.frameLate) s.lateFrames++;
    let keep = t_s >= this.from_s && t_s < this.to_s;
    if (keep && this.started && !this.rowKept && this.timeline.clockSteps.length > this.restartsAtStart) {
      // a restart before the piece's first row: start it again here (see `head`)
      s.dropped += this.headFrames;
      s.frames -= this.headFrames;
      this.headLen = 0;
      this.headFrames = 0;
      this.started = false;
      s.last_s = NaN;
    }
    if (keep && this.frameLate) {
      // the late frames the piece could not place as the whole capture does: one that would be
      // the piece's first frame (a row of its own there, unless it made one in the whole capture
      // too: one later than its last row) or earlier than it; one whose loss was counted before
      // the piece began (the piece would take it for a device restart: DeviceClock only knows
      // the losses of the last LATE_WINDOW_MS, in the same run); one after the last row of the
      // window (the piece would take it for a new row or a restart, where the capture has it
      // fill a row)
      const lostBefore =
        this.timeline.clockSteps.length === this.restartsAtStart &&
        t_s - s.first_s <= LATE_WINDOW_MS / 1000 &&
        ((this.frameSeq - this.firstSeq) & 0xffff) >= 0x8000;
      if ((!this.started && !this.frameNewRow) || t_s < s.first_s || lostBefore || this.passedEnd) {
        keep = false;
        s.dropped++;
      }
    }
    if (keep) {
      const startAt = this.pendingLen > 0 ? this.pendingAt : at;
      if (!this.started) {
        this.started = true;
        if (startAt > 0) this.emit(this.zero);
        this.firstSeq = this.frameSeq;
        this.restartsAtStart = this.timeline.clockSteps.length;
        s.first_s = t_s;
      }
      if (this.pendingLen > 0) this.emit(this.pending.subarray(0, this.pendingLen));
      this.emit(run);
      s.frames++;
      if (!(t_s <= s.last_s)) s.last_s = t_s;
      if (!this.rowKept) {
        this.headFrames++;
        if (this.frameRow) this.releaseHead();
      }
    }
    this.pendingLen = 0;
    this.lastKept = keep;
    // Every later frame is after the current row (a frame of this run, or of the next after a
    // restart: DeviceClock continues the axis after the row), or a late one at most
    // LATE_WINDOW_MS behind the last frame, itself no earlier than the row.
    if (this.rowT_ms >= this.to_s * 1000) this.passedEnd = true;
    if (this.rowT_ms >= this.to_s * 1000 + LATE_WINDOW_MS) this.done = true;
  }

  /** Out with the piece's bytes, or into `head` before its first row frame. */
  private emit(b: Uint8Array): void {
    if (!this.rowKept) {
      this.head = append(this.head, this.headLen, b, 0, b.length);
      this.headLen += b.length;
      return;
    }
    this.summary.bytes += b.length;
    this.onBytes(b);
  }

  /** The piece has its first row frame (or has ended): what was held back goes out. */
  private releaseHead(): void {
    this.rowKept = true;
    if (this.headLen > 0) this.emit(this.head.subarray(0, this.headLen));
    this.headLen = 0;
  }
}

/** `buf` with src[from..to) written at `len` (grown by doubling when needed). */
function append(buf: Uint8Array<ArrayBuffer>, len: number, src: Uint8Array, from: number, to: number): Uint8Array<ArrayBuffer> {
  const need = len + to - from;
  if (need > buf.length) {
    let cap = buf.length;
    while (cap < need) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(buf.subarray(0, len));
    buf = b;
  }
  buf.set(src.subarray(from, to), len);
  return buf;
}
