/**
 * Safe operating area (style.md habit 7): every time a check runs, compare its quantity with
 * each tier's threshold and report OK / NOT_OK per tier to diag. A raised tier stays NOT_OK
 * until the value is back inside by the check's hysteresis. Temperature limits apply to the
 * direction the current flows (charge limits while charging, discharge limits otherwise).
 * Each check runs in the task of its quantity (types.ts CHECKS: currents fast, voltages mid,
 * temperatures slow), so its debounce counts ticks of that task.
 * soa decides nothing: diag debounces, sof derates, the state machine opens.
 */
import type { BmsConfig } from './config.ts';
import { CellTemperatureBlock, CellVoltageBlock, CurrentBlock, DiagBlock, SohBlock, type Database } from './database.ts';
import { CHECK_INDEX, type Diag, NC } from './diag.ts';
import { CHECKS, CHECK_IDS, PACK_CURRENT_PER_CELL } from './types.ts';

const C = CHECK_INDEX;

export interface SoaInputs {
  /** Contactors whose feedback disagrees with the command after the operate time. */
  contactorMismatches(): number;
  /** Seconds since the last message from the host. */
  hostSilence_s(): number;
}

export class Soa {
  private readonly thr: Float64Array;
  private readonly hyst: Float64Array;
  private readonly over: Uint8Array;
  private readonly np: number;
  private readonly chargingAbove_A: number;
  private readonly cv: CellVoltageBlock;
  private readonly ct: CellTemperatureBlock;
  private readonly cur = new CurrentBlock();
  private readonly diagB = new DiagBlock(NC);
  private readonly soh = new SohBlock();
  /**
   * Per voltage channel: its last reading (NaN: none valid yet), the mean cell voltage when it
   * last changed, and the largest distance the mean has moved from there since.
   */
  private readonly lastReading_V: Float64Array;
  private readonly meanAtChange_V: Float64Array;
  private readonly meanMoved_V: Float64Array;

  constructor(
    cfg: BmsConfig,
    thresholds: Float64Array,
    ns: number,
    nSensors: number,
    np: number,
    private readonly diag: Diag,
    private readonly inputs: SoaInputs,
  ) {
    this.thr = thresholds;
    this.np = np;
    this.hyst = Float64Array.from(CHECK_IDS.map((id) => cfg.checks[id].hysteresis * (PACK_CURRENT_PER_CELL.has(id) ? np : 1)));
    this.over = Uint8Array.from(CHECK_IDS.map((id) => (CHECKS[id].over ? 1 : 0)));
    this.chargingAbove_A = cfg.soc.rest_current_A * np;
    this.cv = new CellVoltageBlock(ns);
    this.ct = new CellTemperatureBlock(nSensors);
    this.lastReading_V = new Float64Array(ns).fill(NaN);
    this.meanAtChange_V = new Float64Array(ns);
    this.meanMoved_V = new Float64Array(ns);
  }

  /** NOT_OK mask of check c for value v, given which tiers are raised. */
  private mask(c: number, v: number): number {
    const raised = this.diagB.raised[c]!;
    const h = this.hyst[c]!;
    let m = 0;
    for (let t = 0; t < 3; t++) {
      const thr = this.thr[c * 3 + t]!;
      if (Number.isNaN(thr)) continue;
      const r = (raised >> t) & 1;
      const bad = this.over[c] ? v > (r ? thr - h : thr) : v < (r ? thr + h : thr);
      if (bad) m |= 1 << t;
    }
    return m;
  }

  /** Evaluate check c on value v (of series group or sensor `index`; -1: the pack). */
  private check(c: number, v: number, index = -1): void {
    this.diag.report(c, this.mask(c, v), v, NaN, index);
  }

  private ok(c: number, v: number): void {
    this.diag.report(c, 0, v);
  }

  /** Fast-task checks: currents, plausibility, contactor feedback, host link. */
  runFast(db: Database): void {
    db.read(this.cur);
    db.read(this.diagB);
    db.read(this.soh);
    const I = this.cur.current_A;
    const chg = I > 0 ? I : 0;
    const dis = I < 0 ? -I : 0;
    const npEff = this.soh.npEffMin > 0 ? this.soh.npEffMin : this.np;
    this.check(C.overcurrent_charge, chg);
    this.check(C.overcurrent_discharge, dis);
    this.check(C.cell_overcurrent_charge, chg / npEff);
    this.check(C.cell_overcurrent_discharge, dis / npEff);
    this.check(C.current_plausibility, Math.abs(I - this.cur.redundant_A));
    this.check(C.contactor_feedback, this.inputs.contactorMismatches());
    this.check(C.host_comm_loss, this.inputs.hostSilence_s());
  }

