/**
 * reaction.limits — for every exceedance the analyser itself finds beyond the RSL (warning tier)
 * or the MSL (fatal tier) of the device's INFO limits, for cell voltage, temperature and pack
 * current (the episodes of envelope.cell_voltage / .temperature / .current, one shared scan):
 * did the BMS
 *   warn    an EVENT of a matching fault code raised at WARNING or FATAL, or the code's bit in
 *           PACK_STATUS's warning or fault mask, within <quantity>_warn_s of the first sample
 *           beyond the RSL (an EVENT up to lookback_s earlier counts: the BMS samples on its own
 *           clock);
 *   derate  the SOP limit of the direction concerned (charge for over-voltage, charge-side
 *           temperature and charge current; discharge for the others) at most
 *           (1 − derate_min_drop) × its largest value in the lookback_s before, within
 *           <quantity>_derate_s (a limit already at 0 counts as derated);
 *   open    at the MSL: state ERROR with a main contactor open within <quantity>_open_s of the
 *           first sample beyond the MSL?
 * A reaction missing, or later than its deadline, is an error finding with the measured
 * latencies (looked for up to search_s past the deadline) in its evidence. A deadline past the
 * end of the capture with no reaction yet is an info finding (not observable); so is a reaction
 * the device restarted before, while it was still due (interrupted: the time the device was
 * down is unknown, so a latency measured across the restart would leave it out, and the firmware
 * starts again with no alarm raised).
 *
 * Fault codes (protocol/messages.ts FaultCode): over-voltage CELL_OVERVOLTAGE; under-voltage
 * CELL_UNDERVOLTAGE or DEEP_DISCHARGE; over-temperature OVERTEMPERATURE_CHARGE or _DISCHARGE;
 * under-temperature UNDERTEMPERATURE_CHARGE or _DISCHARGE (the BMS's idea of "charging" may
 * differ from ours at the boundary); charge current OVERCURRENT_CHARGE or CELL_OVERCURRENT;
 * discharge current OVERCURRENT_DISCHARGE or CELL_OVERCURRENT.
 *
 * Deadlines (profiles/defaults/reaction.json, sources citing sim/bms/config/default.json): the
 * raise time is (debounce_ticks + 1) task periods; the opening adds the check's delay_ms, the
 * break-current wait (contactors.max_break_wait_ms) and the contactor operate time; each adds one
 * pack step (1 s in the long library scenarios: the scenario's dt_s) because the emulated BMS
 * sees new sensor values once per step of the pack model (device/model.ts).
 *
 * Metrics: exceedances judged per quantity and the largest latency of each reaction.
 * Not evaluable: no INFO limits or none of the three quantities present; evaluated and passing
 * with a note when nothing went beyond an RSL.
 */
import { FaultCode } from '../../../protocol/messages.ts';
import { type EvidenceValue, type Finding, finding, round } from '../../findings.ts';
import type { Rule, RuleContext, RuleOutcome } from '../rule.ts';
import { notEvaluable } from '../rule.ts';
import { type Episode, LEVEL_TIERS } from '../envelope/internal/episodes.ts';
import { capFindings } from '../cap.ts';
import { type ColumnScan, type Quantity, cellVoltageScan, chargeTag, currentScan, temperatureScan } from '../envelope/internal/scans.ts';
import { firstOpenInError, maxBefore, warningTime } from './internal/bms.ts';

const ID = 'reaction.limits';

const CODES: Record<Quantity, { over: number[]; under: number[] }> = {
  cell_voltage: { over: [FaultCode.CELL_OVERVOLTAGE], under: [FaultCode.CELL_UNDERVOLTAGE, FaultCode.DEEP_DISCHARGE] },
  temperature: {
    over: [FaultCode.OVERTEMPERATURE_CHARGE, FaultCode.OVERTEMPERATURE_DISCHARGE],
    under: [FaultCode.UNDERTEMPERATURE_CHARGE, FaultCode.UNDERTEMPERATURE_DISCHARGE],
  },
  current: { over: [FaultCode.OVERCURRENT_CHARGE, FaultCode.CELL_OVERCURRENT], under: [FaultCode.OVERCURRENT_DISCHARGE, FaultCode.CELL_OVERCURRENT] },
};

interface Deadline {
  value: number;
  source: string;
}

interface Outcome {
  /** Latency, s (NaN: not found or interrupted). */
  latency_s: number;
  verdict: 'ok' | 'late' | 'missing' | 'unobserved' | 'interrupted' | 'not_judged';
  deadline: Deadline;
  /** For 'interrupted': when the device restarted (its last row before), s. */
  restart_s?: number;
}

function subjectOf(scan: ColumnScan, ep: Episode): string {
  if (scan.quantity === 'current') return 'pack current';
  if (scan.source === 'pack') return scan.quantity === 'cell_voltage' ? 'pack cell voltage' : 'pack temperature';
  return scan.quantity === 'cell_voltage' ? `cell ${ep.index}` : `sensor ${ep.index}`;
}

/** Which SOP limit an exceedance must derate: true = charge. */
function derateCharge(scan: ColumnScan, ep: Episode): boolean {
  if (scan.quantity === 'temperature') return chargeTag(scan, ep.levelTag[2]!);
  return ep.dir === 'over';
}

