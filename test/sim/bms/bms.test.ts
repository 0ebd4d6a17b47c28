/**
 * The state machine on a real pack (4s2p 18650) through the runner's step loop: precharge
 * sequence, opening at the break current, timeout and retries, ERROR latching.
 */
import { describe, expect, it } from 'vitest';
import { Rig } from './_harness.ts';

function commands(rig: Rig): string {
  const c = rig.bms.contactors;
  return `${c.minus}${c.precharge}${c.plus}`;
}

describe('state machine', () => {
  it('should precharge: minus and precharge together, then plus once the bus is charged, then open precharge', () => {
    const rig = new Rig({ dt_s: 0.01 });
    rig.request('NORMAL');
    const seen: string[] = [];
    let busAtPlus = NaN;
    let packAtPlus = NaN;
    for (let k = 0; k < 300; k++) {
      const before = rig.bms.bus.plus.closed;
      rig.step();
      const s = commands(rig);
      if (seen[seen.length - 1] !== s) seen.push(s);
      if (!before && rig.bms.bus.plus.closed) {
        busAtPlus = rig.bms.bus.busVoltage_V;
        packAtPlus = rig.pack.packVoltage;
      }
    }
    // minus / precharge / plus commands, in order
    expect(seen).toEqual(['000', '110', '111', '101']);
    expect(Math.abs(busAtPlus - packAtPlus)).toBeLessThanOrEqual((rig.bms.config.precharge.voltage_threshold_pct / 100) * packAtPlus);
    expect(rig.bms.report().transitions.map((t) => `${t.from}>${t.to}`)).toEqual(['INIT>STANDBY', 'STANDBY>PRECHARGE', 'PRECHARGE>NORMAL']);
    expect(rig.bms.pathClosed).toBe(true);
  });

  it('should carry no current while the path is open and clamp it to the limits when closed', () => {
    const rig = new Rig({ dt_s: 0.1 });
    rig.pack.prepare(25);
    expect(rig.bms.admitCurrent(-5, 0)).toBe(0);
    rig.request('NORMAL');
    rig.run(3);
    expect(rig.bms.pathClosed).toBe(true);
    rig.pack.prepare(25);
    const lim = rig.bms.traceRow();
    expect(rig.bms.admitCurrent(-1000, rig.t_s)).toBeCloseTo(-lim.discharge_limit_A, 9);
    expect(rig.bms.admitCurrent(1000, rig.t_s)).toBeCloseTo(lim.charge_limit_A, 9);
  });

  it('should open on a standby request only once the current is below the break current', () => {
    const rig = new Rig({ dt_s: 0.1 });
    rig.request('NORMAL');
    rig.run(3);
    rig.load_A = -4;
    rig.run(5);
    rig.request('STANDBY');
    let currentAtOpen = NaN;
    for (let k = 0; k < 50; k++) {
      const was = rig.bms.bus.plus.closed;
      const I = rig.step();
      if (was && !rig.bms.bus.plus.closed) currentAtOpen = I;
    }
    expect(rig.state).toBe('STANDBY');
    expect(Math.abs(currentAtOpen)).toBeLessThanOrEqual(rig.bms.config.contactors.break_current_A * 2);
    expect(rig.bms.contactors.openedUnderLoad).toBe(0);
  });

  it('should open above the break current once the time limit has passed', () => {
    // a faulty charger ignores the charge limit that the opening sequence sets to zero
    const rig = new Rig({ dt_s: 0.1, soc: 0.5, faults: [{ at_s: 0, fault: 'charger_fault', mode: 'no_termination' }] });
    rig.request('CHARGE');
    rig.run(3);
    expect(rig.state).toBe('CHARGE');
    rig.load_A = 2;
    rig.run(1);
    rig.request('STANDBY');
    const t0 = rig.t_s;
    while (rig.bms.bus.plus.closed && rig.t_s < t0 + 10) rig.step();
    const waited = rig.t_s - t0;
    const limit = rig.bms.config.contactors.max_break_wait_ms / 1000;
    expect(waited).toBeGreaterThanOrEqual(limit);
    expect(waited).toBeLessThanOrEqual(limit + 0.3);
    expect(rig.bms.contactors.openedUnderLoad).toBe(1);
  });

  it('should retry a precharge that times out, then latch ERROR with PRECHARGE_FAILURE until a reset', () => {
    const rig = new Rig({ dt_s: 0.1, faults: [{ at_s: 0, fault: 'precharge_resistor_open', duration_s: 20 }] });
    const pc = rig.bms.config.precharge;
    rig.request('NORMAL');
    rig.run(30);
    const tr = rig.bms.report().transitions;
    // each failed attempt opens everything: STANDBY while it waits to retry (the precharge contactor is open)
    const attempts = Array.from({ length: pc.retries + 1 }, () => 'PRECHARGE');
    expect(tr.map((t) => t.to)).toEqual(['STANDBY', ...attempts.join(' STANDBY ').split(' '), 'ERROR']);
    expect(rig.bms.stateMachine.prechargeFailures).toBe(pc.retries + 1);
    const op = rig.bms.config.contactors.operate_ms / 1000;
    const expected = 0.3 + (pc.retries + 1) * (pc.timeout_ms / 1000 + 2 * op) + pc.retries * (pc.retry_wait_ms / 1000);
    expect(tr.at(-1)!.t_s).toBeGreaterThan(expected - 1);
    expect(tr.at(-1)!.t_s).toBeLessThan(expected + 1.5);
    expect(rig.bms.report().faults.map((f) => `${f.code}/${f.tier}`)).toEqual(['PRECHARGE_FAILURE/FATAL']);
    // latched: a drive request is refused, a reset acknowledges the event
    rig.request('NORMAL');
    rig.run(1);
    expect(rig.state).toBe('ERROR');
    expect(rig.bms.stateMachine.illegalRequests).toBe(1);
    rig.request('RESET');
    rig.run(1);
    expect(rig.state).toBe('STANDBY');
    rig.request('NORMAL'); // the resistor is back: precharge succeeds
    rig.run(3);
    expect(rig.state).toBe('NORMAL');
  });

  it('should stay in ERROR while a fatal fault remains, and leave on a reset once it has cleared', () => {
    const rig = new Rig({ dt_s: 0.1, faults: [{ at_s: 5, fault: 'open_sense_wire', group: 2, duration_s: 10 }] });
    rig.request('NORMAL');
    rig.run(8);
    expect(rig.state).toBe('ERROR');
    expect(rig.bms.pathClosed).toBe(false);
    rig.request('RESET');
    rig.run(1);
    expect(rig.state).toBe('ERROR');
    rig.run(10); // the wire is repaired at 15 s, the fault clears
    expect(rig.state).toBe('ERROR');
    rig.request('STANDBY');
    rig.run(1);
    expect(rig.state).toBe('STANDBY');
    const to = rig.bms.report().transitions.map((t) => t.to);
    expect(to).toEqual(['STANDBY', 'PRECHARGE', 'NORMAL', 'ERROR', 'STANDBY']);
  });

  it('should count illegal requests and not act on them', () => {
    const rig = new Rig({ dt_s: 0.1 });
    rig.request('NORMAL');
    rig.run(3);
    rig.request('RESET');
    rig.request('NORMAL');
    rig.run(1);
    expect(rig.state).toBe('NORMAL');
    expect(rig.bms.stateMachine.illegalRequests).toBe(1);
    expect(rig.bms.report().transitions).toHaveLength(3);
  });

  it('should switch from NORMAL to CHARGE through STANDBY and a new precharge', () => {
    const rig = new Rig({ dt_s: 0.1 });
    rig.request('NORMAL');
    rig.run(3);
    rig.request('CHARGE');
    rig.run(3);
    expect(rig.state).toBe('CHARGE');
    expect(rig.bms.report().transitions.map((t) => t.to)).toEqual(['STANDBY', 'PRECHARGE', 'NORMAL', 'STANDBY', 'PRECHARGE', 'CHARGE']);
    expect(rig.bms.stateMachine.illegalRequests).toBe(0);
  });
});
