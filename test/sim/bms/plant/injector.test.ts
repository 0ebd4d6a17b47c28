/**
 * The injector's effect on the plant: each fault starts at at_s and, with a duration, ends.
 */
import { describe, expect, it } from 'vitest';
import { Rig } from '../_harness.ts';

function at(faults: unknown[], o: object = {}) {
  return new Rig({ dt_s: 0.1, ns: 4, np: 2, faults, ...o });
}

describe('Injector (plant)', () => {
  // a host's remove command: a started fault is undone at the next tick, a waiting one never
  // starts, a fault already over cannot be ended again, and the time-function faults end too
  it('should end injected faults early on request', () => {
    const r = at([]);
    const b = r.bms;
    const short = b.inject({ at_s: 0, duration_s: null, fault: 'cell_internal_short', cell: 3, resistance_ohm: 2 }, r.t_s);
    const later = b.inject({ at_s: 5, duration_s: null, fault: 'cell_disconnect', cell: 6 }, r.t_s);
    const link = b.inject({ at_s: 0, duration_s: null, fault: 'host_comm_loss' }, r.t_s);
    r.run(1);
    expect(r.pack.shunt_S[3]).toBeCloseTo(0.5, 12);
    expect(b.ambientOffset_C(r.t_s)).toBe(0);
    b.request('NORMAL', r.t_s);
    expect(b.lostRequests).toBe(1);
    expect([b.endFault(short, r.t_s), b.endFault(later, r.t_s), b.endFault(link, r.t_s)]).toEqual([true, true, true]);
    expect([b.endFault(short, r.t_s), b.endFault(later, r.t_s)]).toEqual([false, false]);
    r.run(10);
    expect(r.pack.shunt_S[3]).toBe(0);
    expect(r.pack.connected[6]).toBe(1); // never started
    b.request('NORMAL', r.t_s);
    expect(b.lostRequests).toBe(1); // the link is back
    expect(() => b.endFault(99, r.t_s)).toThrow(RangeError);
  });

  it('should short a cell, disconnect a cell and restore them when the fault ends', () => {
    const r = at([
      { at_s: 1, duration_s: 1, fault: 'cell_internal_short', cell: 3, resistance_ohm: 2 },
      { at_s: 1, duration_s: 1, fault: 'cell_disconnect', cell: 6 },
    ]);
    r.run(0.9);
    expect(r.pack.shunt_S[3]).toBe(0);
    r.run(0.2);
    expect(r.pack.shunt_S[3]).toBeCloseTo(0.5, 12);
    expect(r.pack.connected[6]).toBe(0);
    // the short drains the cell and, through the group node, its parallel neighbour
    expect(r.pack.current[3]).toBeLessThan(-0.5);
    expect(r.pack.current[2]).toBeLessThan(-0.5);
    r.run(1);
    expect(r.pack.shunt_S[3]).toBe(0);
    expect(r.pack.connected[6]).toBe(1);
  });

  it('should cut the heat transfer of the chosen cells and restore it', () => {
    const r = at([{ at_s: 1, duration_s: 2, fault: 'cooling_failure', factor: 0.1, first_cell: 2, last_cell: 3 }]);
    const hA = r.pack.hA[2]!;
    r.run(1.5);
    expect(Array.from(r.pack.hA.slice(0, 5))).toEqual([hA, hA, hA * 0.1, hA * 0.1, hA]);
    r.run(2);
    expect(r.pack.hA[2]).toBe(hA);
  });

  it('should expose the ambient offset, the charger fault and the host link as functions of time', () => {
    const r = at([
      { at_s: 100, duration_s: 1000, fault: 'ambient_heat_wave', delta_C: 20, ramp_s: 200 },
      { at_s: 10, duration_s: 5, fault: 'charger_fault', mode: 'cv_too_high', cv_V: 4.3 },
      { at_s: 50, duration_s: 10, fault: 'host_comm_loss' },
    ]);
    const b = r.bms;
    expect([b.ambientOffset_C(50), b.ambientOffset_C(200), b.ambientOffset_C(600), b.ambientOffset_C(1100)]).toEqual([0, 10, 20, 0]);
    expect(b.chargerFault(9)).toBeNull();
    expect(b.chargerFault(12)).toEqual({ mode: 'cv_too_high', cv_V: 4.3 });
    expect(b.chargerFault(15)).toBeNull();
    r.run(55);
    b.request('NORMAL', r.t_s); // lost: the link is down
    expect(b.lostRequests).toBe(1);
  });

  it('should break sensors: stuck readings stay, drifting ones move, offsets add', () => {
    const r = at(
      [
        { at_s: 1, fault: 'stuck_sensor', sensor: 'cell_voltage', index: 1 },
        { at_s: 1, fault: 'ntc_drift', cell: 2, offset_C: 5, rate_C_per_s: 1 },
        { at_s: 1, fault: 'current_sensor_offset', offset_A: 3 },
      ],
      { bms: { afe: { temperature: { noise_C: 0 } } } },
    );
    r.run(1.5);
    const v1 = r.bms.db.peek('cellVoltage').voltage_V[1];
    r.run(3);
    expect(r.bms.db.peek('cellVoltage').voltage_V[1]).toBe(v1);
    const T = r.bms.db.peek('cellTemperature').temperature_C;
    expect(T[1]! - T[0]!).toBeGreaterThan(5 + 2);
    expect(r.bms.db.peek('current').current_A).toBeGreaterThan(2.9);
  });

  it('should refuse an NTC fault on a cell without an NTC', () => {
    expect(() => at([{ at_s: 1, fault: 'ntc_open', cell: 1 }])).toThrow(/"faults\[0\]\.cell": cell 1 has no NTC/);
  });
});
