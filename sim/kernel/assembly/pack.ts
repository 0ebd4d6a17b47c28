/**
 * The pack step (sim/pack/js.ts prepare() and advance()) as a WebAssembly kernel, two cells at
 * a time in f64x2 lanes. AssemblyScript source; compiled by `npm run build:kernel` to
 * sim/kernel/pack.wasm. Not type-checked by the project's tsc.
 *
 * It evaluates the expressions of the JS path operation for operation, in the same order
 * (IEEE arithmetic is deterministic, and neither side fuses multiply-adds), so the two
 * agree to the last bit wherever they run the same arithmetic. The exponentials are the JS
 * path's: the same Taylor polynomials for small arguments and, elsewhere, a port of
 * fdlibm's exp (the algorithm behind V8's Math.exp).
 *
 * Memory: the host lays out one linear memory per pack (../layout.ts, ../index.ts) and calls
 * init() once; prepare() and advance() then work on it in place. Per-cell arrays are padded
 * to an even length; the last pair of an odd pack has a phantom lane whose slots the host
 * fills with a benign, disconnected cell, and which never enters a group sum.
 *
 * The step runs in passes, each a loop over pairs of cells that keeps few values live (V8's
 * register allocator spills the rest, and whatever lives across a call, even a cold one):
 * prepare: lookups (+ Arrhenius), tables, decays, group sums; advance: group voltages,
 * cells. Exponentials take their Taylor polynomials where both lanes are in range, else a
 * slow path: a call, or (in cells) a second pass over the few cells concerned.
 */
import {
  H_PACK_A, H_PACK_B, H_PACK_V, H_N, H_NP, H_NS, H_NRC, H_NX, H_NCAP,
  H_X0, H_XN, H_INV_BW, H_TREF, H_INV_TREF, H_EA0, H_EARC, H_CAP_TOP, H_RCONN, H_BUSBAR, H_ETA_C,
  H_Z, H_V1, H_V2, H_H, H_T, H_TN, H_RS, H_IRS, H_CONN, H_SHUNT, H_KZ, H_KH, H_DECAY, H_INVH,
  H_KL, H_KR, H_VOLT, H_CUR, H_TCUR, H_HEAT, H_GVC, H_W, H_SUMG, H_SUMGE, H_INV_SUMG, H_GV,
  H_TAB, H_XS, H_INVW, H_BUCKET, H_CAPT, H_CAPF, H_LT, H_LROW, H_F0, H_FR, H_CONST, H_LS, H_IMPLICIT,
  WF_E, WF_ETH, WF_RTH, WF_R0, WF_G, WF_A1, WF_A2, WF_B1, WF_B2, WF_IR1, WF_IR2, WF_M, WF_DU, WF_ET, WF_RT,
  W_FIELDS,
  TAB_ROW, CONST_BASE, HOST_BASE,
} from "../layout";

const KELVIN: f64 = 273.15;
/** Bytes of one pair's scratch. */
const WB: usize = <usize>W_FIELDS << 4;
const RB: usize = <usize>TAB_ROW << 3;

// ---------------------------------------------------------------------------------------
// Vector constants, in memory at CONST_BASE (written by init()). Loops load them relative
// to a base read at run time, one instruction each, where an immediate f64x2 costs V8
// three whenever it is rematerialised. C(cb, X) is the constant X; cb = cbase().
// ---------------------------------------------------------------------------------------

const C_ONE = 0;
const C_MINUS_ONE = 1;
const C_HALF = 2;
const C_KELVIN = 3;
const C_T9 = 4; // 1/9!, 1/8!, ..., 1/3!
const C_T8 = 5;
const C_T7 = 6;
const C_T6 = 7;
const C_T5 = 8;
const C_T4 = 9;
const C_T3 = 10;
const C_SMALL = 11; // 1/32
const C_HYST = 12; // -2^-8
const C_LN2_HI = 13;
const C_LN2_LO = 14;
const C_INV_LN2 = 15;
const C_P1 = 16;
const C_P2 = 17;
const C_P3 = 18;
const C_P4 = 19;
const C_P5 = 20;
const C_E = 21;
const C_HALF_LN2 = 22; // the largest |x| whose high word is 0x3FD62E42
const C_TINY = 23; // 2^-28
const C_TWO = 24;
const C_WIDE = 25; // 700
const C_SIGN = 26; // sign bit
const C_SCALE = 27; // 2^52 + 1023
const C_COUNT = 28;

@inline function C(cb: usize, i: i32): v128 {
  return v128.load(cb + (<usize>i << 4));
}

/** CONST_BASE, from the header (an i32 there): opaque to the optimizer, so it stays a register. */
@inline function cbase(): usize {
  return load<u32>(<usize>H_CONST << 3);
}

/** Both lanes' bits set (i64x2 masks: 3 = all, 0 = none). */
@inline function all2(mask: v128): bool {
  return i64x2.bitmask(mask) == 3;
}

// ---------------------------------------------------------------------------------------
// Configuration, read from the header by init()
// ---------------------------------------------------------------------------------------

let n: i32 = 0;
let np: i32 = 0;
let ns: i32 = 0;
let nRC: i32 = 0;
let nx: i32 = 0;
let nCap: i32 = 0;
let x0: f64 = 0;
let xN: f64 = 0;
let invBw: f64 = 0;
let Tref: f64 = 0;
let invTref: f64 = 0;
let ea0: f64 = 0;
let eaRC: f64 = 0;
let capTop: f64 = 0;
let rConn: f64 = 0;
let busbar: f64 = 0;
let etaC: f64 = 0;
let sinkT: f64 = 0;
let implicit: bool = false;

