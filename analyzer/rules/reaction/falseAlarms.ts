/**
 * reaction.false_alarms — EVENTs the BMS raised (tier WARNING or FATAL) for a measured quantity
 * that nothing in the data supports: no sample within [t − window_before_s, t + window_after_s]
 * of the event beyond (or within the margin of) the threshold the EVENT itself carries
 * (event.threshold, in FAULT_UNITS of its code).
 *
 * Judged codes and the data they are held against:
 *   CELL_OVERVOLTAGE                  the event's cell (CELL_VOLTAGES; PACK_STATUS max without them) > threshold − margin_V
 *   CELL_UNDERVOLTAGE, DEEP_DISCHARGE the event's cell (PACK_STATUS min) < threshold + margin_V
 *   OVERCURRENT_CHARGE / _DISCHARGE   the charge current / discharge current magnitude > threshold − margin_A
 *   OVER/UNDERTEMPERATURE_*           the event's sensor (TEMPERATURES; PACK_STATUS max/min) beyond threshold ∓ margin_C
 *   CELL_VOLTAGE_SPREAD               max − min of the cells > threshold − margin_V
 *   TEMPERATURE_SPREAD                max − min of the sensors > threshold − margin_C
 *   NTC_OPEN / NTC_SHORT              the event's sensor reported not available (the wire's NA: a
 *                                     BMS excludes a failed sensor) or reading beyond the threshold
 *                                     ∓ margin_C (below for open, above for short)
 *   OPEN_SENSE_WIRE                   the event's cell or a neighbour (the two cells on either side
 *                                     of a tap read it) reported not available, or reading further
 *                                     from the median of the cells than threshold − margin_V (an
 *                                     open tap pulls one cell towards 0 V and gives the next both)
 *   CELL_VOLTAGE_PLAUSIBILITY         the event's cell frozen: how far the mean of the cells moved
 *                                     while its reading stayed the same (from its last change
 *                                     before the event, up to frozen_lookback_s back),
 *                                     > threshold − margin_V;
 *                                     or the cell reported not available
 *   CONTACTOR_FEEDBACK                a frame whose contactor bits (the auxiliary contacts) are
 *                                     against its state (PROTOCOL.md §8's table, as
 *                                     reaction.contactors reads it): a contact that did not follow
 *   PRECHARGE_FAILURE                 a precharge in the window that did not end in NORMAL or
 *                                     CHARGE (the state after its last PRECHARGE frame)
 *   HOST_COMM_LOSS                    the host's silence up to the event, from the last valid
 *                                     command the device answered (ACK / NACK), > threshold −
 *                                     margin_s (see `hostSilence`; not judged without answers in
 *                                     the capture: the host's commands are then not on this link)
 *   CELL_OVERCURRENT                  the pack current magnitude > threshold − margin_A: the split of
 *                                     a group's current among its parallel cells is not in the
 *                                     telemetry (a BMS divides by the cells it believes are still
 *                                     connected), and the most one cell can carry is the whole
 *                                     group's, so only an alarm not even that explains is false
 * Not judged (an info finding each): CURRENT_PLAUSIBILITY (the redundant current sensor it
 * compares with is not in the telemetry), codes this reader does not know, and events with no
 * data in their window.
 *
 * An EVENT raising again an alarm that is raised and not cleared (nor ended by a restart) is the
 * same alarm, judged once.
 *
 * Severity of a false alarm: error at FATAL (it opened the contactors for nothing), warning at
 * WARNING (it derated for nothing).
 *
 * Why a window before the event: the BMS raises after its debounce (up to 4 s for temperatures)
 * and on its own clock; after: the EVENT and the telemetry of one tick may arrive in either
 * order. Thresholds (profiles/defaults/reaction.json): window_before_s, window_after_s, margin_V,
 * margin_A, margin_C, margin_s, frozen_lookback_s, max_findings. Metrics: events judged, matched, false, not judged.
 * Always evaluable: a capture without EVENTs passes (there is no alarm to judge).
 */
import { BmsState, FAULT_CODE_NAMES, FAULT_TIER_NAMES, FaultCode, FaultTier } from '../../../protocol/messages.ts';
import { type Finding, finding, round } from '../../findings.ts';
import { ABSENT, Present, type TimedEvent, type Timeline } from '../../timeline/store.ts';
import type { Rule, RuleContext, RuleOutcome } from '../rule.ts';
import { capFindings } from '../cap.ts';
import { median } from '../select.ts';
import { againstContactorLaw } from './internal/bms.ts';
import { hostSilence } from './internal/host.ts';
import { alarmEpisodes, faultUnit } from '../alarms.ts';

