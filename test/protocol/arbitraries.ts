/**
 * fast-check arbitraries of protocol messages. Every value lies on the wire grid (an integer code
 * divided by the field's scale, computed as the decoder does), so decode(encode(m)) must equal m
 * exactly. Shared by the property tests and bench/fuzz.ts.
 */
import fc from 'fast-check';
import {
  BALANCING_MAX_COUNT,
  BmsState,
  CELL_VOLTAGES_MAX_COUNT,
  FaultTier,
  MAX_CELLS,
  MAX_TEMPERATURE_SENSORS,
  MessageType,
  SIM_CELL_TRUTH_MAX_COUNT,
  TEMPERATURES_MAX_COUNT,
  type Balancing,
  type CellVoltages,
  type Command,
  type DeviceMessage,
  type Info,
  type Message,
  type PackStatus,
  type SimCellTruth,
  type Temperatures,
  type TierLimits,
} from '../../protocol/messages.ts';

const withNa = (a: fc.Arbitrary<number>): fc.Arbitrary<number> => fc.oneof({ arbitrary: a, weight: 9 }, { arbitrary: fc.constant(NaN), weight: 1 });

/** Quantities: integer code / scale, or NaN ("not available"). */
export const qU16 = (scale: number) => withNa(fc.integer({ min: 0, max: 0xfffe }).map((r) => r / scale));
export const qI16 = (scale: number) => withNa(fc.integer({ min: -0x7fff, max: 0x7fff }).map((r) => r / scale));
export const qU32 = (scale: number) => withNa(fc.integer({ min: 0, max: 0xfffffffe }).map((r) => r / scale));
export const qI32 = (scale: number) => withNa(fc.integer({ min: -0x7fffffff, max: 0x7fffffff }).map((r) => r / scale));
export const index = fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 0xfffe }));
export const u8 = fc.integer({ min: 0, max: 0xff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u32 = fc.integer({ min: 0, max: 0xffffffff });
export const f32 = fc.float();
const bmsState = fc.constantFrom(...Object.values(BmsState));
const tier = fc.constantFrom(...Object.values(FaultTier));

/** offset such that offset + length <= max (narrowed by map, not filter). */
function chunk<T extends { length: number }>(items: fc.Arbitrary<T>, max: number): fc.Arbitrary<{ offset: number; items: T }> {
  return fc.tuple(items, fc.integer({ min: 0, max })).map(([it, o]) => ({ items: it, offset: Math.min(o, max - it.length) }));
}

const tierLimits: fc.Arbitrary<TierLimits> = fc.record({
  cellVoltageMax_V: qU16(10000),
  cellVoltageMin_V: qU16(10000),
  chargeCurrentMax_A: qU32(1000),
  dischargeCurrentMax_A: qU32(1000),
  chargeTemperatureMin_C: qI16(100),
  chargeTemperatureMax_C: qI16(100),
  dischargeTemperatureMin_C: qI16(100),
  dischargeTemperatureMax_C: qI16(100),
});

export const info: fc.Arbitrary<Info> = fc.record({
  type: fc.constant(MessageType.INFO),
  firmwareMajor: u8,
  firmwareMinor: u8,
  firmwarePatch: u16,
  deviceId: u32,
  flags: u16,
  ns: fc.integer({ min: 0, max: MAX_CELLS }),
  np: u16,
  cellVoltageSensors: fc.integer({ min: 0, max: MAX_CELLS }),
  temperatureSensors: fc.integer({ min: 0, max: MAX_TEMPERATURE_SENSORS }),
  currentSensors: u8,
  cellCapacity_Ah: qU32(1000),
  chemistry: fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 31 }),
  limits: fc.record({ mol: tierLimits, rsl: tierLimits, msl: tierLimits }),
});

export const packStatus: fc.Arbitrary<PackStatus> = fc.record({
  type: fc.constant(MessageType.PACK_STATUS),
  state: bmsState,
  mainPositiveClosed: fc.boolean(),
  mainNegativeClosed: fc.boolean(),
  prechargeClosed: fc.boolean(),
  balancingCount: u16,
  packVoltage_V: qU32(1000),
  current_A: qI32(1000),
  soc: qI16(10000),
  soh: qU16(10000),
  cellVoltageMin_V: qU16(10000),
  cellVoltageMax_V: qU16(10000),
  cellVoltageMinIndex: index,
  cellVoltageMaxIndex: index,
  temperatureMin_C: qI16(100),
  temperatureMax_C: qI16(100),
  temperatureMinIndex: index,
  temperatureMaxIndex: index,
  faultMask: u32,
  warningMask: u32,
  infoMask: u32,
  chargeCurrentLimit_A: qU32(1000),
  dischargeCurrentLimit_A: qU32(1000),
});

