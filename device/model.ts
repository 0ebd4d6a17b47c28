/**
 * The emulated BMS as a serial device's model: a ScenarioRun (sim/run.ts) with the BMS firmware
 * emulator (sim/bms) attached, seen the way firmware sees it. Telemetry reports the BMS
 * database, i.e. what the sensors measured and the estimators made of it (noise, resolution,
 * open wires and NTC faults included); only SIM_TRUTH / SIM_CELL_TRUTH carry the pack model's
 * true state. The BMS configuration is the scenario's "bms" section, or the `default` preset
 * when it has none; its scheduled faults come from the scenario's "faults"
 * (createBmsForScenario), and CMD_INJECT_FAULT adds more at run time (Bms.inject) from the
 * fault-injection table (device/injection.ts).
 *
 * Time: `advanceTo(t_ms)` runs the BMS firmware's ticks (10 ms) up to t_ms, whatever the pack
 * step (dt_s): the pack model steps when device time enters a step, and the BMS ticks in it see
 * the pack as at the end of that step (the pack holds; it does not interpolate). So states,
 * contactors and EVENTs move on the BMS's own grid (PROTOCOL.md §8).
 * When the scenario's steps are over (`stepsOver`) the pack rests and the BMS keeps running (so
 * host commands still act) until the duration, if any, ends (`ended`).
 *
 * SIM_CELL_TRUTH is per series group (the index space of CELL_VOLTAGES): the group's mean true
 * SOC and its hottest cell's core temperature.
 */
import {
  BmsState,
  FAULT_CODE_NAMES,
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
} from '../protocol/messages.ts';
import type { DeviceModel } from '../protocol/session.ts';
import { type Bms, type CommandDecision, createBmsForScenario } from '../sim/bms/index.ts';
import { sensorCells } from '../sim/bms/afe.ts';
import { tierLimitsOf, type DiagEvent } from '../sim/bms/diag.ts';
import { CHECKS, CHECK_IDS, protocolState } from '../sim/bms/types.ts';
import { type ScenarioRun, startScenario } from '../sim/run.ts';
import type { Scenario } from '../sim/scenario.ts';
import { type InjectionContext, type InjectionTable, injection, shippedInjectionTable } from './injection.ts';

/** Firmware version the emulator reports in INFO. */
export const EMULATOR_VERSION = { major: 0, minor: 2, patch: 0 } as const;

export interface ScenarioModelOptions {
  /** Stop the scenario at this simulated time, s (default: the scenario's own). */
  duration_s?: number;
  /**
   * Host watchdog (PROTOCOL.md §11.3): HOST_COMM_LOSS raised when no valid command came for its
   * tiers' times (the BMS configuration's host_comm_loss thresholds), armed by the first command.
   * Default off.
   */
  hostWatchdog?: boolean;
  /** CMD_INJECT_FAULT's table (default: device/config/fault-injection.json). */
  injectionTable?: InjectionTable;
}

const TIERS = [FaultTier.INFO, FaultTier.WARNING, FaultTier.FATAL] as const;

export class ScenarioModel implements DeviceModel {
  readonly simulator = true;
  readonly run: ScenarioRun;
  readonly bms: Bms;
  private readonly sc: Scenario;
  private readonly ns: number;
  private readonly np: number;
  private readonly infoMsg: Info;
  private readonly volts: Float64Array;
  private readonly temps: Float64Array;
  private readonly bal: Uint8Array;
  private readonly truthSoc: Float64Array;
  private readonly truthT: Float64Array;
  /** The cell each temperature sensor sits on. */
  private readonly ntcCells: Int32Array;
  /** EVENTs not yet drained: every raise and clear of the BMS's diagnosis, as they happen. */
  private readonly eventQueue: FaultEvent[] = [];
  /** Faults injected by CMD_INJECT_FAULT: "code/index" and the BMS's index for it. */
  private readonly injected: { key: string; k: number }[] = [];
  private done = false;
  private readonly injectionTable: InjectionTable;
  private readonly injectionCtx: InjectionContext;
  /** Why the last CMD_INJECT_FAULT was refused (PROTOCOL.md §11.2), for logs and tests. */
  lastRefusal = '';

