/**
 * State of health (the only writer of the soh block).
 *  - Capacity: charge counted between two OCV recalibrations with a settled hysteresis state,
 *    divided by the SOC change they measured, once that change is at least min_delta_soc;
 *    estimates are averaged, weighted by their SOC change. SOH = capacity / nominal.
 *  - Resistance: at every current step of at least resistance_step_A per cell between two
 *    AFE cycles, ΔV/ΔI of each group, filtered. The pack mean over the model's resistance for
 *    step (R0 and the RC branches over the AFE period) is the resistance ratio; a group whose
 *    resistance stands out from the mean of the others by disconnect_ratio looks like it has
 *    lost cells in parallel, and npEffMin = np · mean_others / r_group tells sof and soa how
 *    many remain.
 */
import type { BmsConfig } from './config.ts';
import { CellTemperatureBlock, CellVoltageBlock, CurrentBlock, SocBlock, SohBlock, type Database } from './database.ts';
import { type CellModel, newModelPoint } from './internal/cellModel.ts';
import type { Recalibration } from './soc/counting.ts';

export class Soh {
  private readonly out = new SohBlock();
  private readonly cv: CellVoltageBlock;
  private readonly ct: CellTemperatureBlock;
  private readonly cur = new CurrentBlock();
  private readonly soc = new SocBlock();
  private readonly r: Float64Array;
  private readonly prevV: Float64Array;
  private readonly prevValid: Uint8Array;
  private prevI = NaN;
  private samples = 0;
  private anchor: Recalibration | null = null;
  private weightSum = 0;
  private capSum = 0;
  private readonly p = newModelPoint();

  constructor(
    private readonly model: CellModel,
    private readonly ns: number,
    nSensors: number,
    private readonly np: number,
    private readonly cfg: BmsConfig['soh'],
    /** Time between the two samples of a step (the AFE period), s. */
    private readonly stepTime_s: number,
  ) {
    this.cv = new CellVoltageBlock(ns);
    this.ct = new CellTemperatureBlock(nSensors);
    this.r = new Float64Array(ns);
    this.prevV = new Float64Array(ns);
    this.prevValid = new Uint8Array(ns);
    this.out.capacity_Ah = model.capacity_Ah;
    this.out.npEffMin = np;
  }

  /** Mid task, after the AFE cycle: resistance from current steps. */
  mid(db: Database): void {
    const cv = db.read(this.cv);
    const I = db.read(this.cur).current_A;
    const dI = I - this.prevI;
    if (Math.abs(dI) >= this.cfg.resistance_step_A * this.np) {
      const a = this.cfg.resistance_filter;
      const first = this.samples === 0;
      for (let g = 0; g < this.ns; g++) {
        if (!cv.valid[g] || !this.prevValid[g]) continue;
        const s = (cv.voltage_V[g]! - this.prevV[g]!) / dI;
        this.r[g] = first || this.r[g] === 0 ? s : this.r[g]! + a * (s - this.r[g]!);
      }
      this.samples++;
      if (this.samples >= this.cfg.min_resistance_samples) this.evaluateResistance(db, cv);
    }
    this.prevV.set(cv.voltage_V);
    this.prevValid.set(cv.valid);
    this.prevI = I;
  }

  private evaluateResistance(db: Database, cv: CellVoltageBlock): void {
    let sum = 0;
    let n = 0;
    for (let g = 0; g < this.ns; g++) {
      if (cv.valid[g] && this.r[g]! > 0) {
        sum += this.r[g]!;
        n++;
      }
    }
    const o = this.out;
    o.resistanceSamples = this.samples;
    if (n === 0) return;
    const mean = sum / n;
    const z = db.read(this.soc).avg;
    const T = db.read(this.ct).avg_C;
    this.model.eval(Number.isFinite(z) ? z : 0.5, Number.isFinite(T) ? T : this.model.chem.T_ref_C, this.p);
    o.resistanceRatio = mean / this.model.stepResistance(this.p, this.stepTime_s, this.np);
    let npMin = this.np;
    let weak = -1;
    for (let g = 0; g < this.ns; g++) {
      const rg = this.r[g]!;
      if (!cv.valid[g] || !(rg > 0) || n < 2) continue;
      const others = (sum - rg) / (n - 1); // the group against the rest of the pack
      if (rg < this.cfg.disconnect_ratio * others) continue;
      const npEff = (this.np * others) / rg;
      if (npEff < npMin) {
        npMin = npEff;
        weak = g;
      }
    }
    o.npEffMin = npMin;
    o.weakGroup = weak;
  }

  /** Slow task: capacity from a new recalibration; publish. */
  slow(db: Database, last: Recalibration | null): void {
    if (last && last.certain && last !== this.anchor) {
      const a = this.anchor;
      if (a) {
        const dz = last.z - a.z;
        if (Math.abs(dz) >= this.cfg.min_delta_soc) {
          const cap = (last.charge_Ah - a.charge_Ah) / dz / this.np;
          if (cap > 0) {
            this.capSum += cap * Math.abs(dz);
            this.weightSum += Math.abs(dz);
            this.out.capacityEstimates++;
            this.out.capacity_Ah = this.capSum / this.weightSum;
            this.out.soh = this.out.capacity_Ah / this.model.capacity_Ah;
          }
        }
      }
      this.anchor = last;
    }
    db.write(this.out, 'soh');
  }
}
