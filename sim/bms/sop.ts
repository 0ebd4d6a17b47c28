/**
 * State of function / power (sof; the only writer of the sop block): the charge and discharge
 * current limits advised to the host, pack-level magnitudes. It advises and never trips.
 *   base       the cell's continuous charge / discharge current (peak discharge for up to
 *              peak_duration_s at a time) times the cells a group seems to have in parallel;
 *   × tables   temperature derating (at the lowest and highest NTC) and SOC derating (charge
 *              at the highest SOC, discharge at the lowest);
 *   ∧ voltage  the current that would take the highest (lowest) group to its MOL voltage
 *              limit within voltage_horizon_s, from the model's step resistance;
 *   × faults   an RSL raised in that direction → × warning_factor; any MSL raised, ERROR or
 *              an opening in progress → 0; and 0 whenever the main path is not in use
 *              (STANDBY, PRECHARGE, opening).
 * Limits fall at once and rise at most ramp_up_per_s of the base per second.
 */
import type { BmsConfig, DeratingTable } from './config.ts';
import { CellTemperatureBlock, CellVoltageBlock, CurrentBlock, DiagBlock, SocBlock, SohBlock, SopBlock, StateBlock, type Database } from './database.ts';
import { CHECK_INDEX, NC } from './diag.ts';
import { type CellModel, newModelPoint } from './internal/cellModel.ts';
import { interp1 } from '../table.ts';
import { BmsState } from './types.ts';

export const DERATE_WARNING = 1;
export const DERATE_FATAL = 2;
export const DERATE_WEAK_GROUP = 4;
const ERROR_STATE = BmsState.ERROR;

function factor(t: DeratingTable, x: number): number {
  return interp1(t.x, t.factor, x);
}

export class Sop {
  private readonly out = new SopBlock();
  private readonly state = new StateBlock();
  private readonly diag = new DiagBlock(NC);
  private readonly cur = new CurrentBlock();
  private readonly soh = new SohBlock();
  private readonly soc = new SocBlock();
  private readonly cv: CellVoltageBlock;
  private readonly ct: CellTemperatureBlock;
  private readonly p = newModelPoint();
  private readonly vMax_V: number;
  private readonly vMin_V: number;
  private chargeV_A = Infinity;
  private dischargeV_A = Infinity;
  private peakUsed_s = 0;
  private npEff: number;
  private fc = 0;
  private fd = 0;
  private charge_A = 0;
  private discharge_A = 0;

  constructor(
    private readonly model: CellModel,
    private readonly cfg: BmsConfig['sop'],
    thresholds: Float64Array,
    private readonly np: number,
    ns: number,
    nSensors: number,
    private readonly fast_s: number,
  ) {
    this.cv = new CellVoltageBlock(ns);
    this.ct = new CellTemperatureBlock(nSensors);
    this.npEff = np;
    const ov = CHECK_INDEX.cell_overvoltage * 3;
    const uv = CHECK_INDEX.cell_undervoltage * 3;
    this.vMax_V = firstDefined(thresholds, ov);
    this.vMin_V = firstDefined(thresholds, uv);
  }