const ID = 'reaction.false_alarms';

type Series =
  | 'cell'
  | 'charge_current'
  | 'discharge_current'
  | 'sensor'
  | 'ntc'
  | 'tap'
  | 'frozen'
  | 'feedback'
  | 'precharge'
  | 'cell_spread'
  | 'sensor_spread'
  | 'host'
  | 'group_current';
interface Judged {
  series: Series;
  over: boolean;
  /** The margin's unit; null for a condition (a contact that did not follow), not a value. */
  unit: 'V' | 'A' | 'C' | 's' | null;
}

const JUDGED: Partial<Record<number, Judged>> = {
  [FaultCode.CELL_OVERVOLTAGE]: { series: 'cell', over: true, unit: 'V' },
  [FaultCode.CELL_UNDERVOLTAGE]: { series: 'cell', over: false, unit: 'V' },
  [FaultCode.DEEP_DISCHARGE]: { series: 'cell', over: false, unit: 'V' },
  [FaultCode.OVERCURRENT_CHARGE]: { series: 'charge_current', over: true, unit: 'A' },
  [FaultCode.OVERCURRENT_DISCHARGE]: { series: 'discharge_current', over: true, unit: 'A' },
  [FaultCode.CELL_OVERCURRENT]: { series: 'group_current', over: true, unit: 'A' },
  [FaultCode.OVERTEMPERATURE_CHARGE]: { series: 'sensor', over: true, unit: 'C' },
  [FaultCode.OVERTEMPERATURE_DISCHARGE]: { series: 'sensor', over: true, unit: 'C' },
  [FaultCode.UNDERTEMPERATURE_CHARGE]: { series: 'sensor', over: false, unit: 'C' },
  [FaultCode.UNDERTEMPERATURE_DISCHARGE]: { series: 'sensor', over: false, unit: 'C' },
  [FaultCode.CELL_VOLTAGE_SPREAD]: { series: 'cell_spread', over: true, unit: 'V' },
  [FaultCode.TEMPERATURE_SPREAD]: { series: 'sensor_spread', over: true, unit: 'C' },
  [FaultCode.NTC_OPEN]: { series: 'ntc', over: false, unit: 'C' },
  [FaultCode.NTC_SHORT]: { series: 'ntc', over: true, unit: 'C' },
  [FaultCode.OPEN_SENSE_WIRE]: { series: 'tap', over: true, unit: 'V' },
  [FaultCode.CELL_VOLTAGE_PLAUSIBILITY]: { series: 'frozen', over: true, unit: 'V' },
  [FaultCode.CONTACTOR_FEEDBACK]: { series: 'feedback', over: true, unit: null },
  [FaultCode.PRECHARGE_FAILURE]: { series: 'precharge', over: true, unit: null },
  [FaultCode.HOST_COMM_LOSS]: { series: 'host', over: true, unit: 's' },
};

/** What a false alarm says the data never showed (`missed`), and over what (`span`; `extreme` with its unit). */
interface Wording {
  missed(subject: string, dirWord: string, limit: string): string;
  span(before: number, after: number, extreme: string): string;
}
const VALUE_WORDING: Wording = {
  missed: (subject, dirWord, limit) => `the ${subject} never went ${dirWord} ${limit}`,
  span: (before, after, extreme) => `from ${before} s before to ${after} s after (extreme ${extreme})`,
};
const WORDING: Partial<Record<Series, Wording>> = {
  ntc: { ...VALUE_WORDING, missed: (subject, dirWord, limit) => `the ${subject} was never reported not available, nor went ${dirWord} ${limit}` },
  tap: {
    ...VALUE_WORDING,
    missed: (subject, _d, limit) => `${subject} were never reported not available, nor read further than ${limit} from the median of the cells`,
  },
  frozen: {
    missed: (subject, dirWord, limit) => `the ${subject} never kept one reading while the mean of the cells moved ${dirWord} ${limit}`,
    span: (_b, after, extreme) => `(up to ${after} s after; the mean moved at most ${extreme})`,
  },
  feedback: {
    missed: () => 'no frame showed its contactors against its state (PROTOCOL.md §8)',
    span: (before, after) => `from ${before} s before to ${after} s after`,
  },
  precharge: {
    missed: () => 'no precharge in the window failed to close the main contactor (PRECHARGE to NORMAL or CHARGE)',
    span: (before, after) => `from ${before} s before to ${after} s after`,
  },
  group_current: {
    ...VALUE_WORDING,
    span: (before, after, extreme) => `${VALUE_WORDING.span(before, after, extreme)}, and not even one cell carrying all of its group’s current would reach it`,
  },
  host: {
    missed: (_subject, _dirWord, limit) => `the host was not silent for ${limit}: the device answered one of its commands`,
    span: (_b, _a, extreme) => `${extreme} before it`,
  },
};

