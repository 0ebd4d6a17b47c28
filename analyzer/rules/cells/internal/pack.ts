/**
 * What the cells checks need to know about the pack besides its cells: its 1C current (to
 * tell rest from load), the chemistry's OCV slope at a voltage (to turn a voltage spread into
 * SOC imbalance on Na-ion's sloped OCV), and the rest / load regime of each sample.
 */
import type { ChemistryFile } from '../../../../sim/chemistry.ts';
import { type Gaps, restartBetween } from '../../quality/internal/gaps.ts';
import type { RowStats } from '../../quality/internal/rowStats.ts';
import type { RuleContext } from '../../rule.ts';

/** The pack's 1C current, A, and where it came from (NaN when neither INFO nor a chemistry says). */
export function oneC(ctx: RuleContext): { value_A: number; source: string } {
  const i = ctx.info;
  if (i !== null && i.np > 0 && i.cellCapacity_Ah > 0) return { value_A: i.np * i.cellCapacity_Ah, source: 'device INFO (np × cell capacity)' };
  if (ctx.chemistry !== null) return { value_A: ctx.chemistry.capacity_Ah, source: `chemistry ${ctx.chemistry.name} (one cell: no INFO np)` };
  return { value_A: NaN, source: 'none' };
}

/**
 * The OCV slope dV/dSOC (V per unit SOC) at an open-circuit voltage, as a central difference of
 * the chemistry's OCV table over ±window_soc around the SOC that voltage stands for.
 */
export function ocvSlope(chem: ChemistryFile, window_soc: number): (v: number) => number {
  const zs = chem.ocv.soc;
  const vs = chem.ocv.voltage_V;
  const n = zs.length;
  const at = (xs: readonly number[], ys: readonly number[], x: number): number => {
    if (x <= xs[0]!) return ys[0]!;
    if (x >= xs[n - 1]!) return ys[n - 1]!;
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (xs[mid]! <= x) lo = mid;
      else hi = mid;
    }
    return ys[lo]! + ((ys[hi]! - ys[lo]!) * (x - xs[lo]!)) / (xs[hi]! - xs[lo]!);
  };
  return (v: number): number => {
    const z = at(vs, zs, v);
    const a = Math.max(zs[0]!, z - window_soc);
    const b = Math.min(zs[n - 1]!, z + window_soc);
    return b > a ? (at(zs, vs, b) - at(zs, vs, a)) / (b - a) : NaN;
  };
}

export const Regime = { OTHER: 0, REST: 1, LOAD: 2 } as const;

/**
 * The regime of each sample: REST once |I| has stayed at or below rest_A for settle_s (on the
 * samples; a sample without a current, a gap longer than maxStep_s or a device restart
 * restarts the wait), LOAD when |I| > rest_A, OTHER while the rest settles or the current is
 * unknown.
 */
export function regimes(ctx: RuleContext, st: RowStats, rest_A: number, settle_s: number, maxStep_s: number, gaps: Gaps): Uint8Array {
  const I = ctx.tl.pack.current_A;
  const out = new Uint8Array(st.rows.length);
  let since = NaN;
  let prevT = NaN;
  for (let j = 0; j < st.rows.length; j++) {
    const t = st.t_s[j]!;
    const i = I[st.rows[j]!]!;
    if (t - prevT > maxStep_s || (j > 0 && restartBetween(gaps, st.rows[j - 1]!, st.rows[j]!))) since = NaN;
    prevT = t;
    if (!(i === i)) {
      since = NaN;
      continue;
    }
    if (Math.abs(i) > rest_A) {
      since = NaN;
      out[j] = Regime.LOAD;
      continue;
    }
    if (!(since === since)) since = t;
    if (t - since >= settle_s) out[j] = Regime.REST;
  }
  return out;
}
