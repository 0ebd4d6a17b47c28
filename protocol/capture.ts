/**
 * Capture files are the raw wire bytes, exactly as read from the serial line (`cat /dev/ttyUSB0 >
 * cap.bin` makes one). This is the isomorphic reader; file I/O lives in the Node adapters.
 */
import { Decoder, type DecoderCounters } from './decoder.ts';
import type { Decoded } from './messages.ts';

export interface CaptureResult {
  messages: Decoded[];
  counters: DecoderCounters;
}

/**
 * Decodes a whole capture. Every complete frame is returned, including a last one whose 0x00
 * was cut off; a last frame cut short is counted in `counters.incompleteBytes`, not as an error,
 * and bytes before the first 0x00 that do not form a frame in `counters.presyncBytes`.
 */
export function decodeCapture(bytes: Uint8Array): CaptureResult {
  const messages: Decoded[] = [];
  const d = new Decoder({ onMessage: (m) => messages.push(m) });
  d.push(bytes);
  d.finish();
  return { messages, counters: d.counters };
}