export const falseAlarms: Rule = {
  id: ID,
  group: 'reaction',
  title: 'No BMS alarms without a matching value in the data',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    const before = profile.num(`${ID}.window_before_s`);
    const after = profile.num(`${ID}.window_after_s`);
    const lookback = profile.num(`${ID}.frozen_lookback_s`);
    const units = ['V', 'A', 'C', 's'] as const;
    const margin = Object.fromEntries(units.map((u) => [u, profile.num(`${ID}.margin_${u}`)])) as Record<(typeof units)[number], number>;
    const marginSrc = Object.fromEntries(units.map((u) => [u, profile.source(`${ID}.margin_${u}`)])) as Record<(typeof units)[number], string>;
    const findings: Finding[] = [];
    let judged = 0;
    let matched = 0;
    let falseCount = 0;
    let notJudged = 0;
    // an alarm is a raise that stands on its own: the device raising again what it has raised and
    // not cleared (a repeated EVENT) is the same alarm (alarms.ts pairs them)
    const raises = new Set(alarmEpisodes(tl, (e) => e.tier >= FaultTier.WARNING, tl.duration_s).map((a) => a.raise));
    for (const e of tl.events) {
      if (!raises.has(e)) continue;
      const name = FAULT_CODE_NAMES[e.code] ?? `CODE_${e.code}`;
      const tier = FAULT_TIER_NAMES[e.tier] ?? `TIER_${e.tier}`;
      const j = JUDGED[e.code];
      const base = { check: ID, t_start_s: e.t_s, t_end_s: e.t_s };
      if (j === undefined || !Number.isFinite(e.threshold)) {
        notJudged++;
        const why =
          j !== undefined
            ? 'the EVENT carries no threshold'
            : e.code < FAULT_CODE_NAMES.length
              ? 'a sensor or system fault: what it sees is not in the telemetry'
              : 'a code this reader does not know';
        findings.push(
          finding({
            ...base,
            severity: 'info',
            subject: `${name} ${tier}${e.index >= 0 ? ` ${e.index}` : ''}`,
            message: `${name} ${tier} raised at ${round(e.t_s, 2)} s (value ${round(e.value, 4)}, threshold ${round(e.threshold, 4)}): not judged, ${why}`,
            evidence: { code: name, tier, index: e.index, value: round(e.value, 4), event_threshold: round(e.threshold, 4), judged: false },
            threshold: null,
          }),
        );
        continue;
      }
      const m = j.unit === null ? 0 : margin[j.unit];
      const limit = j.over ? e.threshold - m : e.threshold + m;
      const w = extreme(tl, j, e, e.t_s - before, e.t_s + after, lookback, limit);
      const subject = `${name} ${tier} ${w.subject}`;
      const unit = faultUnit(e.code);
      if (w.value !== w.value) {
        notJudged++;
        findings.push(
          finding({
            ...base,
            severity: 'info',
            subject,
            message: `${name} ${tier} raised at ${round(e.t_s, 2)} s: not judged, ${w.why ?? `no ${w.subject} data within ${before} s before and ${after} s after`}`,
            evidence: { code: name, tier, index: e.index, value: round(e.value, 4), event_threshold: round(e.threshold, 4), judged: false },
            threshold: null,
          }),
        );
        continue;
      }
      judged++;
      const ok = j.over ? w.value > limit : w.value < limit;
      if (ok) {
        matched++;
        continue;
      }
      falseCount++;
      const dirWord = j.over ? 'above' : 'below';
      const say = WORDING[j.series] ?? VALUE_WORDING;
      findings.push(
        finding({
          ...base,
          severity: e.tier >= FaultTier.FATAL ? 'error' : 'warning',
          subject,
          message: `${name} ${tier} raised at ${round(e.t_s, 2)} s (value ${round(e.value, 4)} ${unit}, threshold ${round(e.threshold, 4)} ${unit}) but ${say.missed(w.subject, dirWord, `${round(limit, 4)} ${unit}`)} ${say.span(before, after, `${round(w.value, 4)} ${unit}`)}: a false alarm`,
          evidence: {
            code: name,
            tier,
            index: e.index,
            event_value: round(e.value, 4),
            event_threshold: round(e.threshold, 4),
            data_extreme: Number.isFinite(w.value) ? round(w.value, 4) : null,
            margin: m,
            window_before_s: before,
            window_after_s: after,
          },
          threshold: j.unit === null ? null : { value: round(limit, 4), unit, source: `EVENT threshold ∓ margin_${j.unit} (${marginSrc[j.unit]})` },
        }),
      );
    }
    return {
      evaluable: true,
      findings: capFindings(ID, findings, profile.num(`${ID}.max_findings`)),
      metrics: { events_judged: judged, events_matched: matched, false_alarms: falseCount, events_not_judged: notJudged },
    };
  },
};

