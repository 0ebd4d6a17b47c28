/**
 * exp for the pack kernel (entry: pack.ts), as the JS path computes it: fdlibm's algorithm
 * (behind V8's Math.exp) on both lanes and on one value, and fastmath.ts's Taylor
 * polynomials for small arguments.
 */
import {
  C, all2, C_ONE, C_HALF, C_T9, C_T8, C_T7, C_T6, C_T5, C_T4, C_T3, C_SMALL, C_LN2_HI, C_LN2_LO, C_INV_LN2,
  C_P1, C_P2, C_P3, C_P4, C_P5, C_E, C_HALF_LN2, C_TINY, C_TWO, C_WIDE, C_SIGN, C_SCALE, LN2_HI, LN2_LO,
  INV_LN2, P1, P2, P3, P4, P5, E,
} from "./constants";

/**
 * exp of both lanes by fdlibm's algorithm, for |x| <= 700 (no overflow, no subnormal
 * result): argument reduction x = k ln2 + r (hi - lo), a rational approximation on r and
 * the exact scaling by 2^k. Branches of the scalar code are lane selects; the |x| <= 0.5 ln2
 * and 0.5 ln2 < |x| < 1.5 ln2 cases of fdlibm reduce to the general one bit for bit.
 */
@inline function fdexp2(cb: usize, x: v128): v128 {
  const ax = v128.andnot(x, C(cb, C_SIGN));
  // k = (int)(x/ln2 + copysign(0.5, x)), 0 where fdlibm tests the high word: hx <= 0x3FD62E42
  const half = v128.or(v128.and(x, C(cb, C_SIGN)), C(cb, C_HALF));
  let kf = f64x2.trunc(f64x2.add(f64x2.mul(C(cb, C_INV_LN2), x), half));
  kf = v128.and(kf, f64x2.gt(ax, C(cb, C_HALF_LN2)));
  const hi = f64x2.sub(x, f64x2.mul(kf, C(cb, C_LN2_HI)));
  const lo = f64x2.mul(kf, C(cb, C_LN2_LO));
  const r = f64x2.sub(hi, lo);
  const t = f64x2.mul(r, r);
  let p = f64x2.add(C(cb, C_P4), f64x2.mul(t, C(cb, C_P5)));
  p = f64x2.add(C(cb, C_P3), f64x2.mul(t, p));
  p = f64x2.add(C(cb, C_P2), f64x2.mul(t, p));
  p = f64x2.add(C(cb, C_P1), f64x2.mul(t, p));
  const c = f64x2.sub(r, f64x2.mul(t, p));
  const q = f64x2.div(f64x2.mul(r, c), f64x2.sub(C(cb, C_TWO), c));
  const y = f64x2.sub(C(cb, C_ONE), f64x2.sub(f64x2.sub(lo, q), hi));
  // 2^k: k + 1023 sits in the low bits of k + (2^52 + 1023); shifted up into the exponent
  const twopk = i64x2.shl(f64x2.add(kf, C(cb, C_SCALE)), 52);
  let res = f64x2.mul(y, twopk);
  // fdlibm returns 1 + x for |x| < 2^-28, and E for x = 1
  res = v128.bitselect(f64x2.add(C(cb, C_ONE), x), res, f64x2.lt(ax, C(cb, C_TINY)));
  return v128.bitselect(C(cb, C_E), res, f64x2.eq(x, C(cb, C_ONE)));
}

