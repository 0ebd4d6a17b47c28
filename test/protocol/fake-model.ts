/**
 * A small, deterministic DeviceModel for session, link and transport tests: ns cells whose
 * voltages follow device time, a state machine of four states, one injectable fault. Much
 * smaller than the BMS emulator on purpose (the tests are about the protocol, not the BMS), but
 * it decides state requests by the same rules (PROTOCOL.md §11.1); it only skips PRECHARGE and
 * the contactors' time. Tests of the BMS's behaviour run against the real emulated device
 * (test/device/).
 */
import {
  BmsState,
  FaultCode,
  FaultTier,
  InfoFlag,
  MessageType,
  NackReason,
  type CmdInjectFault,
  type FaultEvent,
  type Info,
  type PackStatus,
  type SimTruth,
  type TierLimits,
} from '../../protocol/messages.ts';
import type { DeviceModel } from '../../protocol/session.ts';

const tier = (v: number): TierLimits => ({
  cellVoltageMax_V: 4 + v,
  cellVoltageMin_V: 1.5 - v,
  chargeCurrentMax_A: 20 + 10 * v,
  dischargeCurrentMax_A: 100 + 10 * v,
  chargeTemperatureMin_C: 0,
  chargeTemperatureMax_C: 45,
  dischargeTemperatureMin_C: -20,
  dischargeTemperatureMax_C: 55,
});

export interface FakeModelOptions {
  ns?: number;
  sensors?: number;
  simulator?: boolean;
}

export class FakeModel implements DeviceModel {
  readonly simulator: boolean;
  state: BmsState = BmsState.STANDBY;
  /** The injected fault is active (state ERROR until it is removed and faults are reset). */
  faultActive = false;
  t_ms = 0;
  /** Commands the model executed, in order. */
  readonly executed: string[] = [];
  private readonly v: Float64Array;
  private readonly temps: Float64Array;
  private readonly bal: Uint8Array;
  private readonly pending: FaultEvent[] = [];
  private readonly infoMsg: Info;

  constructor(o: FakeModelOptions = {}) {
    const ns = o.ns ?? 8;
    this.simulator = o.simulator ?? true;
    this.v = new Float64Array(ns);
    this.temps = new Float64Array(o.sensors ?? 4);
    this.bal = new Uint8Array(ns);
    this.infoMsg = {
      type: MessageType.INFO,
      firmwareMajor: 1,
      firmwareMinor: 2,
      firmwarePatch: 3,
      deviceId: 0xfeed,
      flags: this.simulator ? InfoFlag.SIMULATOR : 0,
      ns,
      np: 1,
      cellVoltageSensors: ns,
      temperatureSensors: this.temps.length,
      currentSensors: 1,
      cellCapacity_Ah: 10,
      chemistry: 'fake',
      limits: { mol: tier(0), rsl: tier(0.05), msl: tier(0.1) },
    };
    this.advanceTo(0);
  }

  info(): Info {
    return this.infoMsg;
  }

  advanceTo(t_ms: number): void {
    this.t_ms = t_ms;
    // values on the wire grid, changing with time
    for (let i = 0; i < this.v.length; i++) this.v[i] = (32000 + ((t_ms / 10 + i * 7) % 100)) / 10000;
    for (let i = 0; i < this.temps.length; i++) this.temps[i] = (2500 + ((t_ms / 100 + i) % 50)) / 100;
    for (let i = 0; i < this.bal.length; i++) this.bal[i] = (i + Math.floor(t_ms / 1000)) % 3 === 0 ? 1 : 0;
  }

  status(out: PackStatus): PackStatus {
    out.state = this.state;
    const closed = this.state === BmsState.NORMAL || this.state === BmsState.CHARGE;
    out.mainPositiveClosed = closed;
    out.mainNegativeClosed = closed;
    out.prechargeClosed = false;
    out.balancingCount = this.bal.reduce((a, b) => a + b, 0);
    out.packVoltage_V = this.v.reduce((a, b) => a + b, 0);
    out.current_A = this.state === BmsState.CHARGE ? 5 : this.state === BmsState.NORMAL ? -5 : 0;
    out.soc = 0.5;
    out.soh = 1;
    out.cellVoltageMin_V = Math.min(...this.v);
    out.cellVoltageMax_V = Math.max(...this.v);
    out.cellVoltageMinIndex = this.v.indexOf(out.cellVoltageMin_V);
    out.cellVoltageMaxIndex = this.v.indexOf(out.cellVoltageMax_V);
    out.temperatureMin_C = Math.min(...this.temps);
    out.temperatureMax_C = Math.max(...this.temps);
    out.temperatureMinIndex = this.temps.indexOf(out.temperatureMin_C);
    out.temperatureMaxIndex = this.temps.indexOf(out.temperatureMax_C);
    out.faultMask = this.faultActive ? 1 << FaultCode.OPEN_SENSE_WIRE : 0;
    out.warningMask = 0;
    out.infoMask = 0;
    out.chargeCurrentLimit_A = 20;
    out.dischargeCurrentLimit_A = 100;
    return out;
  }

  cellVoltages(): Float64Array {
    return this.v;
  }

  temperatures(): Float64Array {
    return this.temps;
  }

  balancing(): Uint8Array {
    return this.bal;
  }

  drainEvents(out: FaultEvent[]): void {
    out.push(...this.pending);
    this.pending.length = 0;
  }

  simTruth(out: SimTruth): SimTruth {
    out.socMin = 0.49;
    out.socAvg = 0.5;
    out.socMax = 0.51;
    out.coreTemperatureMin_C = 25;
    out.coreTemperatureAvg_C = 25.5;
    out.coreTemperatureMax_C = 26;
    out.current_A = 0;
    return out;
  }

  simCellTruth(): { soc: Float64Array; coreTemperatures_C: Float64Array } {
    return { soc: new Float64Array(this.v.length).fill(0.5), coreTemperatures_C: new Float64Array(this.v.length).fill(25) };
  }

  /** The decisions of PROTOCOL.md §11.1 (its one fault is FATAL); the state changes at once (no PRECHARGE). */
  requestState(state: BmsState): number {
    if (state !== BmsState.STANDBY && this.faultActive) return NackReason.FAULT_ACTIVE;
    if (this.state === BmsState.ERROR) return NackReason.ILLEGAL_TRANSITION;
    this.executed.push(`state ${state}`);
    this.state = state;
    return 0;
  }

  resetFaults(): number {
    if (this.faultActive) return NackReason.FAULT_ACTIVE;
    this.executed.push('reset');
    if (this.state === BmsState.ERROR) this.state = BmsState.STANDBY;
    return 0;
  }

  injectFault(cmd: CmdInjectFault): number {
    if (cmd.code !== FaultCode.OPEN_SENSE_WIRE) return NackReason.UNSUPPORTED;
    this.executed.push(`inject ${cmd.active}`);
    if (cmd.active === this.faultActive) return 0;
    this.faultActive = cmd.active;
    if (cmd.active) this.state = BmsState.ERROR;
    this.pending.push({
      type: MessageType.EVENT,
      code: FaultCode.OPEN_SENSE_WIRE,
      tier: FaultTier.FATAL,
      raised: cmd.active,
      index: cmd.index,
      value: 0,
      threshold: 0,
    });
    return 0;
  }
}
