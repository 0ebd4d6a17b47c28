/** Building frames by hand (arbitrary payload bytes, version) for decoder tests. */
import { cobsEncode, cobsMaxEncodedLength } from '../../protocol/cobs.ts';
import { crc32c } from '../../protocol/crc.ts';
import { PROTOCOL_VERSION } from '../../protocol/messages.ts';

/** Wire bytes (COBS + 0x00) of a frame with the given header fields and payload, valid CRC. */
export function frameOf(type: number, payload: Uint8Array, seq = 0, t_ms = 0, version = PROTOCOL_VERSION): Uint8Array {
  const raw = new Uint8Array(8 + payload.length + 4);
  const v = new DataView(raw.buffer);
  raw[0] = version;
  raw[1] = type;
  v.setUint16(2, seq, true);
  v.setUint32(4, t_ms, true);
  raw.set(payload, 8);
  v.setUint32(8 + payload.length, crc32c(raw, 0, 8 + payload.length), true);
  const out = new Uint8Array(cobsMaxEncodedLength(raw.length) + 1);
  const n = cobsEncode(raw, out);
  return out.slice(0, n + 1);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The un-stuffed frame inside wire bytes (COBS decode of all but the trailing 0x00). */
export function unstuff(wire: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  const end = wire.length - 1;
  while (i < end) {
    const code = wire[i++]!;
    for (let k = 1; k < code; k++) out.push(wire[i++]!);
    if (code !== 0xff && i < end) out.push(0);
  }
  return Uint8Array.from(out);
}

/** COBS-encodes `raw` and appends the 0x00 delimiter. */
export function stuff(raw: Uint8Array): Uint8Array {
  const out = new Uint8Array(cobsMaxEncodedLength(raw.length) + 1);
  const n = cobsEncode(raw, out);
  return out.slice(0, n + 1);
}
