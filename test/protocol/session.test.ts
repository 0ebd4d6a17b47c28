/**
 * DeviceSession on a small fake device model (fake-model.ts): framing, scheduling, answers and
 * link statistics, the parts of a session that do not depend on the BMS. The model-based test of
 * whole sessions, with the state-request rules, runs against the real emulated device:
 * test/device/session-model.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { Decoder } from '../../protocol/decoder.ts';
import { EmulatedDevice } from '../../protocol/device.ts';
import { Encoder } from '../../protocol/encoder.ts';
import { BmsState, FaultCode, MessageType, NackReason, type Decoded } from '../../protocol/messages.ts';
import { INFO_PERIOD_MS } from '../../protocol/session.ts';
import { FakeModel } from './fake-model.ts';

function deviceOn(model: FakeModel, opts: ConstructorParameters<typeof EmulatedDevice>[2] = {}) {
  const msgs: Decoded[] = [];
  const raw: Uint8Array[] = [];
  const dec = new Decoder({ onMessage: (m) => msgs.push(m) });
  const device = new EmulatedDevice(
    model,
    (b) => {
      raw.push(b.slice());
      dec.push(b);
    },
    { baudRate: 1_000_000, ...opts },
  );
  return { device, msgs, raw, dec };
}

describe('DeviceSession', () => {
  it('should start with 0x00, then INFO, then telemetry stamped with one t_ms per tick', () => {
    const { device, msgs, raw } = deviceOn(new FakeModel());
    device.advanceTo(100);
    expect(raw[0]![0]).toBe(0);
    expect(msgs[0]!.type).toBe(MessageType.INFO);
    expect(msgs.map((m) => m.seq)).toEqual(msgs.map((_, i) => i));
    const at100 = msgs.filter((m) => m.t_ms === 0).map((m) => m.type);
    expect(at100).toEqual([
      MessageType.INFO,
      MessageType.PACK_STATUS,
      MessageType.CELL_VOLTAGES,
      MessageType.TEMPERATURES,
      MessageType.BALANCING,
      MessageType.SIM_TRUTH,
    ]);
  });

  it('should repeat INFO every 5 s of device time', () => {
    const { device, msgs } = deviceOn(new FakeModel());
    device.advanceTo(3 * INFO_PERIOD_MS + 50);
    expect(msgs.filter((m) => m.type === MessageType.INFO).map((m) => m.t_ms)).toEqual([0, 5000, 10000, 15000]);
  });

  it('should send PACK_STATUS at 10 Hz by default', () => {
    const { device, msgs } = deviceOn(new FakeModel());
    device.advanceTo(10_000);
    expect(msgs.filter((m) => m.type === MessageType.PACK_STATUS && m.t_ms < 10_000)).toHaveLength(100);
  });

  it('should refuse simulator-only commands and send no SIM_* on real firmware', () => {
    const { device, msgs } = deviceOn(new FakeModel({ simulator: false }));
    const enc = new Encoder({ leadingDelimiter: false });
    enc.encode({ type: MessageType.CMD_INJECT_FAULT, code: FaultCode.OPEN_SENSE_WIRE, index: 1, active: true, value: 0 }, 0);
    enc.encode({ type: MessageType.CMD_SET_RATE, messageType: MessageType.SIM_TRUTH, rate_Hz: 5 }, 0);
    device.receive(enc.take());
    device.advanceTo(2000);
    const nacks = msgs.filter((m) => m.type === MessageType.NACK);
    expect(nacks.map((m) => (m.type === MessageType.NACK ? [m.commandSeq, m.reason] : []))).toEqual([
      [0, NackReason.NOT_SIMULATOR],
      [1, NackReason.BAD_VALUE],
    ]);
    expect(msgs.some((m) => m.type === MessageType.SIM_TRUTH || m.type === MessageType.SIM_CELL_TRUTH)).toBe(false);
  });

  it('should ignore device → host frames echoed back to it', () => {
    const model = new FakeModel();
    const { device, msgs, raw } = deviceOn(model);
    device.advanceTo(100);
    for (const b of raw.splice(0)) device.receive(b);
    device.advanceTo(200);
    expect(device.session.counters.ignored).toBeGreaterThan(0);
    expect(msgs.some((m) => m.type === MessageType.NACK || m.type === MessageType.ACK)).toBe(false);
  });

  it('should count what it receives in LINK_STATS, sent after the ACK of CMD_REQUEST_LINK_STATS and at its rate', () => {
    const { device, msgs } = deviceOn(new FakeModel(), { baudRate: 2400 });
    const echo = new Encoder({ leadingDelimiter: false });
    echo.encode({ type: MessageType.ACK, commandSeq: 7, commandType: MessageType.CMD_REQUEST_INFO }, 0);
    echo.encode({ type: MessageType.EVENT, code: 1, tier: 0, raised: true, index: 2, value: 1, threshold: 1 }, 0);
    const echoed = echo.take();
    const enc = new Encoder();
    enc.encode({ type: MessageType.CMD_REQUEST_INFO }, 0);
    const good = enc.take();
    const crc = good.slice();
    crc[crc.length - 2]! ^= crc[crc.length - 2] === 0x80 ? 0x40 : 0x80; // a CRC byte (never 0x00 after this): caught by the CRC
    const cobs = Uint8Array.of(0x05, 0x01, 0x02, 0x00); // code 5 points past the run's end
    const short = Uint8Array.of(0x02, 0x01, 0x00); // decodes to 1 byte
    const over = new Uint8Array(600).fill(0x07);
    over[599] = 0;
    enc.encode({ type: MessageType.CMD_REQUEST_LINK_STATS }, 0);
    const ask = enc.take();
    device.advanceTo(5000); // the telemetry overflows a 2400 baud line: frames dropped
    const dropped = device.link.counters.framesDropped;
    expect(dropped).toBeGreaterThan(0);
    for (const b of [echoed, good, crc, cobs, short, over, ask]) device.receive(b); // two device frames echoed: wrong direction
    device.advanceTo(5010); // answered in this tick, before its telemetry
    device.advanceTo(30_000); // the line drains its backlog
    const i = msgs.findIndex((m) => m.type === MessageType.ACK && m.commandType === MessageType.CMD_REQUEST_LINK_STATS);
    expect(i).toBeGreaterThan(0);
    const ls = msgs[i + 1]!;
    expect(ls.type).toBe(MessageType.LINK_STATS);
    if (ls.type !== MessageType.LINK_STATS) return;
    expect(ls).toMatchObject({ framesOk: 4, crcErrors: 1, cobsErrors: 1, shortFrames: 1, oversizeRuns: 1, badVersions: 0, wrongDirection: 2 });
    expect(ls.txDropped).toBe(dropped);
    // at a rate, like the other periodic types
    const { device: d2, msgs: m2 } = deviceOn(new FakeModel());
    enc.encode({ type: MessageType.CMD_SET_RATE, messageType: MessageType.LINK_STATS, rate_Hz: 2 }, 0);
    d2.receive(enc.take());
    d2.advanceTo(1005);
    expect(m2.filter((m) => m.type === MessageType.LINK_STATS).length).toBe(2);
  });

  it('should answer one command per frame in arrival order, in one tick', () => {
    const model = new FakeModel();
    const { device, msgs } = deviceOn(model);
    const enc = new Encoder();
    enc.encode({ type: MessageType.CMD_SET_STATE, state: BmsState.NORMAL }, 0);
    enc.encode({ type: MessageType.CMD_SET_STATE, state: BmsState.CHARGE }, 0);
    enc.encode({ type: MessageType.CMD_REQUEST_INFO }, 0);
    device.receive(enc.take());
    device.advanceTo(40);
    const answers = msgs.filter((m) => m.type === MessageType.ACK || m.type === MessageType.NACK);
    expect(answers.map((m) => (m.type === MessageType.ACK ? m.commandSeq : -1))).toEqual([0, 1, 2]);
    expect(model.executed).toEqual(['state 3', 'state 4']);
    expect(model.state).toBe(BmsState.CHARGE);
  });

  it("should execute a command after a gap or a step back in the host's seq, and a duplicate once (PROTOCOL.md §6)", () => {
    const model = new FakeModel();
    const { device, msgs } = deviceOn(model);
    const enc = new Encoder();
    const send = (seq: number, state: BmsState, t_ms = 0): void => {
      enc.seq = seq;
      enc.encode({ type: MessageType.CMD_SET_STATE, state }, t_ms);
      device.receive(enc.take());
      device.advanceTo(device.time_ms + 20);
    };
    send(5, BmsState.NORMAL);
    send(9, BmsState.CHARGE); // a gap: commands 6..8 lost
    send(2, BmsState.STANDBY); // a step back: the host restarted
    send(2, BmsState.STANDBY); // a duplicate: answered again, not executed
    send(0, BmsState.NORMAL);
    send(0, BmsState.CHARGE, 5000); // the same seq at another time: a restarted host landing on the count, not a repeat
    const answers = msgs.filter((m) => m.type === MessageType.ACK || m.type === MessageType.NACK);
    expect(answers.map((m) => [m.type, m.type === MessageType.ACK ? m.commandSeq : -1])).toEqual([
      [MessageType.ACK, 5],
      [MessageType.ACK, 9],
      [MessageType.ACK, 2],
      [MessageType.ACK, 2],
      [MessageType.ACK, 0],
      [MessageType.ACK, 0],
    ]);
    expect(model.executed).toEqual(['state 3', 'state 4', 'state 1', 'state 3', 'state 4']);
  });

  it('should validate its options, naming them', () => {
    expect(() => deviceOn(new FakeModel(), { rates: { [MessageType.PACK_STATUS]: 101 } })).toThrow(/"rates\[2\]"/);
    expect(() => deviceOn(new FakeModel(), { infoPeriod_ms: 0 })).toThrow(/"infoPeriod_ms"/);
    expect(() => deviceOn(new FakeModel(), { tick_ms: -1 })).toThrow(/"tick_ms"/);
  });
});
