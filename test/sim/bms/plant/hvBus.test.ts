import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HvBus } from '../../../../sim/bms/plant/hvBus.ts';

const CFG = { dc_link_F: 1e-3, precharge_ohm: 100, bus_bleed_tau_s: 2, fuse_A: 100, fuse_time_s: 1, operate_s: 0.03 };

describe('HvBus (plant)', () => {
  // for all pack voltages and times / such that minus and precharge are closed / the bus follows V·(1 − exp(−t/RC))
  it('should charge the DC link through the precharge resistor with τ = R·C', () => {
    fc.assert(
      fc.property(fc.double({ min: 10, max: 800, noNaN: true }), fc.integer({ min: 1, max: 60 }), (V, n) => {
        const bus = new HvBus(CFG);
        const dt = 0.01;
        for (let k = 0; k < 3; k++) bus.step(dt, 0, 1, 1, V, 0); // operate time: closed after 3 ticks
        expect(bus.minus.closed).toBe(1);
        expect(bus.precharge.closed).toBe(1);
        expect(bus.pathClosed).toBe(false);
        for (let k = 0; k < n; k++) bus.step(dt, 0, 1, 1, V, 0);
        // the closing tick already charges for one tick
        expect(bus.busVoltage_V).toBeCloseTo(V * (1 - Math.exp(-((n + 1) * dt) / 0.1)), 6);
      }),
    );
  });

  it('should draw the mean DC-link charging current from the pack while precharging', () => {
    const bus = new HvBus(CFG);
    for (let k = 0; k < 3; k++) bus.step(0.01, 0, 1, 1, 400, 0);
    const I = bus.admit(-50, 0.1, 400);
    const dv = 400 * Math.exp(-0.1); // one tick of charging so far
    expect(I).toBeCloseTo((-1e-3 * dv * (1 - Math.exp(-1))) / 0.1, 9);
    expect(bus.admit(-50, 0.1, 400)).toBeLessThan(0);
  });

  it('should close a contactor only after its operate time, and pass the load once plus and minus are closed', () => {
    const bus = new HvBus(CFG);
    bus.step(0.01, 1, 1, 0, 400, 0);
    bus.step(0.01, 1, 1, 0, 400, 0);
    expect(bus.pathClosed).toBe(false);
    expect(bus.admit(-50, 0.1, 400)).toBe(0);
    bus.step(0.01, 1, 1, 0, 400, 0);
    expect(bus.pathClosed).toBe(true);
    expect(bus.admit(-50, 0.1, 400)).toBe(-50);
    expect(bus.busVoltage_V).toBe(400);
  });

  it('should keep a welded contactor closed when commanded open, and weld an open one at its next closing', () => {
    const bus = new HvBus(CFG);
    for (let k = 0; k < 3; k++) bus.step(0.01, 1, 1, 0, 400, 0);
    bus.weld('plus');
    for (let k = 0; k < 5; k++) bus.step(0.01, 0, 0, 0, 400, 0);
    expect(bus.plus.closed).toBe(1);
    expect(bus.minus.closed).toBe(0);
    expect(bus.pathClosed).toBe(false);
    bus.weld('precharge');
    expect(bus.precharge.welded).toBe(false);
    for (let k = 0; k < 3; k++) bus.step(0.01, 0, 0, 1, 400, 0);
    for (let k = 0; k < 3; k++) bus.step(0.01, 0, 0, 0, 400, 0);
    expect(bus.precharge.closed).toBe(1);
  });

  it('should blow the fuse after fuse_time_s above fuse_A', () => {
    const bus = new HvBus(CFG);
    for (let k = 0; k < 3; k++) bus.step(0.01, 1, 1, 0, 400, 0);
    for (let k = 0; k < 99; k++) bus.step(0.01, 1, 1, 0, 400, -150);
    expect(bus.fuseBlown).toBe(false);
    bus.step(0.01, 1, 1, 0, 400, -150);
    expect(bus.fuseBlown).toBe(true);
    expect(bus.pathClosed).toBe(false);
  });
});
