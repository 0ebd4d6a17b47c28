/**
 * The device's tiered limits as scan bands, where they come from and where each set was in force,
 * and the small shared pieces the envelope and reaction checks need: the charging threshold, the
 * charging segments of a session (which temperature limits apply where) and the sampling period.
 */
import type { TierLimits } from '../../../../protocol/messages.ts';
import { type Threshold, round } from '../../../findings.ts';
import type { RuleContext } from '../../rule.ts';
import { medianPeriod } from '../../intervals.ts';
import type { Timeline } from '../../../timeline/store.ts';
import { type Bands, LEVEL_TIERS } from './episodes.ts';

export type Tiers = { mol: TierLimits; rsl: TierLimits; msl: TierLimits };
type Key = keyof TierLimits;

const up = (x: number): number => (Number.isFinite(x) ? x : Infinity);
const down = (x: number): number => (Number.isFinite(x) ? x : -Infinity);

/**
 * One stretch of rows judged by one set of tiered limits: rows from `r0` to the next epoch's
 * `r0` (the last to the end). `t_s` is the time of row `r0`.
 */
export interface LimitEpoch {
  r0: number;
  t_s: number;
  limits: Tiers;
}

const TIER_KEYS = ['mol', 'rsl', 'msl'] as const;

function sameLimits(a: Tiers, b: Tiers): boolean {
  if (a === b) return true;
  for (const t of TIER_KEYS) {
    const x = a[t] as unknown as Record<string, number>;
    const y = b[t] as unknown as Record<string, number>;
    for (const k of Object.keys(x)) if (!Object.is(x[k], y[k])) return false;
  }
  return true;
}

const epochMemo = new WeakMap<RuleContext, LimitEpoch[]>();

/**
 * Where each set of tiered limits was in force, in row order (empty without limits). A device
 * states its limits in every INFO (PROTOCOL.md: every 5 s and after a reset), and firmware
 * updated or reconfigured part-way through a capture states others from then on
 * (quality.device reports it): each set judges the rows it was in force for, not the last
 * INFO's the whole capture. The first INFO's limits hold from the first row (the device had
 * them before it first said so); a later INFO with other limits starts a new epoch at the
 * device's restart between it and the INFO before (new firmware starts with a reset), else at
 * its own arrival. Without INFOs (a trace, its limits rebuilt from its scenario): one epoch of
 * `ctx.limits`.
 */
export function limitEpochs(ctx: RuleContext): LimitEpoch[] {
  let out = epochMemo.get(ctx);
  if (out !== undefined) return out;
  out = [];
  const { tl, limits } = ctx;
  const infos = tl.infos;
  if (limits !== null) {
    if (infos.length === 0) out.push({ r0: 0, t_s: tl.length > 0 ? tl.t_s[0]! : 0, limits });
    else {
      out.push({ r0: 0, t_s: tl.length > 0 ? tl.t_s[0]! : 0, limits: infos[0]!.info.limits });
      let prevRow = tl.rowAt(infos[0]!.t_s);
      for (let k = 1; k < infos.length; k++) {
        const info = infos[k]!;
        const row = tl.rowAt(info.t_s);
        const last = out[out.length - 1]!;
        if (!sameLimits(last.limits, info.info.limits) && row < tl.length) {
          const r0 = changeRow(tl, prevRow, row);
          if (r0 <= last.r0) last.limits = info.info.limits;
          else out.push({ r0, t_s: tl.t_s[r0]!, limits: info.info.limits });
        }
        prevRow = row;
      }
    }
  }
  epochMemo.set(ctx, out);
  return out;
}

/**
 * Where a change the device states in an INFO took effect: the row of the last device restart
 * after `prevRow` (the previous INFO's row) and up to `row` (this INFO's) — new firmware or a
 * new configuration starts with a reset —, else `row` itself.
 */
export function changeRow(tl: Timeline, prevRow: number, row: number): number {
  let r0 = row;
  for (const c of tl.clockSteps) if (c.row > prevRow && c.row <= row) r0 = c.row;
  return r0;
}

/** The epoch row r belongs to (0 when r is before the second; epochs must not be empty). */
export function epochOf(epochs: readonly LimitEpoch[], r: number): number {
  let e = 0;
  while (e + 1 < epochs.length && epochs[e + 1]!.r0 <= r) e++;
  return e;
}

/** Rows [start, end) of epoch e. */
export function epochRows(epochs: readonly LimitEpoch[], e: number, n: number): [number, number] {
  return [epochs[e]!.r0, e + 1 < epochs.length ? epochs[e + 1]!.r0 : n];
}

/**
 * A tier's source in a finding's threshold: "device INFO RSL"; when the capture holds more
 * than one set of limits, which one ("device INFO RSL, in force from 1234.5 s").
 */
export function tierSource(ctx: RuleContext, epochs: readonly LimitEpoch[], e: number, tier: string): string {
  return `${ctx.limitsSource} ${tier}${inForce(epochs, e)}`;
}

/** ", in force from 1234.5 s" when the capture holds more than one set of limits, else "". */
export function inForce(epochs: readonly LimitEpoch[], e: number): string {
  return epochs.length > 1 ? `, in force from ${round(epochs[e]!.t_s, 1)} s` : '';
}

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

/**
 * The limit of a level (1..3) in a direction, as a finding's threshold ("device INFO RSL"), of
 * epoch e's bands `b`.
 */
export function levelThreshold(
  ctx: RuleContext,
  b: Bands,
  epochs: readonly LimitEpoch[],
  e: number,
  dir: 'over' | 'under',
  level: number,
  unit: string,
  sign = 1,
): Threshold {
  const v = dir === 'over' ? [0, b.hi1, b.hi2, b.hi3][level]! : [0, b.lo1, b.lo2, b.lo3][level]!;
  return { value: Number.isFinite(v) ? v * sign : null, unit, source: tierSource(ctx, epochs, e, LEVEL_TIERS[level]!) };
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
