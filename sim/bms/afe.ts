/**
 * The measurement layer: the AFE and the other sensors, turning the plant's true values into
 * what the firmware sees, and writing them to the database (the only writer of the
 * cellVoltage, cellTemperature and current blocks).
 *  - cell voltages: one channel per series group (the group node voltage), Gaussian noise,
 *    ADC resolution; an open-wire test flags a channel and its upper neighbour invalid;
 *  - NTCs on a configurable subset of cells with a first-order thermal lag, noise and
 *    resolution, saturating at the ends of their range when open or shorted (slow task:
 *    temperatures move over minutes);
 *  - a shunt (offset, gain error, noise) and a redundant sensor for plausibility;
 *  - pack and bus (DC-link) voltage; contactor auxiliary contacts.
 * All noise is seeded. Per tick: O(channels) over typed arrays, no allocation.
 */
import type { Pack } from '../pack.ts';
import type { BmsConfig, SensorCells } from './config.ts';
import { CellTemperatureBlock, CellVoltageBlock, CurrentBlock, type Database } from './database.ts';
import { NOISE_MASK, Noise } from './internal/noise.ts';
import type { HvBus } from './plant/hvBus.ts';
import { NTC_OPEN, NTC_SHORT, type SensorFaults } from './plant/sensors.ts';

// module-local copies: imported bindings are read through getters under some loaders
const MASK = NOISE_MASK;
const NTC_OPEN_ = NTC_OPEN;
const NTC_SHORT_ = NTC_SHORT;

/** Cells carrying an NTC, ascending. Throws TypeError naming the option when out of range. */
export function sensorCells(sc: SensorCells, n: number): Int32Array {
  if ('cells' in sc) {
    for (const c of sc.cells) {
      if (!(c >= 0 && c < n)) throw new TypeError(`"afe.temperature.sensor_cells": cell ${c} is outside the pack (0..${n - 1})`);
    }
    return Int32Array.from([...new Set(sc.cells)].sort((a, b) => a - b));
  }
  const out: number[] = [];
  for (let i = Math.min(sc.offset, n - 1); i < n; i += sc.every) out.push(i);
  return Int32Array.from(out);
}

export class Afe {
  readonly ns: number;
  readonly sensorCell: Int32Array;
  private readonly pack: Pack;
  private readonly bus: HvBus;
  private readonly faults: SensorFaults;
  private readonly cfg: BmsConfig['afe'];
  private readonly np: number;
  private readonly noise: Noise;
  private readonly cv: CellVoltageBlock;
  private readonly ct: CellTemperatureBlock;
  private readonly cur: CurrentBlock;
  /** Sensor (lagged) temperature per NTC, °C. */
  private readonly lagged: Float64Array;
  private lagInit = false;
  private readonly lagAlpha: number;
  private readonly fs_A: number;
  /** As-built shunt and redundant sensor errors. */
  private readonly shuntOffset_A: number;
  private readonly shuntGain: number;
  private readonly redOffset_A: number;
  private readonly redGain: number;

  constructor(pack: Pack, bus: HvBus, faults: SensorFaults, cfg: BmsConfig, sensorCell: Int32Array, seed: number) {
    this.pack = pack;
    this.bus = bus;
    this.faults = faults;
    this.cfg = cfg.afe;
    this.ns = pack.ns;
    this.np = pack.np;
    this.sensorCell = sensorCell;
    this.noise = new Noise(seed);
    this.cv = new CellVoltageBlock(pack.ns);
    this.ct = new CellTemperatureBlock(sensorCell.length);
    this.cur = new CurrentBlock();
    this.lagged = new Float64Array(sensorCell.length);
    const tau = cfg.afe.temperature.lag_tau_s;
    this.lagAlpha = tau > 0 ? 1 - Math.exp(-cfg.scheduler.slow_period_ms / 1000 / tau) : 1;
    const c = cfg.afe.current;
    this.fs_A = c.full_scale_A * pack.np;
    this.shuntOffset_A = (c.offset_pct_fs / 100) * this.fs_A;
    this.shuntGain = 1 + c.gain_error_pct / 100;
    this.redOffset_A = (c.redundant.offset_pct_fs / 100) * this.fs_A;
    this.redGain = 1 + c.redundant.gain_error_pct / 100;
  }

