/**
 * The independent yardstick of the model tests (split from arbitraries.ts): piecewise-linear
 * tables evaluated by a plain linear scan, their exact integrals and slopes, bilinear tables,
 * the cell's parameters from them, the energy ledger of cell-model.md, and ulp distances.
 * Nothing here calls sim/table.ts or sim/cell.ts, so a bug there cannot hide in the yardstick.
 */
import type { ChemistryFile } from '../../sim/chemistry.ts';

/** Unit roundoff of binary64 (half an ulp of 1). */
export const U = 2 ** -53;

// ---------------------------------------------------------------------------------------
// Independent reference: piecewise-linear tables by linear scan
// ---------------------------------------------------------------------------------------

/** Clamped piecewise-linear interpolation, by a linear scan (no bisection, no buckets). */
export function pwl(xs: readonly number[], ys: readonly number[], x: number): number {
  const n = xs.length;
  if (n === 1 || x <= xs[0]!) return ys[0]!;
  if (x >= xs[n - 1]!) return ys[n - 1]!;
  for (let i = 0; i < n - 1; i++) {
    if (x >= xs[i]! && x < xs[i + 1]!) return ys[i]! + ((x - xs[i]!) / (xs[i + 1]! - xs[i]!)) * (ys[i + 1]! - ys[i]!);
  }
  return ys[n - 1]!;
}

/** Pieces of the clamped table over [lo, hi]: [a, b, ya, yb] on which it is linear. */
function pieces(xs: readonly number[], ys: readonly number[], lo: number, hi: number): [number, number, number, number][] {
  const cuts = [lo];
  for (const x of xs) if (x > lo && x < hi) cuts.push(x);
  cuts.push(hi);
  const out: [number, number, number, number][] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = cuts[i]!;
    const b = cuts[i + 1]!;
    out.push([a, b, pwl(xs, ys, a), pwl(xs, ys, b)]);
  }
  return out;
}

/** ∫_a^b of the clamped table, exactly (trapezoids between breakpoints), signed. */
export function pwlIntegral(xs: readonly number[], ys: readonly number[], a: number, b: number): number {
  if (a === b) return 0;
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  let s = 0;
  for (const [p, q, yp, yq] of pieces(xs, ys, lo, hi)) s += 0.5 * (yp + yq) * (q - p);
  return b >= a ? s : -s;
}

/** Largest |slope| of the clamped table over [min(a,b), max(a,b)] (0 where it is clamped). */
export function pwlMaxSlope(xs: readonly number[], ys: readonly number[], a: number, b: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  let m = 0;
  const n = xs.length;
  for (let i = 0; i + 1 < n; i++) {
    if (xs[i + 1]! < lo || xs[i]! > hi) continue;
    m = Math.max(m, Math.abs((ys[i + 1]! - ys[i]!) / (xs[i + 1]! - xs[i]!)));
  }
  return m;
}

/** Clamped bilinear interpolation over rows (x) × columns (y), by linear scans. */
export function bilinear(xs: readonly number[], ys: readonly number[], rows: readonly (readonly number[])[], x: number, y: number): number {
  const col = (i: number) => pwl(ys, rows[i]!, y);
  return pwl(
    xs,
    xs.map((_, i) => col(i)),
    x,
  );
}

export interface RefParams {
  ocv: number;
  dudt: number;
  M: number;
  r0: number;
  r: number[];
  c: number[];
}

/** Every parameter of cell-model.md at lookup SOC z and temperature T_C, from the file's own tables. */
export function refParams(spec: ChemistryFile, z: number, T_C: number): RefParams {
  const res = spec.resistance;
  let r0: number;
  let r: number[];
  let c: number[];
  if (res.form === 'arrhenius') {
    const x = 1 / (T_C + 273.15) - 1 / (spec.T_ref_C + 273.15);
    const f0 = Math.exp((res.r0_Ea_J_per_mol / 8.314) * x);
    const fr = Math.exp((res.rc_Ea_J_per_mol / 8.314) * x);
    r0 = pwl(res.soc, res.r0_ohm, z) * f0;
    r = res.rc.map((b) => pwl(res.soc, b.r_ohm, z) * fr);
    c = res.rc.map((b) => pwl(res.soc, b.c_F, z));
  } else {
    r0 = bilinear(res.soc, res.temperature_C, res.r0_ohm, z, T_C);
    r = res.rc.map((b) => bilinear(res.soc, res.temperature_C, b.r_ohm, z, T_C));
    c = res.rc.map((b) => bilinear(res.soc, res.temperature_C, b.c_F, z, T_C));
  }
  return {
    ocv: pwl(spec.ocv.soc, spec.ocv.voltage_V, z),
    dudt: pwl(spec.dUdT.soc, spec.dUdT.value_V_per_K, z),
    M: pwl(spec.hysteresis.soc, spec.hysteresis.M_V, z),
    r0,
    r,
    c,
  };
}