  /** Mid-task checks: cell voltages, their spread and plausibility, open sense wires. */
  runMid(db: Database): void {
    const cv = db.read(this.cv);
    if (cv.validCount > 0) {
      this.check(C.cell_overvoltage, cv.max_V, cv.maxIndex);
      this.check(C.cell_undervoltage, cv.min_V, cv.minIndex);
      this.check(C.deep_discharge, cv.min_V, cv.minIndex);
      this.check(C.cell_voltage_spread, cv.max_V - cv.min_V);
      this.frozenChannel(cv);
    } else {
      this.ok(C.cell_overvoltage, NaN);
      this.ok(C.cell_undervoltage, NaN);
      this.ok(C.deep_discharge, NaN);
      this.ok(C.cell_voltage_spread, NaN);
      this.ok(C.cell_voltage_plausibility, NaN);
    }
    this.check(C.open_sense_wire, cv.openWireDelta_V, cv.openWireIndex);
  }

  /**
   * cell_voltage_plausibility: a channel whose reading has not changed by a single bit while
   * the mean of the valid channels moved (series cells carry one current, so a live channel
   * moves with the others, and its noise alone changes its reading). The quantity is the
   * farthest the mean has moved since the channel's reading last changed, worst channel
   * first: evidence that does not fade when the current swings back. A pack at rest moves
   * nothing and raises nothing; one valid channel has nothing to compare with.
   */
  private frozenChannel(cv: CellVoltageBlock): void {
    const last = this.lastReading_V;
    const ref = this.meanAtChange_V;
    const moved = this.meanMoved_V;
    const v = cv.voltage_V;
    const valid = cv.valid;
    const mean = cv.avg_V;
    let worst = 0;
    let worstI = -1;
    for (let g = 0; g < v.length; g++) {
      if (!valid[g]) {
        last[g] = NaN;
        continue;
      }
      const r = v[g]!;
      if (r !== last[g]) {
        last[g] = r;
        ref[g] = mean;
        moved[g] = 0;
        continue;
      }
      const d = Math.max(moved[g]!, Math.abs(mean - ref[g]!));
      moved[g] = d;
      if (d > worst) {
        worst = d;
        worstI = g;
      }
    }
    if (cv.validCount > 1) this.check(C.cell_voltage_plausibility, worst, worstI);
    else this.ok(C.cell_voltage_plausibility, 0);
  }

  /** Slow-task checks: temperatures (charge or discharge limits by the current's direction), spread, NTCs. */
  runSlow(db: Database): void {
    const ct = db.read(this.ct);
    const charging = this.cur.current_A > this.chargingAbove_A;
    if (ct.validCount > 0) {
      if (charging) {
        this.check(C.overtemperature_charge, ct.max_C, ct.maxIndex);
        this.check(C.undertemperature_charge, ct.min_C, ct.minIndex);
        this.ok(C.overtemperature_discharge, ct.max_C);
        this.ok(C.undertemperature_discharge, ct.min_C);
      } else {
        this.ok(C.overtemperature_charge, ct.max_C);
        this.ok(C.undertemperature_charge, ct.min_C);
        this.check(C.overtemperature_discharge, ct.max_C, ct.maxIndex);
        this.check(C.undertemperature_discharge, ct.min_C, ct.minIndex);
      }
      this.check(C.temperature_spread, ct.max_C - ct.min_C);
    } else {
      this.ok(C.overtemperature_charge, NaN);
      this.ok(C.undertemperature_charge, NaN);
      this.ok(C.overtemperature_discharge, NaN);
      this.ok(C.undertemperature_discharge, NaN);
      this.ok(C.temperature_spread, NaN);
    }
    this.check(C.ntc_open, ct.rawMin_C, ct.rawMinIndex);
    this.check(C.ntc_short, ct.rawMax_C, ct.rawMaxIndex);
  }
}