let pZ: usize = 0;
let pV1: usize = 0;
let pV2: usize = 0;
let pH: usize = 0;
let pT: usize = 0;
let pTn: usize = 0;
let pRs: usize = 0;
let pIrs: usize = 0;
let pConn: usize = 0;
let pShunt: usize = 0;
let pKz: usize = 0;
let pKh: usize = 0;
let pDecay: usize = 0;
let pInvH: usize = 0;
let pKl: usize = 0;
let pKr: usize = 0;
let pVolt: usize = 0;
let pCur: usize = 0;
let pTcur: usize = 0;
let pHeat: usize = 0;
let pGvc: usize = 0;
let pW: usize = 0;
let pSumG: usize = 0;
let pSumGE: usize = 0;
let pInvSumG: usize = 0;
let pGv: usize = 0;
let pTab: usize = 0;
let pXs: usize = 0;
let pInvW: usize = 0;
let pBucket: usize = 0;
let pCapT: usize = 0;
let pCapF: usize = 0;
let pLt: usize = 0;
let pLrow: usize = 0;
let pF0: usize = 0;
let pFr: usize = 0;
let pLs: usize = 0;

@inline function hf(slot: i32): f64 {
  return load<f64>(<usize>slot << 3);
}
@inline function hi(slot: i32): i32 {
  return <i32>load<f64>(<usize>slot << 3);
}
@inline function hp(slot: i32): usize {
  return <usize>load<f64>(<usize>slot << 3);
}
@inline function ld(p: usize): f64 {
  return load<f64>(p);
}
@inline function setC(i: i32, v: v128): void {
  v128.store(<usize>(CONST_BASE + (i << 4)), v);
}

/** Read the configuration from the header and write the constants. Call once, before stepping. */
export function init(): void {
  if (CONST_BASE + (C_COUNT << 4) > HOST_BASE) unreachable();
  setC(C_ONE, f64x2.splat(1.0));
  setC(C_MINUS_ONE, f64x2.splat(-1.0));
  setC(C_HALF, f64x2.splat(0.5));
  setC(C_KELVIN, f64x2.splat(KELVIN));
  setC(C_T9, f64x2.splat(1.0 / 362880.0));
  setC(C_T8, f64x2.splat(1.0 / 40320.0));
  setC(C_T7, f64x2.splat(1.0 / 5040.0));
  setC(C_T6, f64x2.splat(1.0 / 720.0));
  setC(C_T5, f64x2.splat(1.0 / 120.0));
  setC(C_T4, f64x2.splat(1.0 / 24.0));
  setC(C_T3, f64x2.splat(1.0 / 6.0));
  setC(C_SMALL, f64x2.splat(0.03125));
  setC(C_HYST, f64x2.splat(-0.00390625));
  setC(C_LN2_HI, f64x2.splat(LN2_HI));
  setC(C_LN2_LO, f64x2.splat(LN2_LO));
  setC(C_INV_LN2, f64x2.splat(INV_LN2));
  setC(C_P1, f64x2.splat(P1));
  setC(C_P2, f64x2.splat(P2));
  setC(C_P3, f64x2.splat(P3));
  setC(C_P4, f64x2.splat(P4));
  setC(C_P5, f64x2.splat(P5));
  setC(C_E, f64x2.splat(E));
  setC(C_HALF_LN2, f64x2.splat(reinterpret<f64>(0x3FD62E42FFFFFFFF)));
  setC(C_TINY, f64x2.splat(reinterpret<f64>(0x3E30000000000000)));
  setC(C_TWO, f64x2.splat(2.0));
  setC(C_WIDE, f64x2.splat(700.0));
  setC(C_SIGN, i64x2.splat(0x8000000000000000));
  setC(C_SCALE, f64x2.splat(4503599627371519.0)); // 2^52 + 1023
  store<u64>(<usize>H_CONST << 3, <u64>CONST_BASE);

  n = hi(H_N);
  np = hi(H_NP);
  ns = hi(H_NS);
  nRC = hi(H_NRC);
  nx = hi(H_NX);
  nCap = hi(H_NCAP);
  x0 = hf(H_X0);
  xN = hf(H_XN);
  invBw = hf(H_INV_BW);
  Tref = hf(H_TREF);
  invTref = hf(H_INV_TREF);
  ea0 = hf(H_EA0);
  eaRC = hf(H_EARC);
  capTop = hf(H_CAP_TOP);
  rConn = hf(H_RCONN);
  busbar = hf(H_BUSBAR);
  etaC = hf(H_ETA_C);
  implicit = hf(H_IMPLICIT) != 0;
  pLs = hp(H_LS);
  pZ = hp(H_Z);
  pV1 = hp(H_V1);
  pV2 = hp(H_V2);
  pH = hp(H_H);
  pT = hp(H_T);
  pTn = hp(H_TN);
  pRs = hp(H_RS);
  pIrs = hp(H_IRS);
  pConn = hp(H_CONN);
  pShunt = hp(H_SHUNT);
  pKz = hp(H_KZ);
  pKh = hp(H_KH);
  pDecay = hp(H_DECAY);
  pInvH = hp(H_INVH);
  pKl = hp(H_KL);
  pKr = hp(H_KR);
  pVolt = hp(H_VOLT);
  pCur = hp(H_CUR);
  pTcur = hp(H_TCUR);
  pHeat = hp(H_HEAT);
  pGvc = hp(H_GVC);
  pW = hp(H_W);
  pSumG = hp(H_SUMG);
  pSumGE = hp(H_SUMGE);
  pInvSumG = hp(H_INV_SUMG);
  pGv = hp(H_GV);
  pTab = hp(H_TAB);
  pXs = hp(H_XS);
  pInvW = hp(H_INVW);
  pBucket = hp(H_BUCKET);
  pCapT = hp(H_CAPT);
  pCapF = hp(H_CAPF);
  pLt = hp(H_LT);
  pLrow = hp(H_LROW);
  pF0 = hp(H_F0);
  pFr = eaRC == ea0 ? pF0 : hp(H_FR);
  // Arrhenius factors stay 1 where Ea = 0
  const nE = (n + 1) & ~1;
  for (let i = 0; i < nE; i++) {
    store<f64>(pF0 + (<usize>i << 3), 1.0);
    store<f64>(hp(H_FR) + (<usize>i << 3), 1.0);
  }
}