/** The low-temperature lookup SOC of sim/chemistry/README.md, written out again. */
export function refLookupSoc(spec: ChemistryFile, z: number, T_C: number): number {
  const lt = spec.low_temperature_capacity;
  if (!lt) return z;
  const f = pwl(lt.temperature_C, lt.factor, T_C);
  return z - (1 - z) * (1 / f - 1);
}

// ---------------------------------------------------------------------------------------
// Energy ledger
// ---------------------------------------------------------------------------------------

/** One cell's recorded run: states at k = 0..N, current and terminal voltage at k = 0..N-1. */
export interface Trajectory {
  dt: number;
  /** Capacity in the SOC update, Ah. */
  Q: number;
  /** Resistance multiplier of the cell (spread); capacitances are divided by it. */
  rScale: number;
  z: number[];
  T: number[];
  h: number[];
  /** v[j][k]: voltage of RC branch j at step k. */
  v: number[][];
  I: number[];
  V: number[];
}

export interface Ledger {
  /** Σ V·I·dt, J. */
  work: number;
  /** Σ |V·I·dt|, J. */
  throughput: number;
  /** work minus every term of the ledger, J. */
  residual: number;
  /** What the zero-order hold allows, derived step by step, J. */
  zohBound: number;
  /** Rounding allowance, J. */
  noise: number;
  /** The zero-order-hold bound by term (OCV, RC, reversible), J. */
  parts: { ocv: number; rc: number; rev: number };
}

/**
 * The energy ledger of one cell over a trajectory (low-temperature extension off):
 *   Σ V_k·I_k·dt  =  3600·Q·∫_{z_0}^{z_N} OCV(z) dz                 stored (one exact integral)
 *                 + Σ_{I_k>0} (1 − η)·OCV(z_k)·I_k·dt                coulombic loss on charge
 *                 + Σ_k Σ_j ½·C_j,k·(v_j,k+1² − v_j,k²)               RC capacitors
 *                 + Σ_k (R0·I² + Σ_j v_j,k²/R_j + M·h_k·I)·dt         dissipated
 *                 + Σ_k I·dt·D̄_k·(T̄_k − T_ref)                       reversible
 * with D̄_k the mean of dU/dT over [z_k, z_k+1] (exact integral) and T̄_k = (T_k + T_k+1)/2.
 * The model holds V_k at the start-of-step state, so the ledger does not close exactly; per
 * step the gap is at most (derivations inline):
 *   OCV:  3600·Q·min(½·L_k·Δz², |Δz|·|OCV(z_k+1) − OCV(z_k)|)   L_k = max |dOCV/dz| on the step
 *   RC:   Σ_j |Δv_j|·dt·max(|I − 2v_j,k/R_j|, |I − (v_j,k + v_j,k+1)/R_j|)
 *   rev:  |I|·dt·(½·L_D,k·|Δz|·|T̄ − T_ref| + ½·|D_k|·|ΔT|)
 */
