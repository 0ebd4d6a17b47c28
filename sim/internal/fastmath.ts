import { fdexp } from './fdexp.ts';

/**
 * exp() for the hot loop. Most arguments there are tiny (|x| < 1/32: an RC branch or the
 * hysteresis state over one short step), where a degree-9 Taylor polynomial is exact to
 * within rounding (truncation error < x^10/10! < 1e-21) and several times cheaper than a
 * call to exp. Larger arguments fall back to fdlibm's exp (fdexp.ts: the same bits in every
 * engine, and as the WebAssembly kernel's). The result differs from Math.exp by at most a
 * couple of ulps: floating-point noise.
 */
export function expSmall(x: number): number {
  if (x > -0.03125 && x < 0.03125) {
    return 1 + x * (1 + x * (0.5 + x * (1 / 6 + x * (1 / 24 + x * (1 / 120 + x * (1 / 720 + x * (1 / 5040 + x * (1 / 40320 + x * (1 / 362880)))))))));
  }
  return fdexp(x);
}

/**
 * xs[i] = exp(xs[i]) for i < n. A function of its own, so that V8 inlines expSmall here
 * (the pack's long step loops are past its inlining budget).
 */
export function expInPlace(xs: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) xs[i] = expSmall(xs[i]!);
}

/** xs[off + i*stride] = exp(of itself) for i < n (an interleaved field). */
export function expStrided(xs: Float64Array, off: number, stride: number, n: number): void {
  for (let i = 0, j = off; i < n; i++, j += stride) xs[j] = expSmall(xs[j]!);
}

/** a[i] = exp(a[i]) and b[i] = exp(b[i]) for i < n, in one pass. */
export function expInPlace2(a: Float64Array, b: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    a[i] = expSmall(a[i]!);
    b[i] = expSmall(b[i]!);
  }
}

/**
 * exp(x) for x <= 0 as the hysteresis decay of one step: nearly always tiny (|x| < 2^-8),
 * where a degree-6 Taylor polynomial is exact to rounding (error < x^7/7! < 1e-20).
 */
export function hysteresisDecay(x: number): number {
  if (x > -0.00390625) return 1 + x * (1 + x * (0.5 + x * (1 / 6 + x * (1 / 24 + x * (1 / 120 + x * (1 / 720))))));
  return fdexp(x);
}

/** out[i] = exp(eaOverR * (1/(T[i] + 273.15) - invTref)), the Arrhenius factor, for every i < n. */
export function arrheniusFill(out: Float64Array, T: Float64Array, n: number, eaOverR: number, invTref: number): void {
  for (let i = 0; i < n; i++) out[i] = fdexp(eaOverR * (1 / (T[i]! + 273.15) - invTref));
}
