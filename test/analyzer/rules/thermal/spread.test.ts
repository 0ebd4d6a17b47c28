/** thermal.spread: max − min across the sensors, and sensors running hot against the median. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { SHORT, analyzeCapture, near, serious, show } from './sessions.ts';

const ID = 'thermal.spread';
/**
 * Episode ends: bins of 1 s dated at their centre, each holding the bin's last reading (so the bin
 * where a planted offset ends may already read normal): within a bin and a half.
 */
const TOL_S = 1.5;

/** One sensor `dT` warmer than the others over [t0, t0 + d). */
function hotSensor(sensor: number, t0: number, d: number, dT: number) {
  return analyzeGenerated(
    {
      phases: SHORT,
      mutate: (k) => {
        if (k.t_s >= t0 && k.t_s < t0 + d) k.temperature_C[sensor]! += dT;
      },
    },
    { checks: [ID] },
  );
}

describe('thermal.spread', () => {
  // for all sensors, starts, durations of 60–80 s and offsets of 9–11 K / such that one sensor
  // runs that much above the others (spread above the 8 K warning, below the 12 K error) / a
  // pack spread warning over the planted interval, a hotspot warning for that sensor over it,
  // and an info naming it as the hotspot, holds
  it('should report a planted spread and name the hot sensor', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.double({ min: 5, max: 30, noNaN: true }),
        fc.double({ min: 60, max: 80, noNaN: true }),
        fc.double({ min: 9, max: 11, noNaN: true }),
        (sensor, t0, d, dT) => {
          const fs = findingsOf(hotSensor(sensor, t0, d, dT), ID);
          const pack = fs.filter((f) => f.subject === 'pack');
          expect(pack, show(fs)).toHaveLength(1);
          expect(pack[0]!.severity).toBe('warning');
          expect(near(pack[0]!.t_start_s, t0, TOL_S), show(pack)).toBe(true);
          expect(near(pack[0]!.t_end_s, t0 + d, TOL_S), show(pack)).toBe(true);
          const hot = fs.filter((f) => f.subject === `sensor ${sensor}`);
          expect(hot.map((f) => f.severity).sort(), show(fs)).toEqual(['info', 'warning']);
          const w = hot.find((f) => f.severity === 'warning')!;
          expect(near(w.t_start_s, t0, TOL_S)).toBe(true);
          expect(near(w.t_end_s, t0 + d, TOL_S)).toBe(true);
          expect(fs).toHaveLength(3);
        },
      ),
      { numRuns: 12, seed: 7201 },
    );
  });

  // for all sensors, starts and offsets of 13–20 K for 10–30 s / such that the spread passes the
  // 12 K error threshold / the pack finding is an error, holds
  it('should make a spread beyond error_K an error', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.double({ min: 5, max: 80, noNaN: true }),
        fc.double({ min: 10, max: 30, noNaN: true }),
        fc.double({ min: 13, max: 20, noNaN: true }),
        (sensor, t0, d, dT) => {
          const pack = findingsOf(hotSensor(sensor, t0, d, dT), ID).filter((f) => f.subject === 'pack');
          expect(pack, show(pack)).toHaveLength(1);
          expect(pack[0]!.severity).toBe('error');
          expect(pack[0]!.threshold?.value).toBe(12);
        },
      ),
      { numRuns: 8, seed: 7202 },
    );
  });

  // for all sensors, starts, durations of 65–90 s and offsets of 4–7 K / such that the sensor
  // runs hot by more than the 3 K margin but the spread stays below 8 K / only the hotspot
  // warning for that sensor (and the info), no pack finding, holds
  it('should report a sensor consistently hotter than its peers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.double({ min: 5, max: 20, noNaN: true }),
        fc.double({ min: 65, max: 90, noNaN: true }),
        fc.double({ min: 4, max: 7, noNaN: true }),
        (sensor, t0, d, dT) => {
          const fs = serious(findingsOf(hotSensor(sensor, t0, d, dT), ID));
          expect(fs, show(fs)).toHaveLength(1);
          expect(fs[0]!.subject).toBe(`sensor ${sensor}`);
          expect(fs[0]!.threshold?.value).toBe(3);
          expect(near(fs[0]!.t_start_s, t0, TOL_S)).toBe(true);
          expect(near(fs[0]!.t_end_s, t0 + d, TOL_S)).toBe(true);
        },
      ),
      { numRuns: 10, seed: 7203 },
    );
  });

  it('should ignore a sensor hot for less than hotspot_min_duration_s', () => {
    const fs = serious(findingsOf(hotSensor(1, 20, 30, 5), ID));
    expect(fs, show(fs)).toEqual([]);
  });

  // for all seeds / such that the session is clean / no finding, and the ranking lists three
  // sensors, holds
  it('should find nothing in a clean session', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const report = analyzeGenerated({ phases: SHORT, seed }, { checks: [ID] });
        expect(findingsOf(report, ID)).toEqual([]);
        expect(statusOf(report, ID)).toBe('pass');
        const m = report.checks.find((c) => c.check === ID)!.metrics!;
        expect((m.hotspot_ranking as string).split('; ')).toHaveLength(3);
      }),
      { numRuns: 5, seed: 7204 },
    );
  });

  it('should not be evaluable with one sensor', () => {
    expect(statusOf(analyzeGenerated({ phases: SHORT, nt: 1 }, { checks: [ID] }), ID)).toBe('not_evaluable');
  });

  it('should report the hot cell of fault-cell-internal-short', () => {
    // cell 50 (sensor 25) shorts at 120 s; the spread passes 12 K about 50 s later
    const report = analyzeCapture(scenarioCapture('fault-cell-internal-short'), [ID]);
    const fs = findingsOf(report, ID);
    const pack = fs.find((f) => f.subject === 'pack')!;
    expect(pack.severity, show(fs)).toBe('error');
    expect(pack.t_start_s).toBeGreaterThan(130);
    const hot = serious(fs).find((f) => f.subject === 'sensor 25');
    expect(hot, show(fs)).toBeDefined();
    expect(hot!.t_start_s).toBeGreaterThan(120);
    expect(report.checks.find((c) => c.check === ID)!.metrics!.hotspot_sensor).toBe(25);
  });
});
