/**
 * Streaming decoder: wire bytes in chunks of any size → typed messages and counters.
 *
 * The input is copied, one window of up to WINDOW bytes at a time, behind the unfinished run
 * carried from before (at most MAX_ENCODED_FRAME_SIZE bytes) in a work buffer the decoder owns.
 * There it is split into runs at 0x00 (found a 32-bit word at a time), and each run is
 * COBS-decoded in place: the decoded frame is the run without its first byte, with every later
 * code byte replaced by 0x00 (and the data moved back one byte after each 0xFF code, which
 * inserts no zero). A run is checked (length, CRC-32C, version), then its payload is read by the
 * codec of its type. The common case (no 0xFF code, a chain ending at the 0x00, a valid frame)
 * takes a fast path that only zeroes the code bytes; any run that fails it has its code bytes
 * put back and goes through the general path, which classifies it exactly (tested against a
 * plain reader written from PROTOCOL.md, test/protocol/reference-reader.ts). A run longer than
 * MAX_ENCODED_FRAME_SIZE is dropped as it arrives, never buffered. The unfinished tail is moved
 * to the front of the buffer once per window. Bad bytes become counters: `push` never throws on
 * its input.
 *
 * Two paths give the same messages and counters (tests and `npm run fuzz` compare them on
 * damaged streams): by default the window is split, un-stuffed and CRC-checked by the
 * WebAssembly frame scanner (framescan/: SIMD zero search, the same fast path, CRC-32C
 * slicing-by-16 without bounds checks), which works on the work buffer in its own memory and
 * returns one record per run; runs it could not decode come back with their bytes as they
 * arrived and take run(). Where WebAssembly is unavailable, or with `engine: 'js'`, the same
 * loop runs here in JavaScript. A stretch of consecutive 0x00 (idle fill, PROTOCOL.md section
 * 3: empty runs, ignored) is one record and one step on both paths, not one per byte: a
 * zero-filled tail (a logger's preallocated file) goes at 10-15 GB/s, not 150 MB/s
 * (`npm run bench -- decode-fill`).
 *
 * Speed (bench/cases/decode.ts, `npm run bench -- decode-24h`, 2-core Xeon, Node 20): 655-730
 * MB/s on the WebAssembly path, 500-560 MB/s on the JavaScript one. Per frame the work is the
 * zero search, the COBS code chain, CRC-32C and the payload read; per-cell arrays are converted
 * through lookup tables (internal/wire.ts) instead of a division per value, and `reuse` refills
 * the arrays of chunked messages instead of allocating them.
 */
import { CODEC_BY_TYPE } from './codec/index.ts';
import { clockStep } from './clock.ts';
import { countStep, newCounters, type DecoderCounters } from './counters.ts';
import { crc32cView } from './crc.ts';
import { EMPTY, RECORDS_MAX, newFrameScan, type FrameScan } from './framescan/index.ts';
import { TRUNCATED } from './internal/wire.ts';
import { CRC_SIZE, HEADER_SIZE, MAX_CELLS, MAX_ENCODED_FRAME_SIZE, MAX_FRAME_SIZE, MIN_FRAME_SIZE, PROTOCOL_VERSION, type Decoded } from './messages.ts';

/** Bytes of input copied into the work buffer at a time. */
const WINDOW = 1 << 16;
/** Carried run + window + sentinel, rounded up to whole words. */
const WORK_SIZE = (MAX_ENCODED_FRAME_SIZE + WINDOW + 8) & ~3;

export { newCounters, type DecoderCounters };

/** Why a frame that passed the CRC was not delivered. */
export type SkipReason = 'unknown-type' | 'truncated' | 'bad-value' | 'duplicate';

export interface DecoderOptions {
  /** Called for each message; when given, `push` and `finish` return an empty array. */
  onMessage?: (m: Decoded) => void;
  /** Called for each valid frame that is not delivered (e.g. to NACK an unknown command). */
  onSkip?: (type: number, seq: number, t_ms: number, reason: SkipReason) => void;
  /** Drop a frame whose seq equals the previous frame's (default true). */
  dropDuplicates?: boolean;
  /**
   * Reuse message objects of chunked types (CELL_VOLTAGES, TEMPERATURES, BALANCING,
   * SIM_CELL_TRUTH) and of PACK_STATUS: the message for a given type (and offset) is the same
   * object each time, refilled, so it is valid only until the next message of that type and
   * offset. Saves an allocation per message on the hot path (default false).
   */
  reuse?: boolean;
  /**
   * 'auto' (default): split and check frames in the WebAssembly frame scanner
   * (framescan/), where WebAssembly with SIMD is available, else in JavaScript; 'js': always
   * in JavaScript. Both give the same messages and counters.
   */
  engine?: 'auto' | 'js';
  /**
   * Takes the payloads of chosen types straight from the wire instead of as messages (a reader
   * that stores them its own way, e.g. the analyser's timeline, saves the intermediate arrays).
   * Frames of those types are checked, counted and seq-followed as any other; `onMessage` is not
   * called for them.
   */
  direct?: DirectSink;
}

