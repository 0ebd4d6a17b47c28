/**
 * The worked examples of PROTOCOL.md ("Worked examples" section). The section is generated from
 * this list; test/protocol/doc-examples.test.ts parses the markdown and checks every hex dump
 * against the encoder and decoder. Regenerate after a change with:
 *
 *   npx tsx -e "import('./protocol/examples.ts').then((m) => process.stdout.write(m.renderExamples()))"
 *
 * and paste the output between the BEGIN/END markers in PROTOCOL.md.
 */
import { cobsEncode, cobsMaxEncodedLength } from './cobs.ts';
import { rawFrame } from './frame.ts';
import { messageToJson } from './json.ts';
import { BmsState, FaultCode, FaultTier, HEADER_SIZE, InfoFlag, MessageType, NackReason, type Message, type TierLimits } from './messages.ts';

export interface Example {
  title: string;
  seq: number;
  t_ms: number;
  message: Message;
}

const limits = (vMax: number, vMin: number, iCh: number, iDis: number, tChMin: number, tChMax: number, tDisMin: number, tDisMax: number): TierLimits => ({
  cellVoltageMax_V: vMax,
  cellVoltageMin_V: vMin,
  chargeCurrentMax_A: iCh,
  dischargeCurrentMax_A: iDis,
  chargeTemperatureMin_C: tChMin,
  chargeTemperatureMax_C: tChMax,
  dischargeTemperatureMin_C: tDisMin,
  dischargeTemperatureMax_C: tDisMax,
});

export const EXAMPLES: readonly Example[] = [
  {
    title: 'INFO from a simulated 16s2p pack',
    seq: 0,
    t_ms: 1000,
    message: {
      type: MessageType.INFO,
      firmwareMajor: 0,
      firmwareMinor: 4,
      firmwarePatch: 1,
      deviceId: 0x4e410001,
      flags: InfoFlag.SIMULATOR,
      ns: 16,
      np: 2,
      cellVoltageSensors: 16,
      temperatureSensors: 8,
      currentSensors: 1,
      cellCapacity_Ah: 10.5,
      chemistry: 'nfpp-prismatic',
      limits: {
        mol: limits(3.95, 1.6, 20, 100, 5, 40, -15, 50),
        rsl: limits(4.0, 1.5, 25, 120, 0, 45, -20, 55),
        msl: limits(4.05, 1.3, 30, 150, -5, 50, -25, 60),
      },
    },
  },
  {
    title: 'PACK_STATUS while charging at 12.5 A',
    seq: 1,
    t_ms: 1100,
    message: {
      type: MessageType.PACK_STATUS,
      state: BmsState.CHARGE,
      mainPositiveClosed: true,
      mainNegativeClosed: true,
      prechargeClosed: false,
      balancingCount: 2,
      packVoltage_V: 52.345,
      current_A: 12.5,
      soc: 0.6123,
      soh: 0.985,
      cellVoltageMin_V: 3.2611,
      cellVoltageMax_V: 3.2874,
      cellVoltageMinIndex: 7,
      cellVoltageMaxIndex: 12,
      temperatureMin_C: 21.5,
      temperatureMax_C: 27.25,
      temperatureMinIndex: 0,
      temperatureMaxIndex: 5,
      faultMask: 0,
      warningMask: 0,
      infoMask: 1 << FaultCode.CELL_VOLTAGE_SPREAD,
      chargeCurrentLimit_A: 20,
      dischargeCurrentLimit_A: 140,
    },
  },
  {
    title: 'CELL_VOLTAGES, cells 8..11 (one unreadable)',
    seq: 2,
    t_ms: 1100,
    message: {
      type: MessageType.CELL_VOLTAGES,
      offset: 8,
      voltages_V: Float64Array.from([3.2714, 3.2698, NaN, 3.2874]),
    },
  },
  {
    title: 'TEMPERATURES, sensors 0..3 (sensor 2 open)',
    seq: 3,
    t_ms: 1100,
    message: { type: MessageType.TEMPERATURES, offset: 0, temperatures_C: Float64Array.from([21.5, 23.04, NaN, -5.25]) },
  },
  {
    title: 'BALANCING, 16 cells, cells 7 and 9 bleeding',
    seq: 4,
    t_ms: 1100,
    message: {
      type: MessageType.BALANCING,
      offset: 0,
      active: Uint8Array.from({ length: 16 }, (_, i) => (i === 7 || i === 9 ? 1 : 0)),
    },
  },
  {
    title: 'EVENT: cell 3 over-voltage warning raised',
    seq: 5,
    t_ms: 1234567,
    message: {
      type: MessageType.EVENT,
      code: FaultCode.CELL_OVERVOLTAGE,
      tier: FaultTier.WARNING,
      raised: true,
      index: 3,
      value: 4.015625,
      threshold: 4.0,
    },
  },
  {
    title: 'ACK of command seq 17 (SET_STATE)',
    seq: 6,
    t_ms: 1300,
    message: { type: MessageType.ACK, commandSeq: 17, commandType: MessageType.CMD_SET_STATE },
  },
  {
    title: 'NACK of command seq 18 (INJECT_FAULT on real firmware)',
    seq: 7,
    t_ms: 1310,
    message: { type: MessageType.NACK, commandSeq: 18, commandType: MessageType.CMD_INJECT_FAULT, reason: NackReason.NOT_SIMULATOR },
  },
  {
    title: 'LINK_STATS: 1234 frames received, 2 with a bad CRC, 1 echoed back',
    seq: 10,
    t_ms: 60000,
    message: {
      type: MessageType.LINK_STATS,
      framesOk: 1234,
      crcErrors: 2,
      cobsErrors: 0,
      shortFrames: 0,
      oversizeRuns: 0,
      badVersions: 0,
      wrongDirection: 1,
      txDropped: 17,
    },
  },
  {
    title: 'SIM_TRUTH (simulation only)',
    seq: 8,
    t_ms: 1100,
    message: {
      type: MessageType.SIM_TRUTH,
      socMin: 0.6051,
      socAvg: 0.6117,
      socMax: 0.6189,
      coreTemperatureMin_C: 22.1,
      coreTemperatureAvg_C: 25.37,
      coreTemperatureMax_C: 29.02,
      current_A: 12.487,
    },
  },
  {
    title: 'SIM_CELL_TRUTH, cells 0..2 (simulation only)',
    seq: 9,
    t_ms: 1100,
    message: {
      type: MessageType.SIM_CELL_TRUTH,
      offset: 0,
      soc: Float64Array.from([0.6101, 0.6188, -0.0012]),
      coreTemperatures_C: Float64Array.from([24.5, 25.01, 26.33]),
    },
  },
  { title: 'CMD_REQUEST_INFO (host → device)', seq: 16, t_ms: 5000, message: { type: MessageType.CMD_REQUEST_INFO } },
  { title: 'CMD_SET_STATE NORMAL', seq: 17, t_ms: 5010, message: { type: MessageType.CMD_SET_STATE, state: BmsState.NORMAL } },
  { title: 'CMD_RESET_FAULTS', seq: 19, t_ms: 5030, message: { type: MessageType.CMD_RESET_FAULTS } },
  {
    title: 'CMD_SET_RATE: CELL_VOLTAGES at 10 Hz',
    seq: 20,
    t_ms: 5040,
    message: { type: MessageType.CMD_SET_RATE, messageType: MessageType.CELL_VOLTAGES, rate_Hz: 10 },
  },
  { title: 'CMD_REQUEST_LINK_STATS', seq: 21, t_ms: 5050, message: { type: MessageType.CMD_REQUEST_LINK_STATS } },
  {
    title: 'CMD_INJECT_FAULT: open sense wire at cell 5 (simulator only)',
    seq: 18,
    t_ms: 5020,
    message: { type: MessageType.CMD_INJECT_FAULT, code: FaultCode.OPEN_SENSE_WIRE, index: 5, active: true, value: NaN },
  },
];

