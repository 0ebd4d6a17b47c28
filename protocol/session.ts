/**
 * The device side of a session (what BMS firmware, or natrium's emulator, runs): answers
 * commands with ACK/NACK, schedules periodic telemetry per message type on device time, and
 * repeats INFO. The values come from a `DeviceModel`; frames go to a `FrameSink` (a PacedLink,
 * link.ts, or anything that carries whole frames).
 *
 * Every `tick(t_ms)`, in this order: the model advances to t_ms; the commands received since the
 * last tick are answered one by one (each ACK or NACK before the next command acts); the model's
 * new fault events go out; then INFO (every `infoPeriod_ms`, after reset and on request) and
 * each periodic type whose time has come. Telemetry sampled in one tick carries one `t_ms`.
 *
 * Commands (PROTOCOL.md section 11) are queued requests: CMD_SET_STATE, CMD_RESET_FAULTS and
 * CMD_INJECT_FAULT go to the model, which answers 0 (accepted: ACK) or a NackReason. The session
 * itself answers CMD_REQUEST_INFO and CMD_REQUEST_LINK_STATS (ACK, then the message at once;
 * LINK_STATS counts what its decoder rejected, the device → host frames it ignored and the
 * frames its sink dropped) and NACKs: an unknown command type (0x80-0xBF) UNKNOWN_COMMAND; a command whose payload is
 * truncated or holds a bad value MALFORMED; CMD_SET_STATE other than STANDBY/NORMAL/CHARGE and
 * CMD_SET_RATE of a type that is not periodic (or SIM_* on a non-simulator) or a rate above
 * 100 Hz BAD_VALUE; CMD_INJECT_FAULT on a non-simulator NOT_SIMULATOR. A command repeated with
 * the same seq and t_ms (a duplicate on the link) is answered again and not executed again. Frames of
 * device → host types arriving at the device (an echoing line) are ignored and counted.
 */
import { chunkCellVoltages, chunkTemperatures } from './chunk.ts';
import { Decoder, type SkipReason } from './decoder.ts';
import { Encoder } from './encoder.ts';
import {
  BALANCING_MAX_COUNT,
  BmsState,
  MAX_RATE_HZ,
  MessageType,
  NackReason,
  SIM_CELL_TRUTH_MAX_COUNT,
  isCommand,
  type Balancing,
  type CmdInjectFault,
  type Decoded,
  type DeviceMessage,
  type FaultEvent,
  type Info,
  type LinkStats,
  type Message,
  type PackStatus,
  type SimCellTruth,
  type SimTruth,
} from './messages.ts';

/** What the session reads its values from and hands commands to. */
export interface DeviceModel {
  /** The device is a simulator: sends SIM_* and accepts CMD_INJECT_FAULT (INFO flag SIMULATOR). */
  readonly simulator: boolean;
  /** INFO body (the session sends it as is). */
  info(): Info;
  /** Runs the model up to device time t_ms (called once per tick, t_ms never decreasing). */
  advanceTo(t_ms: number): void;
  /** Fills `out` with the present PACK_STATUS (measured values and estimates) and returns it. */
  status(out: PackStatus): PackStatus;
  /** Cell (series group) voltages as the sensors read them, V; NaN where invalid. */
  cellVoltages(): Float64Array;
  /** Temperature sensor readings, °C; NaN where invalid. */
  temperatures(): Float64Array;
  /** Bleeding state per cell: 1 on, 0 off. */
  balancing(): Uint8Array;
  /** Appends the fault events raised or cleared since the last call. */
  drainEvents(out: FaultEvent[]): void;
  /** Simulator ground truth (only called when `simulator`). */
  simTruth?(out: SimTruth): SimTruth;
  /** Per-cell ground truth: true SOC and core temperature per series group (only when `simulator`). */
  simCellTruth?(): { soc: Float64Array; coreTemperatures_C: Float64Array };
  /** A state request (STANDBY, NORMAL or CHARGE): 0 = accepted, else a NackReason. */
  requestState(state: BmsState, t_ms: number): number;
  /** Clear latched faults whose cause is gone: 0 = accepted, else a NackReason. */
  resetFaults(t_ms: number): number;
  /** Inject or remove a fault (simulators only): 0 = accepted, else a NackReason. */
  injectFault(cmd: CmdInjectFault, t_ms: number): number;
  /** A valid command arrived (before it is executed): the host is alive (a host watchdog's input). */
  hostSeen?(t_ms: number): void;
}

