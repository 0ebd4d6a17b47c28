/**
 * PLANT, not firmware: applies the scenario's scheduled faults to the pack, the HV path and
 * the sensor hardware at their times, and removes them when their duration ends. Faults that
 * act outside the pack (ambient heat wave, charger fault, host link) are pure functions of
 * time, so the runner can consult them before each step.
 */
import type { Pack } from '../../pack.ts';
import type { ChargerFault, FaultSpec } from '../faults.ts';
import type { HvBus } from './hvBus.ts';
import { NTC_OK, NTC_OPEN, NTC_SHORT, type SensorFaults } from './sensors.ts';
import type { CellShunts } from './shunts.ts';

interface Event {
  t_s: number;
  start: boolean;
  index: number;
}

export interface InjectorDeps {
  pack: Pack;
  bus: HvBus;
  sensors: SensorFaults;
  shunts: CellShunts;
  /** Sensor index of the NTC on each cell, -1 where there is none. */
  ntcOfCell: Int32Array;
  /** Shunt full scale, pack-level A (for offset_pct_fs). */
  currentFullScale_A: number;
}

export class Injector {
  readonly faults: FaultSpec[] = [];
  private readonly events: Event[] = [];
  private next = 0;
  private readonly d: InjectorDeps;
  /** Heat transfer saved when a cooling failure starts, per fault. */
  private readonly savedHA: (Float64Array | null)[] = [];
  private readonly heatWaves: Extract<FaultSpec, { fault: 'ambient_heat_wave' }>[] = [];
  private readonly chargers: { spec: FaultSpec; fault: ChargerFault }[] = [];
  private readonly commLosses: FaultSpec[] = [];

  constructor(faults: readonly FaultSpec[], deps: InjectorDeps) {
    this.d = deps;
    for (const f of faults) this.add(f, 0);
  }

  /**
   * Schedule one more fault (scenario faults at construction; at run time, e.g. a host's
   * inject command). A start time before `now_s` starts it at the next update. Returns its index.
   */
  add(spec: FaultSpec, now_s: number): number {
    const k = this.faults.length;
    const f = { ...spec }; // its own copy: end() shortens its duration
    const ntc = this.d.ntcOfCell;
    if ((f.fault === 'ntc_open' || f.fault === 'ntc_short' || f.fault === 'ntc_drift') && ntc[f.cell]! < 0) {
      throw new TypeError(`"faults[${k}].cell": cell ${f.cell} has no NTC (see afe.temperature.sensor_cells)`);
    }
    if (f.fault === 'stuck_sensor' && f.sensor === 'temperature' && ntc[f.index]! < 0) {
      throw new TypeError(`"faults[${k}].index": cell ${f.index} has no NTC (see afe.temperature.sensor_cells)`);
    }
    this.faults.push(f);
    this.savedHA.push(null);
    const start = Math.max(f.at_s, now_s);
    this.insert({ t_s: start, start: true, index: k });
    if (f.duration_s !== null) this.insert({ t_s: f.at_s + f.duration_s, start: false, index: k });
    if (f.fault === 'ambient_heat_wave') this.heatWaves.push(f);
    if (f.fault === 'charger_fault')
      this.chargers.push({ spec: f, fault: f.mode === 'cv_too_high' ? { mode: 'cv_too_high', cv_V: f.cv_V } : { mode: 'no_termination' } });
    if (f.fault === 'host_comm_loss') this.commLosses.push(f);
    return k;
  }

  /**
   * End fault k at now_s (a host's remove command): a fault that has started is undone at the
   * next update, one still waiting never starts. Returns false when it is already over.
   */
  end(k: number, now_s: number): boolean {
    const f = this.faults[k];
    if (f === undefined) throw new RangeError(`no fault ${k} (${this.faults.length} scheduled)`);
    if (f.duration_s !== null && f.at_s + f.duration_s <= now_s + 1e-9) return false;
    const ev = this.events;
    let started = true;
    for (let i = ev.length - 1; i >= this.next; i--) {
      if (ev[i]!.index !== k) continue;
      if (ev[i]!.start) started = false;
      ev.splice(i, 1);
    }
    if (!started) f.at_s = Math.min(f.at_s, now_s); // over before it began
    f.duration_s = Math.max(0, now_s - f.at_s); // the time-function faults read it
    if (started) this.insert({ t_s: now_s, start: false, index: k });
    return true;
  }

  /** Keep the pending events sorted by time, starts before ends at the same time. */
  private insert(e: Event): void {
    const ev = this.events;
    let i = ev.length;
    while (i > this.next && (ev[i - 1]!.t_s > e.t_s || (ev[i - 1]!.t_s === e.t_s && ev[i - 1]!.start === false && e.start))) i--;
    ev.splice(i, 0, e);
  }

  /** Apply every start and end due up to t_s. Returns the index of a started fault, or -1 (call again). */
  update(t_s: number): number {
    while (this.next < this.events.length && this.events[this.next]!.t_s <= t_s + 1e-9) {
      const e = this.events[this.next++]!;
      if (e.start) {
        this.apply(e.index, t_s);
        return e.index;
      }
      this.remove(e.index);
    }
    return -1;
  }

  /** +1 / -1 on the sensor fault counts the AFE uses to pick its fast path. */
  private count(f: FaultSpec, d: number): void {
    const s = this.d.sensors;
    if (f.fault === 'open_sense_wire' || (f.fault === 'stuck_sensor' && f.sensor === 'cell_voltage')) s.voltageFaults += d;
    if (f.fault === 'ntc_open' || f.fault === 'ntc_short' || f.fault === 'ntc_drift' || (f.fault === 'stuck_sensor' && f.sensor === 'temperature')) {
      s.temperatureFaults += d;
    }
  }

