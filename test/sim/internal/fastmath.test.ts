/**
 * The hot-loop exponentials (sim/internal/fastmath.ts) against Math.exp, measured in units in
 * the last place (representable doubles between the two results).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrheniusFill, expInPlace, expInPlace2, expSmall, expStrided, hysteresisDecay } from '../../../sim/internal/fastmath.ts';
import { ulpDistance, uniform } from '../arbitraries.ts';

const GAS = 8.314;
const KELVIN = 273.15;

/** fc.double over [min, max] without NaN/Infinity (dense near 0, with the edges). */
const dbl = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

describe('expSmall', () => {
  // for all x in (−1/32, 1/32) (the polynomial) and far outside it (Math.exp)
  // expSmall(x) is within 4 ulps of Math.exp(x)
  it('should stay within 4 ulps of Math.exp over its whole range', () => {
    fc.assert(
      fc.property(fc.oneof(dbl(-0.03125, 0.03125), dbl(-700, 700), uniform(-0.04, 0.04)), (x) => {
        expect(ulpDistance(expSmall(x), Math.exp(x))).toBeLessThanOrEqual(4);
      }),
      { numRuns: 20000 },
    );
  });

  it('should be exact at 0 and at the ends of the polynomial range', () => {
    expect(expSmall(0)).toBe(1);
    for (const x of [-0.03125, 0.03125, Math.fround(-0.0312499), 0.0312499999]) {
      expect(ulpDistance(expSmall(x), Math.exp(x))).toBeLessThanOrEqual(4);
    }
  });
});

describe('hysteresisDecay', () => {
  // for all x ≤ 0: tiny (the polynomial, x > −2^-8) and large (Math.exp)
  // hysteresisDecay(x) is within 4 ulps of Math.exp(x) and never above 1
  it('should stay within 4 ulps of Math.exp for every decay exponent', () => {
    fc.assert(
      fc.property(fc.oneof(dbl(-0.00390625, 0), dbl(-700, 0), uniform(-0.01, 0)), (x) => {
        const y = hysteresisDecay(x);
        expect(ulpDistance(y, Math.exp(x))).toBeLessThanOrEqual(4);
        expect(y).toBeLessThanOrEqual(1);
      }),
      { numRuns: 20000 },
    );
  });
});

describe('array helpers', () => {
  const arr = fc.array(dbl(-1, 0.1), { minLength: 1, maxLength: 40 });

  // for all arrays
  // expInPlace, expInPlace2 and expStrided apply expSmall elementwise to exactly their elements
  it('should apply expSmall elementwise, touching only the elements they own', () => {
    fc.assert(
      fc.property(arr, arr, fc.integer({ min: 1, max: 5 }), fc.nat({ max: 4 }), fc.nat(), (a0, b0, stride, off0, k) => {
        const a = Float64Array.from(a0);
        expInPlace(a, a.length);
        a0.forEach((x, i) => expect(a[i]).toBe(expSmall(x)));

        const n = Math.min(a0.length, b0.length);
        const p = Float64Array.from(a0);
        const q = Float64Array.from(b0);
        expInPlace2(p, q, n);
        for (let i = 0; i < a0.length; i++) expect(p[i]).toBe(i < n ? expSmall(a0[i]!) : a0[i]);
        for (let i = 0; i < b0.length; i++) expect(q[i]).toBe(i < n ? expSmall(b0[i]!) : b0[i]);

        const off = off0 % stride;
        const count = 1 + (k % (Math.floor((a0.length - off - 1) / stride) + 1)); // 1..all owned
        const owns = (j: number) => j >= off && (j - off) % stride === 0 && (j - off) / stride < count;
        const s = Float64Array.from(a0);
        expStrided(s, off, stride, count);
        for (let j = 0; j < a0.length; j++) expect(s[j]).toBe(owns(j) ? expSmall(a0[j]!) : a0[j]);
      }),
    );
  });

  // for all Ea, T_ref and cell temperatures
  // arrheniusFill gives the reference cell's factor exp(Ea/8.314·(1/(T + 273.15) − 1/(T_ref + 273.15)))
  // bit for bit (the pack and sim/cell.ts then agree exactly on it)
  it('should give the reference cell Arrhenius factor bit for bit', () => {
    fc.assert(
      fc.property(uniform(0, 200000), uniform(-60, 100), fc.array(uniform(-80, 150), { minLength: 1, maxLength: 20 }), (Ea, Tref, Ts) => {
        const out = new Float64Array(Ts.length);
        arrheniusFill(out, Float64Array.from(Ts), Ts.length, Ea / GAS, 1 / (Tref + KELVIN));
        Ts.forEach((T, i) => expect(out[i]).toBe(Math.exp((Ea / GAS) * (1 / (T + KELVIN) - 1 / (Tref + KELVIN)))));
      }),
    );
  });
});