/** Where whole frames (COBS + 0x00) go; `priority` frames are INFO, EVENT, ACK, NACK and LINK_STATS. */
export interface FrameSink {
  send(frame: Uint8Array, priority: boolean): void;
  /** Bytes that are not a frame (the 0x00 sent once at start). */
  sendRaw(bytes: Uint8Array): void;
  /** Frames dropped for want of room on the line (LINK_STATS txDropped; a PacedLink has it). */
  readonly counters?: { readonly framesDropped: number };
}

/** Message types sent periodically, whose rate CMD_SET_RATE sets. */
export const PERIODIC_TYPES = [
  MessageType.PACK_STATUS,
  MessageType.CELL_VOLTAGES,
  MessageType.TEMPERATURES,
  MessageType.BALANCING,
  MessageType.LINK_STATS,
  MessageType.SIM_TRUTH,
  MessageType.SIM_CELL_TRUTH,
] as const;
export type PeriodicType = (typeof PERIODIC_TYPES)[number];

/** Default rates, Hz (PROTOCOL.md section 8). */
export const DEFAULT_RATES_HZ: Readonly<Record<PeriodicType, number>> = {
  [MessageType.PACK_STATUS]: 10,
  [MessageType.CELL_VOLTAGES]: 10,
  [MessageType.TEMPERATURES]: 10,
  [MessageType.BALANCING]: 1,
  [MessageType.LINK_STATS]: 0,
  [MessageType.SIM_TRUTH]: 10,
  [MessageType.SIM_CELL_TRUTH]: 0,
};

/** Default INFO period, ms. */
export const INFO_PERIOD_MS = 5000;

export interface SessionOptions {
  /** INFO repetition period, ms (default 5000). */
  infoPeriod_ms?: number;
  /** Initial rates per periodic type, Hz (0..100; default DEFAULT_RATES_HZ). */
  rates?: Partial<Record<PeriodicType, number>>;
}

export interface SessionCounters {
  /** Command frames received intact (including duplicates and malformed ones). */
  commands: number;
  acks: number;
  nacks: number;
  /** Commands received again with the same seq (answered again, not executed). */
  duplicates: number;
  /** Frames of device → host types received (ignored). */
  ignored: number;
  /** Telemetry messages sent (each chunk counts). */
  telemetry: number;
  infos: number;
  events: number;
}

interface Pending {
  kind: 'command';
  m: Decoded;
}
interface PendingNack {
  kind: 'nack';
  type: number;
  seq: number;
  reason: number;
}
interface Answer {
  commandSeq: number;
  commandType: number;
  /** 0: ACK. */
  reason: number;
}

const STATES_ACCEPTED: ReadonlySet<number> = new Set([BmsState.STANDBY, BmsState.NORMAL, BmsState.CHARGE]);

/** Rounding allowance of the rate grid, ms: k * 1000 / hz is a tick time when it is one to within this. */
const GRID_EPS_MS = 1e-6;