  private apply(k: number, t_s: number): void {
    const f = this.faults[k]!;
    const { pack, bus, sensors, shunts, ntcOfCell } = this.d;
    this.count(f, 1);
    switch (f.fault) {
      case 'cell_internal_short':
        shunts.setShort(f.cell, 1 / f.resistance_ohm);
        break;
      case 'cell_disconnect':
        pack.connected[f.cell] = 0;
        break;
      case 'open_sense_wire':
        sensors.openWire[f.group] = 1;
        break;
      case 'ntc_open':
      case 'ntc_short':
        sensors.ntcMode[ntcOfCell[f.cell]!] = f.fault === 'ntc_open' ? NTC_OPEN : NTC_SHORT;
        break;
      case 'ntc_drift': {
        const s = ntcOfCell[f.cell]!;
        sensors.ntcDriftOffset_C[s] = f.offset_C;
        sensors.ntcDriftRate_C_per_s[s] = f.rate_C_per_s;
        sensors.ntcDriftStart_s[s] = t_s;
        break;
      }
      case 'current_sensor_offset':
        sensors.currentOffset_A += f.offset_A ?? ((f.offset_pct_fs ?? 0) / 100) * this.d.currentFullScale_A;
        break;
      case 'current_sensor_drift':
        sensors.currentDriftRate_A_per_s = f.rate_A_per_s;
        sensors.currentDriftStart_s = t_s;
        break;
      case 'stuck_sensor':
        if (f.sensor === 'current') sensors.currentStuck = true;
        else if (f.sensor === 'cell_voltage') sensors.voltageStuck[f.index] = 1;
        else sensors.ntcStuck[ntcOfCell[f.index]!] = 1;
        break;
      case 'welded_contactor':
        bus.weld(f.contactor);
        break;
      case 'cooling_failure': {
        const first = f.first_cell ?? 0;
        const last = f.last_cell ?? pack.n - 1;
        this.savedHA[k] = pack.hA.slice(first, last + 1);
        for (let i = first; i <= last; i++) pack.hA[i] = pack.hA[i]! * f.factor;
        pack.updateStepConstants();
        break;
      }
      case 'precharge_resistor_open':
        bus.prechargeOpen = true;
        break;
      case 'ambient_heat_wave':
      case 'charger_fault':
      case 'host_comm_loss':
        break; // functions of time, read by the runner and the host link
      default: {
        const never: never = f;
        throw new Error(`unhandled fault ${String(never)}`);
      }
    }
  }

  private remove(k: number): void {
    const f = this.faults[k]!;
    const { pack, bus, sensors, shunts, ntcOfCell } = this.d;
    this.count(f, -1);
    switch (f.fault) {
      case 'cell_internal_short':
        shunts.setShort(f.cell, 0);
        break;
      case 'cell_disconnect':
        pack.connected[f.cell] = 1;
        break;
      case 'open_sense_wire':
        sensors.openWire[f.group] = 0;
        break;
      case 'ntc_open':
      case 'ntc_short':
        sensors.ntcMode[ntcOfCell[f.cell]!] = NTC_OK;
        break;
      case 'ntc_drift': {
        const s = ntcOfCell[f.cell]!;
        sensors.ntcDriftOffset_C[s] = 0;
        sensors.ntcDriftRate_C_per_s[s] = 0;
        break;
      }
      case 'current_sensor_offset':
        sensors.currentOffset_A -= f.offset_A ?? ((f.offset_pct_fs ?? 0) / 100) * this.d.currentFullScale_A;
        break;
      case 'current_sensor_drift':
        sensors.currentDriftRate_A_per_s = 0;
        break;
      case 'stuck_sensor':
        if (f.sensor === 'current') {
          sensors.currentStuck = false;
          sensors.stuckCurrent_A = NaN;
        } else if (f.sensor === 'cell_voltage') {
          sensors.voltageStuck[f.index] = 0;
          sensors.stuckVoltage_V[f.index] = NaN;
        } else {
          const s = ntcOfCell[f.index]!;
          sensors.ntcStuck[s] = 0;
          sensors.stuckTemperature_C[s] = NaN;
        }
        break;
      case 'welded_contactor':
        bus.unweld(f.contactor);
        break;
      case 'cooling_failure': {
        const saved = this.savedHA[k];
        if (saved) {
          const first = f.first_cell ?? 0;
          for (let j = 0; j < saved.length; j++) pack.hA[first + j] = saved[j]!;
          pack.updateStepConstants();
        }
        break;
      }
      case 'precharge_resistor_open':
        bus.prechargeOpen = false;
        break;
      case 'ambient_heat_wave':
      case 'charger_fault':
      case 'host_comm_loss':
        break;
      default: {
        const never: never = f;
        throw new Error(`unhandled fault ${String(never)}`);
      }
    }
  }

  /** Extra ambient temperature at t_s from heat waves, °C (ramped over ramp_s). */
  ambientOffset_C(t_s: number): number {
    let d = 0;
    for (const w of this.heatWaves) {
      if (!active(w, t_s)) continue;
      const x = w.ramp_s > 0 ? Math.min(1, (t_s - w.at_s) / w.ramp_s) : 1;
      d += w.delta_C * x;
    }
    return d;
  }

  /** The charger fault active at t_s, or null. The returned object is shared: do not modify. */
  chargerFault(t_s: number): ChargerFault | null {
    for (const c of this.chargers) if (active(c.spec, t_s)) return c.fault;
    return null;
  }

  /** True while the link to the host is down. */
  hostCommLost(t_s: number): boolean {
    for (const f of this.commLosses) if (active(f, t_s)) return true;
    return false;
  }
}

function active(f: FaultSpec, t_s: number): boolean {
  return t_s >= f.at_s && (f.duration_s === null || t_s < f.at_s + f.duration_s);
}
