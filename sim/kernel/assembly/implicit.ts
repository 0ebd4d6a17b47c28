/**
 * The implicit parallel split (pack/js.ts balanceEndOfStep) (entry: pack.ts): each cell's
 * end-of-step source and resistance, the pack's linear form, and the group voltages after
 * the cells have stepped.
 */
import {
  H_PACK_A, H_PACK_B, H_PACK_V, WF_E, WF_ETH, WF_RTH, WF_R0, WF_G, WF_A1, WF_A2, WF_B1, WF_B2, WF_ET, WF_RT,
} from "../layout";
import { WB, C, cbase, C_ONE } from "./constants";
import {
  n, np, ns, rConn, busbar, pV1, pV2, pConn, pShunt, pVolt, pTcur, pW, pSumG, pSumGE, pInvSumG, pGv, ld,
} from "./state";

/**
 * Implicit split (pack/js.ts balanceEndOfStep), per pair: the end-of-step source
 * E~ = E - Σ (1 - a_j) v_j and resistance R~ = (R0 + k L + kh M) + Σ R_j (1 - a_j), their
 * Thevenin equivalent with a shunt, and the branch conductance.
 */
@inline export function endOfStep(nrc: i32): void {
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
export function implicitLinear(): void {
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
export function groupMeans(I: f64): void {
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
