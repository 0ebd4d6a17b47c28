import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../sim/errors.ts';
import { type Ambient, AMBIENTS, readAmbient } from '../../../sim/load/ambient.ts';
import { Reader } from '../../../sim/validate.ts';
import { loadAmbient } from '../../../sim/node/load.ts';

const H = 3600;
const DAY = 24 * H;
const ambient = (value: unknown): Ambient => readAmbient(new Reader('a.json', value));
/** Uniform over [min, max] (a plain fc.double crowds near 0). */
const uniform = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min: 0, max: 1_000_000 }).map((k) => min + ((max - min) * k) / 1_000_000);

describe('constant ambient', () => {
  it('should return the same temperature at any time', () => {
    const a = ambient({ constant_C: 40 });
    expect(a.kind).toBe('constant');
    for (const t of [0, 1, 3 * H, 1e7, -5]) expect(a.at(t)).toBe(40);
  });
});

describe('daily ambient', () => {
  const hot = { daily: { min_C: 30, max_C: 46, t_min_h: 5, t_max_h: 15 } };

  it('should reach the minimum at t_min and the maximum at t_max, and stay between them', () => {
    const a = ambient(hot);
    expect(a.at(5 * H)).toBeCloseTo(30, 12);
    expect(a.at(15 * H)).toBeCloseTo(46, 12);
    expect(a.at(5 * H + DAY)).toBeCloseTo(30, 12);
    expect(a.at(10 * H)).toBeCloseTo(38, 12); // half-way up the rising half cosine
    expect(a.at(22 * H)).toBeCloseTo(38, 12); // half-way down the falling one (15 h → 29 h)
    for (let t = 0; t < DAY; t += 60) {
      expect(a.at(t)).toBeGreaterThanOrEqual(30 - 1e-12);
      expect(a.at(t)).toBeLessThanOrEqual(46 + 1e-12);
    }
  });

  it('should be continuous across the 24 h wrap and repeat daily', () => {
    const a = ambient(hot);
    expect(a.at(DAY - 1e-6)).toBeCloseTo(a.at(0), 6);
    expect(a.at(DAY)).toBeCloseTo(a.at(0), 12);
    expect(a.at(-1e-6)).toBeCloseTo(a.at(0), 6);
    expect(a.at(7 * H + 3 * DAY)).toBeCloseTo(a.at(7 * H), 9);
  });

  it('should handle a maximum earlier in the day than the minimum', () => {
    const a = ambient({ daily: { min_C: -5, max_C: 5, t_min_h: 20, t_max_h: 4 } });
    expect(a.at(20 * H)).toBeCloseTo(-5, 12);
    expect(a.at(4 * H)).toBeCloseTo(5, 12);
    expect(a.at(0)).toBeCloseTo(0, 12); // half-way through the 8 h rise
  });

  // for all daily profiles and times t, δ / such that δ <= 60 s / |T(t+δ) − T(t)| <= slope bound × δ
  it('should change no faster than its steepest half cosine (continuity everywhere)', () => {
    const profile = fc
      .record({
        min_C: uniform(-40, 40),
        span_C: uniform(0, 30),
        t_min_h: uniform(0, 23.9),
        rise_h: uniform(1, 23),
      })
      .map(({ min_C, span_C, t_min_h, rise_h }) => ({
        min_C,
        max_C: min_C + span_C,
        t_min_h,
        t_max_h: (t_min_h + rise_h) % 24,
        rise_h,
      }));
    fc.assert(
      fc.property(profile, uniform(-2 * DAY, 5 * DAY), uniform(0, 60), (p, t, dt) => {
        const a = ambient({ daily: { min_C: p.min_C, max_C: p.max_C, t_min_h: p.t_min_h, t_max_h: p.t_max_h } });
        const shortest_h = Math.min(p.rise_h, 24 - p.rise_h);
        const slope_C_per_s = (Math.PI * (p.max_C - p.min_C)) / 2 / (shortest_h * H);
        expect(Math.abs(a.at(t + dt) - a.at(t))).toBeLessThanOrEqual(slope_C_per_s * dt * 1.0001 + 1e-9);
      }),
    );
  });
});

