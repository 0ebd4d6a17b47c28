import { describe, expect, it } from 'vitest';
import { isInputError } from '../../../sim/errors.ts';
import { Reader } from '../../../sim/validate.ts';
import { FAULT_NAMES, describeFault, readFaults } from '../../../sim/bms/faults.ts';

const read = (v: unknown) => readFaults(new Reader('scenario.json', v, 'faults'), 10, 2);
function problem(v: unknown): string {
  try {
    read(v);
  } catch (e) {
    if (isInputError(e)) return e.message;
    throw e;
  }
  return '';
}

describe('readFaults', () => {
  it('should read the example of the issue', () => {
    expect(read([{ at_s: 600, fault: 'cell_internal_short', cell: 17, resistance_ohm: 2 }])).toEqual([
      { at_s: 600, duration_s: null, fault: 'cell_internal_short', cell: 17, resistance_ohm: 2 },
    ]);
  });

  it('should read one of every fault', () => {
    const all = read([
      { at_s: 1, fault: 'cell_internal_short', cell: 0, resistance_ohm: 1 },
      { at_s: 1, fault: 'cell_disconnect', cell: 19 },
      { at_s: 1, fault: 'open_sense_wire', group: 9 },
      { at_s: 1, fault: 'ntc_open', cell: 2 },
      { at_s: 1, fault: 'ntc_short', cell: 2 },
      { at_s: 1, fault: 'ntc_drift', cell: 2, rate_C_per_s: 0.1 },
      { at_s: 1, fault: 'current_sensor_offset', offset_pct_fs: 0.5 },
      { at_s: 1, fault: 'current_sensor_drift', rate_A_per_s: 0.01 },
      { at_s: 1, fault: 'stuck_sensor', sensor: 'cell_voltage', index: 3 },
      { at_s: 1, fault: 'welded_contactor', contactor: 'plus' },
      { at_s: 1, fault: 'cooling_failure', factor: 0.2, first_cell: 0, last_cell: 5 },
      { at_s: 1, fault: 'ambient_heat_wave', delta_C: 15, ramp_s: 3600, duration_s: 7200 },
      { at_s: 1, fault: 'charger_fault', mode: 'cv_too_high', cv_V: 4.3 },
      { at_s: 1, fault: 'host_comm_loss', duration_s: 30 },
      { at_s: 1, fault: 'precharge_resistor_open' },
    ]);
    expect(new Set(all.map((f) => f.fault)).size).toBe(FAULT_NAMES.length);
    expect(describeFault(all[0]!)).toBe('cell_internal_short@1s (cell=0, resistance_ohm=1)');
  });

  it('should reject bad indices, unknown faults and fields, naming them', () => {
    expect(problem([{ at_s: 0, fault: 'cell_disconnect', cell: 20 }])).toBe('scenario.json: faults[0].cell: must be <= 19, got 20');
    expect(problem([{ at_s: 0, fault: 'open_sense_wire', group: 10 }])).toBe('scenario.json: faults[0].group: must be <= 9, got 10');
    expect(problem([{ at_s: 0, fault: 'gremlins' }])).toMatch(/faults\[0\]\.fault: must be one of cell_internal_short, /);
    expect(problem([{ at_s: 0, fault: 'host_comm_loss', cell: 1 }])).toMatch(/faults\[0\]\.cell: unknown field/);
    expect(problem([{ at_s: -1, fault: 'host_comm_loss' }])).toMatch(/faults\[0\]\.at_s: must be >= 0/);
    expect(problem([{ at_s: 0, fault: 'current_sensor_offset' }])).toMatch(/give exactly one of offset_A, offset_pct_fs/);
    expect(problem([{ at_s: 0, fault: 'cell_internal_short', cell: 1, resistance_ohm: 0 }])).toMatch(/resistance_ohm: must be > 0/);
    expect(problem({})).toMatch(/faults: expected an array/);
  });
});
