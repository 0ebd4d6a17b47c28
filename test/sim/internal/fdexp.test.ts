/**
 * The JS path's exp (sim/internal/fdexp.ts) against the WebAssembly kernel's port of the same
 * fdlibm algorithm (its exp1 export), bit for bit over every branch, and against Math.exp to
 * within an ulp: the two pack paths share their exponentials in every engine.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fdexp } from '../../../sim/internal/fdexp.ts';
import { KERNEL_WASM_BASE64 } from '../../../sim/kernel/wasm.ts';
import { ulpDistance } from '../arbitraries.ts';

/** The kernel's scalar exp (it touches no memory: a one-page memory will do). */
function kernelExp(): (x: number) => number {
  const bytes = Uint8Array.from(atob(KERNEL_WASM_BASE64), (c) => c.charCodeAt(0));
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 1 }) } });
  return (instance.exports as { exp1(x: number): number }).exp1;
}

/** The double next to x (x > 0) upwards (dir 1) or downwards (-1). */
function nextDouble(x: number, dir: 1 | -1): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  v.setBigUint64(0, v.getBigUint64(0) + BigInt(dir));
  return v.getFloat64(0);
}

describe('fdexp', () => {
  const exp1 = kernelExp();

  it("gives the kernel's bits on every branch and the edges", () => {
    const edges = [
      0,
      -0,
      1,
      -1,
      2 ** -28,
      -(2 ** -28),
      2 ** -29,
      0.5 * Math.LN2,
      -0.5 * Math.LN2,
      1.5 * Math.LN2,
      -1.5 * Math.LN2,
      709.78,
      709.7827128933839,
      709.79,
      -745.1,
      -745.2,
      -708.4,
      -708.3,
      -720,
      -1000,
      1000,
      NaN,
      Infinity,
      -Infinity,
      Number.MIN_VALUE,
      -Number.MIN_VALUE,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
    ];
    // fdlibm's branches test the high word of |x|: each boundary, the doubles beside it, both signs
    for (const b of [709.7822265625, 0.34657359123229975, 1.0397205352783203, 2 ** -28, 709.782712893384, 745.1332191019411]) {
      for (const y of [b, nextDouble(b, 1), nextDouble(b, -1)]) edges.push(y, -y);
    }
    for (const x of edges) expect(Object.is(fdexp(x), exp1(x)), `exp(${x}): ${fdexp(x)} vs ${exp1(x)}`).toBe(true);
    let s = 3;
    const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
    let differing = 0;
    let n = 0;
    for (const scale of [2 ** -30, 2 ** -27, 1e-3, 0.3, 1, 1.1, 3, 30, 300, 708, 746, 800]) {
      for (let i = 0; i < 20000; i++, n++) {
        const x = (2 * rnd() - 1) * scale;
        if (!Object.is(fdexp(x), exp1(x))) differing++;
      }
    }
    expect(n).toBe(240000);
    expect(differing).toBe(0);
  });

  it('agrees with the kernel over any double, and with Math.exp to an ulp', () => {
    fc.assert(
      fc.property(fc.double(), (x) => {
        expect(Object.is(fdexp(x), exp1(x))).toBe(true);
        expect(ulpDistance(fdexp(x), Math.exp(x))).toBeLessThanOrEqual(1);
      }),
      { numRuns: 20000 },
    );
  });
});