/** See DecoderOptions.direct. */
export interface DirectSink {
  /** Type ids (< 256) whose payloads go to `payload` instead of a codec. */
  readonly types: readonly number[];
  /**
   * A valid frame of one of `types`: its payload is bytes[o..o+len) (view over the same bytes),
   * valid during the call. Returns 0 when taken (counted in `messages`), or TRUNCATED / BAD_VALUE
   * (protocol/internal/wire.ts) as a codec's `read` would (counted and skipped like theirs).
   */
  payload(type: number, seq: number, t_ms: number, bytes: Uint8Array, view: DataView, o: number, len: number): number;
}

type RunOutcome = 'crc' | 'cobs' | 'short' | 'version' | 'oversize' | null;

export class Decoder {
  readonly counters: DecoderCounters = newCounters();
  private readonly onMessage: ((m: Decoded) => void) | undefined;
  private readonly onSkip: DecoderOptions['onSkip'];
  private readonly dropDuplicates: boolean;
  private readonly out: Decoded[] = [];
  /** The WebAssembly frame scanner, or null on the JavaScript path. */
  private readonly fs: FrameScan | null;
  /** Which path decodes: 'wasm' (the frame scanner) or 'js'. */
  readonly engine: 'wasm' | 'js';
  /**
   * Work buffer: carried run, then the current window, then one sentinel 0x00 (and slack to a
   * whole word). In the scanner's memory on the WebAssembly path.
   */
  private readonly work: Uint8Array;
  private readonly view: DataView;
  /** The same bytes as 32-bit words, only to find 0x00 a word at a time (byte order does not matter). */
  private readonly words: Int32Array;
  /** Length of the unfinished run at work[0..). */
  private pendingLen = 0;
  /** Inside a run already known to be too long: drop bytes up to the next 0x00. */
  private discarding = false;
  /** A 0x00 has been seen (before it, failures are presync bytes, not errors). */
  private synced = false;
  private lastSeq = -1;
  /** t_ms of the frame that set lastSeq. */
  private lastT_ms = 0;
  /** reuse: the last message per chunked type and offset, refilled by the next one. */
  private readonly cache: (Decoded | undefined)[][] | null;
  private readonly direct: DirectSink | null;
  /** 1 for the type ids `direct` takes. */
  private readonly directTypes = new Uint8Array(256);

  constructor(options: DecoderOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError(`"options" must be an object: ${String(options)}`);
    const { onMessage, onSkip, dropDuplicates = true, reuse = false, engine = 'auto', direct } = options;
    if (onMessage !== undefined && typeof onMessage !== 'function') throw new TypeError(`"onMessage" must be a function: ${String(onMessage)}`);
    if (onSkip !== undefined && typeof onSkip !== 'function') throw new TypeError(`"onSkip" must be a function: ${String(onSkip)}`);
    if (typeof dropDuplicates !== 'boolean') throw new TypeError(`"dropDuplicates" must be a boolean: ${String(dropDuplicates)}`);
    if (typeof reuse !== 'boolean') throw new TypeError(`"reuse" must be a boolean: ${String(reuse)}`);
    if (engine !== 'auto' && engine !== 'js') throw new TypeError(`"engine" must be "auto" or "js": ${String(engine)}`);
    this.fs = engine === 'auto' ? newFrameScan(WORK_SIZE) : null;
    this.engine = this.fs !== null ? 'wasm' : 'js';
    this.work = this.fs !== null ? this.fs.work : new Uint8Array(WORK_SIZE);
    this.view = new DataView(this.work.buffer, this.work.byteOffset, this.work.byteLength);
    this.words = new Int32Array(this.work.buffer, this.work.byteOffset, WORK_SIZE >> 2);
    this.onMessage = onMessage;
    this.onSkip = onSkip;
    this.dropDuplicates = dropDuplicates;
    this.cache = reuse ? [] : null;
    if (direct !== undefined && (typeof direct !== 'object' || direct === null || typeof direct.payload !== 'function' || !Array.isArray(direct.types))) {
      throw new TypeError(`"direct" must be an object with "types" and "payload": ${String(direct)}`);
    }
    this.direct = direct ?? null;
    for (const t of direct?.types ?? []) {
      if (!Number.isInteger(t) || t < 0 || t > 255) throw new TypeError(`"direct.types" must hold type ids 0..255: ${String(t)}`);
      this.directTypes[t] = 1;
    }
  }

