/**
 * The measurement layer on a real pack at rest: noise and resolution of the cell-voltage
 * channels, the NTC lag, the shunt errors, the open-wire test.
 */
import { describe, expect, it } from 'vitest';
import { sensorCells } from '../../../sim/bms/afe.ts';
import { Rig } from './_harness.ts';

describe('Afe', () => {
  it('should read each group voltage with the configured noise, quantised to the ADC resolution', () => {
    const r = new Rig({ dt_s: 0.1, ns: 8, np: 1 });
    const { noise_V, resolution_V } = r.bms.config.afe.cell_voltage;
    const errs: number[] = [];
    for (let k = 0; k < 300; k++) {
      r.step(0);
      const cv = r.bms.db.peek('cellVoltage');
      for (let g = 0; g < 8; g++) {
        const v = cv.voltage_V[g]!;
        expect(Math.abs(v / resolution_V - Math.round(v / resolution_V))).toBeLessThan(1e-6);
        errs.push(v - r.pack.groupVoltage[g]!);
      }
    }
    const mean = errs.reduce((a, b) => a + b, 0) / errs.length;
    const sd = Math.sqrt(errs.reduce((a, b) => a + (b - mean) ** 2, 0) / errs.length);
    expect(Math.abs(mean)).toBeLessThan(noise_V * 0.1);
    expect(sd).toBeGreaterThan(noise_V * 0.9);
    expect(sd).toBeLessThan(noise_V * 1.1 + resolution_V);
    const cv = r.bms.db.peek('cellVoltage');
    expect(cv.validCount).toBe(8);
    expect(cv.min_V).toBe(Math.min(...cv.voltage_V));
    expect(cv.max_V).toBe(Math.max(...cv.voltage_V));
  });

  it('should be deterministic for a seed', () => {
    const read = (seed: number) => {
      const r = new Rig({ dt_s: 0.1, seed });
      r.run(2);
      return Array.from(r.bms.db.peek('cellVoltage').voltage_V).concat(r.bms.db.peek('current').current_A);
    };
    expect(read(3)).toEqual(read(3));
    expect(read(3)).not.toEqual(read(4));
  });

  it('should follow a cell temperature step with the sensor lag', () => {
    const r = new Rig({ dt_s: 1, ns: 2, np: 1, bms: { afe: { temperature: { noise_C: 0, resolution_C: 0.001, lag_tau_s: 10 } } } });
    r.run(2);
    r.pack.T.fill(35); // a step of +10 K in the cells
    r.step(0);
    r.pack.T.fill(35);
    for (let k = 0; k < 9; k++) {
      r.step(0);
      r.pack.T.fill(35);
    }
    const read = r.bms.db.peek('cellTemperature').temperature_C[0]!;
    // ten 1 s updates with τ = 10 s: 1 − e^−1 of the step (the cell itself relaxes slightly towards ambient)
    expect(read).toBeGreaterThan(25 + 10 * (1 - Math.exp(-1)) - 0.3);
    expect(read).toBeLessThan(25 + 10 * (1 - Math.exp(-1)) + 0.05);
  });

  it('should place NTCs on every n-th cell or on a list, and reject cells outside the pack', () => {
    expect(Array.from(sensorCells({ every: 3, offset: 1 }, 10))).toEqual([1, 4, 7]);
    expect(Array.from(sensorCells({ cells: [5, 0, 5] }, 10))).toEqual([0, 5]);
    expect(() => sensorCells({ cells: [10] }, 10)).toThrow(/"afe.temperature.sensor_cells": cell 10 is outside the pack/);
  });

  it('should measure the current with the shunt errors and an independent redundant sensor', () => {
    const r = new Rig({ dt_s: 0.1, bms: { afe: { current: { noise_pct_fs: 0, offset_pct_fs: 0.1, gain_error_pct: 1 } } } });
    r.request('NORMAL');
    r.run(5);
    r.step(-10);
    const c = r.bms.db.peek('current');
    const fs = r.bms.config.afe.current.full_scale_A * 2;
    expect(c.current_A).toBeCloseTo(-10 * 1.01 + 0.001 * fs, 9);
    expect(Math.abs(c.redundant_A - -10)).toBeLessThan(0.02 * fs);
    expect(c.packVoltage_V).toBeCloseTo(r.pack.packVoltage, 1);
  });

  it('should flag an open sense wire channel and the one above it invalid', () => {
    const r = new Rig({ dt_s: 0.1, ns: 5, np: 1, faults: [{ at_s: 1, fault: 'open_sense_wire', group: 2 }] });
    r.run(2);
    const cv = r.bms.db.peek('cellVoltage');
    expect(Array.from(cv.valid)).toEqual([1, 1, 0, 0, 1]);
    expect(cv.validCount).toBe(3);
    expect(cv.openWireDelta_V).toBeCloseTo(r.pack.groupVoltage[2]!, 9);
    expect(cv.min_V).toBeGreaterThan(3); // the collapsed channel is not used
  });
});
