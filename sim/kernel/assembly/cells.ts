/**
 * advance(), per cell (entry: pack.ts): currents, voltages, heat, and the state at k+1
 * (SOC, RC voltages, hysteresis, temperature).
 */
import {
  WF_E, WF_ETH, WF_RTH, WF_R0, WF_G, WF_A1, WF_A2, WF_B1, WF_B2, WF_IR1, WF_IR2, WF_M, WF_DU, WF_ET, WF_RT,
} from "../layout";
import { WB, C, cbase, all2, C_ONE, C_MINUS_ONE, C_KELVIN, C_HYST, C_SIGN } from "./constants";
import {
  n, etaC, sinkT, implicit, pZ, pV1, pV2, pH, pT, pTn, pShunt, pKz, pKh, pDecay, pInvH, pKl, pKr, pVolt, pCur,
  pTcur, pHeat, pGvc, pW, pGv,
} from "./state";
import { taylor6 } from "./exp";

/**
 * Per pair: terminal and cell currents, voltages, heat; SOC, RC voltages, hysteresis and
 * temperature at k+1. groupsOf: 2 = a pair is a group, 1 = a cell is, 0 = any (group
 * voltages per cell). The hysteresis decay by its Taylor polynomial alone: true if one's
 * argument was outside its range (that cell's h is left at h_k for hysteresisOutsideTaylor()).
 */
@inline export function cells(nrc: i32, groupsOf: i32): bool {
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