function what(scan: ColumnScan, ep: Episode, tier: string): string {
  switch (scan.quantity) {
    case 'cell_voltage':
      return ep.dir === 'over' ? `above the ${tier} maximum voltage` : `below the ${tier} minimum voltage`;
    case 'temperature': {
      const side = chargeTag(scan, ep.levelTag[tier === 'MSL' ? 3 : 2]!) ? 'charge' : 'discharge';
      return ep.dir === 'over' ? `above the ${tier} ${side} maximum temperature` : `below the ${tier} ${side} minimum temperature`;
    }
    case 'current':
      return ep.dir === 'over' ? `charge current above the ${tier} limit` : `discharge current above the ${tier} limit`;
  }
}

export const limits: Rule = {
  id: ID,
  group: 'reaction',
  title: 'BMS reaction to RSL / MSL exceedances: warn, derate, open in time',
  evaluate(ctx: RuleContext): RuleOutcome {
    if (ctx.limits === null) return notEvaluable('no tiered limits: the input has no INFO');
    const scans: ColumnScan[] = [];
    const skipped: string[] = [];
    for (const s of [cellVoltageScan(ctx), temperatureScan(ctx), currentScan(ctx)]) {
      if (typeof s === 'string') skipped.push(s);
      else scans.push(s);
    }
    if (scans.length === 0) return notEvaluable(skipped.join('; '));
    const { tl, profile } = ctx;
    const lookback = profile.num(`${ID}.lookback_s`);
    const search = profile.num(`${ID}.search_s`);
    const drop = profile.num(`${ID}.derate_min_drop`);
    const tEnd = tl.length > 0 ? tl.t_s[tl.length - 1]! : 0;
    // device restarts: the time of the last row before each
    const restarts = tl.clockSteps.filter((c) => c.row > 0 && c.row < tl.length).map((c) => c.t_s);
    const judge = (lat: number, d: Deadline, t0: number): Outcome => judgeReaction(lat, d, t0, tEnd, restarts);
    const findings: Finding[] = [];
    const metrics: Record<string, EvidenceValue> = {};
    let missed = 0;
    let late = 0;
    let interrupted = 0;
    let judged = 0;
    for (const scan of scans) {
      const q = scan.quantity;
      const dl = (k: string): Deadline => {
        const t = profile.threshold(`${ID}.${q}_${k}_s`, 's');
        return { value: t.value ?? NaN, source: t.source };
      };
      const warnD = dl('warn');
      const derateD = dl('derate');
      const openD = dl('open');
      const worst = { warn: NaN, derate: NaN, open: NaN };
      let nRsl = 0;
      let nMsl = 0;
      for (const ep of scan.episodes) {
        if (ep.level < 2) continue;
        nRsl++;
        judged++;
        const codes = CODES[q][ep.dir];
        const t2 = ep.levelStart_s[2]!;
        // warn (a warning already active counts from its start)
        const tw = warningTime(tl, codes, t2, t2 + warnD.value + search, lookback, search);
        const warn: Outcome = tw === -Infinity ? { latency_s: NaN, verdict: 'ok', deadline: warnD } : judge(tw - t2, warnD, t2);
        // derate: the limit at most (1 − drop) × its value before the warning (or the crossing)
        const col = derateCharge(scan, ep) ? tl.pack.chargeCurrentLimit_A : tl.pack.dischargeCurrentLimit_A;
        const tRef = Number.isNaN(tw) ? t2 : Math.min(t2, tw);
        const before = tw === -Infinity ? NaN : maxBefore(tl, col, tRef - lookback, tRef);
        let derate: Outcome;
        if (Number.isNaN(before)) derate = { latency_s: NaN, verdict: 'not_judged', deadline: derateD };
        else {
          const target = (1 - drop) * before;
          let td = NaN;
          const ts = tl.t_s;
          const tMax = t2 + derateD.value + search;
          for (let r = tl.rowAt(tRef); r < tl.length && ts[r]! <= tMax; r++) {
            if (col[r]! <= target) {
              td = ts[r]!;
              break;
            }
          }
          derate = judge(td - t2, derateD, t2);
        }
        // open
        let open: Outcome | null = null;
        if (ep.level >= 3) {
          nMsl++;
          const t3 = ep.levelStart_s[3]!;
          const r = firstOpenInError(tl, t3 - lookback, t3 + openD.value + search);
          open = judge(r >= 0 ? tl.t_s[r]! - t3 : NaN, openD, t3);
        }
        for (const [k, o] of [
          ['warn', warn],
          ['derate', derate],
          ['open', open],
        ] as const) {
          if (o !== null && Number.isFinite(o.latency_s) && !(o.latency_s <= worst[k])) worst[k] = o.latency_s;
        }
        const outcomes = { warn, derate, open };
        const bad = Object.values(outcomes).filter((o): o is Outcome => o !== null && (o.verdict === 'late' || o.verdict === 'missing'));
        const unobserved = Object.values(outcomes).some((o) => o !== null && (o.verdict === 'unobserved' || o.verdict === 'interrupted'));
        for (const o of Object.values(outcomes)) if (o !== null && o.verdict === 'interrupted') interrupted++;
        for (const o of bad) {
          if (o.verdict === 'late') late++;
          else missed++;
        }
        if (bad.length === 0 && !unobserved) continue;
        findings.push(reactionFinding(scan, ep, outcomes, bad.length > 0 ? 'error' : 'info'));
      }
      metrics[`${q}_beyond_rsl`] = nRsl;
      metrics[`${q}_beyond_msl`] = nMsl;
      metrics[`${q}_warn_latency_max_s`] = Number.isNaN(worst.warn) ? null : round(worst.warn, 3);
      metrics[`${q}_derate_latency_max_s`] = Number.isNaN(worst.derate) ? null : round(worst.derate, 3);
      metrics[`${q}_open_latency_max_s`] = Number.isNaN(worst.open) ? null : round(worst.open, 3);
    }
    metrics.reactions_missed = missed;
    metrics.reactions_late = late;
    metrics.reactions_interrupted = interrupted;
    const out: RuleOutcome = { evaluable: true, findings: capFindings(ID, findings, profile.num(`${ID}.max_findings`)), metrics };
    const notes: string[] = [];
    if (judged === 0) notes.push('no exceedance beyond an RSL: no reaction to judge');
    if (skipped.length > 0) notes.push(`not judged: ${skipped.join('; ')}`);
    if (notes.length > 0) out.reason = notes.join('; ');
    return out;
  },
};