  /** Shunt full scale, pack-level A. */
  get fullScale_A(): number {
    return this.fs_A;
  }

  /** Fast task: current (both sensors), pack and bus voltage, contactor feedback. */
  measureFast(db: Database, t_s: number): void {
    const c = this.cfg.current;
    const f = this.faults;
    const I = this.pack.packCurrent;
    const cur = this.cur;
    let shunt = I * this.shuntGain + this.shuntOffset_A + (c.noise_pct_fs / 100) * this.fs_A * this.noise.normal() + f.currentOffset_A;
    if (f.currentDriftRate_A_per_s !== 0) shunt += f.currentDriftRate_A_per_s * (t_s - f.currentDriftStart_s);
    if (f.currentStuck) {
      if (Number.isNaN(f.stuckCurrent_A)) f.stuckCurrent_A = cur.current_A;
      shunt = f.stuckCurrent_A;
    }
    cur.current_A = shunt;
    cur.redundant_A = I * this.redGain + this.redOffset_A + (c.redundant.noise_pct_fs / 100) * this.fs_A * this.noise.normal();
    cur.valid = 1;
    cur.packVoltage_V = this.pack.packVoltage * (1 + (this.cfg.pack_voltage.noise_pct / 100) * this.noise.normal());
    cur.busVoltage_V = this.bus.busVoltage_V * (1 + (this.cfg.bus_voltage.noise_pct / 100) * this.noise.normal());
    cur.plusClosed = this.bus.plus.closed;
    cur.minusClosed = this.bus.minus.closed;
    cur.prechargeClosed = this.bus.precharge.closed;
    db.write(cur, 'afe');
  }

  /** Mid task: one AFE cycle of cell voltages. */
  measureMid(db: Database): void {
    if (this.faults.anyVoltageFault()) this.measureVoltagesFaulty();
    else this.measureVoltages();
    db.write(this.cv, 'afe');
  }

  /** Slow task: one cycle of the NTCs. */
  measureSlow(db: Database, t_s: number): void {
    this.measureTemperatures(t_s);
    db.write(this.ct, 'afe');
  }

  /** The fault-free path: noise, resolution, summary. */
  private measureVoltages(): void {
    const { resolution_V: lsb, noise_V } = this.cfg.cell_voltage;
    const inv = 1 / lsb;
    const gv = this.pack.groupVoltage;
    const cv = this.cv;
    const out = cv.voltage_V;
    const table = this.noise.table;
    let j = this.noise.start();
    const ns = this.ns;
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let minI = -1;
    let maxI = -1;
    for (let g = 0; g < ns; g++) {
      const r = Math.round((gv[g]! + noise_V * table[j]!) * inv) * lsb;
      j = (j + 1) & MASK;
      out[g] = r;
      sum += r;
      if (r < min) {
        min = r;
        minI = g;
      }
      if (r > max) {
        max = r;
        maxI = g;
      }
    }
    cv.valid.fill(1);
    cv.min_V = min;
    cv.max_V = max;
    cv.avg_V = sum / ns;
    cv.minIndex = minI;
    cv.maxIndex = maxI;
    cv.validCount = ns;
    cv.openWireDelta_V = 0;
  }

