/**
 * The JS step of the pack (the readable reference; also the path for what the kernel does not
 * cover: 'table2d' resistances). The kernel (sim/kernel/assembly/pack.ts) evaluates the same
 * expressions in the same order, two cells at a time.
 */
import { KELVIN } from '../chemistry.ts';
import { arrheniusFill, expStrided, hysteresisDecay } from '../internal/fastmath.ts';
import type { Pack } from '../pack.ts';
import type { Stepper } from './stepper.ts';
import { W, W_A1, W_A2, W_DU, W_E, W_ET, W_ETH, W_G, W_IR1, W_IR2, W_M, W_R0, W_R1, W_R2, W_RT, W_RTH } from './stepper.ts';
import { T_C1, T_C2, T_DU, T_M, T_OCV, T_R0, T_R1, T_R2, TW, bilinear, capacityFactorAt, capacityTop, interleaveColumn, interleaveTables } from './tables.ts';

export class JsStepper implements Stepper {
  readonly kind = 'js';
  private readonly tab: Float64Array;
  /** Arrhenius factors of R0 and of the RC resistances (1 for a chemistry without). */
  private readonly f0: Float64Array;
  private readonly fr: Float64Array;
  /**
   * A charge resistance (chemistry README "Charge resistance"), 'arrhenius': R0 of each
   * direction interleaved as the table's R0 column (value, slope per breakpoint); the column
   * of the evaluated direction is written into `tab` (on a change of direction only), so the
   * hot loop is the same as without one. 'table2d' reads chem.r0Charge. Null: none.
   */
  private readonly r0Columns: { discharge: Float64Array; charge: Float64Array } | null;
  private readonly hasChargeR0: boolean;
  /** The direction whose R0 column `tab` holds. */
  private tabCharging = false;
  /** The direction prepare() last evaluated R0 for (true: the charge resistance). */
  private charging = false;

  constructor(p: Pack) {
    this.tab = interleaveTables(p.chem);
    this.f0 = new Float64Array(p.n).fill(1);
    this.fr = new Float64Array(p.n).fill(1);
    this.hasChargeR0 = p.chem.r0Charge !== null;
    this.r0Columns =
      p.chem.r0Charge !== null && p.chem.form === 'arrhenius' ? { discharge: interleaveColumn(p.chem.r0), charge: interleaveColumn(p.chem.r0Charge) } : null;
  }

  /**
   * The charge resistance, where the chemistry has one, is chosen for the whole pack by the
   * direction of the pack current (sim/MODEL.md, "Charge resistance"): prepare() does not know
   * the step's current yet, so it takes the previous step's direction; advance() evaluates the
   * step again for the other direction when the current turned out to flow the other way.
   */
  prepare(p: Pack, sinkT_C: number): void {
    this.evaluate(p, sinkT_C, this.hasChargeR0 && p.packCurrent > 0);
  }

