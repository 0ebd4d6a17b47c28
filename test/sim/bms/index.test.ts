/**
 * createBms end to end, one injected fault of each type at unit level (4s2p 18650, the runner's
 * step loop written out): the right fault code and tier, within the configured debounce and
 * delay plus a task period, and the specified reaction — open the contactors (fatal) or cut
 * the current limits (warning). A clean drive raises nothing above INFO.
 */
import { describe, expect, it } from 'vitest';
import { CHECKS, type CheckId } from '../../../sim/bms/types.ts';
import { Rig, type RigOptions } from './_harness.ts';

const FAST = { scheduler: { fast_period_ms: 100 } };

function rig(faults: unknown[], o: RigOptions = {}): Rig {
  return new Rig({ dt_s: 0.1, ns: 4, np: 2, soc: 0.6, bms: FAST, faults, ...o });
}

/** NORMAL, then `load(t)` for `seconds`. */
function drive(r: Rig, seconds: number, load: (t: number) => number = () => -2): void {
  r.request('NORMAL');
  const n = Math.round(seconds / r.dt_s);
  for (let k = 0; k < n; k++) {
    r.load_A = load(r.t_s);
    r.step();
  }
}

/** CHARGE with a CC-CV charger (3 A to 4.1 V per cell) that obeys the charger fault. */
function charge(r: Rig, seconds: number): void {
  r.request('CHARGE');
  const n = Math.round(seconds / r.dt_s);
  for (let k = 0; k < n; k++) {
    const f = r.bms.chargerFault(r.t_s);
    const cv = f === null ? 4.1 : f.mode === 'cv_too_high' ? f.cv_V : Infinity;
    let vmax = 0;
    for (let g = 0; g < r.pack.ns; g++) vmax = Math.max(vmax, r.pack.groupVoltage[g]!);
    r.load_A = vmax < cv ? 3 : Math.max(0, 3 - (vmax - cv) * 100);
    r.step();
  }
}

const square = (amp: number) => (t: number) => (Math.floor(t / 5) % 2 ? -amp : -0.2 * amp);

function fault(r: Rig, code: string, tier: string) {
  const f = r.bms.report().faults.find((x) => x.code === code && x.tier === tier);
  expect(f, `${code}/${tier} in ${JSON.stringify(r.bms.report().faults)}`).toBeDefined();
  return f!;
}

function periodOf(r: Rig, id: CheckId): number {
  const s = r.bms.config.scheduler;
  const task = CHECKS[id].task;
  return (task === 'fast' ? s.fast_period_ms : task === 'mid' ? s.mid_period_ms : s.slow_period_ms) / 1000;
}

/** Latest raise time: debounce ticks of the check's task after the condition, plus one period. */
function raiseBound(r: Rig, id: CheckId, condition_s: number): number {
  return condition_s + (r.bms.config.checks[id].debounce_ticks + 1) * periodOf(r, id) + 1e-6;
}

/** Latest opening after a fatal raise: reaction delay, contactor operate time, one pack step, two ticks. */
function openBound(r: Rig, id: CheckId, raised_s: number, breakWait = false): number {
  const c = r.bms.config;
  return (
    raised_s +
    (c.checks[id].delay_ms + c.contactors.operate_ms + (breakWait ? c.contactors.max_break_wait_ms : 0)) / 1000 +
    r.dt_s +
    2 * (c.scheduler.fast_period_ms / 1000) +
    1e-6
  );
}

