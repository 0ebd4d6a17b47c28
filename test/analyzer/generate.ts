/**
 * Clean synthetic telemetry for the analyser's tests: a small Na-ion pack (the prismatic 150 Ah
 * preset's OCV and limits) on a seeded session — rest, discharge, rest, CC charge, rest — as the
 * device would send it (INFO, PACK_STATUS, CELL_VOLTAGES, TEMPERATURES, BALANCING, SIM_TRUTH,
 * SIM_CELL_TRUTH on their rates, state machine STANDBY → PRECHARGE → NORMAL → CHARGE → STANDBY
 * with consistent contactors, SOP limits above the current, no faults). Every check must pass
 * on it; a test plants one anomaly through `mutate` (change the values of a tick before they
 * are sent) or `drop` (lose a message), then checks the finding and its time range.
 *
 * Physics (enough for the rules, not the project's model): true SOC by coulomb counting; cell
 * voltage = OCV(soc) + R·I (+ a first-order polarisation with τ 30 s) + a per-cell offset of at
 * most ±2 mV + noise; cell temperature by a lumped balance of I²R heat and hA to ambient; the
 * BMS's SOC estimate = truth + a small bias.
 */
import { Encoder } from '../../protocol/encoder.ts';
import type { LinkFaults } from '../../protocol/linkfaults.ts';
import {
  BmsState,
  MessageType,
  type Balancing,
  type CellVoltages,
  type Decoded,
  type DeviceMessage,
  type FaultEvent,
  type Info,
  type PackStatus,
  type SimCellTruth,
  type SimTruth,
  type Temperatures,
  type TierLimits,
} from '../../protocol/messages.ts';
import { mulberry32 } from '../../protocol/internal/random.ts';
import type { ChemistryFile } from '../../sim/chemistry.ts';
import prismatic from '../../sim/chemistry/naion-prismatic-150ah.json' with { type: 'json' };

export const CHEMISTRY = prismatic as unknown as ChemistryFile;

export interface Phase {
  /** Pack current, A (positive = charging). */
  current_A: number;
  duration_s: number;
  state: 'STANDBY' | 'NORMAL' | 'CHARGE';
}

/** What one tick carries, before it is sent; `mutate` may change any of it. */
export interface Tick {
  k: number;
  t_s: number;
  state: BmsState;
  contactors: { pos: boolean; neg: boolean; pre: boolean };
  /** Measured pack current, A. */
  current_A: number;
  trueCurrent_A: number;
  packVoltage_V: number;
  soc: number;
  soh: number;
  /** Per series group. */
  cellVoltage_V: Float64Array;
  trueSoc: Float64Array;
  /** Per sensor. */
  temperature_C: Float64Array;
  coreTemperature_C: Float64Array;
  balancing: Uint8Array;
  chargeLimit_A: number;
  dischargeLimit_A: number;
  faultMask: number;
  warningMask: number;
  infoMask: number;
  /** EVENTs to send in this tick. */
  events: Omit<FaultEvent, 'type'>[];
}

export interface GenOptions {
  seed?: number;
  ns?: number;
  np?: number;
  /** Temperature sensors (each on cell floor(i * ns / nt)). */
  nt?: number;
  /** Telemetry rate, Hz (PACK_STATUS, CELL_VOLTAGES, TEMPERATURES, SIM_TRUTH). */
  rate_Hz?: number;
  ambient_C?: number;
  initialSoc?: number;
  /** Default: rest 60 s, 0.5C discharge 1200 s, rest 600 s, 0.5C charge 1200 s, rest 300 s. */
  phases?: Phase[];
  /** Cell ohmic resistance, Ω (per series group). */
  r_ohm?: number;
  voltageNoise_V?: number;
  temperatureNoise_C?: number;
  /** Send SIM_TRUTH / SIM_CELL_TRUTH (default true). */
  truth?: boolean;
  /** INFO's simulator flag (default true); false makes the capture look like a real device's. */
  simulator?: boolean;
  /** Change a tick's values before it is sent. */
  mutate?: (tick: Tick) => void;
  /** Return true to lose a message of this tick. */
  drop?: (type: number, tick: Tick) => boolean;
}

export const DEFAULT_PHASES: Phase[] = [
  { current_A: 0, duration_s: 60, state: 'STANDBY' },
  { current_A: -75, duration_s: 1200, state: 'NORMAL' },
  { current_A: 0, duration_s: 600, state: 'NORMAL' },
  { current_A: 75, duration_s: 1200, state: 'CHARGE' },
  { current_A: 0, duration_s: 300, state: 'STANDBY' },
];

const PRECHARGE_S = 0.5;