const hex = (b: Uint8Array, from: number, to: number): string[] => {
  const lines: string[] = [];
  for (let i = from; i < to; i += 16) {
    lines.push(Array.from(b.subarray(i, Math.min(i + 16, to)), (x) => x.toString(16).padStart(2, '0')).join(' '));
  }
  return lines;
};

/** Hex dump block of one example: header / payload / crc / wire (16 bytes per line). */
export function renderExample(e: Example): string {
  const raw = rawFrame(e.message, e.seq, e.t_ms);
  const wire = new Uint8Array(cobsMaxEncodedLength(raw.length) + 1);
  const w = cobsEncode(raw, wire);
  wire[w] = 0;
  const field = (label: string, lines: string[]): string[] =>
    lines.length === 0 ? [`${label}(empty)`] : lines.map((l, i) => (i === 0 ? label : ' '.repeat(label.length)) + l);
  const out = [
    `### Example: ${e.title}`,
    '',
    '```json',
    JSON.stringify({ ...messageToJson(e.message), seq: e.seq, t_ms: e.t_ms }),
    '```',
    '',
    '```text',
    ...field('header:  ', hex(raw, 0, HEADER_SIZE)),
    ...field('payload: ', hex(raw, HEADER_SIZE, raw.length - 4)),
    ...field('crc:     ', hex(raw, raw.length - 4, raw.length)),
    ...field('wire:    ', hex(wire, 0, w + 1)),
    '```',
    '',
  ];
  return out.join('\n');
}

/** The generated "Worked examples" section body. */
export function renderExamples(): string {
  return EXAMPLES.map(renderExample).join('\n');
}
