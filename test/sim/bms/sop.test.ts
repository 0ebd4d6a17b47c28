/**
 * SOP/sof on hand-written database blocks: temperature and SOC derating tables, the
 * voltage-limit prediction, fault cuts and the ramp.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CellModel } from '../../../sim/bms/internal/cellModel.ts';
import { CellTemperatureBlock, CellVoltageBlock, CurrentBlock, Database, DiagBlock, SocBlock, SohBlock, StateBlock } from '../../../sim/bms/database.ts';
import { NC, buildThresholds } from '../../../sim/bms/diag.ts';
import { DERATE_FATAL, DERATE_WARNING, DERATE_WEAK_GROUP, Sop } from '../../../sim/bms/sop.ts';
import { interp1 } from '../../../sim/table.ts';
import { chem, config } from './_harness.ts';

const NS = 4;
const NP = 2;
const c = chem();
const cfg = config();
const model = new CellModel(c, true);

interface Inputs {
  T_C?: [number, number];
  soc?: [number, number];
  vmax?: number;
  vmin?: number;
  I?: number;
  warning?: number;
  fatal?: number;
  running?: number;
  npEff?: number;
}

function run(inp: Inputs, ticks = 400): { sop: Sop; db: Database } {
  const db = new Database(NS, 2, NC);
  const sop = new Sop(model, cfg.sop, buildThresholds(cfg, NP), NP, NS, 2, cfg.scheduler.fast_period_ms / 1000);
  const st = new StateBlock();
  st.running = inp.running ?? 1;
  db.write(st, 'bms');
  const dg = new DiagBlock(NC);
  dg.warningDirections = inp.warning ?? 0;
  dg.fatalCount = inp.fatal ?? 0;
  db.write(dg, 'diag');
  const cur = new CurrentBlock();
  cur.current_A = inp.I ?? 0;
  db.write(cur, 'afe');
  const ct = new CellTemperatureBlock(2);
  ct.temperature_C.set(inp.T_C ?? [25, 25]);
  ct.min_C = Math.min(...(inp.T_C ?? [25, 25]));
  ct.max_C = Math.max(...(inp.T_C ?? [25, 25]));
  ct.avg_C = (ct.min_C + ct.max_C) / 2;
  ct.validCount = 2;
  db.write(ct, 'afe');
  const cv = new CellVoltageBlock(NS);
  cv.min_V = inp.vmin ?? 3.2;
  cv.max_V = inp.vmax ?? 3.3;
  cv.validCount = NS;
  db.write(cv, 'afe');
  const soc = new SocBlock();
  [soc.min, soc.max] = inp.soc ?? [0.5, 0.5];
  soc.avg = (soc.min + soc.max) / 2;
  db.write(soc, 'soc');
  const soh = new SohBlock();
  soh.npEffMin = inp.npEff ?? NP;
  db.write(soh, 'soh');
  for (let k = 0; k < ticks; k++) sop.fast(db, k % 10 === 0);
  return { sop, db };
}

const L = c.spec.limits;

describe('Sop', () => {
  it('should advise the continuous charge and the peak discharge current at 25 °C and mid SOC', () => {
    const lim = run({}).db.peek('sop');
    expect(lim.chargeLimit_A).toBeCloseTo(L.charge_current_A * NP, 9);
    expect(lim.dischargeLimit_A).toBeCloseTo(L.peak_discharge_current_A * NP, 9);
    expect(lim.faultDerate).toBe(0);
  });

  // for all temperature pairs / such that the pack is at mid SOC far from its voltage limits / the limits follow the derating tables at the coldest and hottest NTC
  it('should derate by temperature at the coldest and hottest sensor', () => {
    fc.assert(
      fc.property(fc.double({ min: -40, max: 80, noNaN: true }), fc.double({ min: 0, max: 20, noNaN: true }), (lo, span) => {
        const hi = lo + span;
        const lim = run({ T_C: [lo, hi] }).db.peek('sop');
        const f = (t: { x: number[]; factor: number[] }, x: number) => interp1(t.x, t.factor, x);
        const fc1 =
          Math.min(f(cfg.sop.charge_temperature, lo), f(cfg.sop.charge_temperature, hi)) *
          Math.min(f(cfg.sop.charge_high_temperature, lo), f(cfg.sop.charge_high_temperature, hi));
        const fd = Math.min(f(cfg.sop.discharge_temperature, lo), f(cfg.sop.discharge_temperature, hi));
        expect(lim.chargeLimit_A).toBeCloseTo(L.charge_current_A * NP * fc1, 9);
        expect(lim.dischargeLimit_A).toBeCloseTo(L.peak_discharge_current_A * NP * fd, 9);
      }),
      { numRuns: 40 },
    );
    expect(run({ T_C: [0, 0] }).db.peek('sop').chargeLimit_A).toBeCloseTo(0.5 * L.charge_current_A * NP, 9);
    expect(run({ T_C: [-15, 0] }).db.peek('sop').chargeLimit_A).toBe(0);
  });

  it('should derate charge near full and discharge near empty', () => {
    expect(run({ soc: [0.5, 0.95] }).db.peek('sop').chargeLimit_A).toBeCloseTo(0.3 * L.charge_current_A * NP, 9);
    expect(run({ soc: [0.05, 0.5], vmin: 3.0 }).db.peek('sop').dischargeLimit_A).toBeCloseTo(0.3 * L.peak_discharge_current_A * NP, 9);
    expect(run({ soc: [0, 0.5] }).db.peek('sop').dischargeLimit_A).toBe(0);
  });

  it('should limit the charge current that would take the highest group past its MOL voltage', () => {
    const mol = cfg.checks.cell_overvoltage.mol!;
    const lim = run({ vmax: mol - 0.005, I: 1 }).db.peek('sop');
    const p = model.eval(0.5, 25, { ocv_V: 0, dOcv: 0, M_V: 0, dM: 0, r0_ohm: 0, r0_charge_ohm: 0, r1_ohm: 0, tau1_s: 1, r2_ohm: 0, tau2_s: 1 });
    // charging: R0 while charging (the chemistry's charge resistance)
    const R = model.stepResistance(p, cfg.sop.voltage_horizon_s, NP, true);
    expect(lim.chargeLimit_A).toBeCloseTo(1 + 0.005 / R, 6);
    expect(run({ vmax: mol + 0.01, I: 0 }).db.peek('sop').chargeLimit_A).toBe(0);
  });

  it('should cut limits for warnings in their direction, to zero for fatal faults and outside NORMAL/CHARGE', () => {
    const w = run({ warning: 1 }).db.peek('sop');
    expect(w.chargeLimit_A).toBeCloseTo(cfg.sop.warning_factor * L.charge_current_A * NP, 9);
    expect(w.dischargeLimit_A).toBeCloseTo(L.peak_discharge_current_A * NP, 9);
    expect(w.faultDerate).toBe(DERATE_WARNING);
    const f = run({ fatal: 1 }).db.peek('sop');
    expect([f.chargeLimit_A, f.dischargeLimit_A, f.faultDerate]).toEqual([0, 0, DERATE_FATAL]);
    const s = run({ running: 0 }).db.peek('sop');
    expect([s.chargeLimit_A, s.dischargeLimit_A, s.faultDerate]).toEqual([0, 0, 0]);
    const weak = run({ npEff: 1 }).db.peek('sop');
    expect(weak.chargeLimit_A).toBeCloseTo(L.charge_current_A, 9);
    expect(weak.faultDerate).toBe(DERATE_WEAK_GROUP);
  });

  it('should fall at once and rise no faster than the ramp', () => {
    const { sop, db } = run({}, 1);
    const first = db.peek('sop').chargeLimit_A;
    const step = cfg.sop.ramp_up_per_s * L.charge_current_A * NP * (cfg.scheduler.fast_period_ms / 1000);
    expect(first).toBeCloseTo(step, 9);
    sop.fast(db, false);
    expect(db.peek('sop').chargeLimit_A).toBeCloseTo(2 * step, 9);
  });
});