  constructor(sc: Scenario, options: ScenarioModelOptions = {}) {
    this.sc = sc;
    let bms: Bms | null = null;
    this.run = startScenario(sc, {
      duration_s: options.duration_s,
      restAfterSteps: true, // the device outlives its script: at rest, BMS still running
      bmsTicksByCaller: true, // the BMS on its own 10 ms grid, whatever the pack step
      // a device is where faults are injected (an internal short drives a cell far past its pulse
      // current): it goes on like the hardware would, and the BMS judges what its sensors show
      allowAbuse: true,
      bms: (pack, scenario) => (bms = createBmsForScenario(pack, scenario, { hostWatchdog: options.hostWatchdog })),
    });
    this.bms = bms!;
    this.bms.diag.onEvent = (e) => this.eventQueue.push(event(e));
    const pack = this.run.pack;
    this.ns = pack.ns;
    this.np = pack.np;
    const db = this.bms.db;
    this.volts = new Float64Array(this.ns);
    this.temps = new Float64Array(db.peek('cellTemperature').temperature_C.length);
    this.bal = new Uint8Array(this.ns);
    this.truthSoc = new Float64Array(this.ns);
    this.truthT = new Float64Array(this.ns);
    this.ntcCells = sensorCells(this.bms.config.afe.temperature.sensor_cells, pack.n);
    this.infoMsg = this.makeInfo();
    this.injectionTable = options.injectionTable ?? shippedInjectionTable();
    const th = this.bms.diag.thresholds;
    this.injectionCtx = {
      ns: this.ns,
      np: this.np,
      ntcCells: this.ntcCells,
      fatalThreshold: (code) => {
        const c = CHECK_IDS.findIndex((id) => CHECKS[id].code === code);
        return c < 0 ? NaN : th[c * 3 + 2]!;
      },
    };
  }

  /**
   * True once the run is over: its duration (the option's, else the scenario's) reached. A run
   * with no duration never ends: after its steps the pack rests and the BMS keeps running.
   */
  get ended(): boolean {
    return this.done;
  }

  /** True once the scenario's steps are over (the pack at rest since), or the run ended. */
  get stepsOver(): boolean {
    return this.done || this.run.stepsOver();
  }

  info(): Info {
    return this.infoMsg;
  }

  advanceTo(t_ms: number): void {
    // the pack steps when device time enters its step; the BMS ticks up to device time
    while (!this.done && this.run.time_s() * 1000 < t_ms - 1e-6) {
      if (!this.run.step()) this.done = true;
    }
    this.bms.afterStep(Math.min(t_ms, this.run.time_s() * 1000) / 1000);
  }