function tierOf(c: ChemistryFile, dv: number, scale: number, dt: number, np: number): TierLimits {
  const l = c.limits;
  return {
    cellVoltageMax_V: c.voltage.max_V + dv,
    cellVoltageMin_V: c.voltage.min_V + 0.5 - 5 * dv,
    chargeCurrentMax_A: l.charge_current_A * np * scale,
    dischargeCurrentMax_A: l.discharge_current_A * np * scale,
    chargeTemperatureMin_C: l.charge_temperature_C.min - dt,
    chargeTemperatureMax_C: l.charge_temperature_C.max + dt,
    dischargeTemperatureMin_C: l.discharge_temperature_C.min - dt,
    dischargeTemperatureMax_C: l.discharge_temperature_C.max + dt,
  };
}

/** The INFO the generator sends for a pack. */
export function infoFor(ns: number, np: number, nt: number): Info {
  const c = CHEMISTRY;
  return {
    type: MessageType.INFO,
    firmwareMajor: 0,
    firmwareMinor: 2,
    firmwarePatch: 0,
    deviceId: 0x4e410001,
    flags: 1,
    ns,
    np,
    cellVoltageSensors: ns,
    temperatureSensors: nt,
    currentSensors: 2,
    cellCapacity_Ah: c.capacity_Ah,
    chemistry: c.name,
    limits: { mol: tierOf(c, 0.01, 1.05, 0, np), rsl: tierOf(c, 0.05, 1.25, 5, np), msl: tierOf(c, 0.1, 1.5, 10, np) },
  };
}

function interp(xs: readonly number[], ys: readonly number[], x: number): number {
  if (x <= xs[0]!) return ys[0]!;
  const n = xs.length;
  if (x >= xs[n - 1]!) return ys[n - 1]!;
  let i = 1;
  while (xs[i]! < x) i++;
  const a = xs[i - 1]!,
    b = xs[i]!;
  return ys[i - 1]! + ((ys[i]! - ys[i - 1]!) * (x - a)) / (b - a);
}

/** The OCV of the generator's chemistry. */
export function ocv(soc: number): number {
  return interp(CHEMISTRY.ocv.soc, CHEMISTRY.ocv.voltage_V, soc);
}

