/**
 * From wire bytes to a Timeline: a Decoder (reusing its message objects: the assembler copies
 * what it needs; the per-cell and per-sensor arrays it takes straight from the wire) feeding a
 * SnapshotAssembler. Isomorphic: chunks are Uint8Array; `decodeStream`
 * takes a Node stream (an async iterable of Buffers), a web ReadableStream or any (async)
 * iterable of chunks.
 */
import { Decoder, type DecoderCounters } from '../../protocol/decoder.ts';
import type { Decoded } from '../../protocol/messages.ts';
import { SnapshotAssembler } from './assembler.ts';
import { Timeline } from './store.ts';

/** Rows read before the store is sized from the input's total size. */
const PRESIZE_ROWS = 1024;
/** Room left for a rate change later in the input (beyond it the store doubles as usual). */
const PRESIZE_MARGIN = 1.02;
/**
 * At most this many times the rows read so far are reserved on the strength of them: a file's
 * size may hold far fewer rows than its first part promises (a sparse file, a capture with a
 * long damaged tail), and the reserved rows are filled, so memory. Reaching 3/4 of such a
 * reservation sizes the store again from the input read by then.
 */
const PRESIZE_GROWTH = 64;

/** Chunks in any of the shapes a stream of bytes comes in. */
export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array> | ReadableStream<Uint8Array>;

/** Builds a Timeline from pushed chunks of wire bytes (a capture or a live port). */
export class TimelineBuilder {
  readonly timeline: Timeline;
  readonly assembler: SnapshotAssembler;
  readonly decoder: Decoder;
  /** Wire bytes pushed. */
  bytes = 0;
  private finished = false;
  /** Total bytes expected (a file's size), 0 when unknown; see `push`. */
  private readonly expectedBytes: number;
  /** Rows at which the store is sized (again) from the input's size; Infinity once final. */
  private sizeAt = PRESIZE_ROWS;

  /**
   * `expectedBytes`: the input's total size when known (a file); the store is then sized from
   * the rows per byte of the first PRESIZE_ROWS rows instead of growing by doubling (in steps of
   * at most PRESIZE_GROWTH times the rows read, for an input whose size overstates its rows).
   * `onMessage` sees every message but CELL_VOLTAGES and TEMPERATURES: those go from the wire
   * straight into the store (the assembler is the decoder's `direct` sink), never as objects.
   */
  constructor(options: { engine?: 'auto' | 'js'; onMessage?: (m: Decoded) => void; expectedBytes?: number } = {}) {
    this.expectedBytes = options.expectedBytes ?? 0;
    this.timeline = new Timeline();
    const asm = new SnapshotAssembler(this.timeline);
    this.assembler = asm;
    const extra = options.onMessage;
    this.decoder = new Decoder({
      reuse: true,
      engine: options.engine,
      onMessage: extra === undefined ? (m) => asm.push(m) : (m) => (asm.push(m), extra(m)),
      onSkip: (_type, seq, t_ms) => asm.skip(seq, t_ms),
      direct: asm,
    });
  }

  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    this.decoder.push(chunk);
    if (this.expectedBytes > 0 && this.timeline.length >= this.sizeAt) this.presize();
  }

  /**
   * Reserves the rows the rest of the input will need at the rate seen so far (with a margin),
   * at most PRESIZE_GROWTH times the rows seen (then again from 3/4 of that).
   */
  private presize(): void {
    const tl = this.timeline;
    const rows = Math.ceil((tl.length * this.expectedBytes * PRESIZE_MARGIN) / this.bytes);
    const bound = PRESIZE_GROWTH * tl.length;
    tl.reserve(Math.min(rows, bound), true);
    this.sizeAt = rows > bound ? Math.floor(0.75 * bound) : Infinity;
  }

  /** End of input: a last frame without its 0x00 is taken if whole. Idempotent. */
  finish(): Timeline {
    if (!this.finished) {
      this.finished = true;
      this.decoder.finish();
      this.assembler.finish();
    }
    return this.timeline;
  }

  get counters(): DecoderCounters {
    return this.decoder.counters;
  }
}

/** Iterates the chunks of a source. */
export async function* chunksOf(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (typeof (source as ReadableStream<Uint8Array>).getReader === 'function') {
    const reader = (source as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  yield* source as AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

/**
 * Decodes a stream of wire bytes, calling `onMessage` for every message (fresh objects, safe to
 * keep), and resolves with the decoder's counters once the source ends.
 */
export async function decodeStream(source: ByteSource, onMessage: (m: Decoded) => void): Promise<DecoderCounters> {
  const d = new Decoder({ onMessage });
  for await (const c of chunksOf(source)) d.push(c);
  d.finish();
  return d.counters;
}

/** Reads a whole stream of wire bytes into a Timeline. */
export async function timelineFromStream(source: ByteSource, onChunk?: (bytes: number) => void): Promise<TimelineBuilder> {
  const b = new TimelineBuilder();
  for await (const c of chunksOf(source)) {
    b.push(c);
    onChunk?.(b.bytes);
  }
  b.finish();
  return b;
}

/** Reads the bytes of a whole capture into a Timeline (64 KiB at a time). */
export function timelineFromBytes(bytes: Uint8Array): TimelineBuilder {
  const b = new TimelineBuilder({ expectedBytes: bytes.length });
  const CHUNK = 1 << 16;
  for (let p = 0; p < bytes.length; p += CHUNK) b.push(bytes.subarray(p, p + CHUNK));
  b.finish();
  return b;
}
