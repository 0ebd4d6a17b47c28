import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeAll } from '../../../protocol/decoder.ts';
import { Encoder } from '../../../protocol/encoder.ts';
import { MessageType, type Decoded } from '../../../protocol/messages.ts';
import { DecoderStream } from '../../../protocol/node/decoder-stream.ts';

describe('DecoderStream', () => {
  it('should turn piped bytes of any chunking into the messages decodeAll gives, and keep counting', async () => {
    const enc = new Encoder();
    for (let k = 0; k < 50; k++) enc.encode({ type: MessageType.ACK, commandSeq: k, commandType: MessageType.CMD_SET_STATE }, k * 10);
    const bytes = enc.take();
    const pieces: Uint8Array[] = [];
    for (let p = 0; p < bytes.length; p += 7) pieces.push(bytes.subarray(p, p + 7));
    const s = new DecoderStream();
    const got: Decoded[] = [];
    for await (const m of Readable.from(pieces).pipe(s)) got.push(m as Decoded);
    expect(got).toEqual(decodeAll(bytes));
    expect(s.counters.frames).toBe(50);
  });

  it('should not offer reuse mode', () => {
    expect(() => new DecoderStream({ reuse: true } as never)).toThrow(/"reuse"/);
  });
});