export class DeviceSession {
  readonly counters: SessionCounters = { commands: 0, acks: 0, nacks: 0, duplicates: 0, ignored: 0, telemetry: 0, infos: 0, events: 0 };
  private readonly model: DeviceModel;
  private readonly sink: FrameSink;
  private readonly enc = new Encoder({ leadingDelimiter: false });
  private readonly dec: Decoder;
  private readonly infoPeriod_ms: number;
  private readonly rates = new Map<PeriodicType, number>();
  /** Each periodic type's grid: the time its rate was set, ms, and how many periods of it have gone (PROTOCOL.md §8, "Scheduling"). */
  private readonly gridStart = new Map<PeriodicType, number>();
  private readonly gridCount = new Map<PeriodicType, number>();
  private readonly inbox: (Pending | PendingNack)[] = [];
  private lastAnswer: Answer | null = null;
  private nextInfo_ms = NaN;
  private infoRequested = false;
  private linkStatsRequested = false;
  private started = false;
  private t_ms = 0;
  private readonly statusBuf: PackStatus = blankStatus();
  private readonly truthBuf: SimTruth = {
    type: MessageType.SIM_TRUTH,
    socMin: NaN,
    socAvg: NaN,
    socMax: NaN,
    coreTemperatureMin_C: NaN,
    coreTemperatureAvg_C: NaN,
    coreTemperatureMax_C: NaN,
    current_A: NaN,
  };
  private readonly events: FaultEvent[] = [];

  constructor(model: DeviceModel, sink: FrameSink, options: SessionOptions = {}) {
    if (typeof model !== 'object' || model === null) throw new TypeError(`"model" must be a DeviceModel: ${String(model)}`);
    if (typeof sink !== 'object' || sink === null || typeof sink.send !== 'function') throw new TypeError(`"sink" must be a FrameSink: ${String(sink)}`);
    const { infoPeriod_ms = INFO_PERIOD_MS, rates = {} } = options;
    if (typeof infoPeriod_ms !== 'number' || !(infoPeriod_ms > 0)) throw new TypeError(`"infoPeriod_ms" must be a positive number: ${String(infoPeriod_ms)}`);
    this.model = model;
    this.sink = sink;
    this.infoPeriod_ms = infoPeriod_ms;
    for (const t of PERIODIC_TYPES) {
      const hz = rates[t] ?? DEFAULT_RATES_HZ[t];
      if (!Number.isInteger(hz) || hz < 0 || hz > MAX_RATE_HZ) throw new TypeError(`"rates[${t}]" must be an integer 0..${MAX_RATE_HZ}: ${String(hz)}`);
      this.rates.set(t, this.allowed(t) ? hz : 0);
    }
    this.dec = new Decoder({
      onMessage: (m) => this.onFrame(m),
      onSkip: (type, seq, _t, reason) => this.onSkip(type, seq, reason),
    });
  }

  /** Device time of the last tick, ms. */
  get time_ms(): number {
    return this.t_ms;
  }

  /** Present rate of a periodic type, Hz. */
  rate(type: PeriodicType): number {
    return this.rates.get(type) ?? 0;
  }

  /** Bytes from the host (any chunking); the commands in them are answered at the next tick. */
  receive(bytes: Uint8Array): void {
    this.dec.push(bytes);
  }

  /** Advances to device time t_ms (u32 wrap is the encoder's business: t_ms is sent modulo 2^32). */
  tick(t_ms: number): void {
    if (this.started && t_ms < this.t_ms) throw new RangeError(`tick: time went back from ${this.t_ms} to ${t_ms} ms`);
    this.t_ms = t_ms;
    if (!this.started) {
      this.started = true;
      this.sink.sendRaw(new Uint8Array(1)); // the 0x00 before the first frame (PROTOCOL.md section 3)
      this.nextInfo_ms = t_ms;
      for (const t of PERIODIC_TYPES) this.startGrid(t, t_ms);
    }
    this.model.advanceTo(t_ms);
    for (let p = this.inbox.shift(); p !== undefined; p = this.inbox.shift()) this.answer(p);
    this.model.drainEvents(this.events);
    for (const e of this.events) {
      this.emit(e, true);
      this.counters.events++;
    }
    this.events.length = 0;
    if (this.infoRequested || t_ms >= this.nextInfo_ms) {
      this.infoRequested = false;
      this.emit(this.model.info(), true);
      this.counters.infos++;
      this.nextInfo_ms = t_ms + this.infoPeriod_ms;
    }
    for (const type of PERIODIC_TYPES) {
      const hz = this.rates.get(type)!;
      if (hz === 0) continue;
      // the k-th message is due at start + k * 1000 / hz ms, sent in the first tick at or after it;
      // computed from k (not summed period by period), so a rate that does not divide 1000 never drifts
      const start = this.gridStart.get(type)!;
      let k = this.gridCount.get(type)!;
      if (t_ms < start + (k * 1000) / hz - GRID_EPS_MS) continue;
      do k++;
      while (t_ms >= start + (k * 1000) / hz - GRID_EPS_MS); // a tick longer than the period sends once
      this.gridCount.set(type, k);
      this.sendPeriodic(type);
    }
  }