  /** Fast task; `mid` also refreshes the derating factors and the voltage-limit prediction. */
  fast(db: Database, mid: boolean): void {
    const cfg = this.cfg;
    const st = db.read(this.state);
    const dg = db.read(this.diag);
    const I = db.read(this.cur).current_A;
    if (mid) this.refresh(db, I);
    const npEff = this.npEff;
    let derate = npEff < this.np ? DERATE_WEAK_GROUP : 0;
    // discharge peak budget
    const cont = cfg.discharge_current_A * npEff;
    if (-I > cont) this.peakUsed_s += this.fast_s;
    else this.peakUsed_s = Math.max(0, this.peakUsed_s - this.fast_s);
    const dBase = this.peakUsed_s < cfg.peak_duration_s ? cfg.peak_discharge_current_A * npEff : cont;
    const cBase = cfg.charge_current_A * npEff;
    let c = Math.min(cBase * this.fc, this.chargeV_A);
    let d = Math.min(dBase * this.fd, this.dischargeV_A);
    if (dg.warningDirections & 1) c *= cfg.warning_factor;
    if (dg.warningDirections & 2) d *= cfg.warning_factor;
    if (dg.warningDirections) derate |= DERATE_WARNING;
    if (dg.fatalCount > 0 || st.zeroCurrent || !st.running) {
      c = 0;
      d = 0;
      if (dg.fatalCount > 0 || st.state === ERROR_STATE) derate |= DERATE_FATAL;
    }
    // fall at once, rise by the ramp
    const step = cfg.ramp_up_per_s * cfg.charge_current_A * this.np * this.fast_s;
    const stepD = cfg.ramp_up_per_s * cfg.discharge_current_A * this.np * this.fast_s;
    this.charge_A = c < this.charge_A ? c : Math.min(c, this.charge_A + step);
    this.discharge_A = d < this.discharge_A ? d : Math.min(d, this.discharge_A + stepD);
    const o = this.out;
    o.chargeLimit_A = this.charge_A;
    o.dischargeLimit_A = this.discharge_A;
    o.faultDerate = derate;
    db.write(o, 'sop');
  }

  /** Mid task: derating factors from temperature and SOC, parallel cells, voltage limits. */
  private refresh(db: Database, I: number): void {
    const cfg = this.cfg;
    const soh = db.read(this.soh);
    const soc = db.read(this.soc);
    const ct = db.read(this.ct);
    this.npEff = soh.npEffMin > 0 ? Math.min(soh.npEffMin, this.np) : this.np;
    let fc: number;
    let fd: number;
    if (ct.validCount > 0) {
      const lo = ct.min_C;
      const hi = ct.max_C;
      fc =
        Math.min(factor(cfg.charge_temperature, lo), factor(cfg.charge_temperature, hi)) *
        Math.min(factor(cfg.charge_high_temperature, lo), factor(cfg.charge_high_temperature, hi));
      fd = Math.min(factor(cfg.discharge_temperature, lo), factor(cfg.discharge_temperature, hi));
    } else {
      fc = cfg.warning_factor;
      fd = cfg.warning_factor;
    }
    if (Number.isFinite(soc.max)) fc *= factor(cfg.charge_soc, soc.max);
    if (Number.isFinite(soc.min)) fd *= factor(cfg.discharge_soc, soc.min);
    this.fc = fc;
    this.fd = fd;
    this.predictVoltageLimits(db, I, soc);
  }

  private predictVoltageLimits(db: Database, I: number, soc: SocBlock): void {
    const cv = db.read(this.cv);
    if (cv.validCount === 0) {
      this.chargeV_A = 0;
      this.dischargeV_A = 0;
      return;
    }
    const T = Number.isFinite(this.ct.avg_C) ? this.ct.avg_C : this.model.chem.T_ref_C;
    const h = this.cfg.voltage_horizon_s;
    const zMax = Number.isFinite(soc.max) ? soc.max : 0.5;
    const zMin = Number.isFinite(soc.min) ? soc.min : 0.5;
    const rc = this.model.stepResistance(this.model.eval(zMax, T, this.p), h, this.np, true);
    const rd = this.model.stepResistance(this.model.eval(zMin, T, this.p), h, this.np);
    this.chargeV_A = Math.max(0, I + (this.vMax_V - cv.max_V) / rc);
    this.dischargeV_A = Math.max(0, -I + (cv.min_V - this.vMin_V) / rd);
  }
}

/** The tightest defined tier of a check (MOL, else RSL, else MSL). */
function firstDefined(thr: Float64Array, k: number): number {
  for (let t = 0; t < 3; t++) if (!Number.isNaN(thr[k + t]!)) return thr[k + t]!;
  return NaN;
}
