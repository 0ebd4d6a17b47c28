/**
 * natrium serial protocol, version 1: message type ids, enums, wire constants and the decoded
 * message types. PROTOCOL.md is the normative description; this file follows it.
 *
 * Units (names carry them): voltages in V, currents in A (positive = charging), temperatures in
 * °C, capacity in Ah, time in ms. A bare `soc`/`soh` is a fraction (1 = 100 %). A quantity the
 * device could not measure is NaN (the wire's "not available" code); an index with no value is -1.
 */

/** Value of the version byte of every frame. */
export const PROTOCOL_VERSION = 1;
/** Bytes before the payload: version u8, type u8, seq u16, t_ms u32. */
export const HEADER_SIZE = 8;
/** CRC-32C trailer. */
export const CRC_SIZE = 4;
/** Largest frame before COBS: header + payload + CRC. */
export const MAX_FRAME_SIZE = 512;
/** Largest payload. */
export const MAX_PAYLOAD_SIZE = MAX_FRAME_SIZE - HEADER_SIZE - CRC_SIZE; // 500
/** Largest COBS-encoded frame, delimiter not included: 512 + 1 + floor(511 / 254). */
export const MAX_ENCODED_FRAME_SIZE = 515;
/** Smallest frame (empty payload). */
export const MIN_FRAME_SIZE = HEADER_SIZE + CRC_SIZE;
/** Most cells (series groups) and temperature sensors a pack may have. */
export const MAX_CELLS = 512;
export const MAX_TEMPERATURE_SENSORS = 512;
/** Most entries one chunked message may carry (payload <= 500 bytes). */
export const CELL_VOLTAGES_MAX_COUNT = 248;
export const TEMPERATURES_MAX_COUNT = 248;
export const BALANCING_MAX_COUNT = MAX_CELLS;
export const SIM_CELL_TRUTH_MAX_COUNT = 124;
/** Chemistry name: ASCII 0x20..0x7E, at most 31 characters, NUL-padded to 32 bytes. */
export const CHEMISTRY_NAME_SIZE = 32;

/** Telemetry rates accepted by SET_RATE: 0 (off) or 1..100 Hz. */
export const MAX_RATE_HZ = 100;

/** Message type ids. 0x01-0x6F device → host, 0x70-0x7F simulator only, 0x80-0xBF host → device. */
export const MessageType = {
  INFO: 0x01,
  PACK_STATUS: 0x02,
  CELL_VOLTAGES: 0x03,
  TEMPERATURES: 0x04,
  BALANCING: 0x05,
  EVENT: 0x06,
  ACK: 0x07,
  NACK: 0x08,
  LINK_STATS: 0x09,
  SIM_TRUTH: 0x70,
  SIM_CELL_TRUTH: 0x71,
  CMD_REQUEST_INFO: 0x80,
  CMD_SET_STATE: 0x81,
  CMD_RESET_FAULTS: 0x82,
  CMD_SET_RATE: 0x83,
  CMD_INJECT_FAULT: 0x84,
  CMD_REQUEST_LINK_STATS: 0x85,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];
export type MessageTypeName = keyof typeof MessageType;

/** True for ids in the simulation-only range 0x70-0x7F (never sent by real firmware). */
export function isSimulationOnly(type: number): boolean {
  return type >= 0x70 && type <= 0x7f;
}
/** True for ids in the host → device range 0x80-0xBF. */
export function isCommand(type: number): boolean {
  return type >= 0x80 && type <= 0xbf;
}

/** BMS state (PACK_STATUS.state, CMD_SET_STATE.state). NORMAL is discharge / drive. */
export const BmsState = {
  INIT: 0,
  STANDBY: 1,
  PRECHARGE: 2,
  NORMAL: 3,
  CHARGE: 4,
  ERROR: 5,
} as const;
export type BmsState = (typeof BmsState)[keyof typeof BmsState];

/** Fault tier: INFO = maximum operating limit (MOL), WARNING = recommended safety limit (RSL),
 *  FATAL = maximum safety limit (MSL, opens the contactors). */
export const FaultTier = { INFO: 0, WARNING: 1, FATAL: 2 } as const;
export type FaultTier = (typeof FaultTier)[keyof typeof FaultTier];

/**
 * Fault codes (EVENT.code, CMD_INJECT_FAULT.code); code n is bit n of the PACK_STATUS masks.
 * Readers must accept codes they do not know (newer firmware may add some).
 */