  status(out: PackStatus): PackStatus {
    const db = this.bms.db;
    const cur = db.peek('current');
    const cv = db.peek('cellVoltage');
    const ct = db.peek('cellTemperature');
    const diag = db.peek('diag');
    const sop = db.peek('sop');
    out.state = protocolState(this.bms.stateMachine.state); // a host's command may have moved it since the last tick
    out.mainPositiveClosed = cur.plusClosed === 1;
    out.mainNegativeClosed = cur.minusClosed === 1;
    out.prechargeClosed = cur.prechargeClosed === 1;
    out.balancingCount = db.peek('balancing').count;
    out.packVoltage_V = cur.valid ? cur.packVoltage_V : NaN;
    out.current_A = cur.valid ? cur.current_A : NaN;
    // no estimate yet (NA) until the estimator's first slow task: before it, only the reset's initial guess
    out.soc = db.now_ms >= this.bms.config.scheduler.slow_period_ms ? db.peek('soc').avg : NaN;
    out.soh = db.peek('soh').soh;
    out.cellVoltageMin_V = cv.validCount > 0 ? cv.min_V : NaN;
    out.cellVoltageMax_V = cv.validCount > 0 ? cv.max_V : NaN;
    out.cellVoltageMinIndex = cv.validCount > 0 ? cv.minIndex : -1;
    out.cellVoltageMaxIndex = cv.validCount > 0 ? cv.maxIndex : -1;
    out.temperatureMin_C = ct.validCount > 0 ? ct.min_C : NaN;
    out.temperatureMax_C = ct.validCount > 0 ? ct.max_C : NaN;
    out.temperatureMinIndex = ct.validCount > 0 ? ct.minIndex : -1;
    out.temperatureMaxIndex = ct.validCount > 0 ? ct.maxIndex : -1;
    let fatal = 0;
    let warning = 0;
    let info = 0;
    for (let c = 0; c < CHECK_IDS.length; c++) {
      const r = diag.raised[c]!;
      if (r === 0) continue;
      const code = CHECKS[CHECK_IDS[c]!].code;
      if (code >= 32) continue; // EVENT only
      const bit = 1 << code;
      if (r & 1) info |= bit;
      if (r & 2) warning |= bit;
      if (r & 4) fatal |= bit;
    }
    out.faultMask = fatal >>> 0;
    out.warningMask = warning >>> 0;
    out.infoMask = info >>> 0;
    out.chargeCurrentLimit_A = sop.chargeLimit_A;
    out.dischargeCurrentLimit_A = sop.dischargeLimit_A;
    return out;
  }

  cellVoltages(): Float64Array {
    const cv = this.bms.db.peek('cellVoltage');
    const v = this.volts;
    for (let i = 0; i < v.length; i++) v[i] = cv.valid[i] ? cv.voltage_V[i]! : NaN;
    return v;
  }

  temperatures(): Float64Array {
    const ct = this.bms.db.peek('cellTemperature');
    const t = this.temps;
    for (let i = 0; i < t.length; i++) t[i] = ct.valid[i] ? ct.temperature_C[i]! : NaN;
    return t;
  }

  balancing(): Uint8Array {
    this.bal.set(this.bms.db.peek('balancing').active);
    return this.bal;
  }

  /**
   * The EVENTs since the last call, in the order the BMS raised and cleared them. They come
   * from diagnosis itself (Diag.onEvent), not from its records, so they never stop coming
   * however long the run (the records stop growing at MAX_RECORDS).
   */
  drainEvents(out: FaultEvent[]): void {
    for (const e of this.eventQueue) out.push(e);
    this.eventQueue.length = 0;
  }

  simTruth(out: SimTruth): SimTruth {
    const pack = this.run.pack;
    let zMin = Infinity;
    let zMax = -Infinity;
    let tMin = Infinity;
    let tMax = -Infinity;
    let tSum = 0;
    for (let i = 0; i < pack.n; i++) {
      const z = pack.z[i]!;
      const T = pack.T[i]!;
      if (z < zMin) zMin = z;
      if (z > zMax) zMax = z;
      if (T < tMin) tMin = T;
      if (T > tMax) tMax = T;
      tSum += T;
    }
    out.socMin = zMin;
    out.socAvg = this.run.soc();
    out.socMax = zMax;
    out.coreTemperatureMin_C = tMin;
    out.coreTemperatureAvg_C = tSum / pack.n;
    out.coreTemperatureMax_C = tMax;
    out.current_A = pack.packCurrent;
    return out;
  }

  simCellTruth(): { soc: Float64Array; coreTemperatures_C: Float64Array } {
    const pack = this.run.pack;
    const np = this.np;
    for (let g = 0; g < this.ns; g++) {
      let z = 0;
      let T = -Infinity;
      for (let p = 0; p < np; p++) {
        z += pack.z[g * np + p]!;
        T = Math.max(T, pack.T[g * np + p]!);
      }
      this.truthSoc[g] = z / np;
      this.truthT[g] = T;
    }
    return { soc: this.truthSoc, coreTemperatures_C: this.truthT };
  }