describe('createBms: reactions to injected faults', () => {
  it('should raise nothing above INFO on a clean drive', () => {
    const r = rig([], { spread: { capacity_rel_sigma: 0.01, resistance_rel_sigma: 0.03, soc_sigma: 0.005, truncate_sigma: 3 } });
    drive(r, 600, square(4));
    expect(r.bms.report().faults.filter((f) => f.tier !== 'INFO')).toEqual([]);
    expect(r.state).toBe('NORMAL');
  });

  it('open_sense_wire → OPEN_SENSE_WIRE fatal, contactors open', () => {
    const r = rig([{ at_s: 10, fault: 'open_sense_wire', group: 1 }]);
    drive(r, 20);
    const f = fault(r, 'OPEN_SENSE_WIRE', 'FATAL');
    expect(f.raised_s).toBeLessThanOrEqual(raiseBound(r, 'open_sense_wire', 10));
    const inj = r.bms.report().injections[0]!;
    expect(inj.open_s).not.toBeNull();
    expect(inj.open_s!).toBeLessThanOrEqual(openBound(r, 'open_sense_wire', f.raised_s));
    expect(r.state).toBe('ERROR');
  });

  it('host_comm_loss → HOST_COMM_LOSS warning after 1 s, fatal after 5 s, contactors open', () => {
    const r = rig([{ at_s: 10, fault: 'host_comm_loss' }]);
    drive(r, 20);
    const c = r.bms.config.checks.host_comm_loss;
    expect(fault(r, 'HOST_COMM_LOSS', 'WARNING').raised_s).toBeLessThanOrEqual(raiseBound(r, 'host_comm_loss', 10 + c.rsl!));
    const f = fault(r, 'HOST_COMM_LOSS', 'FATAL');
    expect(f.raised_s).toBeLessThanOrEqual(raiseBound(r, 'host_comm_loss', 10 + c.msl!));
    expect(r.bms.report().injections[0]!.open_s!).toBeLessThanOrEqual(openBound(r, 'host_comm_loss', f.raised_s));
  });

  it('welded_contactor → CONTACTOR_FEEDBACK fatal when plus fails to open; minus opens the path', () => {
    const r = rig([{ at_s: 5, fault: 'welded_contactor', contactor: 'plus' }]);
    drive(r, 10);
    r.request('STANDBY');
    r.run(3);
    const f = fault(r, 'CONTACTOR_FEEDBACK', 'FATAL');
    const c = r.bms.config;
    expect(f.raised_s).toBeLessThanOrEqual(10 + (c.contactors.operate_ms + 2 * c.scheduler.fast_period_ms) / 1000 + raiseBound(r, 'contactor_feedback', 0));
    expect(r.state).toBe('ERROR');
    expect(r.bms.bus.plus.closed).toBe(1);
    expect(r.bms.bus.minus.closed).toBe(0);
    expect(r.bms.pathClosed).toBe(false);
  });

  for (const kind of ['ntc_open', 'ntc_short'] as const) {
    it(`${kind} → ${kind.toUpperCase()} warning and derated limits, contactors stay closed`, () => {
      const r = rig([{ at_s: 10, fault: kind, cell: 2 }]);
      drive(r, 30);
      const f = fault(r, kind.toUpperCase(), 'WARNING');
      expect(f.raised_s).toBeLessThanOrEqual(raiseBound(r, kind, 10 + periodOf(r, kind)));
      const inj = r.bms.report().injections[0]!;
      expect(inj.derate_s).toBe(f.raised_s);
      expect(inj.open_s).toBeNull();
      expect(r.bms.traceRow().discharge_limit_A).toBeLessThan(r.bms.config.sop.peak_discharge_current_A * 2 * 0.51);
    });
  }

  it('ntc_drift → TEMPERATURE_SPREAD warning once the drift passes the RSL', () => {
    const r = rig([{ at_s: 10, fault: 'ntc_drift', cell: 2, rate_C_per_s: 0.5 }]);
    drive(r, 60);
    const rsl = r.bms.config.checks.temperature_spread.rsl!;
    const f = fault(r, 'TEMPERATURE_SPREAD', 'WARNING');
    expect(f.raised_s).toBeGreaterThan(10 + rsl / 0.5 - 2);
    expect(f.raised_s).toBeLessThanOrEqual(raiseBound(r, 'temperature_spread', 10 + rsl / 0.5 + 2));
  });

  it('current_sensor_offset → CURRENT_PLAUSIBILITY warning against the redundant sensor', () => {
    const r = rig([{ at_s: 10, fault: 'current_sensor_offset', offset_pct_fs: 5 }]);
    drive(r, 20);
    const f = fault(r, 'CURRENT_PLAUSIBILITY', 'WARNING');
    expect(f.raised_s).toBeLessThanOrEqual(raiseBound(r, 'current_plausibility', 10));
    expect(r.bms.report().injections[0]!.derate_s).toBe(f.raised_s);
  });

  it('current_sensor_drift → CURRENT_PLAUSIBILITY warning, then fatal and open', () => {
    const r = rig([{ at_s: 10, fault: 'current_sensor_drift', rate_A_per_s: 0.1 }]);
    drive(r, 60);
    const c = r.bms.config.checks.current_plausibility;
    const f = fault(r, 'CURRENT_PLAUSIBILITY', 'FATAL');
    expect(fault(r, 'CURRENT_PLAUSIBILITY', 'WARNING').raised_s).toBeLessThan(f.raised_s);
    expect(f.raised_s).toBeLessThanOrEqual(raiseBound(r, 'current_plausibility', 10 + (c.msl! * 2 + 0.2) / 0.1));
    // the drifted shunt still reads current after the limits went to zero: the BMS cannot
    // know the current is below the break current and opens at the time limit
    expect(r.bms.report().injections[0]!.open_s!).toBeLessThanOrEqual(openBound(r, 'current_plausibility', f.raised_s, true));
    expect(r.bms.contactors.openedUnderLoad).toBe(1);
  });

  it('stuck_sensor (current) → CURRENT_PLAUSIBILITY warning once the current moves', () => {
    const r = rig([{ at_s: 10, fault: 'stuck_sensor', sensor: 'current' }]);
    drive(r, 30, square(4));
    expect(fault(r, 'CURRENT_PLAUSIBILITY', 'WARNING').raised_s).toBeGreaterThan(10);
  });

  it('stuck_sensor (cell voltage) → CELL_VOLTAGE_PLAUSIBILITY warning, then fatal, on that channel as the pack moves away from it', () => {
    const r = rig([{ at_s: 10, fault: 'stuck_sensor', sensor: 'cell_voltage', index: 1 }], { soc: 0.9, dt_s: 1 });
    drive(r, 1200, () => -4);
    const w = fault(r, 'CELL_VOLTAGE_PLAUSIBILITY', 'WARNING');
    const f = fault(r, 'CELL_VOLTAGE_PLAUSIBILITY', 'FATAL');
    expect(w.raised_s).toBeGreaterThan(10);
    expect(f.raised_s).toBeGreaterThan(w.raised_s);
    expect([w.index, f.index]).toEqual([1, 1]);
    expect(w.value).toBeGreaterThanOrEqual(r.bms.config.checks.cell_voltage_plausibility.rsl!);
    expect(r.bms.report().injections[0]!.derate_s).toBe(w.raised_s);
    expect(r.bms.report().transitions.map((t) => t.to)).toContain('ERROR');
  });

  // the same drive without the fault: every channel moves with the pack, none is frozen, with
  // the default AFE noise and with none at all (a coarse, noise-free ADC repeats readings most)
  it.each([
    ['default AFE', {}],
    ['noise-free 1 mV AFE', { afe: { cell_voltage: { noise_V: 0, resolution_V: 0.001 } } }],
  ])('raises no CELL_VOLTAGE_PLAUSIBILITY on a healthy pack driven the same way (%s)', (_name, afe) => {
    const r = rig([], { soc: 0.9, dt_s: 1, bms: { ...FAST, ...afe } });
    drive(r, 1200, (t) => (Math.floor(t / 60) % 2 === 0 ? -4 : -1));
    expect(r.bms.report().faults.filter((x) => x.code === 'CELL_VOLTAGE_PLAUSIBILITY')).toEqual([]);
  });

  it('cell_internal_short → CELL_VOLTAGE_SPREAD warning as the shorted group falls behind', () => {
    const r = rig([{ at_s: 10, fault: 'cell_internal_short', cell: 3, resistance_ohm: 1 }], { dt_s: 1 });
    drive(r, 1500, () => -1);
    const f = fault(r, 'CELL_VOLTAGE_SPREAD', 'WARNING');
    expect(f.raised_s).toBeGreaterThan(10);
    expect(r.bms.report().injections[0]!.warning_s).toBe(f.raised_s);
  });

  it('cell_disconnect → the group is found weak and the limits are cut', () => {
    const r = rig([{ at_s: 10, fault: 'cell_disconnect', cell: 5 }], { dt_s: 1 });
    drive(r, 300, square(3));
    const inj = r.bms.report().injections[0]!;
    expect(inj.derate_s).not.toBeNull();
    expect(r.bms.db.peek('soh').weakGroup).toBe(2);
  });

  it('cooling_failure → the cells heat past the MOL (INFO) and the charge limit is derated by temperature', () => {
    const r = rig([{ at_s: 10, fault: 'cooling_failure', factor: 0.01 }], { dt_s: 1, soc: 0.5, T_C: 35 });
    drive(r, 3000, (t) => (Math.floor(t / 30) % 2 ? -6 : 6));
    const f = fault(r, 'OVERTEMPERATURE_CHARGE', 'INFO');
    expect(f.raised_s).toBeGreaterThan(1000);
    const ct = r.bms.db.peek('cellTemperature');
    expect(ct.max_C).toBeGreaterThan(r.bms.config.checks.overtemperature_charge.mol!);
    // the high-temperature charge derating holds the charge current down, so no warning follows
    expect(r.bms.traceRow().charge_limit_A).toBeLessThan(0.25 * r.bms.config.sop.charge_current_A * 2);
    expect(r.bms.report().faults.filter((x) => x.tier !== 'INFO')).toEqual([]);
  });

  it('ambient_heat_wave → OVERTEMPERATURE_DISCHARGE warning, and the runner sees the offset', () => {
    const r = rig([{ at_s: 10, fault: 'ambient_heat_wave', delta_C: 42, ramp_s: 60 }], { dt_s: 1 });
    drive(r, 2500, () => -1);
    expect(r.bms.ambientOffset_C(100)).toBe(42);
    expect(fault(r, 'OVERTEMPERATURE_DISCHARGE', 'WARNING').raised_s).toBeGreaterThan(70);
  });

  for (const mode of ['cv_too_high', 'no_termination'] as const) {
    it(`charger_fault (${mode}) → CELL_OVERVOLTAGE fatal, contactors open despite the charger`, () => {
      const spec = mode === 'cv_too_high' ? { mode, cv_V: 4.4 } : { mode };
      const r = rig([{ at_s: 10, fault: 'charger_fault', ...spec }], { soc: 0.9 });
      charge(r, 600);
      const f = fault(r, 'CELL_OVERVOLTAGE', 'FATAL');
      expect(fault(r, 'CELL_OVERVOLTAGE', 'WARNING').raised_s).toBeLessThan(f.raised_s);
      const inj = r.bms.report().injections[0]!;
      expect(inj.open_s!).toBeLessThanOrEqual(openBound(r, 'cell_overvoltage', f.raised_s, true));
      expect(r.state).toBe('ERROR');
      expect(r.pack.packCurrent).toBe(0);
    });
  }

  it('precharge_resistor_open → PRECHARGE_FAILURE fatal after the retries; the path never closes', () => {
    const r = rig([{ at_s: 0, fault: 'precharge_resistor_open' }]);
    let everClosed = false;
    r.request('NORMAL');
    for (let k = 0; k < 200; k++) {
      r.step(-2);
      everClosed ||= r.bms.pathClosed;
    }
    fault(r, 'PRECHARGE_FAILURE', 'FATAL');
    expect(everClosed).toBe(false);
    expect(r.state).toBe('ERROR');
  });
});
