import { describe, expect, it } from 'vitest';
import { Balancing } from '../../../sim/bms/balancing.ts';
import { CellTemperatureBlock, CellVoltageBlock, CurrentBlock, Database, StateBlock } from '../../../sim/bms/database.ts';
import { NC } from '../../../sim/bms/diag.ts';
import { Rig, config } from './_harness.ts';

// these tests are about selection and conditions: rest counts from the first tick
const cfg = config({ balancing: { min_rest_s: 0 } });

function rig(voltages: number[], opts: { I?: number; charging?: boolean; T?: number } = {}, c = cfg) {
  const ns = voltages.length;
  const db = new Database(ns, 1, NC);
  const bal = new Balancing(c.balancing, c.soc.rest_current_A, ns, 1, 2);
  const set = (v: number[]) => {
    const cv = new CellVoltageBlock(ns);
    cv.voltage_V.set(v);
    cv.valid.fill(1);
    cv.min_V = Math.min(...v);
    cv.max_V = Math.max(...v);
    cv.validCount = ns;
    db.write(cv, 'afe');
  };
  set(voltages);
  const cur = new CurrentBlock();
  cur.current_A = opts.I ?? 0;
  db.write(cur, 'afe');
  const st = new StateBlock();
  st.charging = opts.charging ? 1 : 0;
  db.write(st, 'bms');
  const ct = new CellTemperatureBlock(1);
  ct.min_C = ct.max_C = ct.avg_C = opts.T ?? 25;
  ct.validCount = 1;
  db.write(ct, 'afe');
  return { db, bal, set, active: () => Array.from(db.peek('balancing').active) };
}

describe('Balancing', () => {
  // for the default configuration (min_rest_s > 0)
  // such that the current stays below the rest current
  // balancing starts only once the rest has lasted min_rest_s, and any current above it restarts the wait
  it('should wait for a sustained rest before balancing (a stop in traffic is not a rest)', () => {
    const dflt = config();
    const wait_ms = dflt.balancing.min_rest_s * 1000;
    expect(wait_ms).toBeGreaterThan(0);
    const { db, bal, active } = rig([3.3, 3.35], { I: 0 }, dflt);
    const at = (t_ms: number, I: number) => {
      db.now_ms = t_ms;
      const cur = new CurrentBlock();
      cur.current_A = I;
      db.write(cur, 'afe');
      bal.slow(db);
      return active();
    };
    expect(at(0, 0)).toEqual([0, 0]);
    expect(at(wait_ms - 1000, 0)).toEqual([0, 0]);
    expect(at(wait_ms, 0)).toEqual([0, 1]);
    expect(at(wait_ms + 1000, -50)).toEqual([0, 0]); // driving again
    expect(at(wait_ms + 2000, 0)).toEqual([0, 0]); // a new rest starts the wait again
    expect(at(2 * wait_ms + 1000, 0)).toEqual([0, 0]);
    expect(at(2 * wait_ms + 2000, 0)).toEqual([0, 1]);
  });

  it('should bleed the groups more than threshold_V above the lowest, with hysteresis', () => {
    const { db, bal, set, active } = rig([3.3, 3.32, 3.305, 3.35]);
    bal.slow(db);
    expect(active()).toEqual([0, 1, 0, 1]);
    expect(db.peek('balancing').count).toBe(2);
    // 7 mV above: within threshold but outside threshold − hysteresis → keeps bleeding; 5 mV → stops
    set([3.3, 3.307, 3.305, 3.305]);
    bal.slow(db);
    expect(active()).toEqual([0, 1, 0, 0]);
  });

  it('should balance during charge and at rest, not during discharge, below min_voltage_V or when hot', () => {
    const v = [3.3, 3.35];
    const at = (o: object) => {
      const r = rig(v, o);
      r.bal.slow(r.db);
      return r.active();
    };
    expect(at({ I: 2, charging: true })).toEqual([0, 1]);
    expect(at({ I: 0 })).toEqual([0, 1]);
    expect(at({ I: -2 })).toEqual([0, 0]);
    expect(at({ I: 2, charging: false })).toEqual([0, 0]); // regen in NORMAL is not a charge
    expect(at({ T: cfg.balancing.max_temperature_C + 1 })).toEqual([0, 0]);
    const low = rig([2.5, 2.6]);
    low.bal.slow(low.db);
    expect(low.active()).toEqual([0, 0]);
  });

  it('should draw the bleed current from the cells of the group and heat them', () => {
    const r = new Rig({ dt_s: 0.1, ns: 3, np: 2, soc: 0.8 });
    r.pack.z[2] = r.pack.z[3] = 0.85; // group 1 is fuller
    r.run(config().balancing.min_rest_s + 3); // balancing waits for a sustained rest
    expect(Array.from(r.bms.db.peek('balancing').active)).toEqual([0, 1, 0]);
    expect(r.bms.traceRow().balancing_count).toBe(1);
    const G = 1 / (cfg.balancing.bleed_ohm * 2);
    for (const i of [2, 3]) {
      expect(r.pack.shunt_S[i]).toBeCloseTo(G, 12);
      // at zero pack current, the cell discharges into its share of the bleed resistor and heats
      expect(r.pack.current[i]).toBeCloseTo(-r.pack.voltage[i]! * G, 3);
      expect(r.pack.heat[i]).toBeGreaterThan(r.pack.voltage[i]! ** 2 * G * 0.99);
    }
    expect(r.pack.shunt_S[0]).toBe(0);
    const zBefore = r.pack.z[2]!;
    r.run(60);
    expect(r.pack.z[2]).toBeLessThan(zBefore);
    expect(r.pack.z[0]).toBeCloseTo(0.8, 9);
  });
});