  private evaluate(p: Pack, _sinkT_C: number, charging: boolean): void {
    this.charging = charging;
    if (this.r0Columns !== null && charging !== this.tabCharging) this.holdR0(charging);
    const chem = p.chem;
    const grid = chem.soc;
    const xs = grid.x;
    const nx = xs.length;
    const x0 = grid.first;
    const xN = grid.last;
    const bucket = grid.bucket;
    const invBw = grid.invBucketWidth;
    const invW = grid.invWidth;
    const tab = this.tab;
    const Tref = chem.T_ref_C;
    const invTref = 1 / (Tref + KELVIN);
    const table2d = chem.form === 'table2d';
    const nRC = p.nRC;
    const ea0 = chem.r0EaOverR;
    const eaRC = chem.rcEaOverR;
    const capT = chem.capT;
    const capF = chem.capF;
    const lowT = p.lowTemperatureCapacity && capT !== null && capF !== null;
    // above the last breakpoint whose factor is 1, the lookup SOC is z itself
    const capTop = lowT ? capacityTop(capT!, capF!) : -Infinity;
    const dt = p.dt_s;
    const rConn = p.cellConnection_ohm;
    const { z, v1, v2, h, T, rScale, invRScale, connected, w } = p;
    const shunt = p.shunt_S;
    const np = p.np;
    const n = p.n;
    const implicit = p.implicit;
    const { kz, kh } = p;
    let A = 0;
    let B = p.busbar_ohm;

    // Arrhenius factors first, in a loop of their own: kept apart from the long loop
    // below, the exp calls there do not force every live value to be spilled.
    const f0a = this.f0;
    let fra = this.fr;
    if (!table2d) {
      if (ea0 !== 0) arrheniusFill(f0a, T, n, ea0, invTref);
      if (eaRC === ea0) fra = f0a;
      else if (eaRC !== 0) arrheniusFill(fra, T, n, eaRC, invTref);
    }

    for (let g = 0, i = 0; g < p.ns; g++) {
      let sG = 0;
      let sGE = 0;
      for (let p = 0; p < np; p++, i++) {
        const Tk = T[i]!;
        let zl = z[i]!;
        const cold = lowT && Tk < capTop;
        let invF = 1;
        if (cold) {
          invF = 1 / capacityFactorAt(capT!, capF!, Tk);
          zl = zl - (1 - zl) * (invF - 1);
        }
        // one segment for every SOC table; L = dOCV/dz (0 where the table is clamped)
        let s: number;
        let t: number;
        let L = 0;
        if (zl <= x0) {
          s = 0;
          t = 0;
        } else if (zl >= xN) {
          s = nx > 1 ? nx - 2 : 0; // one breakpoint: its row (slopes 0)
          t = 1;
        } else {
          s = bucket[((zl - x0) * invBw) | 0]!;
          while (s > 0 && xs[s]! > zl) s--;
          while (xs[s + 1]! <= zl) s++;
          t = (zl - xs[s]!) * invW[s]!;
          L = tab[s * TW + T_OCV + 1]! * invW[s]!;
          if (cold) L = L * invF; // dz_lookup/dz = 1/f
        }
        const b = s * TW;
        const o = tab[b + T_OCV]! + t * tab[b + T_OCV + 1]!;
        const du = tab[b + T_DU]! + t * tab[b + T_DU + 1]!;
        const m = tab[b + T_M]! + t * tab[b + T_M + 1]!;
        const rs = rScale[i]!;
        const irs = invRScale[i]!;
        let r0: number;
        let r1 = 0;
        let c1 = 0;
        let r2 = 0;
        let c2 = 0;
        if (!table2d) {
          const fr = fra[i]!;
          r0 = (tab[b + T_R0]! + t * tab[b + T_R0 + 1]!) * f0a[i]! * rs;
          if (nRC > 0) {
            r1 = (tab[b + T_R1]! + t * tab[b + T_R1 + 1]!) * fr * rs;
            c1 = (tab[b + T_C1]! + t * tab[b + T_C1 + 1]!) * irs;
          }
          if (nRC > 1) {
            r2 = (tab[b + T_R2]! + t * tab[b + T_R2 + 1]!) * fr * rs;
            c2 = (tab[b + T_C2]! + t * tab[b + T_C2 + 1]!) * irs;
          }
        } else {
          const tg = chem.temp!;
          const nT = tg.x.length;
          let j: number;
          let u: number;
          if (nT < 2 || Tk <= tg.first) {
            j = 0;
            u = 0;
          } else if (Tk >= tg.last) {
            j = nT - 2;
            u = 1;
          } else {
            j = tg.find(Tk);
            u = (Tk - tg.x[j]!) / (tg.x[j + 1]! - tg.x[j]!);
          }
          const j1 = nT < 2 ? j : j + 1;
          r0 = bilinear(charging ? chem.r0Charge! : chem.r0, nT, s, t, j, j1, u) * rs;
          if (nRC > 0) {
            r1 = bilinear(chem.rcR[0]!, nT, s, t, j, j1, u) * rs;
            c1 = bilinear(chem.rcC[0]!, nT, s, t, j, j1, u) * irs;
          }
          if (nRC > 1) {
            r2 = bilinear(chem.rcR[1]!, nT, s, t, j, j1, u) * rs;
            c2 = bilinear(chem.rcC[1]!, nT, s, t, j, j1, u) * irs;
          }
        }
        const wi = i * W;
        let e = o + du * (Tk - Tref) + m * h[i]!;
        if (nRC > 0) {
          e += v1[i]!;
          const inv = 1 / (r1 * c1);
          w[wi + W_A1] = -dt * inv; // exponentiated below
          w[wi + W_R1] = r1;
          w[wi + W_IR1] = inv * c1;
        }
        if (nRC > 1) {
          e += v2[i]!;
          const inv = 1 / (r2 * c2);
          w[wi + W_A2] = -dt * inv;
          w[wi + W_R2] = r2;
          w[wi + W_IR2] = inv * c2;
        }
        w[wi + W_E] = e;
        w[wi + W_R0] = r0;
        w[wi + W_M] = m;
        w[wi + W_DU] = du;
        if (implicit) {
          // the group's cells are balanced at k+1 (after the RC decays, below)
          w[wi + W_RT] = r0 + kz[i]! * (L > 0 ? L : 0) + kh[i]! * m;
          continue;
        }
        const gi = branch(w, wi, e, r0, shunt[i]!, connected[i]!, rConn);
        sG += gi;
        sGE += gi * w[wi + W_ETH]!;
      }
      if (implicit) continue;
      p.sumG[g] = sG;
      p.sumGE[g] = sGE;
      // V_g = (I + sGE) / sG. A group with every cell disconnected has no path: the pack
      // is open (packB = Infinity) and can carry no current.
      if (sG > 0) {
        const inv = 1 / sG;
        p.invSumG[g] = inv;
        A += sGE * inv;
        B += inv;
      } else {
        p.invSumG[g] = 0;
        B = Infinity;
      }
    }
    if (nRC > 0) expStrided(w, W_A1, W, n);
    if (nRC > 1) expStrided(w, W_A2, W, n);
    if (implicit) {
      this.balanceEndOfStep(p);
      return;
    }
    p.packA = A;
    p.packB = B;
  }

