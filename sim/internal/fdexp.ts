/**
 * exp(x) by fdlibm's algorithm (e_exp.c, as in V8's ieee754.cc), in plain arithmetic, so that
 * the JS pack path gives the same bits in every engine and the same as the WebAssembly
 * kernel's port (sim/kernel/assembly/exp.ts). Math.exp is not that: V8 computed exactly this
 * up to Node 20, but newer engines round differently in the last bit (Chromium 156 differs
 * from Node 20 on several per cent of arguments), which would part the two paths in a browser.
 */

const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.442695040888963387;
const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.6533902205465251539e-6;
const P5 = 4.13813679705723846039e-8;
const E = 2.718281828459045;
/** Above this exp overflows, below the other it underflows to 0. */
const O_THRESHOLD = 7.09782712893383973096e2;
const U_THRESHOLD = -7.4513321910194110842e2;
const TWO_1023 = 8.988465674311579539e307;
const TWO_M1000 = 9.3326361850321887899e-302;
// fdlibm tests the high word of |x|; as comparisons of |x| with doubles (hex: their bits)
/** |x| >= 709.78 (0x40862E42_00000000): overflow, underflow or not finite. */
const WIDE = 709.7822265625;
/** |x| > 0.5 ln2 (0x3FD62E42_FFFFFFFF): reduce by k ln2. */
const HALF_LN2 = 0.34657359123229975;
/** |x| < 1.5 ln2 (0x3FF0A2B2_00000000): k = ±1. */
const THREE_HALF_LN2 = 1.0397205352783203;
/** |x| < 2^-28 (0x3E300000_00000000): 1 + x. */
const TINY = 2 ** -28;

/** 2^k for K_MIN <= k <= K_MAX, exact: the scaling of the result (by 2^(k + 1000) where k < K_MIN). */
const K_MIN = -1021;
const K_MAX = 1023;
const POW2 = new Float64Array(K_MAX - K_MIN + 1);
for (let k = 0, p = 1; k <= K_MAX; k++, p *= 2) POW2[k - K_MIN] = p;
for (let k = -1, p = 0.5; k >= K_MIN; k--, p /= 2) POW2[k - K_MIN] = p;

/** fdlibm's exp: the value V8's Math.exp gave up to Node 20, to the last bit, for every x. */
export function fdexp(x: number): number {
  const ax = Math.abs(x);
  if (!(ax < WIDE)) {
    if (x !== x) return x + x; // NaN
    if (x > O_THRESHOLD) return Infinity;
    if (x < U_THRESHOLD) return 0;
  }
  let hi = 0;
  let lo = 0;
  let k = 0;
  if (ax > HALF_LN2) {
    const neg = x < 0;
    if (ax < THREE_HALF_LN2) {
      if (x === 1) return E;
      hi = x - (neg ? -LN2_HI : LN2_HI);
      lo = neg ? -LN2_LO : LN2_LO;
      k = neg ? -1 : 1;
    } else {
      k = (INV_LN2 * x + (neg ? -0.5 : 0.5)) | 0; // truncation, as C's (int)
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    x = hi - lo;
  } else if (ax < TINY) {
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - (lo - (x * c) / (2 - c) - hi);
  if (k >= K_MIN) {
    if (k === 1024) return y * 2 * TWO_1023;
    return y * POW2[k - K_MIN]!;
  }
  return y * POW2[k + 1000 - K_MIN]! * TWO_M1000;
}
