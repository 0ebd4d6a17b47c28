/**
 * sim/envelope.ts: the validity envelope's check. Laws: cells inside every limit pass; a cell
 * outside one limit (or NaN) stops the run naming that cell, quantity and limit; with abuse
 * allowed, the first excursion of each quantity is kept and the steps outside are counted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CellArrays, EnvelopeWatch, type Quantity, envelopeLimits, startProblem } from '../../sim/envelope.ts';
import { AbuseError } from '../../sim/errors.ts';
import { loadChemistry } from '../../sim/node/load.ts';

const chem = loadChemistry('naion-18650-layered');
const L = envelopeLimits(chem.spec);
const KEY: Record<Quantity, keyof CellArrays> = { SOC: 'z', voltage: 'voltage', temperature: 'T', current: 'current' };
const RANGE: Record<Quantity, [number, number]> = {
  SOC: [L.socMin, L.socMax],
  voltage: [L.vMin, L.vMax],
  temperature: [L.tMin, L.tMax],
  current: [-L.iMax, L.iMax],
};
const inside = (q: Quantity) => fc.double({ min: RANGE[q][0], max: RANGE[q][1], noNaN: true });
const cells = (n: number) =>
  fc.record({
    z: fc.array(inside('SOC'), { minLength: n, maxLength: n }),
    voltage: fc.array(inside('voltage'), { minLength: n, maxLength: n }),
    T: fc.array(inside('temperature'), { minLength: n, maxLength: n }),
    current: fc.array(inside('current'), { minLength: n, maxLength: n }),
  });

describe('EnvelopeWatch', () => {
  it('should read the limits from the chemistry file', () => {
    expect(L).toEqual({ socMin: -0.05, socMax: 1.05, vMin: 1, vMax: 4.6, tMin: -40, tMax: 80, iMax: 9 });
  });

  // for any cells inside every limit
  // the check passes and records nothing
  it('should pass cells inside every limit', () => {
    fc.assert(
      fc.property(cells(5), (a) => {
        const w = new EnvelopeWatch(chem, false);
        w.check(0, a, 5);
        expect(w.summary()).toBeNull();
      }),
    );
  });

  // for cells inside but one value of one cell beyond a limit (or NaN)
  // the check throws an AbuseError naming that cell, quantity and limit
  it('should stop at a cell beyond a limit, naming it', () => {
    const q = fc.constantFrom<Quantity>('SOC', 'voltage', 'temperature', 'current');
    fc.assert(
      fc.property(
        cells(5),
        q,
        fc.integer({ min: 0, max: 4 }),
        fc.constantFrom(-1, 1, 0),
        fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
        (a, quantity, i, side, by) => {
          const [lo, hi] = RANGE[quantity];
          const bad = side === 0 ? NaN : side < 0 ? lo - by : hi + by;
          (a[KEY[quantity]] as number[])[i] = bad;
          const w = new EnvelopeWatch(chem, false);
          let err: unknown = null;
          try {
            w.check(12.5, a, 5);
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(AbuseError);
          const msg = (err as Error).message;
          expect(msg).toMatch(new RegExp(`^cell ${i + 1}: ${quantity} `));
          expect(msg).toContain(`validity envelope of naion-18650-layered`);
          expect(msg).toContain('at t = 12.5 s');
        },
      ),
    );
  });

  it('should keep the first excursion of each quantity and count the steps with abuse allowed', () => {
    const w = new EnvelopeWatch(chem, true);
    const a = { z: [0.5, 0.5], voltage: [3.5, 3.5], T: [25, 25], current: [0, 0] };
    w.check(0, a, 2);
    a.current[1] = -20;
    w.check(1, a, 2);
    a.T[0] = 90;
    w.check(2, a, 2);
    w.check(3, a, 2);
    const s = w.summary()!;
    expect(s.allowed).toBe(true);
    expect(s.steps_outside).toBe(3);
    expect(s.first.map((x) => [x.quantity, x.cell, x.t_s, x.value, x.limit])).toEqual([
      ['current', 2, 1, -20, -9],
      ['temperature', 1, 2, 90, 80],
    ]);
    expect(s.first[1]!.text).toBe('cell 1: temperature 90 °C above the validity envelope of naion-18650-layered (limit 80 °C) at t = 2 s');
  });
});

describe('startProblem', () => {
  it('should refuse a start outside the envelope and accept one inside', () => {
    expect(startProblem(chem.spec, 'SOC', 5)).toBe('5 is outside the validity envelope of naion-18650-layered (SOC -0.05…1.05)');
    expect(startProblem(chem.spec, 'temperature', 1e6)).toMatch(/temperature -40…80 °C/);
    expect(startProblem(chem.spec, 'SOC', -0.05)).toBeNull();
    expect(startProblem(chem.spec, 'temperature', -20)).toBeNull();
    expect(startProblem(chem.spec, 'temperature', NaN)).not.toBeNull();
  });
});
