import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODECS } from '../../protocol/codec/index.ts';
import { decodeAll, Decoder } from '../../protocol/decoder.ts';
import { encodeFrame, rawFrame } from '../../protocol/frame.ts';
import { messageFromJson, messageToJson } from '../../protocol/json.ts';
import {
  BmsState,
  FAULT_CODE_NAMES,
  FAULT_UNITS,
  FaultCode,
  MAX_PAYLOAD_SIZE,
  MESSAGE_TYPE_NAMES,
  MessageType,
  isCommand,
  isSimulationOnly,
  type Decoded,
  type Message,
} from '../../protocol/messages.ts';
import * as A from './arbitraries.ts';
import { frameOf } from './helpers.ts';

const ARBS: [string, fc.Arbitrary<Message>][] = [
  ['INFO', A.info],
  ['PACK_STATUS', A.packStatus],
  ['CELL_VOLTAGES', A.cellVoltages],
  ['TEMPERATURES', A.temperatures],
  ['BALANCING', A.balancing],
  ['EVENT', A.event],
  ['ACK', A.ack],
  ['NACK', A.nack],
  ['SIM_TRUTH', A.simTruth],
  ['SIM_CELL_TRUTH', A.simCellTruth],
  ['commands', A.command],
];

function decodeOne(wire: Uint8Array): { m: unknown; d: Decoder } {
  const out: unknown[] = [];
  const d = new Decoder({ onMessage: (m) => out.push(m) });
  d.push(wire);
  return { m: out[0], d };
}