/** Generates the session; `emit` receives each device message with its header, in wire order. */
export function generate(o: GenOptions, emit: (m: Decoded<DeviceMessage>) => void): { ticks: number; duration_s: number } {
  const seed = o.seed ?? 1;
  const ns = o.ns ?? 8;
  const np = o.np ?? 2;
  const nt = o.nt ?? 4;
  const hz = o.rate_Hz ?? 10;
  const dt = 1 / hz;
  const amb = o.ambient_C ?? 25;
  const phases = o.phases ?? DEFAULT_PHASES;
  const R = o.r_ohm ?? 0.0004;
  const vNoise = o.voltageNoise_V ?? 0.0005;
  const tNoise = o.temperatureNoise_C ?? 0.05;
  const truth = o.truth ?? true;
  const rnd = mulberry32(seed);
  const gauss = (): number => {
    let u = 0;
    for (let i = 0; i < 6; i++) u += rnd();
    return (u - 3) / Math.SQRT2; // ~N(0, 1), bounded
  };
  const c = CHEMISTRY;
  const capGroup_As = c.capacity_Ah * np * 3600;
  const heatCap = c.thermal.heat_capacity_J_per_K * np;
  const hA = c.thermal.hA_W_per_K * np;
  const info = { ...infoFor(ns, np, nt), flags: (o.simulator ?? true) ? 1 : 0 };
  const offset = Float64Array.from({ length: ns }, () => (rnd() - 0.5) * 0.004);
  const soc0 = o.initialSoc ?? 0.6;
  const trueSoc = new Float64Array(ns).fill(soc0);
  for (let i = 0; i < ns; i++) trueSoc[i] = soc0 + (rnd() - 0.5) * 0.004;
  const pol = new Float64Array(ns);
  const Tcell = new Float64Array(ns).fill(amb);
  const sensorCell = Int32Array.from({ length: nt }, (_, j) => Math.floor((j * ns) / nt));
  const duration_s = phases.reduce((s, p) => s + p.duration_s, 0);
  const ticks = Math.round(duration_s * hz);
  let seq = 0;
  const send = <M extends DeviceMessage>(m: M, t_ms: number): void => {
    emit({ ...m, seq: seq & 0xffff, t_ms } as Decoded<DeviceMessage>);
    seq++;
  };
  let phase = 0;
  let phaseEnd = phases[0]!.duration_s;
  let state: BmsState;
  let prechargeUntil = -1;
  let lastPhaseState = phases[0]!.state;
  const biasSoc = 0.002;
  for (let k = 0; k < ticks; k++) {
    const t = k * dt;
    while (t >= phaseEnd - 1e-9 && phase < phases.length - 1) {
      phase++;
      phaseEnd += phases[phase]!.duration_s;
    }
    const ph = phases[phase]!;
    if (ph.state !== lastPhaseState) {
      if (lastPhaseState === 'STANDBY' && ph.state !== 'STANDBY') prechargeUntil = t + PRECHARGE_S;
      lastPhaseState = ph.state;
    }
    if (ph.state === 'STANDBY') state = BmsState.STANDBY;
    else if (t < prechargeUntil) state = BmsState.PRECHARGE;
    else state = ph.state === 'CHARGE' ? BmsState.CHARGE : BmsState.NORMAL;
    const closed = state === BmsState.NORMAL || state === BmsState.CHARGE;
    const I = closed ? ph.current_A : 0;
    // plant
    for (let i = 0; i < ns; i++) {
      trueSoc[i]! += (I * dt) / capGroup_As;
      pol[i]! += ((I * R * 0.5 - pol[i]!) * dt) / 30;
      const heat = I * I * R;
      Tcell[i]! += ((heat - hA * (Tcell[i]! - amb)) * dt) / heatCap;
    }
    const cells = new Float64Array(ns);
    let pack = 0;
    let zAvg = 0;
    for (let i = 0; i < ns; i++) {
      cells[i] = ocv(trueSoc[i]!) + I * R + pol[i]! + offset[i]! + vNoise * gauss() * 0.5;
      pack += cells[i]!;
      zAvg += trueSoc[i]! / ns;
    }
    const temps = new Float64Array(nt);
    for (let j = 0; j < nt; j++) temps[j] = Tcell[sensorCell[j]!]! + tNoise * gauss() * 0.5;
    const tick: Tick = {
      k,
      t_s: t,
      state,
      // PROTOCOL.md §8: PRECHARGE has main− and precharge closed, NORMAL / CHARGE both mains
      contactors: { pos: closed, neg: closed || state === BmsState.PRECHARGE, pre: state === BmsState.PRECHARGE },
      current_A: I + (rnd() - 0.5) * 0.1,
      trueCurrent_A: I,
      packVoltage_V: pack,
      soc: zAvg + biasSoc,
      soh: 0.98,
      cellVoltage_V: cells,
      trueSoc: Float64Array.from(trueSoc),
      temperature_C: temps,
      coreTemperature_C: Float64Array.from(Tcell),
      balancing: new Uint8Array(ns),
      chargeLimit_A: c.limits.charge_current_A * np,
      dischargeLimit_A: c.limits.discharge_current_A * np,
      faultMask: 0,
      warningMask: 0,
      infoMask: 0,
      events: [],
    };
    o.mutate?.(tick);
    const t_ms = Math.round(t * 1000);
    const keep = (type: number): boolean => !(o.drop?.(type, tick) ?? false);
    const seqSkip = (type: number): boolean => {
      // a dropped message still consumed its seq (as on the wire)
      if (keep(type)) return true;
      seq++;
      return false;
    };
    for (const e of tick.events) if (seqSkip(MessageType.EVENT)) send({ type: MessageType.EVENT, ...e } as FaultEvent, t_ms);
    if (k % Math.round(5 * hz) === 0 && seqSkip(MessageType.INFO)) send(info, t_ms);
    let vmin = Infinity,
      vmax = -Infinity,
      imin = -1,
      imax = -1;
    for (let i = 0; i < ns; i++) {
      const v = tick.cellVoltage_V[i]!;
      if (v < vmin) {
        vmin = v;
        imin = i;
      }
      if (v > vmax) {
        vmax = v;
        imax = i;
      }
    }
    let tmin = Infinity,
      tmax = -Infinity,
      jmin = -1,
      jmax = -1;
    for (let j = 0; j < nt; j++) {
      const x = tick.temperature_C[j]!;
      if (x < tmin) {
        tmin = x;
        jmin = j;
      }
      if (x > tmax) {
        tmax = x;
        jmax = j;
      }
    }
    let bal = 0;
    for (let i = 0; i < ns; i++) bal += tick.balancing[i]!;
    if (seqSkip(MessageType.PACK_STATUS)) {
      const st: PackStatus = {
        type: MessageType.PACK_STATUS,
        state: tick.state,
        mainPositiveClosed: tick.contactors.pos,
        mainNegativeClosed: tick.contactors.neg,
        prechargeClosed: tick.contactors.pre,
        balancingCount: bal,
        packVoltage_V: tick.packVoltage_V,
        current_A: tick.current_A,
        soc: tick.soc,
        soh: tick.soh,
        cellVoltageMin_V: imin < 0 ? NaN : vmin,
        cellVoltageMax_V: imax < 0 ? NaN : vmax,
        cellVoltageMinIndex: imin,
        cellVoltageMaxIndex: imax,
        temperatureMin_C: jmin < 0 ? NaN : tmin,
        temperatureMax_C: jmax < 0 ? NaN : tmax,
        temperatureMinIndex: jmin,
        temperatureMaxIndex: jmax,
        faultMask: tick.faultMask,
        warningMask: tick.warningMask,
        infoMask: tick.infoMask,
        chargeCurrentLimit_A: tick.chargeLimit_A,
        dischargeCurrentLimit_A: tick.dischargeLimit_A,
      };
      send(st, t_ms);
    }
    if (seqSkip(MessageType.CELL_VOLTAGES)) send({ type: MessageType.CELL_VOLTAGES, offset: 0, voltages_V: tick.cellVoltage_V } as CellVoltages, t_ms);
    if (seqSkip(MessageType.TEMPERATURES)) send({ type: MessageType.TEMPERATURES, offset: 0, temperatures_C: tick.temperature_C } as Temperatures, t_ms);
    if (k % Math.round(hz) === 0 && seqSkip(MessageType.BALANCING)) {
      send({ type: MessageType.BALANCING, offset: 0, active: tick.balancing } as Balancing, t_ms);
    }
    if (truth) {
      if (seqSkip(MessageType.SIM_TRUTH)) {
        let tMin = Infinity,
          tMax = -Infinity,
          tSum = 0,
          zMin = Infinity,
          zMax = -Infinity;
        for (let i = 0; i < ns; i++) {
          tMin = Math.min(tMin, tick.coreTemperature_C[i]!);
          tMax = Math.max(tMax, tick.coreTemperature_C[i]!);
          tSum += tick.coreTemperature_C[i]!;
          zMin = Math.min(zMin, tick.trueSoc[i]!);
          zMax = Math.max(zMax, tick.trueSoc[i]!);
        }
        const tr: SimTruth = {
          type: MessageType.SIM_TRUTH,
          socMin: zMin,
          socAvg: zAvg,
          socMax: zMax,
          coreTemperatureMin_C: tMin,
          coreTemperatureAvg_C: tSum / ns,
          coreTemperatureMax_C: tMax,
          current_A: tick.trueCurrent_A,
        };
        send(tr, t_ms);
      }
      if (k % Math.round(hz) === 0 && seqSkip(MessageType.SIM_CELL_TRUTH)) {
        const ct: SimCellTruth = { type: MessageType.SIM_CELL_TRUTH, offset: 0, soc: tick.trueSoc, coreTemperatures_C: tick.coreTemperature_C };
        send(ct, t_ms);
      }
    }
  }
  return { ticks, duration_s };
}