/**
 * The most extreme value (max for `over`, min otherwise) of the event's series in rows with t in
 * [t0, t1], NaN when there is none (with `why` where that is not the only reason); a discharge
 * current is a magnitude (the EVENT's unit). `limit`: the EVENT's threshold with the margin.
 */
function extreme(
  tl: Timeline,
  j: Judged,
  e: TimedEvent,
  t0: number,
  t1: number,
  frozenLookback_s: number,
  limit: number,
): { value: number; subject: string; why?: string } {
  const r0 = tl.rowAt(t0);
  let r1 = tl.rowAt(t1);
  while (r1 < tl.length && tl.t_s[r1]! <= t1) r1++;
  const p = tl.pack;
  const pick = (cols: ArrayLike<number>[], over: boolean): number => {
    let best = NaN;
    for (const col of cols) {
      for (let r = r0; r < r1; r++) {
        const v = col[r]!;
        if (v === v && !(over ? v <= best : v >= best)) best = v;
      }
    }
    return best;
  };
  const spread = (cols: ArrayLike<number>[]): number => {
    let best = NaN;
    for (let r = r0; r < r1; r++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const col of cols) {
        const v = col[r]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (hi >= lo && !(hi - lo <= best)) best = hi - lo;
    }
    return best;
  };
  switch (j.series) {
    case 'cell': {
      const own = e.index >= 0 && e.index < tl.ns ? pick([tl.cellVoltage_V[e.index]!], j.over) : NaN;
      if (Number.isFinite(own)) return { value: own, subject: `cell ${e.index}` };
      return { value: pick([j.over ? p.cellVoltageMax_V : p.cellVoltageMin_V], j.over), subject: 'pack cell voltage' };
    }
    case 'sensor': {
      const own = e.index >= 0 && e.index < tl.nt ? pick([tl.temperature_C[e.index]!], j.over) : NaN;
      if (Number.isFinite(own)) return { value: own, subject: `sensor ${e.index}` };
      return { value: pick([j.over ? p.temperatureMax_C : p.temperatureMin_C], j.over), subject: 'pack temperature' };
    }
    case 'ntc': {
      if (!(e.index >= 0 && e.index < tl.nt)) return { value: NaN, subject: `sensor ${e.index}` };
      // a sensor the BMS sent as not available is the failed sensor it excluded: the alarm matches
      const col = tl.temperature_C[e.index]!;
      for (let r = r0; r < r1; r++) {
        if ((tl.present[r]! & Present.TEMPERATURES) !== 0 && col[r] !== col[r]) return { value: j.over ? Infinity : -Infinity, subject: `sensor ${e.index}` };
      }
      return { value: pick([col], j.over), subject: `sensor ${e.index}` };
    }
    case 'tap': {
      const cells: number[] = [];
      for (let i = e.index - 1; i <= e.index + 1; i++) if (i >= 0 && i < tl.ns) cells.push(i);
      const subject = `cells ${cells.join(', ')}`;
      if (cells.length === 0 || tl.ns < 3) return { value: NaN, subject };
      // a cell sent as not available is the channel the BMS excluded: the alarm matches
      let best = NaN;
      const row = new Float64Array(tl.ns);
      for (let r = r0; r < r1; r++) {
        if ((tl.present[r]! & Present.CELLS) === 0) continue;
        for (const i of cells) if (tl.cellVoltage_V[i]![r] !== tl.cellVoltage_V[i]![r]) return { value: Infinity, subject };
        let m = 0;
        for (let i = 0; i < tl.ns; i++) {
          const v = tl.cellVoltage_V[i]![r]!;
          if (v === v) row[m++] = v;
        }
        if (m === 0) continue;
        const med = median(row, m);
        for (const i of cells) {
          const d = Math.abs(tl.cellVoltage_V[i]![r]! - med);
          if (!(d <= best)) best = d;
        }
      }
      return { value: best, subject };
    }
    case 'feedback': {
      for (let r = r0; r < r1; r++) if (againstContactorLaw(tl, r)) return { value: Infinity, subject: 'contactors' };
      return { value: r1 > r0 ? -Infinity : NaN, subject: 'contactors' };
    }
    case 'precharge': {
      // the last PRECHARGE frame in the window, and the state of the next frame with one
      let last = -1;
      for (let r = r0; r < r1; r++) if (tl.state[r] === BmsState.PRECHARGE) last = r;
      if (last < 0) return { value: r1 > r0 ? -Infinity : NaN, subject: 'precharge' };
      let next = last + 1;
      while (next < tl.length && (tl.state[next] === ABSENT || tl.state[next] === BmsState.PRECHARGE)) next++;
      const s = next < tl.length ? tl.state[next]! : ABSENT;
      const closed = s === BmsState.NORMAL || s === BmsState.CHARGE;
      return { value: closed ? -Infinity : Infinity, subject: 'precharge' };
    }
    case 'frozen':
      return frozenMove(tl, e.index, r0, r1, tl.rowAt(t0 - frozenLookback_s));
    case 'host':
      return hostSilence(tl, e, limit);
    case 'charge_current':
      return { value: pick([p.current_A], true), subject: 'pack current' };
    case 'discharge_current':
      return { value: -pick([p.current_A], false), subject: 'pack discharge current' };
    case 'group_current': {
      // either direction: the EVENT's value is a magnitude (the charge or the discharge check)
      const hi = pick([p.current_A], true);
      const lo = pick([p.current_A], false);
      return { value: hi === hi ? Math.max(hi, -lo) : NaN, subject: 'pack current magnitude' };
    }
    case 'cell_spread': {
      const s = tl.ns > 1 ? spread(tl.cellVoltage_V) : NaN;
      if (Number.isFinite(s)) return { value: s, subject: 'cell voltage spread' };
      return { value: spread([p.cellVoltageMin_V, p.cellVoltageMax_V]), subject: 'cell voltage spread' };
    }
    case 'sensor_spread': {
      const s = tl.nt > 1 ? spread(tl.temperature_C) : NaN;
      if (Number.isFinite(s)) return { value: s, subject: 'temperature spread' };
      return { value: spread([p.temperatureMin_C, p.temperatureMax_C]), subject: 'temperature spread' };
    }
  }
}

