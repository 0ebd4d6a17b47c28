/**
 * SOC by coulomb counting on the measured current, recalibrated from the OCV table after a
 * rest. The hysteresis state is tracked from the measured current with the cell's own
 * dynamics (Plett's one-state model). At a recalibration:
 *  - when the hysteresis state is settled (|h| >= hysteresis_certain), SOC is set to the
 *    SOC whose resting voltage OCV(z) + M(z)·h equals the measured one;
 *  - otherwise the OCV only bounds SOC to the band between the charge (h = +1) and discharge
 *    (h = -1) branches, and the counted SOC is clamped into that band;
 *  - where the OCV slope is below min_ocv_slope_mV_per_pct (a polyanion plateau) the
 *    recalibration is skipped: a voltage error there would be a large SOC error.
 * min/avg/max follow the lowest, average and highest group voltage.
 */
import type { BmsConfig } from '../config.ts';
import { type CellModel, newModelPoint } from '../internal/cellModel.ts';

export interface Recalibration {
  /** Pack-average SOC from the OCV. */
  z: number;
  /** Counter reading (group charge in, Ah) at that time. */
  charge_Ah: number;
  /** True when h was settled (a point estimate, usable for SOH), false for a band clamp. */
  certain: boolean;
  t_s: number;
}

export class CoulombCounter {
  min = NaN;
  avg = NaN;
  max = NaN;
  /** Hysteresis state estimate, -1..1. */
  h = 0;
  /** Cumulative charge into a group (η applied on charge), Ah. */
  charge_Ah = 0;
  rest_s = 0;
  recalibrations = 0;
  skipped = 0;
  last: Recalibration | null = null;
  private recalibratedThisRest = false;
  private readonly scratch = newModelPoint();

  constructor(
    private readonly model: CellModel,
    private readonly np: number,
    private readonly cfg: BmsConfig['soc'],
  ) {}

  init(z: number): void {
    this.min = z;
    this.avg = z;
    this.max = z;
  }

  /** SOC from resting voltages with no knowledge of h (middle of the band). */
  initFromOcv(vmin: number, vavg: number, vmax: number, T_C: number): void {
    const s = this.scratch;
    this.min = this.model.socFromRestVoltage(vmin, 0, T_C, s);
    this.avg = this.model.socFromRestVoltage(vavg, 0, T_C, s);
    this.max = this.model.socFromRestVoltage(vmax, 0, T_C, s);
  }

  /** One fast tick at measured pack current I_A over dt_s, cell capacity Q_Ah. */
  integrate(I_A: number, dt_s: number, Q_Ah: number): void {
    const eta = I_A > 0 ? this.model.etaCharge : 1;
    const dq = (eta * I_A * dt_s) / 3600;
    this.charge_Ah += dq;
    const dz = dq / (this.np * Q_Ah);
    this.min += dz;
    this.avg += dz;
    this.max += dz;
    // At rest (|I| within the rest current) the cell's h holds; the measured current there is
    // sensor offset and noise, whose sign would walk h towards ±1 at a fast hysteresis rate.
    if (Math.abs(I_A) <= this.cfg.rest_current_A * this.np) return;
    const Icell = I_A / this.np;
    const b = Math.exp(-Math.abs((eta * Icell * this.model.gamma * dt_s) / (3600 * Q_Ah)));
    this.h = b * this.h + (1 - b) * Math.sign(I_A);
  }

  /**
   * Slow tick: `maxAbsI_A` is the largest |current| measured since the last one. Returns
   * true when the pack has just completed a rest long enough for a recalibration.
   */
  restTick(maxAbsI_A: number, period_s: number): boolean {
    if (maxAbsI_A > this.cfg.rest_current_A * this.np) {
      this.rest_s = 0;
      this.recalibratedThisRest = false;
      return false;
    }
    this.rest_s += period_s;
    if (this.rest_s + 1e-9 >= this.cfg.rest_s && !this.recalibratedThisRest) {
      this.recalibratedThisRest = true;
      return true;
    }
    return false;
  }

  /** Recalibrate from rested group voltages. Returns false when skipped (flat OCV). */
  recalibrate(vmin: number, vavg: number, vmax: number, T_C: number, t_s: number): boolean {
    const m = this.model;
    const s = this.scratch;
    const certain = Math.abs(this.h) >= this.cfg.hysteresis_certain;
    const zAvg = this.fromVoltage(vavg, this.avg, certain, T_C);
    m.eval(zAvg, T_C, s);
    const slope_mV_per_pct = (s.dOcv / 100) * 1000;
    if (slope_mV_per_pct < this.cfg.min_ocv_slope_mV_per_pct) {
      this.skipped++;
      return false;
    }
    this.avg = zAvg;
    this.min = this.fromVoltage(vmin, this.min, certain, T_C);
    this.max = this.fromVoltage(vmax, this.max, certain, T_C);
    this.recalibrations++;
    this.last = { z: zAvg, charge_Ah: this.charge_Ah, certain, t_s };
    return true;
  }

  private fromVoltage(v: number, counted: number, certain: boolean, T_C: number): number {
    const m = this.model;
    const s = this.scratch;
    if (certain) return m.socFromRestVoltage(v, this.h, T_C, s);
    const lo = m.socFromRestVoltage(v, 1, T_C, s);
    const hi = m.socFromRestVoltage(v, -1, T_C, s);
    return counted < lo ? lo : counted > hi ? hi : counted;
  }
}