/** fdlibm's exp, scalar and complete (overflow, underflow, NaN), as in V8's ieee754.cc. */
export function fdexp1(x: f64): f64 {
  let hx = <u32>(reinterpret<u64>(x) >> 32);
  const xsb: i32 = <i32>(hx >> 31);
  hx &= 0x7FFFFFFF;
  if (hx >= 0x40862E42) {
    if (hx >= 0x7FF00000) {
      if (((hx & 0xFFFFF) | <u32>reinterpret<u64>(x)) != 0) return x + x;
      return xsb == 0 ? x : 0.0;
    }
    if (x > 7.09782712893383973096e+02) return Infinity;
    if (x < -7.45133219101941108420e+02) return 0.0;
  }
  let hi: f64 = 0;
  let lo: f64 = 0;
  let k: i32 = 0;
  if (hx > 0x3FD62E42) {
    if (hx < 0x3FF0A2B2) {
      if (x == 1.0) return E;
      hi = x - (xsb == 0 ? LN2_HI : -LN2_HI);
      lo = xsb == 0 ? LN2_LO : -LN2_LO;
      k = 1 - xsb - xsb;
    } else {
      k = <i32>(INV_LN2 * x + (xsb == 0 ? 0.5 : -0.5));
      const t = <f64>k;
      hi = x - t * LN2_HI;
      lo = t * LN2_LO;
    }
    x = hi - lo;
  } else if (hx < 0x3E300000) {
    return 1.0 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * 8.988465674311579539e307;
    return y * reinterpret<f64>(<u64>(0x3FF + k) << 52);
  }
  return y * reinterpret<f64>(<u64>(0x3FF + k + 1000) << 52) * 9.33263618503218878990e-302;
}

/** exp lane by lane (the arguments fdexp2 does not take: |x| > 700, NaN). */
function expWide(x: v128): v128 {
  return f64x2(fdexp1(f64x2.extract_lane(x, 0)), fdexp1(f64x2.extract_lane(x, 1)));
}

/** exp of both lanes, fdlibm's result everywhere (a call where |x| > 700 or NaN). */
@inline export function exp2v(cb: usize, x: v128): v128 {
  if (all2(f64x2.le(v128.andnot(x, C(cb, C_SIGN)), C(cb, C_WIDE)))) return fdexp2(cb, x);
  return expWide(x);
}

/** exp(x) where `ok` is clear, p elsewhere (the slow path behind the Taylor polynomials). */
export function expMerge(cb: usize, x: v128, p: v128, ok: v128): v128 {
  return v128.bitselect(p, exp2v(cb, x), ok);
}

/** fastmath.ts expSmall (degree-9 Taylor polynomial), for |x| < 1/32 (the caller checks). */
@inline export function taylor9(cb: usize, x: v128): v128 {
  let p = f64x2.add(C(cb, C_T8), f64x2.mul(x, C(cb, C_T9)));
  p = f64x2.add(C(cb, C_T7), f64x2.mul(x, p));
  p = f64x2.add(C(cb, C_T6), f64x2.mul(x, p));
  p = f64x2.add(C(cb, C_T5), f64x2.mul(x, p));
  p = f64x2.add(C(cb, C_T4), f64x2.mul(x, p));
  p = f64x2.add(C(cb, C_T3), f64x2.mul(x, p));
  p = f64x2.add(C(cb, C_HALF), f64x2.mul(x, p));
  p = f64x2.add(C(cb, C_ONE), f64x2.mul(x, p));
  return f64x2.add(C(cb, C_ONE), f64x2.mul(x, p));
}

/** fastmath.ts hysteresisDecay (degree-6 Taylor polynomial), for x > -2^-8 (the caller checks). */
@inline export function taylor6(cb: usize, x: v128): v128 {
  let p = f64x2.add(C(cb, C_T5), f64x2.mul(x, C(cb, C_T6)));
  p = f64x2.add(C(cb, C_T4), f64x2.mul(x, p));
  p = f64x2.add(C(cb, C_T3), f64x2.mul(x, p));
  p = f64x2.add(C(cb, C_HALF), f64x2.mul(x, p));
  p = f64x2.add(C(cb, C_ONE), f64x2.mul(x, p));
  return f64x2.add(C(cb, C_ONE), f64x2.mul(x, p));
}

/** Lanes where |x| < 1/32 (expSmall's polynomial range; NaN is not). */
@inline export function small9(cb: usize, x: v128): v128 {
  return f64x2.lt(v128.andnot(x, C(cb, C_SIGN)), C(cb, C_SMALL));
}