export const cellVoltages: fc.Arbitrary<CellVoltages> = chunk(fc.array(qU16(10000), { maxLength: CELL_VOLTAGES_MAX_COUNT }), MAX_CELLS).map(
  ({ offset, items }) => ({ type: MessageType.CELL_VOLTAGES, offset, voltages_V: Float64Array.from(items) }),
);

export const temperatures: fc.Arbitrary<Temperatures> = chunk(fc.array(qI16(100), { maxLength: TEMPERATURES_MAX_COUNT }), MAX_TEMPERATURE_SENSORS).map(
  ({ offset, items }) => ({ type: MessageType.TEMPERATURES, offset, temperatures_C: Float64Array.from(items) }),
);

export const balancing: fc.Arbitrary<Balancing> = chunk(fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: BALANCING_MAX_COUNT }), MAX_CELLS).map(
  ({ offset, items }) => ({ type: MessageType.BALANCING, offset, active: Uint8Array.from(items) }),
);

export const event = fc.record({
  type: fc.constant(MessageType.EVENT),
  code: u16,
  tier,
  raised: fc.boolean(),
  index,
  value: f32,
  threshold: f32,
});

export const ack = fc.record({ type: fc.constant(MessageType.ACK), commandSeq: u16, commandType: u8 });
export const nack = fc.record({ type: fc.constant(MessageType.NACK), commandSeq: u16, commandType: u8, reason: u8 });

export const simTruth = fc.record({
  type: fc.constant(MessageType.SIM_TRUTH),
  socMin: qI16(10000),
  socAvg: qI16(10000),
  socMax: qI16(10000),
  coreTemperatureMin_C: qI16(100),
  coreTemperatureAvg_C: qI16(100),
  coreTemperatureMax_C: qI16(100),
  current_A: qI32(1000),
});

export const simCellTruth: fc.Arbitrary<SimCellTruth> = chunk(
  fc.array(fc.tuple(qI16(10000), qI16(100)), { maxLength: SIM_CELL_TRUTH_MAX_COUNT }),
  MAX_CELLS,
).map(({ offset, items }) => ({
  type: MessageType.SIM_CELL_TRUTH,
  offset,
  soc: Float64Array.from(items, (e) => e[0]),
  coreTemperatures_C: Float64Array.from(items, (e) => e[1]),
}));

export const linkStats = fc.record({
  type: fc.constant(MessageType.LINK_STATS),
  framesOk: u32,
  crcErrors: u32,
  cobsErrors: u32,
  shortFrames: u32,
  oversizeRuns: u32,
  badVersions: u32,
  wrongDirection: u32,
  txDropped: u32,
});

export const deviceMessage: fc.Arbitrary<DeviceMessage> = fc.oneof(
  info,
  packStatus,
  cellVoltages,
  temperatures,
  balancing,
  event,
  ack,
  nack,
  linkStats,
  simTruth,
  simCellTruth,
);

export const command: fc.Arbitrary<Command> = fc.oneof(
  fc.constant({ type: MessageType.CMD_REQUEST_INFO }),
  fc.record({ type: fc.constant(MessageType.CMD_SET_STATE), state: bmsState }),
  fc.constant({ type: MessageType.CMD_RESET_FAULTS }),
  fc.record({ type: fc.constant(MessageType.CMD_SET_RATE), messageType: u8, rate_Hz: u8 }),
  fc.record({ type: fc.constant(MessageType.CMD_INJECT_FAULT), code: u16, index, active: fc.boolean(), value: f32 }),
  fc.constant({ type: MessageType.CMD_REQUEST_LINK_STATS }),
);

export const message: fc.Arbitrary<Message> = fc.oneof(deviceMessage, command);

/** Small, cheap messages, for tests that need many frames per stream. */
export const smallMessage: fc.Arbitrary<Message> = fc.oneof(
  packStatus,
  event,
  ack,
  nack,
  simTruth,
  command,
  cellVoltages.map((m) => ({ ...m, voltages_V: m.voltages_V.slice(0, 8) })),
);

/**
 * A stream of timed messages from one sender: its clock (t_ms, u32) starts anywhere and never
 * goes back (PROTOCOL.md section 6: it is monotonic between resets; it may wrap), standing
 * still within a tick or stepping up to a minute.
 */
export const timedMessages = (msg: fc.Arbitrary<Message>, maxLength: number, minLength = 1) =>
  fc
    .tuple(u32, fc.array(fc.record({ m: msg, dt: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 60_000 })) }), { minLength, maxLength }))
    .map(([t0, items]) => {
      let t = t0;
      return items.map(({ m, dt }) => ({ m, t_ms: (t = (t + dt) % 2 ** 32) }));
    });