// ---------------------------------------------------------------------------------------
// exp
// ---------------------------------------------------------------------------------------

// fdlibm e_exp.c constants
const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const INV_LN2: f64 = 1.44269504088896338700e+00;
const P1: f64 = 1.66666666666666019037e-01;
const P2: f64 = -2.77777777770155933842e-03;
const P3: f64 = 6.61375632143793436117e-05;
const P4: f64 = -1.65339022054652515390e-06;
const P5: f64 = 4.13813679705723846039e-08;
const E: f64 = 2.718281828459045;

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
function fdexp1(x: f64): f64 {
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
@inline function exp2v(cb: usize, x: v128): v128 {
  if (all2(f64x2.le(v128.andnot(x, C(cb, C_SIGN)), C(cb, C_WIDE)))) return fdexp2(cb, x);
  return expWide(x);
}

/** exp(x) where `ok` is clear, p elsewhere (the slow path behind the Taylor polynomials). */
function expMerge(cb: usize, x: v128, p: v128, ok: v128): v128 {
  return v128.bitselect(p, exp2v(cb, x), ok);
}

/** fastmath.ts expSmall (degree-9 Taylor polynomial), for |x| < 1/32 (the caller checks). */
@inline function taylor9(cb: usize, x: v128): v128 {
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
@inline function taylor6(cb: usize, x: v128): v128 {
  let p = f64x2.add(C(cb, C_T5), f64x2.mul(x, C(cb, C_T6)));
  p = f64x2.add(C(cb, C_T4), f64x2.mul(x, p));
  p = f64x2.add(C(cb, C_T3), f64x2.mul(x, p));
  p = f64x2.add(C(cb, C_HALF), f64x2.mul(x, p));
  p = f64x2.add(C(cb, C_ONE), f64x2.mul(x, p));
  return f64x2.add(C(cb, C_ONE), f64x2.mul(x, p));
}

/** Lanes where |x| < 1/32 (expSmall's polynomial range; NaN is not). */
@inline function small9(cb: usize, x: v128): v128 {
  return f64x2.lt(v128.andnot(x, C(cb, C_SIGN)), C(cb, C_SMALL));
}

/** exp by the kernel's vector path (|x| <= 700) and by its scalar path, one value (tests). */
export function exp2(x: f64): f64 {
  return f64x2.extract_lane(exp2v(cbase(), f64x2.splat(x)), 0);
}
export function exp1(x: f64): f64 {
  return fdexp1(x);
}

/** First byte past the kernel's static data (none expected); the host lays out memory from there. */
export function heapBase(): usize {
  return __heap_base;
}

// ---------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------

/** Low-temperature capacity factor at T (pack/tables.ts capacityFactorAt). */
function capacityFactorAt(T: f64): f64 {
  const m = nCap;
  if (T <= ld(pCapT)) return ld(pCapF);
  if (T >= ld(pCapT + ((<usize>(m - 1)) << 3))) return ld(pCapF + ((<usize>(m - 1)) << 3));
  let j: usize = 0;
  while (ld(pCapT + ((j + 1) << 3)) <= T) j++;
  const t0 = ld(pCapT + (j << 3));
  const f0 = ld(pCapF + (j << 3));
  return f0 + ((T - t0) / (ld(pCapT + ((j + 1) << 3)) - t0)) * (ld(pCapF + ((j + 1) << 3)) - f0);
}

// ---------------------------------------------------------------------------------------
// prepare
// ---------------------------------------------------------------------------------------

/**
 * pack/js.ts prepare(): every cell's tables at (z_k, T_k), the open-circuit part of its
 * voltage, its branch conductance, the RC decays; then the group sums and packA/packB.
 */
export function prepare(sinkT_C: f64, dt: f64): void {
  sinkT = sinkT_C;
  if (ea0 != 0 && eaRC == ea0) lookups(true); // one Arrhenius factor (the usual case), along
  else {
    lookups(false);
    if (ea0 != 0 || eaRC != 0) arrhenius();
  }
  if (nRC == 2) {
    tables(2, dt);
    decays(2);
  } else if (nRC == 1) {
    tables(1, dt);
    decays(1);
  } else {
    tables(0, dt);
  }
  if (implicit) {
    if (nRC == 2) endOfStep(2);
    else if (nRC == 1) endOfStep(1);
    else endOfStep(0);
  }
  if ((np & 1) == 0) groupsEven();
  else groups();
  if (implicit) implicitLinear();
}

/** SOC grid segment of one cell (lookup SOC zl, inside the grid): its index. */
@inline function segment(zl: f64, s: i32): i32 {
  // s: the first segment of zl's bucket; it may lie one before (rounding of the bucket
  // index) or some after
  const xs = pXs;
  while (s > 0 && ld(xs + (<usize>s << 3)) > zl) s--;
  while (ld(xs + ((<usize>s + 1) << 3)) <= zl) s++;
  return s;
}

/** Lookup SOC, segment and fraction of cell i, one at a time (clamped or cold cells). */
function lookupCell(i: i32): void {
  const o = <usize>i << 3;
  let zl = ld(pZ + o);
  const Tk = ld(pT + o);
  const cold = Tk < capTop;
  let invF: f64 = 1;
  if (cold) {
    // low-temperature capacity: the lookup SOC
    invF = 1 / capacityFactorAt(Tk);
    zl = zl - (1 - zl) * (invF - 1);
  }
  let s: i32;
  let t: f64;
  let L: f64 = 0;
  if (zl <= x0) {
    s = 0;
    t = 0;
  } else if (zl >= xN) {
    s = nx > 1 ? nx - 2 : 0; // one breakpoint: its row (slopes 0)
    t = 1;
  } else {
    s = segment(zl, load<i32>(pBucket + ((<usize><i32>((zl - x0) * invBw)) << 2)));
    t = (zl - ld(pXs + (<usize>s << 3))) * ld(pInvW + (<usize>s << 3));
    // dOCV/dz: the OCV slope of the row (its 9th f64), per unit lookup SOC, times dzl/dz = 1/f
    L = ld(pTab + <usize>s * RB + 64) * ld(pInvW + (<usize>s << 3));
    if (cold) L = L * invF;
  }
  store<f64>(pLs + o, L);
  store<f64>(pLt + o, t);
  store<u32>(pLrow + (<usize>i << 2), <u32>(pTab + <usize>s * RB));
}

/**
 * Per cell: the SOC grid segment (as its table row's address) and the fraction in it. Two
 * cells at a time where both are inside the grid and warm; else lookupCell(). With
 * Arrhenius: also the one Arrhenius factor of R0 and the RC resistances (an exp chain whose
 * latency the lookups' scalar work hides).
 */
@inline function lookupsPass(withArrhenius: bool): void {
  const cb = cbase();
  const f0p = pF0;
  const INV_TREF = f64x2.splat(invTref);
  const EA0 = f64x2.splat(ea0);
  const nPairs = (n + 1) >> 1;
  const xs = pXs;
  const invW = pInvW;
  const bucket = pBucket;
  const tab = pTab;
  const z = pZ;
  const T = pT;
  const lt = pLt;
  const lrow = pLrow;
  const X0 = f64x2.splat(x0);
  const XN = f64x2.splat(xN);
  const INV_BW = f64x2.splat(invBw);
  const TOP = f64x2.splat(capTop);
  for (let k = 0; k < nPairs; k++) {
    const o: usize = <usize>k << 4;
    const zl = v128.load(z + o);
    const Tk = v128.load(T + o);
    if (withArrhenius) {
      // exp(Ea/R (1/(T+273.15) - 1/T_ref)), the factor of R0 and of the RC resistances
      const xa = f64x2.sub(f64x2.div(C(cb, C_ONE), f64x2.add(Tk, C(cb, C_KELVIN))), INV_TREF);
      v128.store(f0p + o, exp2v(cb, f64x2.mul(EA0, xa)));
    }
    // cold (low-temperature capacity) or outside the grid: one cell at a time
    const fast = v128.andnot(v128.and(f64x2.gt(zl, X0), f64x2.lt(zl, XN)), f64x2.lt(Tk, TOP));
    if (i64x2.bitmask(fast) != 3) {
      lookupCell(k << 1);
      lookupCell((k << 1) + 1);
      continue;
    }
    const b = i32x4.trunc_sat_f64x2_s_zero(f64x2.mul(f64x2.sub(zl, X0), INV_BW));
    const sA = segment(f64x2.extract_lane(zl, 0), load<i32>(bucket + (<usize>i32x4.extract_lane(b, 0) << 2)));
    const sB = segment(f64x2.extract_lane(zl, 1), load<i32>(bucket + (<usize>i32x4.extract_lane(b, 1) << 2)));
    const oA = <usize>sA << 3;
    const oB = <usize>sB << 3;
    const x = v128.load64_lane(xs + oB, v128.load64_zero(xs + oA), 1);
    const iw = v128.load64_lane(invW + oB, v128.load64_zero(invW + oA), 1);
    v128.store(lt + o, f64x2.mul(f64x2.sub(zl, x), iw));
    if (implicit) {
      const so = v128.load64_lane(tab + <usize>sB * RB + 64, v128.load64_zero(tab + <usize>sA * RB + 64), 1);
      v128.store(pLs + o, f64x2.mul(so, iw));
    }
    store<u32>(lrow + (<usize>k << 3), <u32>(tab + <usize>sA * RB));
    store<u32>(lrow + (<usize>k << 3), <u32>(tab + <usize>sB * RB), 4);
  }
}
function lookups(withArrhenius: bool): void {
  if (withArrhenius) lookupsPass(true);
  else lookupsPass(false); // (two copies of the loop, each without the test)
}

/**
 * Arrhenius factors exp(Ea/R (1/(T+273.15) - 1/T_ref)) of R0 and of the RC resistances, when
 * they differ (one factor for both: lookups(true)). A factor whose Ea is 0 stays 1.
 */
function arrhenius(): void {
  const cb = cbase();
  const nPairs = (n + 1) >> 1;
  const T = pT;
  const f0p = pF0;
  const frp = pFr;
  const INV_TREF = f64x2.splat(invTref);
  const EA0 = f64x2.splat(ea0);
  const EARC = f64x2.splat(eaRC);
  const has0 = ea0 != 0;
  const hasRC = eaRC != 0;
  for (let k = 0; k < nPairs; k++) {
    const o: usize = <usize>k << 4;
    const xa = f64x2.sub(f64x2.div(C(cb, C_ONE), f64x2.add(v128.load(T + o), C(cb, C_KELVIN))), INV_TREF);
    if (has0) v128.store(f0p + o, exp2v(cb, f64x2.mul(EA0, xa)));
    if (hasRC) v128.store(frp + o, exp2v(cb, f64x2.mul(EARC, xa)));
  }
}

/**
 * Per pair: table values (value + t * slope, two tables a vector per cell, then regrouped
 * per table), R0, E, per RC branch R, 1/R and -dt/(RC) (in the fields of a and R (1 - a),
 * which decays() computes from them); the Thevenin equivalent of a cell with a shunt, and
 * the branch conductance into the group.
 */
@inline function tables(nrc: i32, dt: f64): void {
  const cb = cbase();
  const nPairs = (n + 1) >> 1;
  const lt = pLt;
  const lrow = pLrow;
  const T = pT;
  const h = pH;
  const v1 = pV1;
  const v2 = pV2;
  const rsP = pRs;
  const irsP = pIrs;
  const f0p = pF0;
  const frp = pFr;
  const w = pW;
  const conn = pConn;
  const shunt = pShunt;
  const RCONN = f64x2.splat(rConn);
  const TREF = f64x2.splat(Tref);
  const NDT = f64x2.splat(-dt);
  for (let k = 0; k < nPairs; k++) {
    const o: usize = <usize>k << 4;
    const wp = w + <usize>k * WB;
    const tt = v128.load(lt + o);
    const ttA = f64x2.shuffle(tt, tt, 0, 0);
    const ttB = f64x2.shuffle(tt, tt, 1, 1);
    const bA = <usize>load<u32>(lrow + (<usize>k << 3));
    const bB = <usize>load<u32>(lrow + (<usize>k << 3), 4);
    const odA = f64x2.add(v128.load(bA, 0), f64x2.mul(ttA, v128.load(bA, 64)));
    const odB = f64x2.add(v128.load(bB, 0), f64x2.mul(ttB, v128.load(bB, 64)));
    const mrA = f64x2.add(v128.load(bA, 16), f64x2.mul(ttA, v128.load(bA, 80)));
    const mrB = f64x2.add(v128.load(bB, 16), f64x2.mul(ttB, v128.load(bB, 80)));
    const ocv = f64x2.shuffle(odA, odB, 0, 2);
    const du = f64x2.shuffle(odA, odB, 1, 3);
    const m = f64x2.shuffle(mrA, mrB, 0, 2);
    const rs = v128.load(rsP + o);
    const r0 = f64x2.mul(f64x2.mul(f64x2.shuffle(mrA, mrB, 1, 3), v128.load(f0p + o)), rs);
    v128.store(wp, r0, WF_R0 << 4);
    v128.store(wp, m, WF_M << 4);
    v128.store(wp, du, WF_DU << 4);
    let e = f64x2.add(
      f64x2.add(ocv, f64x2.mul(du, f64x2.sub(v128.load(T + o), TREF))),
      f64x2.mul(m, v128.load(h + o)),
    );
    if (nrc > 0) {
      const fr = v128.load(frp + o);
      const irs = v128.load(irsP + o);
      const rcA = f64x2.add(v128.load(bA, 32), f64x2.mul(ttA, v128.load(bA, 96)));
      const rcB = f64x2.add(v128.load(bB, 32), f64x2.mul(ttB, v128.load(bB, 96)));
      const r1 = f64x2.mul(f64x2.mul(f64x2.shuffle(rcA, rcB, 0, 2), fr), rs);
      const c1 = f64x2.mul(f64x2.shuffle(rcA, rcB, 1, 3), irs);
      e = f64x2.add(e, v128.load(v1 + o));
      const inv = f64x2.div(C(cb, C_ONE), f64x2.mul(r1, c1));
      v128.store(wp, f64x2.mul(NDT, inv), WF_A1 << 4);
      v128.store(wp, r1, WF_B1 << 4);
      v128.store(wp, f64x2.mul(inv, c1), WF_IR1 << 4);
      if (nrc > 1) {
        const rcA2 = f64x2.add(v128.load(bA, 48), f64x2.mul(ttA, v128.load(bA, 112)));
        const rcB2 = f64x2.add(v128.load(bB, 48), f64x2.mul(ttB, v128.load(bB, 112)));
        const r2 = f64x2.mul(f64x2.mul(f64x2.shuffle(rcA2, rcB2, 0, 2), fr), rs);
        const c2 = f64x2.mul(f64x2.shuffle(rcA2, rcB2, 1, 3), irs);
        e = f64x2.add(e, v128.load(v2 + o));
        const inv2 = f64x2.div(C(cb, C_ONE), f64x2.mul(r2, c2));
        v128.store(wp, f64x2.mul(NDT, inv2), WF_A2 << 4);
        v128.store(wp, r2, WF_B2 << 4);
        v128.store(wp, f64x2.mul(inv2, c2), WF_IR2 << 4);
      }
    }
    v128.store(wp, e, WF_E << 4);
    if (implicit) {
      // R0 + k L + kh M (pack/js.ts prepare); endOfStep() adds the RC terms
      const L = v128.load(pLs + o);
      const Lp = v128.bitselect(L, f64x2.splat(0), f64x2.gt(L, f64x2.splat(0)));
      const rt = f64x2.add(f64x2.add(r0, f64x2.mul(v128.load(pKz + o), Lp)), f64x2.mul(v128.load(pKh + o), m));
      v128.store(wp, rt, WF_RT << 4);
      continue;
    }
    // a shunt across the cell: its Thevenin equivalent; then the branch conductance
    const gsh = v128.load(shunt + o);
    let eth = e;
    let rth = r0;
    const hasShunt = f64x2.ne(gsh, f64x2.splat(0));
    if (v128.any_true(hasShunt)) {
      const y = f64x2.add(f64x2.div(C(cb, C_ONE), r0), gsh);
      eth = v128.bitselect(f64x2.div(f64x2.div(e, r0), y), e, hasShunt);
      rth = v128.bitselect(f64x2.div(C(cb, C_ONE), y), r0, hasShunt);
    }
    v128.store(wp, eth, WF_ETH << 4);
    v128.store(wp, rth, WF_RTH << 4);
    v128.store(wp, f64x2.div(v128.load(conn + o), f64x2.add(rth, RCONN)), WF_G << 4);
  }
}

/**
 * Per pair: the RC decays a = exp(-dt/(RC)) (expSmall) and R (1 - a), in place of -dt/(RC)
 * and R. A loop of its own: the Taylor polynomials are latency-bound chains, and the slow
 * path is a call.
 */
@inline function decays(nrc: i32): void {
  const cb = cbase();
  const nPairs = (n + 1) >> 1;
  const w = pW;
  for (let k = 0; k < nPairs; k++) {
    const wp = w + <usize>k * WB;
    const x1 = v128.load(wp, WF_A1 << 4);
    let a1 = taylor9(cb, x1);
    if (nrc > 1) {
      const x2 = v128.load(wp, WF_A2 << 4);
      let a2 = taylor9(cb, x2);
      const ok1 = small9(cb, x1);
      const ok2 = small9(cb, x2);
      if (!all2(v128.and(ok1, ok2))) {
        a1 = expMerge(cb, x1, a1, ok1);
        a2 = expMerge(cb, x2, a2, ok2);
      }
      v128.store(wp, a2, WF_A2 << 4);
      v128.store(wp, f64x2.mul(v128.load(wp, WF_B2 << 4), f64x2.sub(C(cb, C_ONE), a2)), WF_B2 << 4);
    } else {
      const ok1 = small9(cb, x1);
      if (!all2(ok1)) a1 = expMerge(cb, x1, a1, ok1);
    }
    v128.store(wp, a1, WF_A1 << 4);
    v128.store(wp, f64x2.mul(v128.load(wp, WF_B1 << 4), f64x2.sub(C(cb, C_ONE), a1)), WF_B1 << 4);
  }
}

/**
 * Implicit split (pack/js.ts balanceEndOfStep), per pair: the end-of-step source
 * E~ = E - Σ (1 - a_j) v_j and resistance R~ = (R0 + k L + kh M) + Σ R_j (1 - a_j), their
 * Thevenin equivalent with a shunt, and the branch conductance.
 */
@inline function endOfStep(nrc: i32): void {
  const cb = cbase();
  const nPairs = (n + 1) >> 1;
  const w = pW;
  const RCONN = f64x2.splat(rConn);
  for (let k = 0; k < nPairs; k++) {
    const o: usize = <usize>k << 4;
    const wp = w + <usize>k * WB;
    let et = v128.load(wp, WF_E << 4);
    let rt = v128.load(wp, WF_RT << 4);
    if (nrc > 0) {
      et = f64x2.sub(et, f64x2.mul(f64x2.sub(C(cb, C_ONE), v128.load(wp, WF_A1 << 4)), v128.load(pV1 + o)));
      rt = f64x2.add(rt, v128.load(wp, WF_B1 << 4));
    }
    if (nrc > 1) {
      et = f64x2.sub(et, f64x2.mul(f64x2.sub(C(cb, C_ONE), v128.load(wp, WF_A2 << 4)), v128.load(pV2 + o)));
      rt = f64x2.add(rt, v128.load(wp, WF_B2 << 4));
    }
    v128.store(wp, et, WF_ET << 4);
    v128.store(wp, rt, WF_RT << 4);
    const gsh = v128.load(pShunt + o);
    let eth = et;
    let rth = rt;
    const hasShunt = f64x2.ne(gsh, f64x2.splat(0));
    if (v128.any_true(hasShunt)) {
      const y = f64x2.add(f64x2.div(C(cb, C_ONE), rt), gsh);
      eth = v128.bitselect(f64x2.div(f64x2.div(et, rt), y), et, hasShunt);
      rth = v128.bitselect(f64x2.div(C(cb, C_ONE), y), rt, hasShunt);
    }
    v128.store(wp, eth, WF_ETH << 4);
    v128.store(wp, rth, WF_RTH << 4);
    v128.store(wp, f64x2.div(v128.load(pConn + o), f64x2.add(rth, RCONN)), WF_G << 4);
  }
}

/** Field f of cell i in the pair scratch. */
@inline function wf(i: i32, f: i32): f64 {
  return ld(pW + <usize>(i >> 1) * WB + (<usize>(i & 1) << 3) + (<usize>f << 4));
}

/**
 * Implicit split: packA/packB, the group voltage being the conductance-weighted mean of its
 * cells' node voltages (pack/js.ts balanceEndOfStep, after the group sums).
 */
function implicitLinear(): void {
  let A: f64 = 0;
  let B: f64 = busbar;
  for (let g = 0, i0 = 0; g < ns; g++, i0 += np) {
    const go = <usize>g << 3;
    const sG = ld(pSumG + go);
    if (!(sG > 0)) {
      B = Infinity;
      continue;
    }
    const inv = ld(pInvSumG + go);
    const sGE = ld(pSumGE + go);
    let Ag: f64 = 0;
    let Bg: f64 = 0;
    for (let i = i0; i < i0 + np; i++) {
      const gi = wf(i, WF_G);
      const wt = gi * inv;
      const at = gi * (sGE * inv - wf(i, WF_ETH));
      let aI = at;
      let bI = wt;
      if (ld(pShunt + (<usize>i << 3)) != 0) {
        const rt = wf(i, WF_RT);
        aI = (wf(i, WF_ETH) + wf(i, WF_RTH) * at - wf(i, WF_ET)) / rt;
        bI = (wf(i, WF_RTH) * wt) / rt;
      }
      const r0 = wf(i, WF_R0);
      Ag += wt * (wf(i, WF_E) + r0 * aI + rConn * at);
      Bg += wt * (r0 * bI + rConn * wt);
    }
    A += Ag;
    B += Bg;
  }
  store<f64>(<usize>H_PACK_A << 3, A);
  store<f64>(<usize>H_PACK_B << 3, B);
}

/**
 * Implicit split, after cells(): each group's voltage, the weighted mean of its cells' node
 * voltages (an open group keeps its floating voltage), and the pack voltage.
 */
function groupMeans(I: f64): void {
  let Vpack = busbar * I;
  for (let g = 0, i0 = 0; g < ns; g++, i0 += np) {
    const go = <usize>g << 3;
    let v = ld(pGv + go);
    if (ld(pSumG + go) > 0) {
      const inv = ld(pInvSumG + go);
      let Vm: f64 = 0;
      for (let i = i0; i < i0 + np; i++) {
        const o = <usize>i << 3;
        Vm += wf(i, WF_G) * inv * (ld(pVolt + o) + rConn * ld(pTcur + o));
      }
      v = Vm;
    }
    store<f64>(pGv + go, v);
    Vpack += v;
  }
  store<f64>(<usize>H_PACK_V << 3, Vpack);
}

/** groups() for an even number of cells per group: whole pairs, loaded as vectors. */
function groupsEven(): void {
  const w = pW;
  const pairsPerGroup = np >> 1;
  let A: f64 = 0;
  let B: f64 = busbar;
  for (let g = 0, k = 0; g < ns; g++) {
    let sG: f64 = 0;
    let sGE: f64 = 0;
    for (let p = 0; p < pairsPerGroup; p++, k++) {
      const wp = w + <usize>k * WB;
      const G = v128.load(wp, WF_G << 4);
      const GE = f64x2.mul(G, v128.load(wp, WF_ETH << 4));
      sG = sG + f64x2.extract_lane(G, 0) + f64x2.extract_lane(G, 1);
      sGE = sGE + f64x2.extract_lane(GE, 0) + f64x2.extract_lane(GE, 1);
    }
    const go = <usize>g << 3;
    store<f64>(pSumG + go, sG);
    store<f64>(pSumGE + go, sGE);
    if (sG > 0) {
      const inv = 1 / sG;
      store<f64>(pInvSumG + go, inv);
      A += sGE * inv;
      B += inv;
    } else {
      store<f64>(pInvSumG + go, 0);
      B = Infinity;
    }
  }
  store<f64>(<usize>H_PACK_A << 3, A);
  store<f64>(<usize>H_PACK_B << 3, B);
}

/** Group sums in cell order, 1/sum, and the pack's linear form packA + packB * I. */
function groups(): void {
  const w = pW;
  const npg = np;
  let A: f64 = 0;
  let B: f64 = busbar;
  for (let g = 0, i = 0; g < ns; g++) {
    let sG: f64 = 0;
    let sGE: f64 = 0;
    for (let p = 0; p < npg; p++, i++) {
      const a = w + <usize>(i >> 1) * WB + (<usize>(i & 1) << 3);
      const gi = ld(a + (WF_G << 4));
      sG += gi;
      sGE += gi * ld(a + (WF_ETH << 4));
    }
    const go = <usize>g << 3;
    store<f64>(pSumG + go, sG);
    store<f64>(pSumGE + go, sGE);
    // V_g = (I + sGE) / sG; a group with every cell disconnected is open (packB = Infinity)
    if (sG > 0) {
      const inv = 1 / sG;
      store<f64>(pInvSumG + go, inv);
      A += sGE * inv;
      B += inv;
    } else {
      store<f64>(pInvSumG + go, 0);
      B = Infinity;
    }
  }
  store<f64>(<usize>H_PACK_A << 3, A);
  store<f64>(<usize>H_PACK_B << 3, B);
}

// ---------------------------------------------------------------------------------------
// advance
// ---------------------------------------------------------------------------------------

/**
 * pack/js.ts advance(I): split I over each group, report V_k, I_k, q_k and move every cell to
 * k+1 (writes the temperature to the other buffer and swaps them, as the host does).
 */
export function advance(I: f64): void {
  groupVoltages(I);
  const npg = np;
  let slow: bool;
  if (nRC == 2) {
    if (npg == 2) slow = cells(2, 2);
    else if (npg == 1) slow = cells(2, 1);
    else slow = cells(2, 0);
  } else if (nRC == 1) slow = cells(1, 0);
  else slow = cells(0, 0);
  if (slow) hysteresisOutsideTaylor();
  if (implicit) groupMeans(I);
  const T = pT;
  pT = pTn;
  pTn = T;
  store<f64>(<usize>H_T << 3, <f64>pT);
  store<f64>(<usize>H_TN << 3, <f64>pTn);
}

/** Group node voltages (per group; per cell too where cells() needs it) and the pack voltage. */
function groupVoltages(I: f64): void {
  const w = pW;
  const npg = np;
  const gvc = pGvc;
  const perCell = nRC != 2 || (npg != 1 && npg != 2);
  let Vpack = busbar * I;
  for (let g = 0, i = 0; g < ns; g++) {
    const go = <usize>g << 3;
    const sG = ld(pSumG + go);
    // an open group (every cell disconnected) floats at its first cell's source
    const Vg = sG > 0
      ? (I + ld(pSumGE + go)) * ld(pInvSumG + go)
      : ld(w + <usize>(i >> 1) * WB + (<usize>(i & 1) << 3) + (WF_ETH << 4));
    store<f64>(pGv + go, Vg);
    Vpack += Vg;
    if (perCell) for (let p = 0; p < npg; p++) store<f64>(gvc + (<usize>(i + p) << 3), Vg);
    i += npg;
  }
  store<f64>(<usize>H_PACK_V << 3, Vpack);
}

/**
 * Per pair: terminal and cell currents, voltages, heat; SOC, RC voltages, hysteresis and
 * temperature at k+1. groupsOf: 2 = a pair is a group, 1 = a cell is, 0 = any (group
 * voltages per cell). The hysteresis decay by its Taylor polynomial alone: true if one's
 * argument was outside its range (that cell's h is left at h_k for hysteresisOutsideTaylor()).
 */
@inline function cells(nrc: i32, groupsOf: i32): bool {
  const cb = cbase();
  const nPairs = (n + 1) >> 1;
  const w = pW;
  const z = pZ;
  const v1 = pV1;
  const v2 = pV2;
  const h = pH;
  const T = pT;
  const Tn = pTn;
  const gv = groupsOf == 0 ? pGvc : pGv;
  const shunt = pShunt;
  const volt = pVolt;
  const cur = pCur;
  const tcur = pTcur;
  const heat = pHeat;
  const kz = pKz;
  const kh = pKh;
  const kl = pKl;
  const kr = pKr;
  const invH = pInvH;
  const decay = pDecay;
  const ETA_C = f64x2.splat(etaC);
  const TS = f64x2.splat(sinkT);
  let ok = i64x2.splat(-1);
  for (let k = 0; k < nPairs; k++) {
    const o: usize = <usize>k << 4;
    const wp = w + <usize>k * WB;
    const E = v128.load(wp, WF_E << 4);
    const eth = v128.load(wp, WF_ETH << 4);
    const r0 = v128.load(wp, WF_R0 << 4);
    const Vg = groupsOf == 2 ? v128.load64_splat(gv + (<usize>k << 3)) : v128.load(gv + o);
    const It = f64x2.mul(v128.load(wp, WF_G << 4), f64x2.sub(Vg, eth));
    const gsh = v128.load(shunt + o);
    let Ii = It;
    let Vi = f64x2.add(E, f64x2.mul(r0, It));
    const hasShunt = f64x2.ne(gsh, f64x2.splat(0));
    const anyShunt = v128.any_true(hasShunt);
    if (anyShunt) {
      // the cell's own current: the shunt carries the rest of the terminal current
      const Vs = f64x2.add(eth, f64x2.mul(v128.load(wp, WF_RTH << 4), It));
      if (implicit) {
        // Vs is the end-of-step voltage E~ + R~ I_cell; the cell model's V_k from I_cell
        const Is = f64x2.div(f64x2.sub(Vs, v128.load(wp, WF_ET << 4)), v128.load(wp, WF_RT << 4));
        Ii = v128.bitselect(Is, It, hasShunt);
        Vi = f64x2.add(E, f64x2.mul(r0, Ii));
      } else {
        Vi = v128.bitselect(Vs, Vi, hasShunt);
        Ii = v128.bitselect(f64x2.div(f64x2.sub(Vs, E), r0), It, hasShunt);
      }
    }
    v128.store(volt + o, Vi);
    v128.store(cur + o, Ii);
    v128.store(tcur + o, It);
    const Tk = v128.load(T + o);
    let q = f64x2.mul(f64x2.mul(r0, Ii), Ii);
    if (nrc > 0) {
      const v = v128.load(v1 + o);
      q = f64x2.add(q, f64x2.mul(f64x2.mul(v, v), v128.load(wp, WF_IR1 << 4)));
      v128.store(v1 + o, f64x2.add(f64x2.mul(v128.load(wp, WF_A1 << 4), v), f64x2.mul(v128.load(wp, WF_B1 << 4), Ii)));
    }
    if (nrc > 1) {
      const v = v128.load(v2 + o);
      q = f64x2.add(q, f64x2.mul(f64x2.mul(v, v), v128.load(wp, WF_IR2 << 4)));
      v128.store(v2 + o, f64x2.add(f64x2.mul(v128.load(wp, WF_A2 << 4), v), f64x2.mul(v128.load(wp, WF_B2 << 4), Ii)));
    }
    const hk = v128.load(h + o);
    q = f64x2.add(q, f64x2.mul(f64x2.mul(v128.load(wp, WF_M << 4), hk), Ii));
    q = f64x2.add(q, f64x2.mul(f64x2.mul(Ii, f64x2.add(Tk, C(cb, C_KELVIN))), v128.load(wp, WF_DU << 4)));
    if (anyShunt) q = v128.bitselect(f64x2.add(q, f64x2.mul(f64x2.mul(gsh, Vi), Vi)), q, hasShunt);
    v128.store(heat + o, q);

    const charging = f64x2.gt(Ii, f64x2.splat(0));
    const eI = f64x2.mul(v128.bitselect(ETA_C, C(cb, C_ONE), charging), Ii);
    v128.store(z + o, f64x2.add(v128.load(z + o), f64x2.mul(eI, v128.load(kz + o))));
    // hysteresis: decay exp(-|eta I gamma dt / (3600 Q)|) towards sign(I)
    const x = v128.or(f64x2.mul(eI, v128.load(kh + o)), C(cb, C_SIGN));
    const bh = taylor6(cb, x);
    const okh = f64x2.gt(x, C(cb, C_HYST));
    ok = v128.and(ok, okh);
    const sgn = v128.bitselect(C(cb, C_ONE), v128.and(C(cb, C_MINUS_ONE), f64x2.lt(Ii, f64x2.splat(0))), charging);
    const hn = f64x2.add(f64x2.mul(bh, hk), f64x2.mul(f64x2.sub(C(cb, C_ONE), bh), sgn));
    v128.store(h + o, v128.bitselect(hn, hk, okh));

    // neighbour conduction: T[i-1] and T[i+1] (guard slots at the ends, where k = 0)
    const cpl = f64x2.add(
      f64x2.mul(v128.load(kl + o), f64x2.sub(v128.load(T + o - 8), TS)),
      f64x2.mul(v128.load(kr + o), f64x2.sub(v128.load(T + o + 8), TS)),
    );
    const off = f64x2.mul(f64x2.add(q, cpl), v128.load(invH + o));
    v128.store(
      Tn + o,
      f64x2.add(f64x2.add(TS, off), f64x2.mul(f64x2.sub(f64x2.sub(Tk, TS), off), v128.load(decay + o))),
    );
  }
  return !all2(ok);
}

/** The hysteresis states cells() left at h_k (decay argument below -2^-8): h at k+1 by exp. */
function hysteresisOutsideTaylor(): void {
  const cb = cbase();
  const nPairs = (n + 1) >> 1;
  const h = pH;
  const cur = pCur;
  const kh = pKh;
  const ETA_C = f64x2.splat(etaC);
  for (let k = 0; k < nPairs; k++) {
    const o: usize = <usize>k << 4;
    const Ii = v128.load(cur + o);
    const charging = f64x2.gt(Ii, f64x2.splat(0));
    const eI = f64x2.mul(v128.bitselect(ETA_C, C(cb, C_ONE), charging), Ii);
    const x = v128.or(f64x2.mul(eI, v128.load(kh + o)), C(cb, C_SIGN));
    const ok = f64x2.gt(x, C(cb, C_HYST));
    if (all2(ok)) continue;
    const bh = exp2v(cb, x);
    const hk = v128.load(h + o);
    const sgn = v128.bitselect(C(cb, C_ONE), v128.and(C(cb, C_MINUS_ONE), f64x2.lt(Ii, f64x2.splat(0))), charging);
    const hn = f64x2.add(f64x2.mul(bh, hk), f64x2.mul(f64x2.sub(C(cb, C_ONE), bh), sgn));
    v128.store(h + o, v128.bitselect(hk, hn, ok));
  }
}