  /**
   * Feeds bytes. Returns the messages completed by this chunk, in an array the decoder reuses
   * (valid until the next call; empty when `onMessage` is set).
   */
  push(chunk: Uint8Array): readonly Decoded[] {
    this.out.length = 0;
    const n = chunk.length;
    for (let p = 0; p < n; p += WINDOW) {
      const take = n - p < WINDOW ? n - p : WINDOW;
      this.work.set(p === 0 && take === n ? chunk : chunk.subarray(p, p + take), this.pendingLen);
      this.scan(this.pendingLen, this.pendingLen + take);
    }
    return this.out;
  }

  /**
   * End of input: a last run without its 0x00 is decoded if it is a whole frame, otherwise its
   * bytes are counted in `incompleteBytes`. Returns the messages it completed (like `push`).
   */
  finish(): readonly Decoded[] {
    this.out.length = 0;
    this.discarding = false;
    if (this.pendingLen > 0) {
      const len = this.pendingLen;
      this.pendingLen = 0;
      this.run(0, len, true);
    }
    return this.out;
  }

  /** Forgets all state but the counters (use a new Decoder for fresh counters). */
  reset(): void {
    this.pendingLen = 0;
    this.discarding = false;
    this.synced = false;
    this.lastSeq = -1;
    this.lastT_ms = 0;
    this.out.length = 0;
  }

  /** Splits work[0..end) into runs; new bytes start at `from` (work[0..from) holds no 0x00). */
  private scan(from: number, end: number): void {
    const w = this.work;
    w[end] = 0; // sentinel: the zero search stops here at the latest
    let s = 0;
    const fs = this.fs;
    if (fs !== null) {
      // WebAssembly: the scanner splits the window into runs and runs the fast path on each
      const records = fs.records;
      for (;;) {
        const n = fs.scan(s, from, end);
        for (let k = 0; k < n; k++) {
          const r = records[k]!;
          if (r >= EMPTY) {
            // a stretch of empty runs (idle fill) up to the 0x00 at r ^ EMPTY: settling one of
            // them is settling them all
            this.settle(s, s, false);
            s = (r ^ EMPTY) + 1;
            continue;
          }
          const z = r < 0 ? ~r : r;
          this.settle(s, z, r >= 0);
          s = z + 1;
        }
        if (n < RECORDS_MAX) break;
        from = s;
      }
    } else {
      for (;;) {
        const z = this.nextZero(from);
        if (z === end) break;
        const runLen = z - s;
        if (runLen === 0) {
          // idle fill: the 0x00 right after this one end empty runs too (settled alike)
          let q = z + 1;
          while (q < end && (q & 3) !== 0 && w[q] === 0) q++;
          if ((q & 3) === 0) {
            const words = this.words;
            while (q + 4 <= end && words[q >> 2] === 0) q += 4;
          }
          while (q < end && w[q] === 0) q++;
          this.settle(s, z, false);
          s = from = q;
          continue;
        }
        let ok = false;
        if (!this.discarding && runLen <= MAX_ENCODED_FRAME_SIZE) {
          // Fast path, inline: a run whose COBS chain ends exactly at z with no 0xFF code (every
          // frame of up to 254 bytes, and most others) decodes by zeroing its code bytes; then the
          // length, CRC and version checks. Anything else has its bytes put back for run(),
          // which handles every case.
          let i = s + w[s]!;
          while (i < z) {
            const code = w[i]!;
            if (code === 0xff) break;
            w[i] = 0;
            i += code;
          }
          const f = s + 1;
          const len = z - f;
          const v = this.view;
          ok =
            i === z &&
            w[s] !== 0xff &&
            len >= MIN_FRAME_SIZE &&
            len <= MAX_FRAME_SIZE &&
            w[f] === PROTOCOL_VERSION &&
            crc32cView(v, f, z - CRC_SIZE) === v.getUint32(z - CRC_SIZE, true);
          if (!ok) this.restore(s, z, i);
        }
        this.settle(s, z, ok);
        s = from = z + 1;
      }
    }
    const tail = end - s;
    if (this.discarding) {
      this.dropBytes(tail);
      this.pendingLen = 0;
    } else if (tail > MAX_ENCODED_FRAME_SIZE) {
      this.reject('oversize', tail);
      this.discarding = true;
      this.pendingLen = 0;
    } else {
      if (s > 0 && tail > 0) w.copyWithin(0, s, end);
      this.pendingLen = tail;
    }
  }