/** Mean of the cell voltages of row r (NaN without any). */
function rowMean(tl: Timeline, r: number): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < tl.ns; i++) {
    const v = tl.cellVoltage_V[i]![r]!;
    if (v === v) {
      sum += v;
      n++;
    }
  }
  return n > 0 ? sum / n : NaN;
}

/**
 * CELL_VOLTAGE_PLAUSIBILITY as the BMS judges it, from the telemetry: how far the mean of the
 * cells moved while cell i read the same value, from the last change of its reading before the
 * end of the alarm's window (rows [r0, r1)), but not before row rMin (frozen_lookback_s), to that
 * end. Infinity when the cell was reported not
 * available in the window (the channel excluded), NaN without data.
 */
function frozenMove(tl: Timeline, i: number, r0: number, r1: number, rMin: number): { value: number; subject: string } {
  const subject = `cell ${i}`;
  if (!(i >= 0 && i < tl.ns) || tl.ns < 2) return { value: NaN, subject };
  const col = tl.cellVoltage_V[i]!;
  for (let r = r0; r < r1; r++) if ((tl.present[r]! & Present.CELLS) !== 0 && col[r] !== col[r]) return { value: Infinity, subject };
  let last = r1 - 1;
  while (last >= 0 && (tl.present[last]! & Present.CELLS) === 0) last--;
  if (last < 0) return { value: NaN, subject };
  const frozen = col[last]!;
  let first = last;
  for (let r = last - 1; r >= rMin; r--) {
    if ((tl.present[r]! & Present.CELLS) === 0) continue;
    if (col[r] !== frozen) break;
    first = r;
  }
  const ref = rowMean(tl, first);
  let moved = 0;
  for (let r = first + 1; r <= last; r++) {
    if ((tl.present[r]! & Present.CELLS) === 0) continue;
    const d = Math.abs(rowMean(tl, r) - ref);
    if (d > moved) moved = d;
  }
  return { value: moved, subject };
}
