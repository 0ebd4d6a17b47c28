/**
 * Coulomb counting's OCV recalibration after a rest: to the h-aware point when the
 * hysteresis state is settled, into the hysteresis band when it is not, and not at all on
 * a flat plateau.
 */
import { describe, expect, it } from 'vitest';
import { CellModel, newModelPoint } from '../../../../sim/bms/internal/cellModel.ts';
import { Rig, chem } from '../_harness.ts';

const BMS = { scheduler: { fast_period_ms: 100 }, soc: { method: 'counting', rest_s: 600 } };

function trueSoc(r: Rig): number {
  let s = 0;
  for (let i = 0; i < r.pack.n; i++) s += r.pack.z[i]!;
  return s / r.pack.n;
}

describe('coulomb counting', () => {
  it('should recalibrate to the OCV after a rest once the hysteresis state is settled', () => {
    const r = new Rig({ dt_s: 1, ns: 2, np: 1, soc: 0.7, bms: { ...BMS, soc: { ...BMS.soc, initial_soc: 0.75 } } });
    r.request('NORMAL');
    r.run(5);
    r.load_A = -0.75; // 0.5C: h settles towards -1
    r.run(1200);
    const before = r.bms.db.peek('soc');
    expect(before.avg - trueSoc(r)).toBeGreaterThan(0.04); // still the initial error
    expect(before.h).toBeLessThan(-r.bms.config.soc.hysteresis_certain);
    r.load_A = 0;
    r.run(r.bms.config.soc.rest_s + 5);
    const after = r.bms.db.peek('soc');
    expect(after.recalibrations).toBe(1);
    expect(Math.abs(after.avg - trueSoc(r))).toBeLessThan(0.005);
  });

  it('should only clamp into the hysteresis band when the hysteresis state is not known', () => {
    const r = new Rig({ dt_s: 1, ns: 2, np: 1, soc: 0.3, bms: { ...BMS, soc: { ...BMS.soc, initial_soc: 0.45 } } });
    r.run(r.bms.config.soc.rest_s + 5); // h = 0 in the model and in the BMS
    const s = r.bms.db.peek('soc');
    expect(s.recalibrations).toBe(1);
    const m = new CellModel(chem(), true);
    const p = newModelPoint();
    const v = r.bms.db.peek('cellVoltage').avg_V;
    const hi = m.socFromRestVoltage(v, -1, 25, p);
    const lo = m.socFromRestVoltage(v, 1, 25, p);
    expect(hi - lo).toBeGreaterThan(0.03); // the wide band of the low-SOC hysteresis
    expect(s.avg).toBeCloseTo(hi, 3); // clamped to the band's upper edge, not moved to its middle
    expect(trueSoc(r)).toBeGreaterThan(lo);
    expect(trueSoc(r)).toBeLessThan(hi);
  });

  it('should skip the recalibration on the flat polyanion plateau', () => {
    const c = chem('naion-nvpf-polyanion');
    const m = new CellModel(c, true);
    const p = newModelPoint();
    m.eval(0.6, 25, p);
    expect((p.dOcv / 100) * 1000).toBeLessThan(4); // mV per % SOC
    const r = new Rig({ chemistry: 'naion-nvpf-polyanion', dt_s: 1, ns: 2, np: 1, soc: 0.6, bms: { ...BMS, soc: { ...BMS.soc, initial_soc: 0.65 } } });
    r.run(r.bms.config.soc.rest_s + 5);
    const s = r.bms.db.peek('soc');
    expect(s.recalibrations).toBe(0);
    expect(s.skippedRecalibrations).toBe(1);
    expect(s.avg).toBeCloseTo(0.65, 3);
  });
});
