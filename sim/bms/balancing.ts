/**
 * Passive balancing (the only writer of the balancing block), slow task. It runs during
 * charge (CHARGE state, charging current) and at rest (|I| below the rest current for at
 * least min_rest_s, so a stop at a traffic light is not a rest and loaded voltages are not
 * mistaken for imbalance), when no
 * fatal fault is raised, the highest group is above min_voltage_V and the hottest NTC is
 * below max_temperature_C. A group bleeds while it is more than threshold_V above the lowest
 * valid group, until it is within threshold_V − hysteresis_V. The plant switches bleed_ohm
 * across the group (plant/shunts.ts): its current is drawn from the cells and heats them.
 */
import type { BmsConfig } from './config.ts';
import { BalancingBlock, CellTemperatureBlock, CellVoltageBlock, CurrentBlock, DiagBlock, StateBlock, type Database } from './database.ts';
import { NC } from './diag.ts';

export class Balancing {
  private readonly out: BalancingBlock;
  private readonly cv: CellVoltageBlock;
  private readonly ct: CellTemperatureBlock;
  private readonly cur = new CurrentBlock();
  private readonly state = new StateBlock();
  private readonly diag = new DiagBlock(NC);
  private readonly rest_A: number;
  /** Since when (ms) the current has been below the rest current; -1 while it is not. */
  private restSince_ms = -1;

  constructor(
    private readonly cfg: BmsConfig['balancing'],
    restCurrentPerCell_A: number,
    private readonly ns: number,
    nSensors: number,
    np: number,
  ) {
    this.out = new BalancingBlock(ns);
    this.cv = new CellVoltageBlock(ns);
    this.ct = new CellTemperatureBlock(nSensors);
    this.rest_A = restCurrentPerCell_A * np;
  }

  /** True when balancing is allowed now. */
  allowed(db: Database): boolean {
    if (!this.cfg.enabled) return false;
    const cv = db.read(this.cv);
    const ct = db.read(this.ct);
    const I = db.read(this.cur).current_A;
    const st = db.read(this.state);
    const dg = db.read(this.diag);
    const charging = st.charging === 1 && I > this.rest_A;
    if (Math.abs(I) <= this.rest_A) {
      if (this.restSince_ms < 0) this.restSince_ms = db.now_ms;
    } else {
      this.restSince_ms = -1;
    }
    const resting = this.restSince_ms >= 0 && db.now_ms - this.restSince_ms >= this.cfg.min_rest_s * 1000;
    if (!(charging || resting) || dg.fatalCount > 0 || cv.validCount === 0) return false;
    if (!(cv.max_V > this.cfg.min_voltage_V)) return false;
    if (ct.validCount > 0 && ct.max_C >= this.cfg.max_temperature_C) return false;
    return true;
  }

  slow(db: Database): void {
    const ok = this.allowed(db);
    const cv = this.cv;
    const a = this.out.active;
    const on = this.cfg.threshold_V;
    const off = this.cfg.threshold_V - this.cfg.hysteresis_V;
    let count = 0;
    for (let g = 0; g < this.ns; g++) {
      let b = 0;
      if (ok && cv.valid[g]) {
        const d = cv.voltage_V[g]! - cv.min_V;
        b = d > on || (a[g] === 1 && d > off) ? 1 : 0;
      }
      a[g] = b;
      count += b;
    }
    this.out.count = count;
    db.write(this.out, 'balancing');
  }
}
