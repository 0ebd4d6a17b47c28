/**
 * What the BMS said and did, looked up on the Timeline for the reaction checks: its warnings
 * (EVENTs and the PACK_STATUS masks), its contactors and state, and whether it flags its own
 * current sensor as implausible (then a measured current is not evidence against the load).
 */
import { BmsState, FaultCode, FaultTier } from '../../../../protocol/messages.ts';
import { ABSENT, Contactor, type Timeline } from '../../../timeline/store.ts';

/** Bit mask of fault codes (code n is bit n of the PACK_STATUS masks). */
export function codeBits(codes: readonly number[]): number {
  let m = 0;
  for (const c of codes) if (c >= 0 && c < 32) m |= 1 << c;
  return m >>> 0;
}

const POS = Contactor.MAIN_POSITIVE;
const NEG = Contactor.MAIN_NEGATIVE;
const PRE = Contactor.PRECHARGE;
const ALL = POS | NEG | PRE;

/** PROTOCOL.md §8's table per state: the contacts that must be closed and those that must be open. */
export const CONTACTOR_LAW: readonly { close: number; open: number }[] = (() => {
  const t: { close: number; open: number }[] = [];
  t[BmsState.INIT] = { close: 0, open: ALL };
  t[BmsState.STANDBY] = { close: 0, open: ALL };
  t[BmsState.PRECHARGE] = { close: NEG | PRE, open: 0 };
  t[BmsState.NORMAL] = { close: POS | NEG, open: PRE };
  t[BmsState.CHARGE] = { close: POS | NEG, open: PRE };
  t[BmsState.ERROR] = { close: 0, open: ALL };
  return t;
})();

/** Whether row r's contactor bits are against its state's line of CONTACTOR_LAW (false without both). */
export function againstContactorLaw(tl: Timeline, r: number): boolean {
  const s = tl.state[r]!;
  const bits = tl.contactors[r]!;
  if (s === ABSENT || bits === ABSENT) return false;
  const law = CONTACTOR_LAW[s];
  if (law === undefined) return false;
  return (bits & law.close) !== law.close || (bits & law.open) !== 0;
}

const PLAUSIBILITY_BIT = (1 << FaultCode.CURRENT_PLAUSIBILITY) >>> 0;

/**
 * When the BMS warned about one of `codes` (null: any code) for a condition that began at t0:
 * the earliest of an EVENT raised at tier WARNING or FATAL in [t0 − eventLookback_s, t1] and a
 * PACK_STATUS whose warning or fault mask has one of the codes' bits. A mask already set at t0
 * is followed back to the start of its run (a warning that was already active), at most
 * maxBack_s: −Infinity when it was set all along. NaN when the BMS did not warn by t1.
 */
export function warningTime(tl: Timeline, codes: readonly number[] | null, t0: number, t1: number, eventLookback_s: number, maxBack_s: number): number {
  let best = NaN;
  const from = t0 - eventLookback_s;
  for (const e of tl.events) {
    if (!e.raised || e.tier < FaultTier.WARNING || e.t_s < from || e.t_s > t1) continue;
    if (codes !== null && !codes.includes(e.code)) continue;
    if (!(e.t_s >= best)) best = e.t_s;
  }
  const bits = codes === null ? 0xffffffff : codeBits(codes);
  const ts = tl.t_s;
  const set = (r: number): boolean => ((tl.warningMask[r]! | tl.faultMask[r]!) & bits) !== 0;
  let r = tl.rowAt(t0);
  while (r < tl.length && tl.state[r] === ABSENT) r++;
  if (r < tl.length && ts[r]! <= t1 && set(r)) {
    // already warning at t0: back to the start of the run
    let k = r;
    const stop = t0 - maxBack_s;
    for (let j = r - 1; j >= 0; j--) {
      if (tl.state[j] === ABSENT) continue;
      if (!set(j)) break;
      if (ts[j]! < stop) return -Infinity;
      k = j;
    }
    return Number.isNaN(best) ? ts[k]! : Math.min(best, ts[k]!);
  }
  const end = Number.isNaN(best) ? t1 : Math.min(best, t1);
  for (; r < tl.length && ts[r]! <= end; r++) {
    if (tl.state[r] !== ABSENT && set(r)) return Number.isNaN(best) ? ts[r]! : Math.min(best, ts[r]!);
  }
  return best;
}

/** True when the BMS flags its current sensor (CURRENT_PLAUSIBILITY at WARNING or FATAL) in a row of [r0, r1]. */
export function currentImplausible(tl: Timeline, r0: number, r1: number): boolean {
  for (let r = r0; r <= r1 && r < tl.length; r++) {
    if (((tl.warningMask[r]! | tl.faultMask[r]!) & PLAUSIBILITY_BIT) !== 0) return true;
  }
  return false;
}

/** Both main contactors closed (the main current path). */
export function mainsClosed(c: number): boolean {
  return (c & (Contactor.MAIN_POSITIVE | Contactor.MAIN_NEGATIVE)) === (Contactor.MAIN_POSITIVE | Contactor.MAIN_NEGATIVE);
}

/** The first row in [t0, t1] in state ERROR with the main path open (a main contactor open); -1 when none. */
export function firstOpenInError(tl: Timeline, t0: number, t1: number): number {
  const ts = tl.t_s;
  for (let r = tl.rowAt(t0); r < tl.length && ts[r]! <= t1; r++) {
    const c = tl.contactors[r]!;
    if (tl.state[r] === BmsState.ERROR && c !== ABSENT && !mainsClosed(c)) return r;
  }
  return -1;
}

/** "main+, main−" etc.: the closed contactors of a contactor byte ("none"). */
export function closedNames(c: number): string {
  const out: string[] = [];
  if (c & Contactor.MAIN_POSITIVE) out.push('main+');
  if (c & Contactor.MAIN_NEGATIVE) out.push('main−');
  if (c & Contactor.PRECHARGE) out.push('precharge');
  return out.length > 0 ? out.join(', ') : 'none';
}

/** The largest finite value of a column in rows with t in [t0, t1) (NaN when none). */
export function maxBefore(tl: Timeline, col: Float64Array, t0: number, t1: number): number {
  let best = NaN;
  const ts = tl.t_s;
  for (let r = tl.rowAt(t0); r < tl.length && ts[r]! < t1; r++) {
    const v = col[r]!;
    if (v === v && !(v <= best)) best = v;
  }
  return best;
}