  /**
   * The implicit split's half of prepare: each cell at the end of the step is, to first
   * order in its current, V_{k+1} = E~ + R~ I with E~ = E - Σ (1 - a_j) v_j and
   * R~ = R0 + k L + kh M + Σ R_j (1 - a_j) (k = dt/(3600 Q), L = dOCV/dz, kh the hysteresis
   * rate: its sign term linearised). The group's branches share one node voltage in that
   * form (backward Euler on the branch states); each cell's terminal voltage is then the
   * cell model's V_k = E + R0 I_k with its share. packA/packB: the group voltage is the
   * conductance-weighted mean of its cells' node voltages (V_i + r_conn I_t).
   */
  private balanceEndOfStep(p: Pack): void {
    const { v1, v2, connected, w } = p;
    const shunt = p.shunt_S;
    const rConn = p.cellConnection_ohm;
    const nRC = p.nRC;
    const np = p.np;
    let A = 0;
    let B = p.busbar_ohm;
    for (let g = 0, i0 = 0; g < p.ns; g++, i0 += np) {
      let sG = 0;
      let sGE = 0;
      for (let i = i0; i < i0 + np; i++) {
        const wi = i * W;
        let et = w[wi + W_E]!;
        let rt = w[wi + W_RT]!;
        if (nRC > 0) {
          const a = w[wi + W_A1]!;
          et = et - (1 - a) * v1[i]!;
          rt = rt + w[wi + W_R1]! * (1 - a);
        }
        if (nRC > 1) {
          const a = w[wi + W_A2]!;
          et = et - (1 - a) * v2[i]!;
          rt = rt + w[wi + W_R2]! * (1 - a);
        }
        w[wi + W_ET] = et;
        w[wi + W_RT] = rt;
        const gi = branch(w, wi, et, rt, shunt[i]!, connected[i]!, rConn);
        sG += gi;
        sGE += gi * w[wi + W_ETH]!;
      }
      p.sumG[g] = sG;
      p.sumGE[g] = sGE;
      if (!(sG > 0)) {
        p.invSumG[g] = 0;
        B = Infinity;
        continue;
      }
      const inv = 1 / sG;
      p.invSumG[g] = inv;
      // V_g = Σ_i (G_i/sG) (V_i + r_conn I_t,i), each term linear in I
      let Ag = 0;
      let Bg = 0;
      for (let i = i0; i < i0 + np; i++) {
        const wi = i * W;
        const gi = w[wi + W_G]!;
        const wt = gi * inv;
        const at = gi * (sGE * inv - w[wi + W_ETH]!);
        let aI = at;
        let bI = wt;
        if (shunt[i] !== 0) {
          const rt = w[wi + W_RT]!;
          aI = (w[wi + W_ETH]! + w[wi + W_RTH]! * at - w[wi + W_ET]!) / rt;
          bI = (w[wi + W_RTH]! * wt) / rt;
        }
        const r0 = w[wi + W_R0]!;
        Ag += wt * (w[wi + W_E]! + r0 * aI + rConn * at);
        Bg += wt * (r0 * bI + rConn * wt);
      }
      A += Ag;
      B += Bg;
    }
    p.packA = A;
    p.packB = B;
  }

  /** Put the R0 column of one direction into the interleaved table. */
  private holdR0(charging: boolean): void {
    const src = charging ? this.r0Columns!.charge : this.r0Columns!.discharge;
    const tab = this.tab;
    for (let s = 0; 2 * s < src.length; s++) {
      tab[s * TW + T_R0] = src[2 * s]!;
      tab[s * TW + T_R0 + 1] = src[2 * s + 1]!;
    }
    this.tabCharging = charging;
  }

  redirect(p: Pack, I: number): boolean {
    if (!this.hasChargeR0 || I > 0 === this.charging) return false;
    this.evaluate(p, p.sinkT, I > 0);
    return true;
  }

