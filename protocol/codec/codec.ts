import type { Decoded, Message } from '../messages.ts';
import type { ReadError } from '../internal/wire.ts';

/**
 * How one message type maps to its payload. `write` and `read` address the frame buffer through
 * both a byte view and a DataView over the same bytes; `o` is the payload's offset in them.
 */
export interface Codec<M extends Message = Message> {
  readonly type: M['type'];
  /** Payload size of `m` in bytes (validates counts; throws RangeError if too large). */
  size(m: M): number;
  /** Writes the payload of `m`; throws RangeError/TypeError on values that cannot be sent. */
  write(b: Uint8Array, v: DataView, o: number, m: M): void;
  /**
   * Reads a payload of `len` bytes: the decoded message, TRUNCATED when `len` is shorter than the
   * message needs, or BAD_VALUE when a field holds a value the protocol does not define. Bytes
   * past what the message needs are ignored (later protocol revisions may append fields).
   * Chunked codecs fill `into` (an earlier result of this codec) instead of allocating when its
   * arrays have the right length, `reusable` ones always; the others ignore it.
   */
  read(b: Uint8Array, v: DataView, o: number, len: number, seq: number, t_ms: number, into?: Decoded<M>): Decoded<M> | ReadError;
  /** True for messages that carry `offset` + `count` (their results may be reused per offset). */
  readonly chunked?: boolean;
  /** True for fixed-layout messages whose `read` fills `into` (reused as one object per type). */
  readonly reusable?: boolean;
}
