import { describe, expect, it } from 'vitest';
import { CellTemperatureBlock, CellVoltageBlock, CurrentBlock, Database } from '../../../sim/bms/database.ts';
import { CHECK_INDEX as C, Diag, NC, buildThresholds } from '../../../sim/bms/diag.ts';
import { Soa } from '../../../sim/bms/soa.ts';
import { config } from './_harness.ts';

const NP = 2;
// every check raises on its first NOT_OK and clears on its first OK
const cfg = config({
  checks: Object.fromEntries(
    ['cell_overvoltage', 'overtemperature_charge', 'overtemperature_discharge', 'overcurrent_discharge'].map((id) => [
      id,
      { debounce_ticks: 1, clear_ticks: 1 },
    ]),
  ),
});

function setup() {
  const thr = buildThresholds(cfg, NP);
  const diag = new Diag(cfg, thr);
  const db = new Database(2, 1, NC);
  const soa = new Soa(cfg, thr, 2, 1, NP, diag, { contactorMismatches: () => 0, hostSilence_s: () => 0 });
  let t = 0;
  const tick = (o: { I?: number; T?: number; vmax?: number; vmaxIndex?: number; Tindex?: number }) => {
    t += 1000;
    db.now_ms = t;
    const cur = new CurrentBlock();
    cur.current_A = o.I ?? 0;
    db.write(cur, 'afe');
    const cv = new CellVoltageBlock(2);
    cv.min_V = 3.3;
    cv.max_V = o.vmax ?? 3.3;
    cv.minIndex = 0;
    cv.maxIndex = o.vmaxIndex ?? 0;
    cv.validCount = 2;
    db.write(cv, 'afe');
    const ct = new CellTemperatureBlock(1);
    ct.min_C = ct.max_C = ct.avg_C = ct.rawMin_C = ct.rawMax_C = o.T ?? 25;
    ct.minIndex = ct.maxIndex = o.Tindex ?? 0;
    ct.validCount = 1;
    db.write(ct, 'afe');
    diag.begin(t);
    soa.runFast(db);
    soa.runMid(db);
    soa.runSlow(db);
    diag.commit(db);
  };
  return { diag, tick };
}

describe('Soa', () => {
  // for a cell (series group) over its voltage limit and a sensor over its temperature limit
  // the fault records name that group and that sensor; pack-level checks name none
  it('should record which series group or sensor tripped', () => {
    const { diag, tick } = setup();
    tick({ I: 1, vmax: cfg.checks.cell_overvoltage.msl! + 0.01, vmaxIndex: 1, T: cfg.checks.overtemperature_charge.msl! + 1, Tindex: 0 });
    tick({ I: -(cfg.checks.overcurrent_discharge.msl! * NP + 50) });
    const rec = (code: string) => diag.records.find((r) => r.code === code);
    expect(rec('CELL_OVERVOLTAGE')?.index).toBe(1);
    expect(rec('OVERTEMPERATURE_CHARGE')?.index).toBe(0);
    expect(rec('OVERCURRENT_DISCHARGE')?.index).toBeNull();
  });

  it('should apply the charge temperature limits only while charging', () => {
    const { diag, tick } = setup();
    const hot = cfg.checks.overtemperature_charge.rsl! + 1;
    tick({ I: -1, T: hot });
    expect(diag.isRaised(C.overtemperature_charge, 0)).toBe(false);
    expect(diag.isRaised(C.overtemperature_discharge, 0)).toBe(false); // below the discharge MOL
    tick({ I: 1, T: hot });
    expect(diag.isRaised(C.overtemperature_charge, 0)).toBe(true);
    expect(diag.isRaised(C.overtemperature_charge, 1)).toBe(true);
    expect(diag.isRaised(C.overtemperature_charge, 2)).toBe(false);
    tick({ I: 0, T: hot }); // at rest: discharge limits
    expect(diag.isRaised(C.overtemperature_charge, 1)).toBe(false);
  });

  it('should keep a raised tier NOT_OK until the value is back inside by the hysteresis', () => {
    const { diag, tick } = setup();
    const mol = cfg.checks.cell_overvoltage.mol!;
    const h = cfg.checks.cell_overvoltage.hysteresis;
    tick({ vmax: mol + 0.001 });
    expect(diag.isRaised(C.cell_overvoltage, 0)).toBe(true);
    tick({ vmax: mol - h / 2 });
    expect(diag.isRaised(C.cell_overvoltage, 0)).toBe(true);
    tick({ vmax: mol - h * 1.5 });
    expect(diag.isRaised(C.cell_overvoltage, 0)).toBe(false);
  });

  it('should compare the pack current with per-cell thresholds times np', () => {
    const { diag, tick } = setup();
    const mol = cfg.checks.overcurrent_discharge.mol!;
    tick({ I: -mol * NP * 0.99 });
    expect(diag.isRaised(C.overcurrent_discharge, 0)).toBe(false);
    tick({ I: -mol * NP * 1.01 });
    expect(diag.isRaised(C.overcurrent_discharge, 0)).toBe(true);
    expect(diag.records[0]!.threshold).toBeCloseTo(mol * NP, 12);
  });
});
