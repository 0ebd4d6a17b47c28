/**
 * SOH: capacity from the charge counted between two OCV recalibrations, and resistance from
 * current steps (with a cell lost from a parallel group).
 */
import { describe, expect, it } from 'vitest';
import { DERATE_WEAK_GROUP } from '../../../sim/bms/sop.ts';
import { Rig } from './_harness.ts';

describe('SOH', () => {
  it('should estimate an aged capacity within 3 % after two recalibrations', () => {
    const r = new Rig({ dt_s: 1, ns: 4, np: 1, soc: 0.6, seed: 5, bms: { scheduler: { fast_period_ms: 100 } } });
    const aged = 0.88;
    for (let i = 0; i < r.pack.n; i++) r.pack.capacity_Ah[i] = r.pack.capacity_Ah[i]! * aged;
    r.pack.updateStepConstants();
    const trueCap = r.pack.capacity_Ah.reduce((a, b) => a + b, 0) / r.pack.n;
    const rest = r.bms.config.soc.rest_s;
    // charge a little (h → +1), rest, discharge 0.5C over ~60 % SOC (h → −1), rest
    r.request('CHARGE');
    r.run(5);
    r.load_A = 0.75;
    r.run(1200);
    r.load_A = 0;
    r.request('STANDBY');
    r.run(rest + 10);
    expect(r.bms.db.peek('soc').recalibrations).toBe(1);
    r.request('NORMAL');
    r.run(5);
    r.load_A = -0.75;
    r.run(3700);
    r.load_A = 0;
    r.request('STANDBY');
    r.run(rest + 10);
    const soh = r.bms.db.peek('soh');
    expect(r.bms.db.peek('soc').recalibrations).toBe(2);
    expect(soh.capacityEstimates).toBe(1);
    const err = soh.capacity_Ah / trueCap - 1;
    console.log(
      `SOH capacity: estimate ${soh.capacity_Ah.toFixed(4)} Ah, true ${trueCap.toFixed(4)} Ah (${(err * 100).toFixed(2)} %), SOH ${(soh.soh * 100).toFixed(1)} %`,
    );
    expect(Math.abs(err)).toBeLessThanOrEqual(0.03);
    expect(soh.soh).toBeCloseTo(aged, 1);
  });

  function square(r: Rig, seconds: number, amp: number): void {
    const n = Math.round(seconds / r.dt_s);
    for (let k = 0; k < n; k++) {
      r.load_A = Math.floor(r.t_s / 5) % 2 ? -amp : -amp * 0.2;
      r.step();
    }
  }

  it('should estimate the resistance from current steps', () => {
    const r = new Rig({ dt_s: 1, ns: 4, np: 2, soc: 0.7, bms: { scheduler: { fast_period_ms: 100 } } });
    r.request('NORMAL');
    r.run(5);
    square(r, 200, 4);
    const soh = r.bms.db.peek('soh');
    expect(soh.resistanceSamples).toBeGreaterThan(20);
    expect(soh.resistanceRatio).toBeGreaterThan(0.9);
    expect(soh.resistanceRatio).toBeLessThan(1.1);
    expect(soh.npEffMin).toBe(2);
    expect(soh.weakGroup).toBe(-1);
  });

  it('should find a group that lost a parallel cell, and derate by it', () => {
    const r = new Rig({
      dt_s: 1,
      ns: 4,
      np: 2,
      soc: 0.7,
      bms: { scheduler: { fast_period_ms: 100 } },
      faults: [{ at_s: 0, fault: 'cell_disconnect', cell: 5 }],
    });
    r.request('NORMAL');
    r.run(5);
    square(r, 200, 3);
    const soh = r.bms.db.peek('soh');
    expect(soh.weakGroup).toBe(2);
    expect(soh.npEffMin).toBeGreaterThan(0.8);
    expect(soh.npEffMin).toBeLessThan(1.25);
    expect(r.bms.db.peek('sop').faultDerate & DERATE_WEAK_GROUP).toBe(DERATE_WEAK_GROUP);
    expect(r.bms.traceRow().discharge_limit_A).toBeLessThan(r.bms.config.sop.peak_discharge_current_A * 1.3);
  });
});