export function energyLedger(spec: ChemistryFile, tr: Trajectory): Ledger {
  const N = tr.I.length;
  const { dt, Q } = tr;
  const eta = spec.coulombic_efficiency_charge;
  const ocvX = spec.ocv.soc;
  const ocvY = spec.ocv.voltage_V;
  const dX = spec.dUdT.soc;
  const dY = spec.dUdT.value_V_per_K;
  const Tref = spec.T_ref_C;
  const nRC = spec.resistance.rc.length;
  const vMax = Math.max(...ocvY.map(Math.abs));

  let work = 0;
  let throughput = 0;
  let loss = 0;
  let rc = 0;
  let heat = 0;
  let rev = 0;
  let bOcv = 0;
  let bRc = 0;
  let bRev = 0;
  let absTerms = 0; // Σ of the magnitudes of every summed term, for the rounding allowance
  let zNoise = 0; // Σ (|z_k+1| + |Δz_k|): the SOC update's absolute rounding

  for (let k = 0; k < N; k++) {
    const I = tr.I[k]!;
    const z0 = tr.z[k]!;
    const z1 = tr.z[k + 1]!;
    const T0 = tr.T[k]!;
    const T1 = tr.T[k + 1]!;
    const p = refParams(spec, z0, T0);
    const w = tr.V[k]! * I * dt;
    work += w;
    throughput += Math.abs(w);

    const l = I > 0 ? (1 - eta) * p.ocv * I * dt : 0;
    loss += l;

    let stepRc = 0;
    let stepHeat = p.r0 * tr.rScale * I * I * dt + p.M * tr.h[k]! * I * dt;
    absTerms += Math.abs(stepHeat);
    for (let j = 0; j < nRC; j++) {
      const R = p.r[j]! * tr.rScale;
      const C = p.c[j]! / tr.rScale;
      const va = tr.v[j]![k]!;
      const vb = tr.v[j]![k + 1]!;
      stepRc += 0.5 * C * (vb * vb - va * va);
      stepHeat += ((va * va) / R) * dt;
      absTerms += 0.5 * C * (vb * vb + va * va) + ((va * va) / R) * dt;
      // C dv/dt = I − v/R, so v·I = d(½Cv²)/dt + v²/R holds at every instant; the model books
      // v_k·I and v_k²/R for the whole step, off by ∫ (v_k − v(t))·(I − (v_k + v(t))/R) dt.
      // v(t) moves monotonically from v_k to v_k+1, so |v_k − v(t)| ≤ |Δv|, and the second
      // factor is linear in v(t), so its magnitude peaks at an end of the step.
      const m = Math.max(Math.abs(I - (2 * va) / R), Math.abs(I - (va + vb) / R));
      bRc += Math.abs(vb - va) * dt * m;
    }
    rc += stepRc;
    heat += stepHeat;

    const dz = z1 - z0;
    const Dbar = dz === 0 ? pwl(dX, dY, z0) : pwlIntegral(dX, dY, z0, z1) / dz;
    const Tbar = 0.5 * (T0 + T1);
    const r = I * dt * Dbar * (Tbar - Tref);
    rev += r;
    // D̄ − D_k: |D(z) − D(z_k)| ≤ L_D·|z − z_k|, averaged over the step ≤ ½·L_D·|Δz|;
    // T̄ − T_k = ½·ΔT.
    const LD = pwlMaxSlope(dX, dY, z0, z1);
    bRev += Math.abs(I) * dt * (0.5 * LD * Math.abs(dz) * Math.abs(Tbar - Tref) + 0.5 * Math.abs(p.dudt) * Math.abs(T1 - T0));

    // OCV(z_k)·η·I·dt = 3600·Q·OCV(z_k)·Δz against 3600·Q·∫ OCV over the step: the table is
    // Lipschitz with L_k on the step (½·L_k·Δz²) and monotone (OCV(z) − OCV(z_k) lies between 0
    // and OCV(z_k+1) − OCV(z_k), so |Δz|·|ΔOCV|).
    const L = pwlMaxSlope(ocvX, ocvY, z0, z1);
    const dOcv = Math.abs(pwl(ocvX, ocvY, z1) - p.ocv);
    bOcv += 3600 * Q * Math.min(0.5 * L * dz * dz, Math.abs(dz) * dOcv);

    absTerms += Math.abs(w) + Math.abs(l) + Math.abs(r);
    zNoise += Math.abs(z1) + Math.abs(dz);
  }
  const stored = 3600 * Q * pwlIntegral(ocvX, ocvY, tr.z[0]!, tr.z[N]!);
  absTerms += Math.abs(stored);
  const residual = work - (stored + loss + rc + heat + rev);
  const zohBound = bOcv + bRc + bRev;
  // Rounding: each of the ~N summed terms is computed to a few ulps and summed naively
  // (≤ (N+1)·u relative of Σ|terms|), the model's parameters differ from this file's by a few
  // ulps (resampled tables, exp), and every SOC update rounds z to an ulp of |z|, which the
  // stored energy sees as 3600·Q·OCV·ulp(z) per step.
  const noise = 32 * U * (N + 1) * absTerms + 3600 * Q * vMax * 4 * U * zNoise;
  return { work, throughput, residual, zohBound, noise, parts: { ocv: bOcv, rc: bRc, rev: bRev } };
}

// ---------------------------------------------------------------------------------------
// Bits
// ---------------------------------------------------------------------------------------

/** Distance in units in the last place between two finite doubles (counts representable values). */
export function ulpDistance(a: number, b: number): number {
  const key = (x: number) => {
    const v = new DataView(new ArrayBuffer(8));
    v.setFloat64(0, x);
    const bits = v.getBigInt64(0);
    // map the sign-magnitude order of IEEE doubles onto two's-complement order
    return bits < 0n ? -(bits & 0x7fffffffffffffffn) : bits;
  };
  const d = key(a) - key(b);
  return Number(d < 0n ? -d : d);
}
