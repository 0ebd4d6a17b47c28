/**
 * Group sums and the pack's linear form (prepare), and the group node voltages (advance)
 * (entry: pack.ts).
 */
import { H_PACK_A, H_PACK_B, H_PACK_V, WF_ETH, WF_G } from "../layout";
import { WB } from "./constants";
import { np, ns, nRC, busbar, pGvc, pW, pSumG, pSumGE, pInvSumG, pGv, ld } from "./state";

/** groups() for an even number of cells per group: whole pairs, loaded as vectors. */
export function groupsEven(): void {
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
export function groups(): void {
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

/** Group node voltages (per group; per cell too where cells() needs it) and the pack voltage. */
export function groupVoltages(I: f64): void {
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