  private startGrid(type: PeriodicType, t_ms: number): void {
    this.gridStart.set(type, t_ms);
    this.gridCount.set(type, 0);
  }

  private allowed(type: PeriodicType): boolean {
    return this.model.simulator || (type !== MessageType.SIM_TRUTH && type !== MessageType.SIM_CELL_TRUTH);
  }

  private sendPeriodic(type: PeriodicType): void {
    const model = this.model;
    switch (type) {
      case MessageType.PACK_STATUS:
        this.emit(model.status(this.statusBuf), false);
        break;
      case MessageType.CELL_VOLTAGES:
        for (const m of chunkCellVoltages(model.cellVoltages())) this.emit(m, false);
        break;
      case MessageType.TEMPERATURES:
        for (const m of chunkTemperatures(model.temperatures())) this.emit(m, false);
        break;
      case MessageType.BALANCING: {
        const a = model.balancing();
        for (let o = 0; o < a.length; o += BALANCING_MAX_COUNT) {
          const m: Balancing = { type: MessageType.BALANCING, offset: o, active: a.subarray(o, o + BALANCING_MAX_COUNT) };
          this.emit(m, false);
        }
        break;
      }
      case MessageType.LINK_STATS:
        this.emit(this.linkStats(), true);
        break;
      case MessageType.SIM_TRUTH:
        if (model.simTruth) this.emit(model.simTruth(this.truthBuf), false);
        break;
      case MessageType.SIM_CELL_TRUTH: {
        if (!model.simCellTruth) break;
        const { soc, coreTemperatures_C } = model.simCellTruth();
        for (let o = 0; o < soc.length; o += SIM_CELL_TRUTH_MAX_COUNT) {
          const m: SimCellTruth = {
            type: MessageType.SIM_CELL_TRUTH,
            offset: o,
            soc: soc.subarray(o, o + SIM_CELL_TRUTH_MAX_COUNT),
            coreTemperatures_C: coreTemperatures_C.subarray(o, o + SIM_CELL_TRUTH_MAX_COUNT),
          };
          this.emit(m, false);
        }
        break;
      }
    }
  }

  /** The link counters now (PROTOCOL.md §9.8). */
  linkStats(): LinkStats {
    const d = this.dec.counters;
    return {
      type: MessageType.LINK_STATS,
      framesOk: d.frames >>> 0,
      crcErrors: d.crcErrors >>> 0,
      cobsErrors: d.cobsErrors >>> 0,
      shortFrames: d.shortFrames >>> 0,
      oversizeRuns: d.oversizeRuns >>> 0,
      badVersions: d.badVersions >>> 0,
      wrongDirection: this.counters.ignored >>> 0,
      txDropped: (this.sink.counters?.framesDropped ?? 0) >>> 0,
    };
  }

  private emit(m: DeviceMessage, priority: boolean): void {
    this.enc.encode(m as Message, this.t_ms >>> 0);
    this.sink.send(this.enc.take(), priority);
    if (!priority) this.counters.telemetry++;
  }

  private onFrame(m: Decoded): void {
    if (!isCommand(m.type)) {
      this.counters.ignored++;
      return;
    }
    this.counters.commands++;
    this.inbox.push({ kind: 'command', m });
  }

  private onSkip(type: number, seq: number, reason: SkipReason): void {
    if (!isCommand(type)) {
      this.counters.ignored++;
      return;
    }
    this.counters.commands++;
    if (reason === 'duplicate') {
      this.counters.duplicates++;
      this.inbox.push({ kind: 'nack', type, seq, reason: -1 }); // -1: repeat the last answer
      return;
    }
    this.inbox.push({ kind: 'nack', type, seq, reason: reason === 'unknown-type' ? NackReason.UNKNOWN_COMMAND : NackReason.MALFORMED });
  }

