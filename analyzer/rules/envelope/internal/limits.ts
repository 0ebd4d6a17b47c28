/**
 * The device's tiered limits as scan bands, where they come from, and the small shared pieces the
 * envelope and reaction checks need: the charging threshold, the charging segments of a session
 * (which temperature limits apply where) and the sampling period.
 */
import type { TierLimits } from '../../../../protocol/messages.ts';
import type { Threshold } from '../../../findings.ts';
import type { RuleContext } from '../../rule.ts';
import { medianPeriod } from '../../intervals.ts';
import type { Timeline } from '../../../timeline/store.ts';
import { type Bands, LEVEL_TIERS } from './episodes.ts';

export type Tiers = { mol: TierLimits; rsl: TierLimits; msl: TierLimits };
type Key = keyof TierLimits;

const up = (x: number): number => (Number.isFinite(x) ? x : Infinity);
const down = (x: number): number => (Number.isFinite(x) ? x : -Infinity);

/** Bands from a maximum and a minimum limit key of each tier (either may be null: not checked). */
export function bandsOf(l: Tiers, max: Key | null, min: Key | null): Bands {
  return {
    hi1: max ? up(l.mol[max]) : Infinity,
    hi2: max ? up(l.rsl[max]) : Infinity,
    hi3: max ? up(l.msl[max]) : Infinity,
    lo1: min ? down(l.mol[min]) : -Infinity,
    lo2: min ? down(l.rsl[min]) : -Infinity,
    lo3: min ? down(l.msl[min]) : -Infinity,
  };
}

/** Current bands: charge limits above zero, discharge limits (magnitudes) below. */
export function currentBands(l: Tiers): Bands {
  const neg = (x: number): number => (Number.isFinite(x) ? -x : -Infinity);
  return {
    hi1: up(l.mol.chargeCurrentMax_A),
    hi2: up(l.rsl.chargeCurrentMax_A),
    hi3: up(l.msl.chargeCurrentMax_A),
    lo1: neg(l.mol.dischargeCurrentMax_A),
    lo2: neg(l.rsl.dischargeCurrentMax_A),
    lo3: neg(l.msl.dischargeCurrentMax_A),
  };
}

/** The limit of a level (1..3) in a direction, as a finding's threshold ("device INFO RSL"). */
export function levelThreshold(ctx: RuleContext, b: Bands, dir: 'over' | 'under', level: number, unit: string, sign = 1): Threshold {
  const v = dir === 'over' ? [0, b.hi1, b.hi2, b.hi3][level]! : [0, b.lo1, b.lo2, b.lo3][level]!;
  return { value: Number.isFinite(v) ? v * sign : null, unit, source: `${ctx.limitsSource} ${LEVEL_TIERS[level]}` };
}

/** Pack capacity from INFO, Ah (NaN when unknown). */
export function packCapacity_Ah(ctx: RuleContext): number {
  const i = ctx.info;
  if (i === null) return NaN;
  const c = i.cellCapacity_Ah * i.np;
  return Number.isFinite(c) && c > 0 ? c : NaN;
}

/**
 * The current above which the pack counts as charging, A: `<check>.charging_current_C` × the pack
 * capacity from INFO, or `<check>.charging_current_A` when the capacity is unknown. Returns the
 * value and its source.
 */
export function chargingThreshold(ctx: RuleContext, check: string): Threshold {
  const cap = packCapacity_Ah(ctx);
  if (Number.isFinite(cap)) {
    const t = ctx.profile.threshold(`${check}.charging_current_C`, 'C');
    return { value: (t.value ?? 0) * cap, unit: 'A', source: `${t.source} × ${cap} Ah (INFO)` };
  }
  return ctx.profile.threshold(`${check}.charging_current_A`, 'A');
}

/**
 * Segments of rows with one charging flag: segment i covers rows [starts[i], starts[i+1]) (the
 * last one up to `length`), flag 1 while the measured current is above `threshold_A`. A row
 * without a current (no PACK_STATUS) keeps the flag of the row before.
 */
export function chargingSegments(tl: Timeline, threshold_A: number): { starts: number[]; flags: number[] } {
  const starts: number[] = [];
  const flags: number[] = [];
  const I = tl.pack.current_A;
  let flag = -1;
  for (let r = 0; r < tl.length; r++) {
    const i = I[r]!;
    const f = i > threshold_A ? 1 : i === i ? 0 : flag < 0 ? 0 : flag;
    if (f !== flag) {
      starts.push(r);
      flags.push(f);
      flag = f;
    }
  }
  return { starts, flags };
}

/** Per Timeline and revision: period and row count per present bit (several checks ask). */
const rowStats = new WeakMap<Timeline, { revision: number; period: Map<number, number>; rows: Map<number, number> }>();

function statsOf(tl: Timeline): { period: Map<number, number>; rows: Map<number, number> } {
  let s = rowStats.get(tl);
  if (s === undefined || s.revision !== tl.revision) {
    s = { revision: tl.revision, period: new Map(), rows: new Map() };
    rowStats.set(tl, s);
  }
  return s;
}

/** The sampling period of rows with a present bit, s (0.1 when it cannot be told). */
export function periodOf(tl: Timeline, bit: number): number {
  const s = statsOf(tl);
  let v = s.period.get(bit);
  if (v === undefined) {
    const p = medianPeriod(tl, bit);
    v = Number.isFinite(p) && p > 0 ? p : 0.1;
    s.period.set(bit, v);
  }
  return v;
}

/** Rows with a present bit. */
export function rowsWith(tl: Timeline, bit: number): number {
  const s = statsOf(tl);
  let v = s.rows.get(bit);
  if (v === undefined) {
    v = 0;
    const pr = tl.present;
    for (let r = 0; r < tl.length; r++) if ((pr[r]! & bit) !== 0) v++;
    s.rows.set(bit, v);
  }
  return v;
}
