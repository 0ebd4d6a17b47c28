/**
 * The SOC module (the only writer of the soc block): coulomb counting always runs (it also
 * feeds the SOH capacity estimate); the EKF runs when `soc.method` is "ekf", on the
 * representative cells of `soc.ekf.cells` — the average, lowest and highest group — at the
 * mid or slow task (1 s by default). That is what production BMSes do instead of one filter
 * per cell: three 4-state filters per second cost O(1), whatever the pack size. SOC min/avg/
 * max come from the selected method; if the EKF tracks only the average, min and max are
 * the average plus the counter's offsets.
 */
import type { BmsConfig } from '../config.ts';
import { CellTemperatureBlock, CellVoltageBlock, CurrentBlock, SocBlock, SohBlock, type Database } from '../database.ts';
import type { CellModel } from '../internal/cellModel.ts';
import { CoulombCounter } from './counting.ts';
import { Ekf } from './ekf.ts';

export class Soc {
  readonly counter: CoulombCounter;
  readonly ekfAvg: Ekf | null;
  readonly ekfMin: Ekf | null;
  readonly ekfMax: Ekf | null;
  initialised = false;
  private readonly cv: CellVoltageBlock;
  private readonly ct: CellTemperatureBlock;
  private readonly cur = new CurrentBlock();
  private readonly soh = new SohBlock();
  private readonly out = new SocBlock();
  private sumIdt = 0;
  private sumDt = 0;
  private maxAbsI = 0;
  private Q_Ah: number;

  constructor(
    private readonly model: CellModel,
    private readonly np: number,
    ns: number,
    nSensors: number,
    private readonly cfg: BmsConfig['soc'],
  ) {
    this.counter = new CoulombCounter(model, np, cfg);
    const ekf = cfg.method === 'ekf';
    const has = (c: 'avg' | 'min' | 'max') => ekf && cfg.ekf.cells.includes(c);
    this.ekfAvg = has('avg') ? new Ekf(model, cfg.ekf) : null;
    this.ekfMin = has('min') ? new Ekf(model, cfg.ekf) : null;
    this.ekfMax = has('max') ? new Ekf(model, cfg.ekf) : null;
    this.cv = new CellVoltageBlock(ns);
    this.ct = new CellTemperatureBlock(nSensors);
    this.Q_Ah = model.capacity_Ah;
  }

  private temperature(): number {
    const T = this.ct.avg_C;
    return Number.isFinite(T) ? T : this.model.chem.T_ref_C;
  }

  /** Set the initial SOC once measurements are valid (configured value or from the OCV). */
  initialise(db: Database): void {
    const cv = db.read(this.cv);
    db.read(this.ct);
    const c = this.counter;
    const z0 = this.cfg.initial_soc;
    if (z0 === 'ocv' && cv.validCount > 0) c.initFromOcv(cv.min_V, cv.avg_V, cv.max_V, this.temperature());
    else c.init(typeof z0 === 'number' ? z0 : 0.5);
    this.ekfAvg?.init(c.avg);
    this.ekfMin?.init(c.min);
    this.ekfMax?.init(c.max);
    this.initialised = true;
    this.write(db);
  }

  /** Fast task: count the measured current. */
  fast(db: Database, dt_s: number): void {
    if (!this.initialised) return;
    const I = db.read(this.cur).current_A;
    this.counter.integrate(I, dt_s, this.Q_Ah);
    this.sumIdt += I * dt_s;
    this.sumDt += dt_s;
    const a = Math.abs(I);
    if (a > this.maxAbsI) this.maxAbsI = a;
  }

  /** EKF task (mid or slow, as configured): predict over the interval, update with the latest voltages. */
  estimate(db: Database): void {
    if (!this.initialised || this.sumDt === 0) return;
    const cv = db.read(this.cv);
    db.read(this.ct);
    const iMean = this.sumIdt / this.sumDt / this.np;
    const iNow = this.cur.current_A / this.np;
    const dt = this.sumDt;
    this.sumIdt = 0;
    this.sumDt = 0;
    const T = this.temperature();
    if (cv.validCount === 0) return;
    this.step(this.ekfAvg, cv.avg_V, iMean, iNow, dt, T);
    this.step(this.ekfMin, cv.min_V, iMean, iNow, dt, T);
    this.step(this.ekfMax, cv.max_V, iMean, iNow, dt, T);
  }

  private step(e: Ekf | null, v: number, iMean: number, iNow: number, dt: number, T: number): void {
    if (!e) return;
    e.predict(iMean, dt, T, this.Q_Ah);
    e.update(v, iNow, T);
  }

  /** Slow task: capacity from SOH, rest detection and OCV recalibration; then publish. */
  slow(db: Database, period_s: number, t_s: number): void {
    if (!this.initialised) return;
    const soh = db.read(this.soh);
    if (soh.capacityEstimates > 0 && Number.isFinite(soh.capacity_Ah)) this.Q_Ah = soh.capacity_Ah;
    const rested = this.counter.restTick(this.maxAbsI, period_s);
    this.maxAbsI = 0;
    if (rested) {
      const cv = db.read(this.cv);
      db.read(this.ct);
      if (cv.validCount > 0) this.counter.recalibrate(cv.min_V, cv.avg_V, cv.max_V, this.temperature(), t_s);
    }
    this.write(db);
  }

  /** Publish min/avg/max of the selected method. */
  write(db: Database): void {
    const o = this.out;
    const c = this.counter;
    o.countingAvg = c.avg;
    o.h = c.h;
    o.recalibrations = c.recalibrations;
    o.skippedRecalibrations = c.skipped;
    if (this.ekfAvg) {
      const avg = this.ekfAvg.soc;
      o.ekfAvg = avg;
      o.avg = avg;
      o.min = this.ekfMin ? Math.min(this.ekfMin.soc, avg) : avg + (c.min - c.avg);
      o.max = this.ekfMax ? Math.max(this.ekfMax.soc, avg) : avg + (c.max - c.avg);
    } else {
      o.ekfAvg = NaN;
      o.avg = c.avg;
      o.min = c.min;
      o.max = c.max;
    }
    db.write(o, 'soc');
  }
}