export const FaultCode = {
  CELL_OVERVOLTAGE: 0,
  CELL_UNDERVOLTAGE: 1,
  DEEP_DISCHARGE: 2,
  OVERCURRENT_CHARGE: 3,
  OVERCURRENT_DISCHARGE: 4,
  CELL_OVERCURRENT: 5,
  OVERTEMPERATURE_CHARGE: 6,
  OVERTEMPERATURE_DISCHARGE: 7,
  UNDERTEMPERATURE_CHARGE: 8,
  UNDERTEMPERATURE_DISCHARGE: 9,
  CELL_VOLTAGE_SPREAD: 10,
  TEMPERATURE_SPREAD: 11,
  OPEN_SENSE_WIRE: 12,
  NTC_OPEN: 13,
  NTC_SHORT: 14,
  CURRENT_PLAUSIBILITY: 15,
  CONTACTOR_FEEDBACK: 16,
  PRECHARGE_FAILURE: 17,
  HOST_COMM_LOSS: 18,
  CELL_VOLTAGE_PLAUSIBILITY: 19,
} as const;
export type FaultCode = (typeof FaultCode)[keyof typeof FaultCode];

/** Unit of EVENT.value / EVENT.threshold for each fault code ('' = dimensionless). */
export const FAULT_UNITS: Readonly<Record<FaultCode, 'V' | 'A' | 'C' | 's' | ''>> = {
  0: 'V',
  1: 'V',
  2: 'V',
  3: 'A',
  4: 'A',
  5: 'A',
  6: 'C',
  7: 'C',
  8: 'C',
  9: 'C',
  10: 'V',
  11: 'C',
  12: 'V',
  13: 'C',
  14: 'C',
  15: 'A',
  16: '',
  17: 'V',
  18: 's',
  19: 'V',
};

/** NACK reasons. Readers must accept reasons they do not know. */
export const NackReason = {
  UNKNOWN_COMMAND: 1,
  MALFORMED: 2,
  BAD_VALUE: 3,
  ILLEGAL_TRANSITION: 4,
  NOT_SIMULATOR: 5,
  FAULT_ACTIVE: 6,
  BUSY: 7,
  /** The device cannot do what was asked (e.g. a fault the simulator cannot inject). */
  UNSUPPORTED: 8,
} as const;
export type NackReason = (typeof NackReason)[keyof typeof NackReason];

/** INFO.flags bits. */
export const InfoFlag = {
  /** The device is a simulator: it sends SIM_* messages and accepts CMD_INJECT_FAULT. */
  SIMULATOR: 1 << 0,
} as const;

/** Names by id, for printing and JSON. */
export const MESSAGE_TYPE_NAMES: ReadonlyMap<number, MessageTypeName> = new Map(
  (Object.keys(MessageType) as MessageTypeName[]).map((k) => [MessageType[k], k]),
);
export const BMS_STATE_NAMES: readonly string[] = Object.keys(BmsState);
export const FAULT_TIER_NAMES: readonly string[] = Object.keys(FaultTier);
export const FAULT_CODE_NAMES: readonly string[] = Object.keys(FaultCode);

