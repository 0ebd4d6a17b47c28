/**
 * The pack step (sim/pack/js.ts prepare() and advance()) as a WebAssembly kernel, two cells at
 * a time in f64x2 lanes. AssemblyScript source; compiled by `npm run build:kernel` into
 * sim/kernel/wasm.ts (base64). Not type-checked by the project's tsc.
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
 *
 * Files: this one holds the entry points (init, prepare, advance; exp2, exp1 and heapBase
 * for the host and tests); the passes are in lookups.ts, tables.ts (explicit split),
 * implicit.ts (implicit split), groups.ts and cells.ts, over exp.ts, constants.ts and
 * state.ts (the configuration globals). arrhenius() and hysteresisOutsideTaylor() stay here
 * because Binaryen orders functions of equal use count by their names, file included: in
 * another file they would reorder the binary (same code, other bytes).
 */
import {
  H_N, H_NP, H_NS, H_NRC, H_NX, H_NCAP, H_X0, H_XN, H_INV_BW, H_TREF, H_INV_TREF, H_EA0, H_EARC, H_CAP_TOP,
  H_RCONN, H_BUSBAR, H_ETA_C, H_Z, H_V1, H_V2, H_H, H_T, H_TN, H_RS, H_IRS, H_CONN, H_SHUNT, H_KZ, H_KH,
  H_DECAY, H_INVH, H_KL, H_KR, H_VOLT, H_CUR, H_TCUR, H_HEAT, H_GVC, H_W, H_SUMG, H_SUMGE, H_INV_SUMG, H_GV,
  H_TAB, H_XS, H_INVW, H_BUCKET, H_CAPT, H_CAPF, H_LT, H_LROW, H_F0, H_FR, H_CONST, H_LS, H_IMPLICIT,
  CONST_BASE, HOST_BASE,
} from "../layout";
import {
  KELVIN, C, cbase, all2, C_ONE, C_MINUS_ONE, C_HALF, C_KELVIN, C_T9, C_T8, C_T7, C_T6, C_T5, C_T4, C_T3,
  C_SMALL, C_HYST, C_LN2_HI, C_LN2_LO, C_INV_LN2, C_P1, C_P2, C_P3, C_P4, C_P5, C_E, C_HALF_LN2, C_TINY, C_TWO,
  C_WIDE, C_SIGN, C_SCALE, C_COUNT, LN2_HI, LN2_LO, INV_LN2, P1, P2, P3, P4, P5, E,
} from "./constants";
import {
  n, np, ns, nRC, nx, nCap, x0, xN, invBw, Tref, invTref, ea0, eaRC, capTop, rConn, busbar, etaC, sinkT,
  implicit, pZ, pV1, pV2, pH, pT, pTn, pRs, pIrs, pConn, pShunt, pKz, pKh, pDecay, pInvH, pKl, pKr, pVolt, pCur,
  pTcur, pHeat, pGvc, pW, pSumG, pSumGE, pInvSumG, pGv, pTab, pXs, pInvW, pBucket, pCapT, pCapF, pLt, pLrow,
  pF0, pFr, pLs, hf, hi, hp, setC,
} from "./state";
import { fdexp1, exp2v } from "./exp";
import { lookups } from "./lookups";
import { tables, decays } from "./tables";
import { endOfStep, implicitLinear, groupMeans } from "./implicit";
import { groupsEven, groups, groupVoltages } from "./groups";
import { cells } from "./cells";

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
