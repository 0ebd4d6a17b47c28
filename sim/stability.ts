/**
 * The largest stable step of the parallel current split.
 *
 * The explicit split (PackConfig.split = 'explicit', the reference) balances each cell's
 * start-of-step voltage (V = E + R0·I). For two cells of a group, the difference of their
 * states x = (δz, δv1, δv2) then evolves as x' = A·x with δI = −δE/R0 and
 * δE = L·δz + δv1 + δv2 (L = dOCV/dz at the lookup SOC):
 *
 *   δz'  = δz  − k/R0 · δE                      (k = dt / (3600·Q))
 *   δvj' = aj·δvj − Rj·(1 − aj)/R0 · δE         (aj = exp(−dt/τj))
 *
 * A circulating current between parallel cells dies out only while the spectral radius
 * of A is at most 1; above that step it grows without bound. This module finds the
 * largest dt for which A is stable at every SOC breakpoint and every temperature of the
 * chemistry's operating range, with the spread's worst cell (smallest capacity and R0),
 * so a scenario can refuse a step the split cannot take. Hysteresis and connection
 * resistance are left out.
 *
 * The implicit split (what the default, 'auto', takes where the explicit one is not stable at
 * twice the step) balances the end-of-step voltages instead:
 * δI = −(L·δz + Σ aj·δvj)/(R0 + k·L + Σ Rj·(1 − aj)), the same matrix otherwise. Its
 * spectral radius stays below 1 at any step (checked here the same way; test/sim/pack
 * split tests run it), so the step is limited only by the scenario's own bounds.
 */
import { KELVIN, type Chemistry, capacityFactor } from './chemistry.ts';
import type { SplitMethod, SpreadConfig } from './pack.ts';

/** Longest step searched, s: a split stable up to here counts as stable at any step. */
export const STABILITY_HORIZON_S = 3600;

/**
 * True when the split is stable at step dt_s (always for np = 1: a single cell has no
 * split). Default: the implicit split.
 */
export function isStableStep(chem: Chemistry, np: number, spread: SpreadConfig, dt_s: number, split: SplitMethod = 'implicit'): boolean {
  return np < 2 || modeCases(chem, spread).every((c) => stable(c, dt_s, split));
}

/** Largest stable step in s, to 1 ms (Infinity when np = 1 or when stable up to STABILITY_HORIZON_S). */
export function maxStableStep_s(chem: Chemistry, np: number, spread: SpreadConfig, split: SplitMethod = 'implicit'): number {
  if (np < 2) return Infinity;
  const cases = modeCases(chem, spread);
  let lo = 0;
  let hi = STABILITY_HORIZON_S;
  if (cases.every((c) => stable(c, hi, split))) return Infinity;
  for (let it = 0; it < 22; it++) {
    const mid = (lo + hi) / 2;
    if (cases.every((c) => stable(c, mid, split))) lo = mid;
    else hi = mid;
  }
  return lo;
}

interface ModeCase {
  L: number; // V per unit SOC
  Q: number; // Ah
  R0: number;
  R: number[];
  tau: number[];
}

function modeCases(chem: Chemistry, spread: SpreadConfig): ModeCase[] {
  const lim = chem.spec.limits;
  const Tmin = Math.min(lim.charge_temperature_C.min, lim.discharge_temperature_C.min);
  const Tmax = lim.cutoff_temperature_C + 10;
  const kQ = Math.max(0.05, 1 - spread.truncate_sigma * spread.capacity_rel_sigma);
  const kR = Math.max(0.05, 1 - spread.truncate_sigma * spread.resistance_rel_sigma);
  const xs = chem.soc.x;
  const out: ModeCase[] = [];
  const temps: number[] = [];
  for (let T = Tmin; T < Tmax; T += 5) temps.push(T);
  temps.push(Tmax);
  for (const T of temps) {
    const f = capacityFactor(chem.spec, T);
    for (let s = 0; s < xs.length; s++) {
      // steepest neighbouring OCV segment at this breakpoint, as seen through the lookup SOC
      let L = 0;
      for (const [a, b] of [
        [s - 1, s],
        [s, s + 1],
      ] as const) {
        if (a < 0 || b >= xs.length) continue;
        L = Math.max(L, (chem.ocv[b]! - chem.ocv[a]!) / (xs[b]! - xs[a]!));
      }
      const p = paramsAt(chem, s, T);
      out.push({
        L: L / f,
        Q: chem.capacity_Ah * kQ,
        R0: p.r0 * kR,
        R: p.r.map((r) => r * kR),
        tau: p.r.map((r, j) => r * p.c[j]!),
      });
    }
  }
  return out;
}

function paramsAt(chem: Chemistry, s: number, T: number): { r0: number; r: number[]; c: number[] } {
  if (chem.form === 'arrhenius') {
    const x = 1 / (T + KELVIN) - 1 / (chem.T_ref_C + KELVIN);
    const f0 = Math.exp(chem.r0EaOverR * x);
    const fr = Math.exp(chem.rcEaOverR * x);
    return {
      r0: chem.r0[s]! * f0,
      r: chem.rcR.map((t) => t[s]! * fr),
      c: chem.rcC.map((t) => t[s]!),
    };
  }
  const tg = chem.temp!;
  const nT = tg.x.length;
  const j = tg.find(T);
  const u = tg.fraction(j, T);
  const j1 = nT > 1 ? j + 1 : j;
  const at = (tab: Float64Array) => tab[s * nT + j]! + u * (tab[s * nT + j1]! - tab[s * nT + j]!);
  return { r0: at(chem.r0), r: chem.rcR.map(at), c: chem.rcC.map(at) };
}

/** Spectral radius of A at most 1 (checked as boundedness of A^1024 by repeated squaring). */
function stable(c: ModeCase, dt: number, split: SplitMethod): boolean {
  const m = 1 + c.R.length;
  const A = new Float64Array(m * m);
  const k = dt / (3600 * c.Q);
  const a = c.tau.map((tau) => Math.exp(-dt / tau));
  const b = c.R.map((r, j) => r * (1 - a[j]!)); // δv_j' = a_j δv_j + b_j δI
  // δI = −(L δz + Σ w_j δv_j)/Rs: explicit w_j = 1, Rs = R0; implicit w_j = a_j, Rs = R0 + k L + Σ b_j
  const implicit = split === 'implicit';
  const Rs = implicit ? b.reduce((s, x) => s + x, c.R0 + k * c.L) : c.R0;
  const wv = (j: number) => (implicit ? a[j]! : 1);
  // row 0: δz' = δz + k δI
  A[0] = 1 - (k * c.L) / Rs;
  for (let j = 1; j < m; j++) A[j] = (-k * wv(j - 1)) / Rs;
  for (let j = 0; j < c.R.length; j++) {
    const g = b[j]! / Rs;
    const row = (j + 1) * m;
    A[row] = -g * c.L;
    for (let col = 1; col < m; col++) A[row + col] = -g * wv(col - 1);
    A[row + j + 1] = a[j]! - g * wv(j);
  }
  let P: Float64Array = A;
  for (let i = 0; i < 10; i++) {
    P = square(P, m);
    let max = 0;
    for (let q = 0; q < P.length; q++) max = Math.max(max, Math.abs(P[q]!));
    if (!(max <= 1e6)) return false;
  }
  let max = 0;
  for (let q = 0; q < P.length; q++) max = Math.max(max, Math.abs(P[q]!));
  return max <= 10;
}

function square(P: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += P[i * m + k]! * P[k * m + j]!;
      out[i * m + j] = s;
    }
  }
  return out;
}
