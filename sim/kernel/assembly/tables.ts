/**
 * prepare(), per-cell passes (entry: pack.ts): the table values, R0, the open-circuit part
 * of each cell's voltage, the explicit split's Thevenin equivalent with a shunt and branch
 * conductance, and the RC decays.
 */
import {
  WF_E, WF_ETH, WF_RTH, WF_R0, WF_G, WF_A1, WF_A2, WF_B1, WF_B2, WF_IR1, WF_IR2, WF_M, WF_DU, WF_RT,
} from "../layout";
import { WB, C, cbase, all2, C_ONE } from "./constants";
import {
  n, Tref, rConn, implicit, pV1, pV2, pH, pT, pRs, pIrs, pConn, pShunt, pKz, pKh, pW, pLt, pLrow, pF0, pFr, pLs,
} from "./state";
import { expMerge, taylor9, small9 } from "./exp";

/**
 * Per pair: table values (value + t * slope, two tables a vector per cell, then regrouped
 * per table), R0, E, per RC branch R, 1/R and -dt/(RC) (in the fields of a and R (1 - a),
 * which decays() computes from them); the Thevenin equivalent of a cell with a shunt, and
 * the branch conductance into the group.
 */
@inline export function tables(nrc: i32, dt: f64): void {
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
@inline export function decays(nrc: i32): void {
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