  private answer(p: Pending | PendingNack): void {
    if (p.kind === 'nack') {
      if (p.reason === -1) {
        const a = this.lastAnswer;
        if (a !== null && a.commandSeq === p.seq && a.commandType === p.type) this.reply(a.commandSeq, a.commandType, a.reason);
        return;
      }
      this.reply(p.seq, p.type, p.reason);
      return;
    }
    const m = p.m;
    this.model.hostSeen?.(this.t_ms);
    const reason = this.execute(m);
    this.reply(m.seq, m.type, reason);
  }

  /** Runs one command; 0 = ACK, else the NACK reason. */
  private execute(m: Decoded): number {
    const t = this.t_ms;
    switch (m.type) {
      case MessageType.CMD_REQUEST_INFO:
        this.infoRequested = true;
        return 0;
      case MessageType.CMD_SET_STATE:
        if (!STATES_ACCEPTED.has(m.state)) return NackReason.BAD_VALUE;
        return this.model.requestState(m.state, t);
      case MessageType.CMD_RESET_FAULTS:
        return this.model.resetFaults(t);
      case MessageType.CMD_SET_RATE: {
        const type = m.messageType as PeriodicType;
        if (!(PERIODIC_TYPES as readonly number[]).includes(type) || !this.allowed(type)) return NackReason.BAD_VALUE;
        if (m.rate_Hz > MAX_RATE_HZ) return NackReason.BAD_VALUE;
        this.rates.set(type, m.rate_Hz);
        this.startGrid(type, t);
        return 0;
      }
      case MessageType.CMD_INJECT_FAULT:
        if (!this.model.simulator) return NackReason.NOT_SIMULATOR;
        return this.model.injectFault(m, t);
      case MessageType.CMD_REQUEST_LINK_STATS:
        this.linkStatsRequested = true;
        return 0;
      default:
        return NackReason.UNKNOWN_COMMAND;
    }
  }

  private reply(commandSeq: number, commandType: number, reason: number): void {
    this.lastAnswer = { commandSeq, commandType, reason };
    if (reason === 0) {
      this.counters.acks++;
      this.emit({ type: MessageType.ACK, commandSeq, commandType }, true);
    } else {
      this.counters.nacks++;
      this.emit({ type: MessageType.NACK, commandSeq, commandType, reason }, true);
    }
    // INFO (LINK_STATS) asked for by CMD_REQUEST_INFO (CMD_REQUEST_LINK_STATS) goes right after its ACK
    if (this.infoRequested && commandType === MessageType.CMD_REQUEST_INFO && reason === 0) {
      this.infoRequested = false;
      this.emit(this.model.info(), true);
      this.counters.infos++;
    }
    if (this.linkStatsRequested && commandType === MessageType.CMD_REQUEST_LINK_STATS && reason === 0) {
      this.linkStatsRequested = false;
      this.emit(this.linkStats(), true);
    }
  }
}

/** A PACK_STATUS with every quantity "not available", for models to fill. */
export function blankStatus(): PackStatus {
  return {
    type: MessageType.PACK_STATUS,
    state: BmsState.INIT,
    mainPositiveClosed: false,
    mainNegativeClosed: false,
    prechargeClosed: false,
    balancingCount: 0,
    packVoltage_V: NaN,
    current_A: NaN,
    soc: NaN,
    soh: NaN,
    cellVoltageMin_V: NaN,
    cellVoltageMax_V: NaN,
    cellVoltageMinIndex: -1,
    cellVoltageMaxIndex: -1,
    temperatureMin_C: NaN,
    temperatureMax_C: NaN,
    temperatureMinIndex: -1,
    temperatureMaxIndex: -1,
    faultMask: 0,
    warningMask: 0,
    infoMask: 0,
    chargeCurrentLimit_A: NaN,
    dischargeCurrentLimit_A: NaN,
  };
}