/**
 * A reaction at latency `lat` (NaN: none seen) from t0 against its deadline: interrupted when the
 * device restarted (at one of `restarts`) after t0 and before the reaction was seen or due; an
 * unseen one due after the capture's end is unobserved.
 */
function judgeReaction(lat: number, d: Deadline, t0: number, tEnd: number, restarts: readonly number[]): Outcome {
  const until = t0 + (Number.isFinite(lat) ? Math.min(lat, d.value) : d.value);
  const restart = restarts.find((t) => t >= t0 && t < until);
  if (restart !== undefined) return { latency_s: NaN, verdict: 'interrupted', deadline: d, restart_s: restart };
  if (Number.isFinite(lat)) return { latency_s: lat, verdict: lat <= d.value + 1e-9 ? 'ok' : 'late', deadline: d };
  return { latency_s: NaN, verdict: t0 + d.value > tEnd ? 'unobserved' : 'missing', deadline: d };
}

function reactionFinding(scan: ColumnScan, ep: Episode, o: { warn: Outcome; derate: Outcome; open: Outcome | null }, severity: 'error' | 'info'): Finding {
  const subject = subjectOf(scan, ep);
  const t2 = ep.levelStart_s[2]!;
  const words = (name: string, x: Outcome): string => {
    const d = `≤ ${x.deadline.value} s`;
    switch (x.verdict) {
      case 'ok':
        return Number.isFinite(x.latency_s) ? `${name} after ${round(x.latency_s, 2)} s (${d})` : `${name} already active for over search_s`;
      case 'late':
        return `${name} LATE after ${round(x.latency_s, 2)} s (${d})`;
      case 'missing':
        return `${name} MISSING (${d})`;
      case 'unobserved':
        return `${name} not seen before the capture ends (${d})`;
      case 'interrupted':
        return `${name} not judged: the device restarted at ${round(x.restart_s ?? NaN, 2)} s, before it was seen (${d})`;
      case 'not_judged':
        return `${name} not judged (no SOP limit before the warning, or the warning active for over search_s)`;
    }
  };
  const parts = [words('warning', o.warn), words('derating', o.derate)];
  if (o.open !== null) parts.push(words(`opening (from the MSL at ${round(ep.levelStart_s[3]!, 2)} s)`, o.open));
  const firstBad = [o.warn, o.derate, o.open].find((x) => x !== null && x.verdict !== 'ok' && x.verdict !== 'not_judged') ?? o.warn;
  const lat = (x: Outcome | null): EvidenceValue => (x === null || !Number.isFinite(x.latency_s) ? null : round(x.latency_s, 3));
  const tier = LEVEL_TIERS[ep.level]!;
  return finding({
    check: ID,
    severity,
    t_start_s: t2,
    t_end_s: ep.t_end_s,
    subject,
    message: `${subject} ${what(scan, ep, 'RSL')} from ${round(t2, 2)} s (peak ${round(Math.abs(ep.peak), 4)}, reached ${tier}): ${parts.join(', ')}`,
    evidence: {
      quantity: scan.quantity,
      direction: ep.dir,
      tier,
      t_rsl_s: round(t2, 3),
      t_msl_s: ep.level >= 3 ? round(ep.levelStart_s[3]!, 3) : null,
      warn_latency_s: lat(o.warn),
      warn: o.warn.verdict,
      derate_latency_s: lat(o.derate),
      derate: o.derate.verdict,
      open_latency_s: lat(o.open),
      open: o.open?.verdict ?? null,
    },
    threshold: { value: firstBad.deadline.value, unit: 's', source: firstBad.deadline.source },
  });
}
