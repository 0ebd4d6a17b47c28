/** envelope.temperature: sensors against the tiers, charge limits while charging. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { CHARGE, DISCHARGE, LIMITS, SHORT, near, rowSpan, serious, show } from './sessions.ts';

const ID = 'envelope.temperature';
const TIERS = ['mol', 'rsl', 'msl'] as const;
const SEVERITY = { mol: 'info', rsl: 'warning', msl: 'error' } as const;
type Side = 'charge' | 'discharge';

/** The limit of a tier for a side and direction. */
function limitOf(tier: (typeof TIERS)[number], side: Side, over: boolean): number {
  const l = LIMITS[tier];
  if (side === 'charge') return over ? l.chargeTemperatureMax_C : l.chargeTemperatureMin_C;
  return over ? l.dischargeTemperatureMax_C : l.dischargeTemperatureMin_C;
}

describe('envelope.temperature', () => {
  // for all sensors, tiers, directions, phases (charging or discharging), starts and durations
  // of 4–15 s / such that one sensor reads inside the tier's band (beyond its limit, not beyond
  // the next) / one finding for that sensor at the tier's severity against the limit of the
  // phase (charge limits while charging), spanning the planted rows, holds
  it('should report a planted exceedance against the limits of the current direction', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom(...TIERS),
        fc.boolean(),
        fc.constantFrom<Side>('charge', 'discharge'),
        fc.double({ min: 0.1, max: 0.9, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 4, max: 15, noNaN: true }),
        (sensor, tier, over, side, frac, at, d) => {
          const i = TIERS.indexOf(tier);
          const lim = limitOf(tier, side, over);
          const next = i < 2 ? limitOf(TIERS[i + 1]!, side, over) : lim + (over ? 5 : -5);
          const v = lim + frac * (next - lim);
          const w = side === 'charge' ? CHARGE : DISCHARGE;
          const t0 = w.from + at * (w.to - w.from - d);
          const report = analyzeGenerated(
            {
              phases: SHORT,
              mutate: (k) => {
                if (k.t_s >= t0 && k.t_s < t0 + d) k.temperature_C[sensor] = v;
              },
            },
            { checks: [ID] },
          );
          const fs = findingsOf(report, ID);
          expect(fs, show(fs)).toHaveLength(1);
          const f = fs[0]!;
          const span = rowSpan(t0, t0 + d);
          expect(f.subject).toBe(`sensor ${sensor}`);
          expect(f.severity).toBe(SEVERITY[tier]);
          expect(f.evidence.limits).toBe(side);
          expect(f.threshold?.value).toBe(lim);
          expect(f.threshold?.source).toBe(`device INFO ${tier.toUpperCase()}`);
          expect(near(f.t_start_s, span.first, 0.1)).toBe(true);
          expect(near(f.t_end_s, span.last, 0.1)).toBe(true);
        },
      ),
      { numRuns: 15, seed: 4242 },
    );
  });

  it('should apply the discharge limits at rest and while discharging, the charge limits only while charging', () => {
    // 57 °C: above the charge MOL maximum (55 °C), below the discharge MOL maximum (60 °C)
    const at = (t0: number) =>
      analyzeGenerated(
        {
          phases: SHORT,
          mutate: (k) => {
            if (k.t_s >= t0 && k.t_s < t0 + 5) k.temperature_C[1] = 57;
          },
        },
        { checks: [ID] },
      );
    expect(findingsOf(at(20), ID)).toEqual([]);
    const charging = findingsOf(at(80), ID);
    expect(charging).toHaveLength(1);
    expect(charging[0]!.severity).toBe('info');
    expect(charging[0]!.message).toContain('charge maximum');
  });

  it('should make four or more sensors beyond one limit at once one finding (subject "sensors")', () => {
    const hot = (sensors: number[]) =>
      analyzeGenerated(
        {
          phases: SHORT,
          nt: 8,
          mutate: (k) => {
            // 62 °C at rest: above the discharge MOL maximum (60 °C), staggered starts
            sensors.forEach((j, i) => {
              if (k.t_s >= 20 + i && k.t_s < 30) k.temperature_C[j] = 62;
            });
          },
        },
        { checks: [ID] },
      );
    const few = findingsOf(hot([6, 2, 4]), ID);
    expect(few.map((f) => f.subject)).toEqual(['sensor 6', 'sensor 2', 'sensor 4']);
    const many = findingsOf(hot([6, 2, 4, 0, 7]), ID);
    expect(many, show(many)).toHaveLength(1);
    const f = many[0]!;
    expect(f.subject).toBe('sensors');
    expect(f.severity).toBe('info');
    expect(f.evidence.subjects).toBe('0,2,4,6,7');
    expect(f.evidence.first_subject).toBe('sensor 6');
    expect(f.evidence.limits).toBe('discharge');
    expect(f.message).toMatch(/^5 sensors above the MOL discharge maximum \(60 °C\) at once, .*; sensors 6, 2, 4, 0, 7$/);
  });

  it('should ignore readings beyond a limit for less than min_duration_s', () => {
    const report = analyzeGenerated(
      {
        phases: SHORT,
        mutate: (k) => {
          if (k.t_s >= 20 && k.t_s < 22) k.temperature_C[0] = 80;
        },
      },
      { checks: [ID] },
    );
    expect(findingsOf(report, ID)).toEqual([]);
  });

  // for all seeds and ambients from −15 to 45 °C / a clean session / no finding, holds
  it('should find nothing on clean sessions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: -15, max: 45 }), (seed, ambient_C) => {
        const report = analyzeGenerated({ phases: SHORT, seed, ambient_C }, { checks: [ID] });
        expect(findingsOf(report, ID)).toEqual([]);
        expect(statusOf(report, ID)).toBe('pass');
      }),
      { numRuns: 5, seed: 5 },
    );
  });

  it('should report the heat wave of fault-ambient-heat-wave as MOL information only', () => {
    const report = analyzeBytes(scenarioCapture('fault-ambient-heat-wave', 900), { checks: [ID] }).report;
    const fs = findingsOf(report, ID);
    expect(serious(fs)).toEqual([]);
    expect(fs.length).toBeGreaterThan(0);
    expect(fs[0]!.evidence.tier).toBe('MOL');
    expect(fs[0]!.evidence.limits).toBe('charge');
    expect(report.checks.find((c) => c.check === ID)!.metrics!.time_above_mol_s as number).toBeGreaterThan(0);
  });
});
