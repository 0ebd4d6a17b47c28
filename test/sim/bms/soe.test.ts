import { describe, expect, it } from 'vitest';
import { CellModel } from '../../../sim/bms/internal/cellModel.ts';
import { Rig, chem } from './_harness.ts';

describe('SOE', () => {
  it('should integrate the OCV: full cell energy near capacity × mean OCV, rising with SOC', () => {
    for (const name of ['naion-18650-layered', 'naion-nvpf-polyanion']) {
      const c = chem(name);
      const m = new CellModel(c, true);
      let prev = -1;
      for (let z = 0; z <= 1.0001; z += 0.05) {
        const e = m.energyTo_Wh(z);
        expect(e).toBeGreaterThan(prev);
        prev = e;
      }
      // sim/chemistry/README.md: mean (central) OCV 3.08 V (18650), 3.68 V (NVPF)
      const meanOcv = m.energyTo_Wh(1) / c.capacity_Ah;
      expect(meanOcv).toBeCloseTo(name === 'naion-18650-layered' ? 3.08 : 3.68, 1);
    }
  });

  it('should report the pack energy left from the average SOC', () => {
    const r = new Rig({ dt_s: 0.1, ns: 4, np: 2, soc: 0.5 });
    r.run(2);
    const soe = r.bms.db.peek('soe');
    const m = new CellModel(chem(), true);
    const z = r.bms.db.peek('soc').avg;
    expect(soe.energy_Wh).toBeCloseTo(8 * m.energyTo_Wh(z), 6);
    expect(soe.soe).toBeCloseTo(m.energyTo_Wh(z) / m.energyTo_Wh(1), 9);
    expect(soe.soe).toBeLessThan(0.5); // the lower half of the curve holds less energy
  });
});