  hostSeen(t_ms: number): void {
    this.bms.hostSeen(t_ms / 1000);
  }

  /** CMD_SET_STATE, decided by the BMS state machine (PROTOCOL.md §11.1). */
  requestState(state: BmsState, t_ms: number): number {
    const req = state === BmsState.STANDBY ? 'STANDBY' : state === BmsState.NORMAL ? 'NORMAL' : state === BmsState.CHARGE ? 'CHARGE' : null;
    if (req === null) return NackReason.BAD_VALUE;
    return nackOf(this.bms.command(req, t_ms / 1000));
  }

  /** CMD_RESET_FAULTS, decided by the BMS state machine (PROTOCOL.md §11.1). */
  resetFaults(t_ms: number): number {
    return nackOf(this.bms.command('RESET', t_ms / 1000));
  }

  /**
   * CMD_INJECT_FAULT, checked against the fault-injection table (device/injection.ts,
   * PROTOCOL.md §11.2): the code's plant fault is injected from now on and reported like the
   * scenario's own faults. `active: false` ends every fault injected by this command with the
   * same code and index (undone at the next tick); BAD_VALUE when none of them is still active.
   * Scenario faults are the scenario's: a host cannot remove them. `lastRefusal` says why the
   * last injection was refused.
   */
  injectFault(cmd: CmdInjectFault, t_ms: number): number {
    const t_s = t_ms / 1000;
    const spec = injection(this.injectionTable, cmd, this.injectionCtx, t_s);
    if (!('fault' in spec)) {
      this.lastRefusal = spec.why;
      return spec.reason;
    }
    const key = `${cmd.code}/${cmd.index}`;
    if (!cmd.active) {
      let ended = 0;
      for (const f of this.injected) if (f.key === key && this.bms.endFault(f.k, t_s)) ended++;
      if (ended > 0) return 0;
      this.lastRefusal = `${FAULT_CODE_NAMES[cmd.code]}: nothing injected at index ${cmd.index < 0 ? '0xFFFF' : cmd.index} to remove`;
      return NackReason.BAD_VALUE;
    }
    this.injected.push({ key, k: this.bms.inject(spec, t_s) });
    return 0;
  }

  private makeInfo(): Info {
    const th = this.bms.diag.thresholds;
    const limits = (tier: number): TierLimits => tierLimitsOf(th, tier);
    const name = this.sc.chemistry.name.replace(/[^\x20-\x7e]/g, '?').slice(0, 31);
    return {
      type: MessageType.INFO,
      firmwareMajor: EMULATOR_VERSION.major,
      firmwareMinor: EMULATOR_VERSION.minor,
      firmwarePatch: EMULATOR_VERSION.patch,
      deviceId: deviceId(`${this.sc.name}/${this.sc.seed}`),
      flags: InfoFlag.SIMULATOR,
      ns: this.ns,
      np: this.np,
      cellVoltageSensors: this.ns,
      temperatureSensors: this.temps.length,
      currentSensors: 2,
      cellCapacity_Ah: this.sc.chemistry.capacity_Ah,
      chemistry: name,
      limits: { mol: limits(0), rsl: limits(1), msl: limits(2) },
    };
  }
}

function nackOf(d: CommandDecision): number {
  return d === 'accept' ? 0 : d === 'illegal' ? NackReason.ILLEGAL_TRANSITION : NackReason.FAULT_ACTIVE;
}

function event(r: DiagEvent): FaultEvent {
  return {
    type: MessageType.EVENT,
    code: FaultCode[r.code as keyof typeof FaultCode] ?? 0xffff,
    tier: (FaultTier[r.tier as keyof typeof FaultTier] ?? TIERS[0]) as FaultTier,
    raised: r.raised,
    index: r.index ?? -1, // the series group or sensor that tripped; -1 (0xFFFF on the wire): the pack
    value: r.value,
    threshold: r.threshold,
  };
}

/** FNV-1a of a string: a stable device id per scenario and seed. */
function deviceId(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
