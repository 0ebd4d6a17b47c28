/**
 * prepare(), first pass (entry: pack.ts): each cell's SOC grid segment and fraction, the
 * low-temperature capacity, and the Arrhenius factors.
 */
import { RB, C, cbase, C_ONE, C_KELVIN } from "./constants";
import {
  n, nx, nCap, x0, xN, invBw, invTref, ea0, capTop, implicit, pZ, pT, pTab, pXs, pInvW, pBucket, pCapT, pCapF,
  pLt, pLrow, pF0, pLs, ld,
} from "./state";
import { exp2v } from "./exp";

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
export function lookups(withArrhenius: bool): void {
  if (withArrhenius) lookupsPass(true);
  else lookupsPass(false); // (two copies of the loop, each without the test)
}