describe('message codecs', () => {
  it('should have one codec per message type id, and a name for each', () => {
    expect(CODECS.map((c) => c.type).sort((a, b) => a - b)).toEqual(Object.values(MessageType).sort((a, b) => a - b));
    for (const id of Object.values(MessageType)) expect(MESSAGE_TYPE_NAMES.get(id)).toBeDefined();
    expect(isSimulationOnly(MessageType.SIM_TRUTH) && isSimulationOnly(MessageType.SIM_CELL_TRUTH)).toBe(true);
    expect(
      Object.values(MessageType)
        .filter(isCommand)
        .every((t) => t >= 0x80),
    ).toBe(true);
  });

  it('should give every fault code a name, a unit and a bit in a 32-bit mask', () => {
    const codes = Object.values(FaultCode);
    expect(codes).toEqual(codes.map((_, i) => i));
    expect(codes.length).toBe(20);
    expect(FAULT_CODE_NAMES.length).toBe(codes.length);
    for (const c of codes) expect(FAULT_UNITS[c]).toBeDefined();
    expect(Math.max(...codes)).toBeLessThan(32);
  });

  // for all messages m of each type, seq and t_ms: decode(encode(m, seq, t_ms)) = m with seq and t_ms
  it.each(ARBS)('should round-trip %s exactly', (_name, arb) => {
    fc.assert(
      fc.property(arb, A.u16, A.u32, (m, seq, t_ms) => {
        const { m: back, d } = decodeOne(encodeFrame(m, seq, t_ms));
        expect(d.counters.messages).toBe(1);
        expect(back).toEqual({ ...m, seq, t_ms });
      }),
      { numRuns: 150 },
    );
  });

  // for all messages m: messageFromJson(JSON round trip of messageToJson(m)) = m, up to what JSON
  // cannot carry: -0 comes back as 0, and ±Infinity (float32 EVENT and INJECT_FAULT values) as null, i.e. NaN
  it('should round-trip every message through its JSON form', () => {
    const noNegativeZero = (x: unknown): unknown =>
      typeof x === 'number'
        ? Number.isFinite(x)
          ? x + 0
          : Number.NaN
        : typeof x === 'object' && x !== null && !ArrayBuffer.isView(x)
          ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, noNegativeZero(v)]))
          : x;
    fc.assert(
      fc.property(A.message, A.u16, A.u32, (m, seq, t_ms) => {
        const d = { ...m, seq, t_ms } as Decoded;
        const back = messageFromJson(JSON.parse(JSON.stringify(messageToJson(d))) as ReturnType<typeof messageToJson>);
        expect(back).toEqual(noNegativeZero(d));
      }),
      { numRuns: 200 },
    );
    expect(() => messageFromJson({ type: 'NOPE' })).toThrow(/invalid type/);
  });

  // found by the property above: { seed: 257265217, path: "179:0:0:0:31:31:31" } (an EVENT with
  // threshold -Infinity: JSON has no infinities, the JSON form carries null)
  it('should write a non-finite float32 value as null in JSON', () => {
    const ev = {
      type: MessageType.EVENT,
      code: 0,
      tier: 0,
      raised: false,
      index: -1,
      value: 0,
      threshold: Number.NEGATIVE_INFINITY,
      seq: 0,
      t_ms: 0,
    } as Decoded;
    expect(JSON.stringify(messageToJson(ev))).toContain('"threshold":null');
    expect(messageFromJson(JSON.parse(JSON.stringify(messageToJson(ev))) as ReturnType<typeof messageToJson>)).toMatchObject({ threshold: Number.NaN });
  });

  // for all messages m and extra bytes x: a payload followed by x decodes to m (fields are only ever appended)
  it('should ignore bytes appended to a payload', () => {
    fc.assert(
      fc.property(A.message, fc.uint8Array({ minLength: 1, maxLength: 20 }), (m, extra) => {
        const raw = rawFrame(m, 7, 9);
        const payload = raw.subarray(8, raw.length - 4);
        if (payload.length + extra.length > MAX_PAYLOAD_SIZE) return;
        const wire = frameOf(m.type, Uint8Array.from([...payload, ...extra]), 7, 9);
        expect(decodeOne(wire).m).toEqual({ ...m, seq: 7, t_ms: 9 });
      }),
      { numRuns: 200 },
    );
  });

  // for all messages m with a non-empty payload and every cut c < payload length: the frame is a truncated payload
  it('should count every strictly shorter payload as truncated, not as a bad value', () => {
    fc.assert(
      fc.property(A.message, fc.nat(), (m, k) => {
        const raw = rawFrame(m, 1, 2);
        const payload = raw.subarray(8, raw.length - 4);
        if (payload.length === 0) return;
        const cut = k % payload.length;
        const skipped: string[] = [];
        const d = new Decoder({ onSkip: (_t, _s, _ms, why) => skipped.push(why) });
        d.push(frameOf(m.type, payload.subarray(0, cut), 1, 2));
        expect(d.counters.truncatedPayloads).toBe(1);
        expect(d.counters.messages + d.counters.badValues).toBe(0);
        expect(skipped).toEqual(['truncated']);
      }),
      { numRuns: 300 },
    );
  });

  const badValueCases: [string, number, number[]][] = [
    ['PACK_STATUS state 6', MessageType.PACK_STATUS, [6, ...new Array(51).fill(0)]],
    ['EVENT tier 3', MessageType.EVENT, [0, 0, 3, 1, ...new Array(12).fill(0)]],
    ['EVENT action 2', MessageType.EVENT, [0, 0, 1, 2, ...new Array(12).fill(0)]],
    ['CELL_VOLTAGES offset + count > 512', MessageType.CELL_VOLTAGES, [0xff, 0x01, 2, 0, 1, 0, 1, 0]],
    ['TEMPERATURES offset + count > 512', MessageType.TEMPERATURES, [0x00, 0x02, 1, 0, 1, 0]],
    ['BALANCING offset + count > 512', MessageType.BALANCING, [0x00, 0x02, 1, 0, 1]],
    ['SIM_CELL_TRUTH offset + count > 512', MessageType.SIM_CELL_TRUTH, [0x00, 0x02, 1, 0, 1, 0, 1, 0]],
    ['CMD_SET_STATE state 9', MessageType.CMD_SET_STATE, [9]],
    ['CMD_INJECT_FAULT active 2', MessageType.CMD_INJECT_FAULT, [0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]],
  ];
  it.each(badValueCases)('should count a bad value: %s', (_name, type, payload) => {
    const d = new Decoder();
    d.push(frameOf(type, Uint8Array.from(payload)));
    expect(d.counters.badValues).toBe(1);
    expect(d.counters.messages + d.counters.truncatedPayloads).toBe(0);
  });

  it('should count an INFO with a bad chemistry name or pack size as a bad value', () => {
    const good = rawFrame(
      {
        type: MessageType.INFO,
        firmwareMajor: 1,
        firmwareMinor: 2,
        firmwarePatch: 3,
        deviceId: 4,
        flags: 0,
        ns: 16,
        np: 1,
        cellVoltageSensors: 16,
        temperatureSensors: 4,
        currentSensors: 1,
        cellCapacity_Ah: 10,
        chemistry: 'abc',
        limits: { mol: lim, rsl: lim, msl: lim },
      },
      0,
      0,
    ).subarray(8, -4);
    const variants = [
      (p: Uint8Array) => (p[24] = 0x07), // control character
      (p: Uint8Array) => (p[24 + 5] = 0x41), // data after the terminating NUL
      (p: Uint8Array) => p.fill(0x41, 24, 56), // no terminating NUL
      (p: Uint8Array) => ((p[10] = 0x01), (p[11] = 0x02)), // ns = 513
    ];
    expect(decodeAll(frameOf(MessageType.INFO, good)).length).toBe(1);
    for (const mutate of variants) {
      const p = good.slice();
      mutate(p);
      const d = new Decoder();
      d.push(frameOf(MessageType.INFO, p));
      expect(d.counters.badValues).toBe(1);
    }
  });

  it('should saturate out-of-range values and send NaN as "not available"', () => {
    const m: Message = {
      type: MessageType.PACK_STATUS,
      state: BmsState.NORMAL,
      mainPositiveClosed: false,
      mainNegativeClosed: false,
      prechargeClosed: true,
      balancingCount: 0,
      packVoltage_V: -5,
      current_A: 1e12,
      soc: 7,
      soh: NaN,
      cellVoltageMin_V: 9,
      cellVoltageMax_V: -Infinity,
      cellVoltageMinIndex: -1,
      cellVoltageMaxIndex: 0xfffe,
      temperatureMin_C: -1000,
      temperatureMax_C: NaN,
      temperatureMinIndex: 0,
      temperatureMaxIndex: -1,
      faultMask: 1 << 31,
      warningMask: -1,
      infoMask: 0,
      chargeCurrentLimit_A: 3.0004,
      dischargeCurrentLimit_A: 3.0005,
    };
    const [back] = decodeAll(encodeFrame(m, 0, 0));
    expect(back).toMatchObject({
      packVoltage_V: 0,
      current_A: 0x7fffffff / 1000,
      soc: 3.2767,
      soh: NaN,
      cellVoltageMin_V: 6.5534,
      cellVoltageMax_V: 0,
      temperatureMin_C: -327.67,
      temperatureMax_C: NaN,
      faultMask: 0x80000000,
      warningMask: 0xffffffff,
      chargeCurrentLimit_A: 3,
      dischargeCurrentLimit_A: 3.001,
    });
  });

  it('should throw naming the field for values that cannot be sent', () => {
    const ps = fc.sample(A.packStatus, { numRuns: 1, seed: 1 })[0]!;
    expect(() => encodeFrame({ ...ps, state: 9 as BmsState }, 0, 0)).toThrow(/invalid state: 9/);
    expect(() => encodeFrame({ ...ps, cellVoltageMinIndex: 1.5 }, 0, 0)).toThrow(/invalid cellVoltageMinIndex: 1.5/);
    expect(() => encodeFrame({ type: MessageType.CELL_VOLTAGES, offset: 500, voltages_V: new Float64Array(13) }, 0, 0)).toThrow(RangeError);
    expect(() => encodeFrame({ type: MessageType.CELL_VOLTAGES, offset: 0, voltages_V: new Float64Array(249) }, 0, 0)).toThrow(/invalid count: 249/);
    expect(() => encodeFrame({ type: MessageType.BALANCING, offset: 0, active: Uint8Array.from([2]) }, 0, 0)).toThrow(/invalid active\[0\]: 2/);
    expect(() => encodeFrame({ type: MessageType.ACK, commandSeq: 70000, commandType: 1 }, 0, 0)).toThrow(/invalid commandSeq: 70000/);
    expect(() => encodeFrame({ type: 0x55 } as unknown as Message, 0, 0)).toThrow(/invalid type: 85/);
    expect(() => encodeFrame({ type: MessageType.CMD_REQUEST_INFO }, 65536, 0)).toThrow(/invalid seq/);
    expect(() => encodeFrame({ type: MessageType.CMD_REQUEST_INFO }, 0, 2 ** 32)).toThrow(/invalid t_ms/);
    const info = fc.sample(A.info, { numRuns: 1, seed: 2 })[0]!;
    expect(() => encodeFrame({ ...info, chemistry: 'natrium-é' }, 0, 0)).toThrow(/invalid chemistry/);
    expect(() => encodeFrame({ ...info, chemistry: 'x'.repeat(32) }, 0, 0)).toThrow(/invalid chemistry/);
    expect(() => encodeFrame({ ...info, ns: 513 }, 0, 0)).toThrow(/invalid ns: 513/);
  });
});

const lim = {
  cellVoltageMax_V: 4,
  cellVoltageMin_V: 1.5,
  chargeCurrentMax_A: 10,
  dischargeCurrentMax_A: 20,
  chargeTemperatureMin_C: 0,
  chargeTemperatureMax_C: 45,
  dischargeTemperatureMin_C: -20,
  dischargeTemperatureMax_C: 55,
};
