/**
 * The EKF against the model's true SOC over a WLTC discharge at 25 °C (issue 3 §5): a 5 %
 * wrong initial SOC and a +0.5 % (of full scale) current-sensor offset, on the layered-oxide
 * presets. The coulomb counter runs alongside on the same measurements; its drift is printed.
 */
import { describe, expect, it } from 'vitest';
import { batteryPowerProfile } from '../../../../sim/load/vehicle.ts';
import { interp1 } from '../../../../sim/table.ts';
import { Rig } from '../_harness.ts';
import { loadCycle, loadVehicle } from '../../../../sim/node/load.ts';

/** Cell current of a WLTC class 3b drive, scaled so the peak discharge is 2.5C (charge positive). */
function wltc(capacity_Ah: number): { at(t_s: number): number; duration_s: number } {
  const p = batteryPowerProfile(loadVehicle('compact-car'), loadCycle('wltc-class3b'));
  let min = 0;
  for (const x of p.power_W) min = Math.min(min, x);
  const duration_s = p.time_s[p.time_s.length - 1]!;
  return { duration_s, at: (t) => (interp1(p.time_s, p.power_W, t % duration_s) / -min) * 2.5 * capacity_Ah };
}

const CYCLES = 3;

describe('EKF SOC', () => {
  for (const preset of ['naion-18650-layered', 'naion-32140-layered', 'naion-prismatic-150ah']) {
    it(`should stay within 1 % RMS over ${CYCLES} WLTC cycles on ${preset}, where counting drifts`, () => {
      const rig = new Rig({
        chemistry: preset,
        ns: 4,
        np: 1,
        dt_s: 1,
        soc: 0.85,
        seed: 11,
        spread: { capacity_rel_sigma: 0.005, resistance_rel_sigma: 0.02, soc_sigma: 0.002, truncate_sigma: 3 },
        bms: { scheduler: { fast_period_ms: 100 }, soc: { initial_soc: 0.9 } },
        faults: [{ at_s: 0, fault: 'current_sensor_offset', offset_pct_fs: 0.5 }],
      });
      const drive = wltc(rig.pack.chem.capacity_Ah);
      rig.request('NORMAL');
      rig.run(5);
      expect(rig.state).toBe('NORMAL');
      const t0 = rig.t_s;
      let sq = 0;
      let n = 0;
      let worst = 0;
      let trueSoc = NaN;
      while (rig.t_s - t0 < CYCLES * drive.duration_s) {
        rig.load_A = drive.at(rig.t_s - t0);
        rig.step();
        let z = 0;
        for (let i = 0; i < rig.pack.n; i++) z += rig.pack.z[i]! * rig.pack.capacity_Ah[i]!;
        let q = 0;
        for (let i = 0; i < rig.pack.n; i++) q += rig.pack.capacity_Ah[i]!;
        trueSoc = z / q;
        const e = (rig.bms.db.peek('soc').countingAvg - trueSoc) * 100;
        sq += e * e;
        n++;
        worst = Math.max(worst, Math.abs(e));
      }
      const ekf = rig.bms.report().soc;
      const counting = { rms_pct: Math.sqrt(sq / n), max_pct: worst };
      console.log(
        `${preset}: SOC ${(0.85 * 100).toFixed(0)} → ${(trueSoc * 100).toFixed(1)} %; EKF rms ${ekf.rms_pct!.toFixed(3)} %, max ${ekf.max_pct!.toFixed(3)} %, final ${ekf.final_pct!.toFixed(3)} %; ` +
          `coulomb counting rms ${counting.rms_pct.toFixed(2)} %, max ${counting.max_pct.toFixed(2)} %`,
      );
      expect(rig.state).toBe('NORMAL');
      expect(trueSoc).toBeLessThan(0.6); // a real discharge, not a stroll
      expect(ekf.rms_pct!).toBeLessThanOrEqual(1);
      expect(Math.abs(ekf.final_pct!)).toBeLessThanOrEqual(1);
      expect(counting.rms_pct).toBeGreaterThan(3 * ekf.rms_pct!);
      expect(counting.max_pct).toBeGreaterThan(5);
    });
  }
});

describe('EKF SOC with connection resistance', () => {
  /** EKF SOC error over a 3C charge from 20 % of a 4s2p 150 Ah pack whose cells sit behind 0.2 mΩ each. */
  function charge3C(connection_ohm: number | 'pack'): { rms_pct: number; max_pct: number; trueSoc: number } {
    const rig = new Rig({
      chemistry: 'naion-prismatic-150ah',
      ns: 4,
      np: 2,
      dt_s: 1,
      soc: 0.2,
      seed: 5,
      connection_ohm: 2e-4,
      bms: { scheduler: { fast_period_ms: 100 }, cell_model: { connection_ohm } },
    });
    rig.request('CHARGE');
    rig.run(5);
    expect(rig.state).toBe('CHARGE');
    rig.load_A = 3 * 2 * rig.pack.chem.capacity_Ah;
    let trueSoc = 0;
    while (trueSoc < 0.75) {
      rig.step();
      let z = 0;
      let q = 0;
      for (let i = 0; i < rig.pack.n; i++) {
        z += rig.pack.z[i]! * rig.pack.capacity_Ah[i]!;
        q += rig.pack.capacity_Ah[i]!;
      }
      trueSoc = z / q;
    }
    const { rms_pct, max_pct } = rig.bms.report().soc;
    return { rms_pct: rms_pct!, max_pct: max_pct!, trueSoc };
  }

  // the AFE reads the group node: at 3C the connection drop is part of every cell voltage, and a
  // firmware model without it reads a higher SOC than there is
  it('should track a 3C charge when its cell model includes the connection resistance', () => {
    const withConn = charge3C('pack');
    const without = charge3C(0);
    console.log(
      `3C charge 20 → ${(withConn.trueSoc * 100).toFixed(0)} %, 0.2 mΩ connections: EKF rms ${withConn.rms_pct.toFixed(3)} % with them in its model, ` +
        `${without.rms_pct.toFixed(3)} % without`,
    );
    expect(withConn.rms_pct).toBeLessThanOrEqual(0.25);
    expect(without.rms_pct).toBeGreaterThan(3 * withConn.rms_pct);
  });
});