  /**
   * The run work[s..z), ended by the 0x00 at z: `decoded` when the fast path left it decoded in
   * place as a valid frame (at s + 1), else its bytes are as they came.
   */
  private settle(s: number, z: number, decoded: boolean): void {
    const runLen = z - s;
    if (this.discarding) {
      this.dropBytes(runLen);
      this.discarding = false;
    } else if (runLen > MAX_ENCODED_FRAME_SIZE) {
      this.reject('oversize', runLen);
    } else if (decoded) {
      this.frame(s + 1, runLen - 1, runLen);
    } else if (runLen > 0) {
      this.run(s, z, false);
    }
    this.synced = true;
  }

  /**
   * Index of the first 0x00 at or after i (the sentinel at the end of the window stops it): bytes
   * up to a word boundary, then whole aligned words tested with the "has a zero byte" identity
   * (x - 0x01010101) & ~x & 0x80808080, which is non-zero exactly when some byte of x is 0; about
   * twice as fast as TypedArray indexOf for frame-sized distances.
   */
  private nextZero(i: number): number {
    const w = this.work;
    while ((i & 3) !== 0) {
      if (w[i] === 0) return i;
      i++;
    }
    const u = this.words;
    let k = i >> 2;
    for (;;) {
      const x = u[k]!;
      if (((x - 0x01010101) & ~x & 0x80808080) !== 0) break;
      k++;
    }
    i = k << 2;
    while (w[i] !== 0) i++;
    return i;
  }

  private dropBytes(len: number): void {
    if (this.synced) this.counters.bytesDiscarded += len;
    else this.counters.presyncBytes += len;
  }

  private reject(why: Exclude<RunOutcome, null>, len: number): void {
    const c = this.counters;
    if (!this.synced) {
      c.presyncBytes += len;
      return;
    }
    c.bytesDiscarded += len;
    switch (why) {
      case 'crc':
        c.crcErrors++;
        break;
      case 'cobs':
        c.cobsErrors++;
        break;
      case 'short':
        c.shortFrames++;
        break;
      case 'version':
        c.badVersions++;
        break;
      case 'oversize':
        c.oversizeRuns++;
        break;
    }
  }

  /**
   * Undoes the fast path's zeroing of code bytes in the run work[s..z) (which held no 0x00), whose
   * chain walk stopped at `last`: each zeroed byte was the distance to the next chain position,
   * i.e. to the next zero in the run, or to `last` for the final one.
   */
  private restore(s: number, z: number, last: number): void {
    const w = this.work;
    let i = s + w[s]!;
    while (i < z && i !== last) {
      let j = i + 1;
      while (j < z && w[j] !== 0) j++;
      if (j === z) j = last;
      w[i] = j - i;
      i = j;
    }
  }

