import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAll } from '../../protocol/decoder.ts';
import { Encoder } from '../../protocol/encoder.ts';
import { encodeFrame } from '../../protocol/frame.ts';
import { MessageType, type Message } from '../../protocol/messages.ts';
import { chunkCellVoltages, chunkTemperatures } from '../../protocol/chunk.ts';
import * as A from './arbitraries.ts';
import { concat } from './helpers.ts';

const req: Message = { type: MessageType.CMD_REQUEST_INFO };

describe('Encoder', () => {
  it('should start with one 0x00 and end every frame with 0x00', () => {
    const e = new Encoder();
    expect(Array.from(e.view())).toEqual([0]);
    e.encode(req, 1);
    const b = e.view();
    expect(b[0]).toBe(0);
    expect(b[b.length - 1]).toBe(0);
    expect(b.subarray(1, -1).includes(0)).toBe(false);
    expect(new Encoder({ leadingDelimiter: false }).length).toBe(0);
  });

  // for all message sequences, the encoder's bytes are the leading 0x00 followed by each frame's encodeFrame bytes
  it('should write the same bytes as encodeFrame, with seq counting up from initialSeq and wrapping', () => {
    fc.assert(
      fc.property(A.timedMessages(A.message, 8), A.u16, (items, seq0) => {
        const e = new Encoder({ initialSeq: seq0, initialCapacity: 1 });
        const expected: Uint8Array[] = [Uint8Array.of(0)];
        items.forEach(({ m, t_ms }, i) => {
          expect(e.encode(m, t_ms)).toBe((seq0 + i) & 0xffff);
          expected.push(encodeFrame(m, (seq0 + i) & 0xffff, t_ms));
        });
        expect(e.take()).toEqual(concat(...expected));
        expect(e.seq).toBe((seq0 + items.length) & 0xffff);
      }),
      { numRuns: 100 },
    );
  });

  it('should keep its bytes when the buffer grows, and empty it on take', () => {
    const e = new Encoder({ initialCapacity: 2 });
    for (let i = 0; i < 1000; i++) e.encode(req, i);
    const all = e.take();
    expect(decodeAll(all).map((m) => m.t_ms)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(e.length).toBe(0);
    e.encode(req, 5);
    expect(decodeAll(e.take())).toEqual([{ ...req, seq: 1000, t_ms: 5 }]);
  });

  it('should write nothing and keep the counter when a message cannot be encoded', () => {
    const e = new Encoder();
    e.encode(req, 0);
    const before = e.view().slice();
    expect(() => e.encode({ type: MessageType.CMD_SET_STATE, state: 42 as never }, 0)).toThrow(RangeError);
    expect(e.view()).toEqual(before);
    expect(e.seq).toBe(1);
  });

  it('should encode with an explicit seq without advancing the counter, and reset', () => {
    const e = new Encoder({ leadingDelimiter: false });
    e.encodeWithSeq(req, 500, 1);
    expect(e.seq).toBe(0);
    expect(decodeAll(e.view())[0]?.seq).toBe(500);
    e.reset(65535);
    expect(e.length).toBe(0);
    expect(e.encode(req, 0)).toBe(65535);
    expect(e.seq).toBe(0);
  });

  it('should validate its options with TypeError naming the option', () => {
    expect(() => new Encoder({ initialSeq: 65536 })).toThrow(/"initialSeq"/);
    expect(() => new Encoder({ initialCapacity: 0 })).toThrow(/"initialCapacity"/);
    expect(() => new Encoder(7 as never)).toThrow(/"options"/);
  });

  it('should split a 512-cell pack into chunks that decode back to the whole pack', () => {
    const v = Float64Array.from({ length: 512 }, (_, i) => (30000 + i) / 10000);
    const t = Float64Array.from({ length: 300 }, (_, i) => i / 100);
    const e = new Encoder();
    for (const m of [...chunkCellVoltages(v), ...chunkTemperatures(t, 100)]) e.encode(m, 0);
    const got = decodeAll(e.take());
    expect(got.map((m) => ('offset' in m ? m.offset : -1))).toEqual([0, 248, 496, 0, 100, 200]);
    const back = new Float64Array(512);
    for (const m of got) if (m.type === MessageType.CELL_VOLTAGES) back.set(m.voltages_V, m.offset);
    expect(back).toEqual(v);
    expect(() => chunkCellVoltages(v, 249)).toThrow(/"maxCount"/);
  });
});
