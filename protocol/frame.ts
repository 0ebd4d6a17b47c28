/**
 * The frame before COBS: version u8, type u8, seq u16, t_ms u32, payload, CRC-32C u32 over all
 * bytes before it. `writeFrame` builds one into a caller buffer; `encodeFrame` adds COBS and the
 * 0x00 delimiter and returns new bytes (convenient, allocating; the Encoder is the fast path).
 */
import { CODEC_BY_TYPE } from './codec/index.ts';
import { cobsEncode, cobsMaxEncodedLength } from './cobs.ts';
import { crc32cView } from './crc.ts';
import { checkUint } from './internal/wire.ts';
import { CRC_SIZE, HEADER_SIZE, MAX_FRAME_SIZE, MAX_PAYLOAD_SIZE, PROTOCOL_VERSION, type Message } from './messages.ts';

/**
 * Writes the un-stuffed frame of `m` into `buf` at 0 (`buf` must hold MAX_FRAME_SIZE bytes, `view`
 * is a DataView over the same bytes); returns the frame length. Throws RangeError/TypeError for an
 * unknown type or a value the protocol cannot carry.
 */
export function writeFrame(buf: Uint8Array, view: DataView, m: Message, seq: number, t_ms: number): number {
  const codec = CODEC_BY_TYPE[m.type];
  if (codec === undefined) throw new RangeError(`invalid type: ${String(m.type)}`);
  const size = codec.size(m);
  if (size > MAX_PAYLOAD_SIZE) throw new RangeError(`invalid payload size: ${size} > ${MAX_PAYLOAD_SIZE}`);
  buf[0] = PROTOCOL_VERSION;
  buf[1] = m.type;
  view.setUint16(2, checkUint('seq', seq, 0xffff), true);
  view.setUint32(4, checkUint('t_ms', t_ms, 0xffffffff), true);
  codec.write(buf, view, HEADER_SIZE, m);
  const end = HEADER_SIZE + size;
  view.setUint32(end, crc32cView(view, 0, end), true);
  return end + CRC_SIZE;
}

/** Frame of `m` as it goes on the wire: COBS bytes followed by one 0x00. */
export function encodeFrame(m: Message, seq: number, t_ms: number): Uint8Array {
  const raw = new Uint8Array(MAX_FRAME_SIZE);
  const n = writeFrame(raw, new DataView(raw.buffer), m, seq, t_ms);
  const out = new Uint8Array(cobsMaxEncodedLength(n) + 1);
  const w = cobsEncode(raw, out, 0, 0, n);
  out[w] = 0;
  return out.slice(0, w + 1);
}

/** The un-stuffed frame of `m` (header, payload, CRC), as new bytes. */
export function rawFrame(m: Message, seq: number, t_ms: number): Uint8Array {
  const raw = new Uint8Array(MAX_FRAME_SIZE);
  const n = writeFrame(raw, new DataView(raw.buffer), m, seq, t_ms);
  return raw.slice(0, n);
}