describe('table ambient', () => {
  const table = { table: { time_h: [0, 6, 12, 18], temperature_C: [28, 30, 44, 36] } };

  it('should interpolate linearly and wrap from the last point to the first a day later', () => {
    const a = ambient(table);
    expect(a.kind).toBe('table');
    expect(a.at(0)).toBe(28);
    expect(a.at(3 * H)).toBeCloseTo(29, 12);
    expect(a.at(15 * H)).toBeCloseTo(40, 12);
    expect(a.at(21 * H)).toBeCloseTo(32, 12);
    expect(a.at(DAY - 1e-6)).toBeCloseTo(28, 6);
    expect(a.at(DAY + 15 * H)).toBeCloseTo(40, 12);
    expect(a.at(-3 * H)).toBeCloseTo(32, 12);
  });

  it('should wrap a table that starts after midnight', () => {
    const a = ambient({ table: { time_h: [6, 18], temperature_C: [20, 30] } });
    expect(a.at(12 * H)).toBeCloseTo(25, 12);
    expect(a.at(0)).toBeCloseTo(25, 12); // half-way from 30 at 18 h to 20 at 30 h
    expect(a.at(3 * H)).toBeCloseTo(22.5, 12);
  });

  it('should accept a closing point at 24 h equal to the one at 0 h, and a single point', () => {
    const a = ambient({ table: { time_h: [0, 12, 24], temperature_C: [20, 30, 20] } });
    expect(a.at(18 * H)).toBeCloseTo(25, 12);
    expect(a.at(DAY)).toBeCloseTo(20, 12);
    expect(ambient({ table: { time_h: [9], temperature_C: [33] } }).at(17 * H)).toBe(33);
  });
});

describe('readAmbient / loadAmbient', () => {
  it.each(AMBIENTS)('should load the %s preset', (name) => {
    expect(() => loadAmbient(name)).not.toThrow();
  });

  it('should make hot-summer-day the daily 30 → 46 °C form', () => {
    const a = loadAmbient('hot-summer-day');
    expect(a.kind).toBe('daily');
    let lo = Infinity;
    let hi = -Infinity;
    for (let t = 0; t < DAY; t += 60) {
      lo = Math.min(lo, a.at(t));
      hi = Math.max(hi, a.at(t));
    }
    expect(lo).toBeCloseTo(30, 9);
    expect(hi).toBeCloseTo(46, 9);
  });

  const BAD: [unknown, string][] = [
    [{}, 'a.json: (root): expected one of constant_C, daily, table'],
    [{ constant_C: 20, daily: { min_C: 0, max_C: 1, t_min_h: 1, t_max_h: 2 } }, 'a.json: (root): give only one of constant_C, daily'],
    [{ constant: 20 }, 'a.json: constant: unknown field'],
    [{ constant_C: '40' }, 'a.json: constant_C: expected a finite number, got "40"'],
    [{ daily: { min_C: 30, max_C: 20, t_min_h: 5, t_max_h: 15 } }, 'a.json: daily.max_C: must be >= 30, got 20'],
    [{ daily: { min_C: 20, max_C: 30, t_min_h: 5, t_max_h: 5 } }, 'a.json: daily.t_max_h: must differ from t_min_h (5)'],
    [{ daily: { min_C: 20, max_C: 30, t_min_h: 5, t_max_h: 24 } }, 'a.json: daily.t_max_h: must be < 24, got 24'],
    [{ daily: { min_C: 20, max_C: 30, t_min_h: 5 } }, 'a.json: daily.t_max_h: missing'],
    [{ table: { time_h: [0, 12, 6], temperature_C: [1, 2, 3] } }, 'a.json: table.time_h: must be strictly ascending'],
    [{ table: { time_h: [0, 12], temperature_C: [1, 2, 3] } }, 'a.json: table.temperature_C: expected 2 values, got 3'],
    [{ table: { time_h: [0, 25], temperature_C: [1, 2] } }, 'a.json: table.time_h[1]: must be <= 24, got 25'],
    [{ table: { time_h: [0, 24], temperature_C: [20, 25] } }, 'a.json: table.temperature_C: the table repeats every 24 h'],
    [{ table: { time_h: [], temperature_C: [] } }, 'a.json: table.time_h: expected at least 1 values, got 0'],
  ];

  it.each(BAD)('should reject %j', (value, message) => {
    expect(() => ambient(value)).toThrow(InputError);
    expect(() => ambient(value)).toThrow(message);
  });

  it('should name a missing file', () => {
    expect(() => loadAmbient('/nonexistent/amb.json')).toThrow('/nonexistent/amb.json: (file): no such file (presets: hot-summer-day)');
  });
});
