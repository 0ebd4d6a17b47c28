import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decoder } from '../../protocol/decoder.ts';
import { Encoder } from '../../protocol/encoder.ts';
import { LinkFaults } from '../../protocol/linkfaults.ts';
import { PacedLink, bytesPerSecond } from '../../protocol/link.ts';
import { MessageType, type Decoded, type Message } from '../../protocol/messages.ts';
import { concat } from './helpers.ts';

const status = (n: number): Message => ({
  type: MessageType.CELL_VOLTAGES,
  offset: 0,
  voltages_V: Float64Array.from({ length: n }, (_, i) => 3 + i / 1000),
});

/** A link whose output is collected, with an encoder for frames. */
function rig(baudRate: number, queueBytes?: number, faults: LinkFaults | null = null) {
  const out: { t_ms: number; bytes: Uint8Array }[] = [];
  let now = 0;
  const link = new PacedLink((b) => out.push({ t_ms: now, bytes: b.slice() }), { baudRate, queueBytes, faults });
  const enc = new Encoder({ leadingDelimiter: false });
  const frame = (m: Message, t_ms = now): Uint8Array => {
    enc.encode(m, t_ms);
    return enc.take();
  };
  const advance = (t: number): void => {
    now = t;
    link.advance(t);
  };
  const bytes = (): Uint8Array => concat(...out.map((o) => o.bytes));
  return { link, out, frame, advance, bytes };
}

function decode(bytes: Uint8Array): { msgs: Decoded[]; d: Decoder } {
  const msgs: Decoded[] = [];
  const d = new Decoder({ onMessage: (m) => msgs.push(m) });
  d.push(concat(new Uint8Array(1), bytes));
  d.finish();
  return { msgs, d };
}