  advance(p: Pack, I: number): void {
    // the current flows the other way than prepare() assumed: R0 of the step's direction
    this.redirect(p, I);
    const { z, v1, v2, h, T, Tnext, w, kz, kh, voltage, current, terminalCurrent, heat } = p;
    const { kLeft, kRight, decay, invH } = p;
    const shunt = p.shunt_S;
    const np = p.np;
    const nRC = p.nRC;
    const etaC = p.chem.etaCharge;
    const Ts = p.sinkT;
    const n = p.n;
    const implicit = p.implicit;
    const rConn = p.cellConnection_ohm;
    let Vpack = p.busbar_ohm * I;

    for (let g = 0, i = 0; g < p.ns; g++) {
      const sG = p.sumG[g]!;
      const inv = p.invSumG[g]!;
      // an open group (every cell disconnected) floats; its cells carry no current
      const Vg = sG > 0 ? (I + p.sumGE[g]!) * inv : w[i * W + W_ETH]!;
      // implicit: Vg is the end-of-step node voltage; the group's is the mean of its cells'
      let Vmean = 0;
      if (!implicit) {
        p.groupVoltage[g] = Vg;
        Vpack += Vg;
      }
      for (let p = 0; p < np; p++, i++) {
        const wi = i * W;
        const E = w[wi + W_E]!;
        const gi = w[wi + W_G]!;
        const It = gi * (Vg - w[wi + W_ETH]!);
        const r0 = w[wi + W_R0]!;
        const gsh = shunt[i]!;
        let Ii = It;
        let Vi: number;
        if (gsh === 0) {
          Vi = E + r0 * Ii;
        } else if (!implicit) {
          Vi = w[wi + W_ETH]! + w[wi + W_RTH]! * It;
          Ii = (Vi - E) / r0;
        } else {
          Ii = (w[wi + W_ETH]! + w[wi + W_RTH]! * It - w[wi + W_ET]!) / w[wi + W_RT]!;
          Vi = E + r0 * Ii;
        }
        if (implicit) Vmean += gi * inv * (Vi + rConn * It);
        voltage[i] = Vi;
        current[i] = Ii;
        terminalCurrent[i] = It;
        const Tk = T[i]!;
        const hk = h[i]!;
        let q = r0 * Ii * Ii;
        if (nRC > 0) q += v1[i]! * v1[i]! * w[wi + W_IR1]!;
        if (nRC > 1) q += v2[i]! * v2[i]! * w[wi + W_IR2]!;
        q += w[wi + W_M]! * hk * Ii;
        q += Ii * (Tk + KELVIN) * w[wi + W_DU]!;
        if (gsh !== 0) q += gsh * Vi * Vi;
        heat[i] = q;

        const eta = Ii > 0 ? etaC : 1;
        z[i] = z[i]! + eta * Ii * kz[i]!;
        if (nRC > 0) {
          const a = w[wi + W_A1]!;
          v1[i] = a * v1[i]! + w[wi + W_R1]! * (1 - a) * Ii;
        }
        if (nRC > 1) {
          const a = w[wi + W_A2]!;
          v2[i] = a * v2[i]! + w[wi + W_R2]! * (1 - a) * Ii;
        }
        const hx = eta * Ii * kh[i]!;
        const bh = hysteresisDecay(hx < 0 ? hx : -hx);
        h[i] = bh * hk + (1 - bh) * (Ii > 0 ? 1 : Ii < 0 ? -1 : 0);

        const kl = kLeft[i]!;
        const kr = kRight[i]!;
        const cpl = kl * (T[i > 0 ? i - 1 : 0]! - Ts) + kr * (T[i + 1 < n ? i + 1 : i]! - Ts);
        const off = (q + cpl) * invH[i]!;
        Tnext[i] = Ts + off + (Tk - Ts - off) * decay[i]!;
      }
      if (implicit) {
        const v = sG > 0 ? Vmean : Vg;
        p.groupVoltage[g] = v;
        Vpack += v;
      }
    }
    p.T = Tnext;
    p.Tnext = T;
    p.packVoltage = Vpack;
    p.packCurrent = I;
  }
}

/**
 * A cell's branch into its group (both splits): the Thevenin equivalent of its source e behind
 * r with the shunt conductance gsh across it (W_ETH, W_RTH), and the branch conductance through
 * its connection (W_G, 0 when disconnected), which it returns.
 */
function branch(w: Float64Array, wi: number, e: number, r: number, gsh: number, connected: number, rConn: number): number {
  let eth = e;
  let rth = r;
  if (gsh !== 0) {
    const y = 1 / r + gsh;
    eth = e / r / y;
    rth = 1 / y;
  }
  w[wi + W_ETH] = eth;
  w[wi + W_RTH] = rth;
  const gi = connected / (rth + rConn);
  w[wi + W_G] = gi;
  return gi;
}
