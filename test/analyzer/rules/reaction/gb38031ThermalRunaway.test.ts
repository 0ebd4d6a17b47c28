/** reaction.gb38031_thermal_runaway: the GB 38031-2025 runaway condition and the BMS's alarm. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FaultCode } from '../../../../protocol/messages.ts';
import { type Tick, encodeRestarted, generateMessages, infoFor, withLimitsFrom } from '../../generate.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { SHORT, show } from '../envelope/sessions.ts';

const ID = 'reaction.gb38031_thermal_runaway';
/** Short sessions: the BMS must warn within 20 s (the default is the standard's 300 s). */
const SET = [`${ID}.warning_latency_s=20`];

interface Runaway {
  sensor: number;
  cell: number;
  t0: number;
  rate: number;
  duration: number;
  /** Fraction of its voltage the cell keeps from halfway through the rise (1: no drop). */
  keep: number;
  /** BMS warning (TEMPERATURE_SPREAD in the warning mask) this long after t0; Infinity: never. */
  warnAfter: number;
}

/** The temperature ramps from its value at t0 and stays at the top; the cell collapses halfway. */
function plant(r: Runaway): (k: Tick) => void {
  let base = NaN;
  return (k) => {
    if (k.t_s < r.t0) return;
    if (Number.isNaN(base)) base = k.temperature_C[r.sensor]!;
    k.temperature_C[r.sensor] = base + r.rate * Math.min(k.t_s - r.t0, r.duration);
    if (k.t_s >= r.t0 + r.duration / 2) k.cellVoltage_V[r.cell]! *= r.keep;
    if (k.t_s >= r.t0 + r.warnAfter) k.warningMask |= 1 << FaultCode.TEMPERATURE_SPREAD;
  };
}

const runaway = fc.record({
  sensor: fc.integer({ min: 0, max: 3 }),
  cell: fc.integer({ min: 0, max: 7 }),
  t0: fc.double({ min: 10, max: 25, noNaN: true }),
  rate: fc.double({ min: 1.5, max: 3, noNaN: true }),
  duration: fc.double({ min: 5, max: 10, noNaN: true }),
  keep: fc.double({ min: 0.3, max: 0.7, noNaN: true }),
  warnAfter: fc.oneof(fc.double({ min: 0, max: 15, noNaN: true }), fc.constant(Infinity)),
});