describe('PacedLink', () => {
  // for all baud rates, frame sizes and send times, such that frames are queued and the line
  // advanced in 10 ms ticks: by every tick the line has sent at most what the baud rate carries
  // since the first byte (10 bits per byte), and while it is busy, at least that minus one byte
  it('should pace its output to the baud rate', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(9600, 19200, 57600, 115200),
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 50 }), cells: fc.integer({ min: 1, max: 60 }) }), { minLength: 1, maxLength: 30 }),
        (baud, sends) => {
          const r = rig(baud, 64 * 1024);
          const byTick = new Map<number, number[]>();
          for (const s of sends) byTick.set(s.at, [...(byTick.get(s.at) ?? []), s.cells]);
          const perMs = bytesPerSecond(baud) / 1000;
          let sent = 0;
          let busySince = -1;
          let busyBytes = 0;
          for (let k = 0; k <= 400; k++) {
            const t = k * 10;
            r.advance(t);
            const now = r.out.reduce((a, o) => a + o.bytes.length, 0);
            const got = now - sent;
            sent = now;
            if (busySince >= 0) {
              busyBytes += got;
              expect(busyBytes).toBeLessThanOrEqual(Math.floor((t - busySince) * perMs) + 1e-9);
              if (!r.link.idle) expect(busyBytes).toBeGreaterThanOrEqual(Math.floor((t - busySince) * perMs) - 1);
            }
            if (r.link.idle) busySince = -1;
            for (const cells of byTick.get(k) ?? []) r.link.send(r.frame(status(cells)));
            if (busySince < 0 && !r.link.idle) {
              busySince = t;
              busyBytes = 0;
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('should carry 11,520 bytes per second at 115200 baud', () => {
    const r = rig(115200, 64 * 1024);
    r.advance(0);
    while (r.link.queuedBytes < 40_000) r.link.send(r.frame(status(100)));
    for (let t = 10; t <= 2000; t += 10) r.advance(t);
    expect(r.link.counters.bytesSent).toBe(23_040);
  });

  // for all overloads, such that telemetry arrives faster than the line carries it: whole
  // frames are dropped (never part of one), the newest survive, and the reader counts every
  // dropped frame as missing
  it('should drop whole frames, oldest first, and the reader count them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 20, max: 120 }), (perTick, cells) => {
        const r = rig(115200, 2048);
        r.advance(0);
        r.link.send(r.frame(status(cells)));
        r.advance(10); // the first frame is on the line
        for (let k = 2; k <= 100; k++) {
          for (let j = 0; j < perTick; j++) r.link.send(r.frame(status(cells)));
          r.advance(k * 10);
        }
        const last = r.link.counters.framesQueued - 1;
        for (let k = 101; k <= 300; k++) r.advance(k * 10);
        expect(r.link.idle).toBe(true);
        const { msgs, d } = decode(r.bytes());
        const c = d.counters;
        expect(c.crcErrors + c.cobsErrors + c.shortFrames + c.oversizeRuns).toBe(0);
        expect(c.seqMissing).toBe(r.link.counters.framesDropped);
        expect(msgs.length + r.link.counters.framesDropped).toBe(r.link.counters.framesQueued);
        expect(msgs.at(-1)!.seq).toBe(last); // the newest frame survived
        expect(r.link.counters.queueHighWater).toBeLessThanOrEqual(2048);
      }),
      { numRuns: 40 },
    );
  });

  it('should let ACK and EVENT frames through a telemetry flood', () => {
    const r = rig(9600, 2048);
    const acks: number[] = [];
    r.advance(0);
    for (let k = 1; k <= 200; k++) {
      for (let j = 0; j < 4; j++) r.link.send(r.frame(status(100)));
      if (k % 10 === 0) {
        r.link.send(r.frame({ type: MessageType.ACK, commandSeq: k, commandType: MessageType.CMD_SET_STATE }), true);
        acks.push(k);
      }
      r.advance(k * 10);
    }
    for (let k = 201; k <= 2000 && !r.link.idle; k++) r.advance(k * 10);
    const { msgs } = decode(r.bytes());
    expect(msgs.filter((m) => m.type === MessageType.ACK).map((m) => (m.type === MessageType.ACK ? m.commandSeq : -1))).toEqual(acks);
    expect(r.link.counters.framesDropped).toBeGreaterThan(0);
    expect(r.link.counters.priorityDropped).toBe(0);
  });

  // flow control: a line held for long (the port downstream full) drops a frame for every frame
  // queued; the dropped ones must not pile up in the queue (each drop scanned them all: at 4000×
  // real time over a pty the emulator spent its time there and fell to a third of its speed)
  it('should keep a held line to the frames that fit, however long the hold', () => {
    const r = rig(115200, 4096);
    r.advance(0);
    r.link.send(r.frame({ type: MessageType.ACK, commandSeq: 7, commandType: MessageType.CMD_SET_STATE }), true);
    const ticks = 20_000;
    let longest = 0;
    for (let k = 1; k <= ticks; k++) {
      r.link.send(r.frame(status(60)));
      r.link.hold(k * 10);
      longest = Math.max(longest, (r.link as unknown as { queue: unknown[] }).queue.length);
    }
    const last = r.link.counters.framesQueued - 1;
    for (let k = ticks + 1; !r.link.idle; k++) r.advance(k * 10);
    const { msgs, d } = decode(r.bytes());
    expect(msgs[0]!.type).toBe(MessageType.ACK); // the priority frame waited at the head and went first
    expect(msgs.at(-1)!.seq).toBe(last); // then the newest telemetry that fits the queue
    expect(msgs.length).toBeLessThan(4096 / 100);
    expect(msgs.length + r.link.counters.framesDropped).toBe(ticks + 1);
    expect(d.counters.seqMissing).toBe(r.link.counters.framesDropped);
    expect(longest).toBeLessThan(200);
  });

  it('should stall for the delay of a delayed frame and still deliver it whole', () => {
    const r = rig(115200, 8192, new LinkFaults({ delayFrame: 1, delay_ms: 200 }, 5));
    r.advance(0);
    r.link.send(r.frame(status(100)));
    for (let t = 10; t <= 400; t += 10) r.advance(t);
    const bytes = r.bytes();
    expect(bytes.length).toBe(r.frame(status(100)).length);
    // 212 bytes take 18.4 ms; with the 200 ms stall the last one leaves after 200 ms
    expect(r.out.at(-1)!.t_ms).toBeGreaterThanOrEqual(210);
    expect(r.out.at(-1)!.t_ms).toBeLessThanOrEqual(230);
    expect(decode(bytes).msgs).toHaveLength(1);
  });

  it('should validate its options, naming them', () => {
    expect(() => new PacedLink(() => {}, { baudRate: 0 })).toThrow(/"baudRate"/);
    expect(() => new PacedLink(() => {}, { baudRate: 9600, queueBytes: 100 })).toThrow(/"queueBytes"/);
    expect(() => new PacedLink(() => {}, { baudRate: 9600, reserveBytes: -1 })).toThrow(/"reserveBytes"/);
  });
});