/** Name of a message type id, or `UNKNOWN_0xNN`. */
export function messageTypeName(type: number): string {
  return MESSAGE_TYPE_NAMES.get(type) ?? `UNKNOWN_0x${type.toString(16).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Message bodies (what the encoder takes). Decoded messages add the frame header (`Decoded`).

/** Limits of one tier (INFO.limits). Currents are magnitudes. */
export interface TierLimits {
  cellVoltageMax_V: number;
  cellVoltageMin_V: number;
  chargeCurrentMax_A: number;
  dischargeCurrentMax_A: number;
  chargeTemperatureMin_C: number;
  chargeTemperatureMax_C: number;
  dischargeTemperatureMin_C: number;
  dischargeTemperatureMax_C: number;
}

export interface Info {
  type: typeof MessageType.INFO;
  firmwareMajor: number;
  firmwareMinor: number;
  firmwarePatch: number;
  deviceId: number;
  /** InfoFlag bits. */
  flags: number;
  /** Series groups (cells whose voltage is reported). */
  ns: number;
  /** Cells in parallel per group. */
  np: number;
  cellVoltageSensors: number;
  temperatureSensors: number;
  currentSensors: number;
  /** Capacity of one cell; the pack holds np times this. */
  cellCapacity_Ah: number;
  chemistry: string;
  limits: { mol: TierLimits; rsl: TierLimits; msl: TierLimits };
}

export interface PackStatus {
  type: typeof MessageType.PACK_STATUS;
  state: BmsState;
  mainPositiveClosed: boolean;
  mainNegativeClosed: boolean;
  prechargeClosed: boolean;
  balancingCount: number;
  packVoltage_V: number;
  /** Positive = charging. */
  current_A: number;
  soc: number;
  soh: number;
  cellVoltageMin_V: number;
  cellVoltageMax_V: number;
  cellVoltageMinIndex: number;
  cellVoltageMaxIndex: number;
  temperatureMin_C: number;
  temperatureMax_C: number;
  temperatureMinIndex: number;
  temperatureMaxIndex: number;
  /** Bit n set: fault code n is active at tier FATAL (MSL). */
  faultMask: number;
  /** ... at tier WARNING (RSL). */
  warningMask: number;
  /** ... at tier INFO (MOL). */
  infoMask: number;
  /** Magnitudes the pack may take now (SOF). */
  chargeCurrentLimit_A: number;
  dischargeCurrentLimit_A: number;
}

export interface CellVoltages {
  type: typeof MessageType.CELL_VOLTAGES;
  /** Index of the first cell of this chunk. */
  offset: number;
  voltages_V: Float64Array;
}

export interface Temperatures {
  type: typeof MessageType.TEMPERATURES;
  offset: number;
  temperatures_C: Float64Array;
}

export interface Balancing {
  type: typeof MessageType.BALANCING;
  offset: number;
  /** One entry per cell from `offset`: 1 = bleeding, 0 = not. */
  active: Uint8Array;
}

export interface FaultEvent {
  type: typeof MessageType.EVENT;
  /** A FaultCode, or a code this reader does not know. */
  code: number;
  tier: FaultTier;
  /** true: raised; false: cleared. */
  raised: boolean;
  /** Cell or sensor index, -1 for pack-level faults. */
  index: number;
  /** Measured value and the limit it crossed, in FAULT_UNITS[code] (float32 on the wire). */
  value: number;
  threshold: number;
}

export interface Ack {
  type: typeof MessageType.ACK;
  /** Sequence number of the acknowledged command frame. */
  commandSeq: number;
  commandType: number;
}

export interface Nack {
  type: typeof MessageType.NACK;
  commandSeq: number;
  commandType: number;
  /** A NackReason, or a reason this reader does not know. */
  reason: number;
}

/**
 * The device's link counters since its reset (PROTOCOL.md §9.8), u32 each, wrapping: what it
 * received from the host and what it could not send.
 */
export interface LinkStats {
  type: typeof MessageType.LINK_STATS;
  /** Frames received intact (CRC and version good), of any type, duplicates included. */
  framesOk: number;
  crcErrors: number;
  cobsErrors: number;
  /** Decoded frames shorter than header + CRC. */
  shortFrames: number;
  /** Runs of more than 515 bytes without a 0x00, or frames decoding to more than 512 bytes. */
  oversizeRuns: number;
  badVersions: number;
  /** Intact frames of device → host types (an echoing line), ignored. */
  wrongDirection: number;
  /** Frames the device made but dropped from its transmit buffer (the line was full). */
  txDropped: number;
}

/** Simulator ground truth for the whole pack (simulation only). */
export interface SimTruth {
  type: typeof MessageType.SIM_TRUTH;
  socMin: number;
  socAvg: number;
  socMax: number;
  coreTemperatureMin_C: number;
  coreTemperatureAvg_C: number;
  coreTemperatureMax_C: number;
  /** True pack current (the measured one is in PACK_STATUS). */
  current_A: number;
}

/** Simulator ground truth per cell (simulation only), chunked like CELL_VOLTAGES. */
export interface SimCellTruth {
  type: typeof MessageType.SIM_CELL_TRUTH;
  offset: number;
  soc: Float64Array;
  coreTemperatures_C: Float64Array;
}

export interface CmdRequestInfo {
  type: typeof MessageType.CMD_REQUEST_INFO;
}

export interface CmdSetState {
  type: typeof MessageType.CMD_SET_STATE;
  /** STANDBY, NORMAL or CHARGE; the device NACKs the others (BAD_VALUE). */
  state: BmsState;
}

export interface CmdRequestLinkStats {
  type: typeof MessageType.CMD_REQUEST_LINK_STATS;
}

export interface CmdResetFaults {
  type: typeof MessageType.CMD_RESET_FAULTS;
}

export interface CmdSetRate {
  type: typeof MessageType.CMD_SET_RATE;
  /** Message type whose rate to set (PACK_STATUS, CELL_VOLTAGES, ...). */
  messageType: number;
  /** 0 = off, 1..100 Hz; the device NACKs other values (BAD_VALUE). */
  rate_Hz: number;
}

export interface CmdInjectFault {
  type: typeof MessageType.CMD_INJECT_FAULT;
  code: number;
  /** Cell or sensor index, -1 for pack-level. */
  index: number;
  /** true: inject; false: remove the injected fault. */
  active: boolean;
  /** Code-specific parameter (float32 on the wire; NaN = the simulator's default). */
  value: number;
}

export type DeviceMessage = Info | PackStatus | CellVoltages | Temperatures | Balancing | FaultEvent | Ack | Nack | SimTruth | SimCellTruth | LinkStats;
export type Command = CmdRequestInfo | CmdSetState | CmdResetFaults | CmdSetRate | CmdInjectFault | CmdRequestLinkStats;
export type Message = DeviceMessage | Command;

/** Header fields of a frame. */
export interface FrameHeader {
  /** Sender's frame counter, u16, +1 per frame sent. */
  seq: number;
  /** Sender's clock in ms, u32 (wraps after 2^32 ms; unwrap with DeviceClock). */
  t_ms: number;
}

/** A message as the decoder returns it. */
export type Decoded<M extends Message = Message> = M & FrameHeader;

/** The message of a given type id. */
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;