/** The session as decoded messages (what the assembler takes). Values pass through the wire's quantisation. */
export function generateMessages(o: GenOptions = {}): Decoded<DeviceMessage>[] {
  const out: Decoded<DeviceMessage>[] = [];
  generate(o, (m) => out.push(m));
  return out;
}

/**
 * The messages with every INFO from `from_s` on stating `limits` (the device reconfigured or
 * reflashed part-way through a session; quality.device reports it).
 */
export function withLimitsFrom(msgs: readonly Decoded<DeviceMessage>[], from_s: number, limits: Info['limits']): Decoded<DeviceMessage>[] {
  return msgs.map((m) => (m.type === MessageType.INFO && m.t_ms >= from_s * 1000 ? ({ ...(m as Decoded<Info>), limits } as Decoded<DeviceMessage>) : m));
}

/** The session as wire bytes (a capture). */
export function generateCapture(o: GenOptions = {}): Uint8Array {
  const enc = new Encoder({ initialCapacity: 1 << 20 });
  generate(o, (m) => {
    enc.encodeWithSeq(m, m.seq, m.t_ms);
  });
  return enc.view().slice();
}

/**
 * The messages as wire bytes with the device restarted at each of `at_s` (s of its clock,
 * ascending): from the first message at or after one, its seq and its clock begin again at 0.
 * `faults`: each frame also goes through these seeded link faults (protocol/linkfaults.ts).
 */
export function encodeRestarted(msgs: readonly Decoded<DeviceMessage>[], at_s: readonly number[], faults?: LinkFaults): Uint8Array {
  const enc = new Encoder({ initialCapacity: 1 << 20 });
  const frame = new Encoder({ initialCapacity: 1 << 12 });
  let base: Decoded<DeviceMessage> | null = null; // the first message of the current run of the device
  let k = 0;
  for (const m of msgs) {
    if (k < at_s.length && m.t_ms >= at_s[k]! * 1000) {
      base = m;
      k++;
    }
    const e = faults === undefined ? enc : (frame.reset(), frame);
    if (base === null) e.encodeWithSeq(m, m.seq, m.t_ms);
    else e.encodeWithSeq(m, (m.seq - base.seq) & 0xffff, m.t_ms - base.t_ms);
    if (faults !== undefined) enc.writeRaw(faults.apply(frame.view()).bytes);
  }
  return enc.view().slice();
}