  /** Decodes the run work[s..e) (1..MAX_ENCODED_FRAME_SIZE bytes, no 0x00) in place. */
  private run(s: number, e: number, atEnd: boolean): void {
    const w = this.work;
    let i = s;
    let shift = 0; // bytes the data has moved back (one per 0xFF code)
    let zeroAt = -1; // where the previous block's trailing zero goes
    let why: RunOutcome = null;
    let code = 0;
    while (i < e) {
      code = w[i]!;
      if (zeroAt >= 0) w[zeroAt] = 0;
      const blockEnd = i + code;
      if (blockEnd > e) {
        why = 'cobs';
        break;
      }
      if (shift > 0) w.copyWithin(i + 1 - shift, i + 1, blockEnd);
      if (code === 0xff) {
        zeroAt = -1;
        shift++;
      } else {
        zeroAt = blockEnd - shift;
      }
      i = blockEnd;
    }
    const f = s + 1; // decoded frame: work[f..f+len)
    // a code byte after a 0xFF block is dropped (shift); a last block of 0xFF has none after it
    // (the frame ends with 254 non-zero bytes and no empty 0x01 block: PROTOCOL.md section 3)
    const len = e - f - shift + (code === 0xff && why === null ? 1 : 0);
    if (why !== null) {
      // set above
    } else if (len < MIN_FRAME_SIZE) why = 'short';
    else if (len > MAX_FRAME_SIZE) why = 'oversize';
    else if (crc32cView(this.view, f, f + len - CRC_SIZE) !== this.view.getUint32(f + len - CRC_SIZE, true)) why = 'crc';
    else if (w[f] !== PROTOCOL_VERSION) why = 'version';
    if (why !== null) {
      if (atEnd) this.counters.incompleteBytes += e - s;
      else this.reject(why, e - s);
      return;
    }
    this.frame(f, len, e - s);
  }

  /** A valid frame of `len` bytes is at work[f..). */
  private frame(f: number, len: number, wireLen: number): void {
    const c = this.counters;
    const v = this.view;
    c.frames++;
    c.frameBytes += wireLen;
    const type = this.work[f + 1]!;
    const seq = v.getUint16(f + 2, true);
    const t_ms = v.getUint32(f + 4, true);
    const last = this.lastSeq;
    const lastT = this.lastT_ms;
    this.lastSeq = seq;
    this.lastT_ms = t_ms;
    if (last >= 0 && countStep(c, (seq - last) & 0xffff, clockStep(t_ms, lastT)) && this.dropDuplicates) {
      this.skip(type, seq, t_ms, 'duplicate');
      return;
    }
    const codec = CODEC_BY_TYPE[type];
    if (codec === undefined) {
      c.unknownTypes++;
      this.skip(type, seq, t_ms, 'unknown-type');
      return;
    }
    const o = f + HEADER_SIZE;
    const payloadLen = len - HEADER_SIZE - CRC_SIZE;
    if (this.directTypes[type] === 1) {
      const e = this.direct!.payload(type, seq, t_ms, this.work, v, o, payloadLen);
      if (e === 0) c.messages++;
      else this.failed(e, type, seq, t_ms);
      return;
    }
    let m: Decoded | number;
    const cache = this.cache;
    if (cache !== null && (codec.chunked === true || codec.reusable === true)) {
      // one object per type (and offset, for chunked types); a payload too short for its offset
      // is decoded fresh (the codec reports it truncated)
      const offset = codec.reusable === true ? 0 : payloadLen >= 2 ? v.getUint16(o, true) : MAX_CELLS + 1;
      const slot = offset <= MAX_CELLS ? (cache[type] ??= new Array<Decoded | undefined>(MAX_CELLS + 1)) : null;
      const prev = slot === null ? undefined : slot[offset];
      m = codec.read(this.work, v, o, payloadLen, seq, t_ms, prev);
      if (slot !== null && typeof m !== 'number' && m !== prev) slot[offset] = m;
    } else {
      m = codec.read(this.work, v, o, payloadLen, seq, t_ms);
    }
    if (typeof m === 'number') {
      this.failed(m, type, seq, t_ms);
      return;
    }
    c.messages++;
    if (this.onMessage !== undefined) this.onMessage(m);
    else this.out.push(m);
  }

  /** A payload its reader refused (TRUNCATED or BAD_VALUE): counted and skipped. */
  private failed(e: number, type: number, seq: number, t_ms: number): void {
    if (e === TRUNCATED) {
      this.counters.truncatedPayloads++;
      this.skip(type, seq, t_ms, 'truncated');
    } else {
      this.counters.badValues++;
      this.skip(type, seq, t_ms, 'bad-value');
    }
  }

  private skip(type: number, seq: number, t_ms: number, reason: SkipReason): void {
    if (this.onSkip !== undefined) this.onSkip(type, seq, t_ms, reason);
  }
}

/** Decodes a whole byte string (including a last frame without its 0x00). */
export function decodeAll(bytes: Uint8Array, options: Pick<DecoderOptions, 'engine'> = {}): Decoded[] {
  const msgs: Decoded[] = [];
  const d = new Decoder({ ...options, onMessage: (m) => msgs.push(m) });
  d.push(bytes);
  d.finish();
  return msgs;
}