describe('reaction.gb38031_thermal_runaway', () => {
  // for all sensors, cells, starts, rates of 1.5–3 °C/s held 5–10 s, voltage collapses to 30–70 %
  // and BMS warnings (0–15 s after the start, or none) in both profiles / such that a sensor
  // ramps and a cell collapses / one finding for that sensor from the start of the rise: info
  // when the BMS warned in time, otherwise a warning (default) or an error (gb38031), holds
  it('should find a planted runaway and judge the BMS alarm', () => {
    fc.assert(
      fc.property(runaway, fc.boolean(), (r, gb) => {
        const report = analyzeGenerated({ phases: SHORT, mutate: plant(r) }, { checks: [ID], profile: gb ? 'gb38031' : 'default', set: SET });
        const fs = findingsOf(report, ID);
        expect(fs, show(fs)).toHaveLength(1);
        const f = fs[0]!;
        expect(f.subject).toBe(`sensor ${r.sensor}`);
        expect(f.evidence.by).toBe('voltage drop');
        expect(f.evidence.cell).toBe(r.cell);
        // the 2 s regression reaches 1 °C/s within the first window of the ramp
        expect(f.t_start_s).toBeGreaterThanOrEqual(r.t0 - 0.05);
        expect(f.t_start_s).toBeLessThanOrEqual(r.t0 + 2);
        // condition c) after more than 3 s of it, and a) from halfway through the ramp
        const confirm = f.evidence.t_confirm_s as number;
        expect(confirm).toBeGreaterThan(r.t0 + 3);
        expect(confirm).toBeLessThanOrEqual(Math.max(r.t0 + 5.2, r.t0 + r.duration / 2 + 0.1));
        expect(f.evidence.max_slope_C_per_s as number).toBeGreaterThan(r.rate * 0.9);
        expect(f.evidence.max_slope_C_per_s as number).toBeLessThan(r.rate * 1.1);
        const warned = Number.isFinite(r.warnAfter);
        expect(f.evidence.warned).toBe(warned);
        expect(f.severity).toBe(warned ? 'info' : gb ? 'error' : 'warning');
      }),
      { numRuns: 16, seed: 38031 },
    );
  });

  it('should take the maximum temperature as condition b) (INFO MSL, 70 °C here)', () => {
    const report = analyzeGenerated(
      { phases: SHORT, mutate: plant({ sensor: 2, cell: 0, t0: 20, rate: 4, duration: 14, keep: 1, warnAfter: Infinity }) },
      { checks: [ID], set: SET },
    );
    const fs = findingsOf(report, ID);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.evidence.by).toBe('maximum temperature');
    expect(fs[0]!.evidence.max_temperature_C).toBe(70);
    expect(fs[0]!.severity).toBe('warning');
  });

  // for all changes of limits (60–80 s) lowering the MSL maximum temperatures from 70 to 40 °C,
  // and 2 °C/s rises for 10 s (25 → 45 °C, no voltage drop) wholly before the change (with the
  // 30 s coincidence window) or after it / a runaway by the maximum temperature after the change
  // only, at the new 40 °C, holds
  it('should take condition b) from the MSL of the limits in force where the rise began', () => {
    const L = infoFor(8, 2, 4).limits;
    const NEW = { ...L, msl: { ...L.msl, chargeTemperatureMax_C: 40, dischargeTemperatureMax_C: 40 } };
    fc.assert(
      fc.property(fc.integer({ min: 12, max: 16 }), fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }), (k, after, frac) => {
        const change = 5 * k;
        const [lo, hi] = after ? [change, 100] : [10, change - 42];
        const t0 = lo + frac * (hi - lo);
        const msgs = generateMessages({ phases: SHORT, mutate: plant({ sensor: 1, cell: 0, t0, rate: 2, duration: 10, keep: 1, warnAfter: Infinity }) });
        const { report } = analyzeBytes(encodeRestarted(withLimitsFrom(msgs, change - 2.5, NEW), []), { checks: [ID], set: SET });
        const fs = findingsOf(report, ID);
        if (!after) {
          expect(fs, show(fs)).toEqual([]);
          return;
        }
        expect(fs, show(fs)).toHaveLength(1);
        expect(fs[0]!.evidence.by).toBe('maximum temperature');
        expect(fs[0]!.evidence.max_temperature_C).toBe(40);
        expect(fs[0]!.t_start_s).toBeGreaterThanOrEqual(t0 - 0.05);
        const check = report.checks.find((c) => c.check === ID)!;
        expect(check.metrics?.max_temperature_C).toBeNull(); // two maxima in the capture
        expect(check.metrics?.max_temperature_source).toBe('device INFO MSL in force at each rise');
      }),
      { numRuns: 12, seed: 38032 },
    );
  });

  // a 2 °C/s rise for 4 s with a collapsing cell is a runaway; cut in two 2 s halves by a device
  // restart it is not one: the time the device was down is unknown
  it('should not take a rise across a device restart for one held over 3 s', () => {
    const msgs = generateMessages({ phases: SHORT, mutate: plant({ sensor: 1, cell: 3, t0: 20, rate: 2, duration: 4, keep: 0.5, warnAfter: Infinity }) });
    expect(findingsOf(analyzeBytes(encodeRestarted(msgs, []), { checks: [ID], set: SET }).report, ID)).toHaveLength(1);
    const fs = findingsOf(analyzeBytes(encodeRestarted(msgs, [22]), { checks: [ID], set: SET }).report, ID);
    expect(fs, show(fs)).toEqual([]);
  });

  it('should need both halves: a fast rise alone, or a slow rise with a voltage collapse, is no runaway', () => {
    const alone = analyzeGenerated(
      { phases: SHORT, mutate: plant({ sensor: 1, cell: 0, t0: 20, rate: 2, duration: 8, keep: 1, warnAfter: Infinity }) },
      { checks: [ID], set: SET },
    );
    expect(findingsOf(alone, ID)).toEqual([]);
    expect(alone.checks.find((c) => c.check === ID)!.metrics!.rises).toBe(1);
    const slow = analyzeGenerated(
      { phases: SHORT, mutate: plant({ sensor: 1, cell: 0, t0: 20, rate: 0.6, duration: 20, keep: 0.5, warnAfter: Infinity }) },
      { checks: [ID], set: SET },
    );
    expect(findingsOf(slow, ID)).toEqual([]);
    expect(slow.checks.find((c) => c.check === ID)!.metrics!.rises).toBe(0);
  });

  it('should say when the capture ends before the deadline (info, not observable)', () => {
    const report = analyzeGenerated(
      { phases: SHORT, mutate: plant({ sensor: 0, cell: 4, t0: 20, rate: 2, duration: 8, keep: 0.5, warnAfter: Infinity }) },
      { checks: [ID] },
    );
    const fs = findingsOf(report, ID);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.severity).toBe('info');
    expect(fs[0]!.message).toContain('before the capture ends');
  });

  // for all seeds and NTC noise up to 0.4 °C / a clean session / no rise, no finding, holds
  it('should not take NTC noise for a rise', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0, max: 0.4, noNaN: true }), (seed, noise) => {
        const report = analyzeGenerated({ phases: SHORT, seed, temperatureNoise_C: noise }, { checks: [ID] });
        expect(findingsOf(report, ID)).toEqual([]);
        expect(statusOf(report, ID)).toBe('pass');
      }),
      { numRuns: 5, seed: 14 },
    );
  });

  it('should find no runaway in the hot spot of fault-cell-internal-short (0.2 °C/s)', () => {
    const report = analyzeBytes(scenarioCapture('fault-cell-internal-short'), { checks: [ID] }).report;
    expect(findingsOf(report, ID)).toEqual([]);
    expect(statusOf(report, ID)).toBe('pass');
  });
});