  /** With an open sense wire or a stuck channel somewhere. */
  private measureVoltagesFaulty(): void {
    const { resolution_V: lsb, noise_V, open_wire_test_V } = this.cfg.cell_voltage;
    const inv = 1 / lsb;
    const gv = this.pack.groupVoltage;
    const cv = this.cv;
    const out = cv.voltage_V;
    const valid = cv.valid;
    const f = this.faults;
    const table = this.noise.table;
    let j = this.noise.start();
    const ns = this.ns;
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let count = 0;
    let minI = -1;
    let maxI = -1;
    let delta = 0;
    let deltaI = -1;
    let prevOpen = 0;
    for (let g = 0; g < ns; g++) {
      let v = gv[g]!;
      const open = f.openWire[g]!;
      if (open)
        v = 0; // pulled low by the input network
      else if (prevOpen) v += gv[g - 1]!; // spans both groups
      let r = Math.round((v + noise_V * table[j]!) * inv) * lsb;
      j = (j + 1) & MASK;
      if (f.voltageStuck[g]) {
        if (Number.isNaN(f.stuckVoltage_V[g]!)) f.stuckVoltage_V[g] = out[g]!;
        r = f.stuckVoltage_V[g]!;
      }
      out[g] = r;
      // open-wire test: with the pull-down current on, an open channel's reading collapses
      const d = open ? gv[g]! : 0;
      if (d > delta) {
        delta = d;
        deltaI = g;
      }
      const ok = d <= open_wire_test_V && !prevOpen ? 1 : 0;
      valid[g] = ok;
      prevOpen = open;
      if (!ok) continue;
      count++;
      sum += r;
      if (r < min) {
        min = r;
        minI = g;
      }
      if (r > max) {
        max = r;
        maxI = g;
      }
    }
    cv.min_V = count ? min : NaN;
    cv.max_V = count ? max : NaN;
    cv.avg_V = count ? sum / count : NaN;
    cv.minIndex = minI;
    cv.maxIndex = maxI;
    cv.validCount = count;
    cv.openWireDelta_V = delta;
    cv.openWireIndex = deltaI;
  }

  private measureTemperatures(t_s: number): void {
    const tc = this.cfg.temperature;
    const T = this.pack.T;
    const cells = this.sensorCell;
    const lag = this.lagged;
    const ct = this.ct;
    const out = ct.temperature_C;
    const valid = ct.valid;
    const f = this.faults;
    const inv = 1 / tc.resolution_C;
    const a = this.lagInit ? this.lagAlpha : 1;
    this.lagInit = true;
    const table = this.noise.table;
    let j = this.noise.start();
    const faulty = f.anyTemperatureFault();
    const open = NTC_OPEN_;
    const short = NTC_SHORT_;
    let min = Infinity;
    let max = -Infinity;
    let rawMin = Infinity;
    let rawMax = -Infinity;
    let rawMinI = -1;
    let rawMaxI = -1;
    let sum = 0;
    let count = 0;
    let minI = -1;
    let maxI = -1;
    for (let k = 0; k < cells.length; k++) {
      const Tl = lag[k]! + a * (T[cells[k]!]! - lag[k]!);
      lag[k] = Tl;
      let r = Tl + tc.noise_C * table[j]!;
      j = (j + 1) & MASK;
      if (faulty) {
        if (f.ntcDriftRate_C_per_s[k] !== 0 || f.ntcDriftOffset_C[k] !== 0) {
          r += f.ntcDriftOffset_C[k]! + f.ntcDriftRate_C_per_s[k]! * (t_s - f.ntcDriftStart_s[k]!);
        }
        const mode = f.ntcMode[k]!;
        if (mode === open) r = tc.min_C;
        else if (mode === short) r = tc.max_C;
      }
      r = Math.round(r * inv) * tc.resolution_C;
      if (r < tc.min_C) r = tc.min_C;
      if (r > tc.max_C) r = tc.max_C;
      if (faulty && f.ntcStuck[k]) {
        if (Number.isNaN(f.stuckTemperature_C[k]!)) f.stuckTemperature_C[k] = out[k]!;
        r = f.stuckTemperature_C[k]!;
      }
      out[k] = r;
      if (r < rawMin) {
        rawMin = r;
        rawMinI = k;
      }
      if (r > rawMax) {
        rawMax = r;
        rawMaxI = k;
      }
      const ok = r > tc.min_C && r < tc.max_C ? 1 : 0;
      valid[k] = ok;
      if (!ok) continue;
      count++;
      sum += r;
      if (r < min) {
        min = r;
        minI = k;
      }
      if (r > max) {
        max = r;
        maxI = k;
      }
    }
    ct.min_C = count ? min : NaN;
    ct.max_C = count ? max : NaN;
    ct.avg_C = count ? sum / count : NaN;
    ct.minIndex = minI;
    ct.maxIndex = maxI;
    ct.validCount = count;
    ct.rawMin_C = rawMin;
    ct.rawMax_C = rawMax;
    ct.rawMinIndex = rawMinI;
    ct.rawMaxIndex = rawMaxI;
  }
}
