/**
 * reaction.sop — the measured pack current beyond the current limit the BMS itself reported
 * (PACK_STATUS chargeCurrentLimit_A / dischargeCurrentLimit_A, SOP magnitudes): charging with
 * I > the charge limit, or discharging with −I > the discharge limit, by more than
 * tolerance_pct % of the limit plus tolerance_A, for at least min_duration_s.
 *
 * Why: the SOP limit is the BMS's only lever on the load; a current beyond it means a load
 * (charger, inverter) that ignores the BMS, or a BMS that reports limits it does not enforce.
 *
 * Response time: a load acts on a limit after a delay, so at each row the current is compared
 * with the largest limit reported in the last response_s (a limit that just fell is not yet
 * binding). The emulator's load follows the limit one pack step late (1 s in the long library
 * scenarios; e.g. hot-city-fast-charge at 4138 s runs 900 A one step after the limit fell to 0
 * for the NORMAL → CHARGE switch), hence 1.5 s.
 *
 * Severity: error; info when the BMS flags its own current sensor as implausible
 * (CURRENT_PLAUSIBILITY in the warning or fault mask) during the episode, since the measured
 * current is then no evidence against the load (fault-current-sensor-drift: the drifted shunt
 * reads 300 A with the contactors open).
 *
 * Thresholds (profiles/defaults/reaction.json): tolerance_pct, tolerance_A (sensor gain error,
 * offset and noise), response_s, min_duration_s, merge_s, max_gap_s, max_findings.
 * Metrics: time beyond each limit, largest excess. Not evaluable without PACK_STATUS or when the
 * BMS reports no limits (all NA).
 */
import { type EvidenceValue, type Finding, finding, round } from '../../findings.ts';
import { Present } from '../../timeline/store.ts';
import type { Rule, RuleContext, RuleOutcome } from '../rule.ts';
import { notEvaluable } from '../rule.ts';
import { type Episode, EpisodeTracker } from '../envelope/internal/episodes.ts';
import { periodOf, rowsWith } from '../envelope/internal/limits.ts';
import { capFindings } from '../cap.ts';
import { allowed, effectiveLimit } from '../envelope/internal/sop.ts';
import { currentImplausible } from './internal/bms.ts';

const ID = 'reaction.sop';

export const sop: Rule = {
  id: ID,
  group: 'reaction',
  title: 'Current within the SOP limits the BMS reports',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    if (rowsWith(tl, Present.STATUS) === 0) return notEvaluable('no PACK_STATUS received');
    const I = tl.pack.current_A;
    const CL = tl.pack.chargeCurrentLimit_A;
    const DL = tl.pack.dischargeCurrentLimit_A;
    const n = tl.length;
    let anyLimit = false;
    for (let r = 0; r < n && !anyLimit; r++) anyLimit = CL[r]! === CL[r]! || DL[r]! === DL[r]!;
    if (!anyLimit) return notEvaluable('the BMS reports no current limits (all NA)');
    const pct = profile.num(`${ID}.tolerance_pct`);
    const abs = profile.num(`${ID}.tolerance_A`);
    const response = profile.num(`${ID}.response_s`);
    const period_s = periodOf(tl, Present.STATUS);
    const charge: Episode[] = [];
    const discharge: Episode[] = [];
    const mk = (out: Episode[]): EpisodeTracker =>
      new EpisodeTracker('over', profile.num(`${ID}.min_duration_s`), profile.num(`${ID}.merge_s`), profile.num(`${ID}.max_gap_s`), period_s, out);
    const ct = mk(charge);
    const dt = mk(discharge);
    ct.begin(-1);
    dt.begin(-1);
    const k = 1 + pct / 100;
    const ts = tl.t_s;
    let co = false;
    let dO = false;
    let cRows = 0;
    let dRows = 0;
    let worstC = 0;
    let worstD = 0;
    for (let r = 0; r < n; r++) {
      const i = I[r]!;
      if (i > 0 && i > CL[r]! * k + abs) {
        const eff = effectiveLimit(tl, CL, r, response);
        if (i > allowed(eff, pct, abs)) {
          ct.beyond(r, ts[r]!, 1, i - eff, 0);
          co = true;
          cRows++;
          if (i - eff > worstC) worstC = i - eff;
          continue;
        }
      } else if (i < 0 && -i > DL[r]! * k + abs) {
        const eff = effectiveLimit(tl, DL, r, response);
        if (-i > allowed(eff, pct, abs)) {
          dt.beyond(r, ts[r]!, 1, -i - eff, 0);
          dO = true;
          dRows++;
          if (-i - eff > worstD) worstD = -i - eff;
          continue;
        }
      }
      if (i === i) {
        if (co) {
          ct.inside();
          co = false;
        }
        if (dO) {
          dt.inside();
          dO = false;
        }
      }
    }
    ct.finish();
    dt.finish();
    const findings: Finding[] = [];
    for (const [list, dir] of [
      [charge, 'charge'],
      [discharge, 'discharge'],
    ] as const) {
      for (const ep of list) findings.push(sopFinding(ctx, ep, dir, period_s, { pct, abs, response }));
    }
    findings.sort((a, b) => a.t_start_s - b.t_start_s);
    const metrics: Record<string, EvidenceValue> = {
      time_beyond_charge_limit_s: round(cRows * period_s, 2),
      time_beyond_discharge_limit_s: round(dRows * period_s, 2),
      max_charge_excess_A: round(worstC, 2),
      max_discharge_excess_A: round(worstD, 2),
      episodes: charge.length + discharge.length,
    };
    return { evaluable: true, findings: capFindings(ID, findings, profile.num(`${ID}.max_findings`)), metrics };
  },
};

function sopFinding(ctx: RuleContext, ep: Episode, dir: 'charge' | 'discharge', period_s: number, o: { pct: number; abs: number; response: number }): Finding {
  const { tl } = ctx;
  const rp = tl.rowAt(ep.t_peak_s);
  const col = dir === 'charge' ? tl.pack.chargeCurrentLimit_A : tl.pack.dischargeCurrentLimit_A;
  const limit = effectiveLimit(tl, col, rp, o.response);
  const current = Math.abs(tl.pack.current_A[rp]!);
  const implausible = currentImplausible(tl, ep.r0, ep.r1);
  const duration = ep.t_end_s - ep.t_start_s + period_s;
  return finding({
    check: ID,
    severity: implausible ? 'info' : 'error',
    t_start_s: ep.t_start_s,
    t_end_s: ep.t_end_s,
    subject: `${dir} current`,
    message: `${dir} current beyond the BMS's ${dir} limit for ${round(ep.beyond_s[1]!, 2)} s in an episode of ${round(duration, 2)} s: up to ${round(ep.peak, 1)} A over (${round(current, 1)} A against ${round(limit, 1)} A at ${round(ep.t_peak_s, 2)} s)${implausible ? '; the BMS flags its current sensor as implausible (CURRENT_PLAUSIBILITY), so the reading is no evidence against the load' : ''}`,
    evidence: {
      direction: dir,
      peak_excess_A: round(ep.peak, 2),
      current_A: round(current, 2),
      limit_A: round(limit, 2),
      t_peak_s: round(ep.t_peak_s, 3),
      duration_s: round(duration, 3),
      beyond_s: round(ep.beyond_s[1]!, 3),
      current_implausible: implausible,
      tolerance_pct: o.pct,
      tolerance_A: o.abs,
      response_s: o.response,
    },
    threshold: {
      value: round(allowed(limit, o.pct, o.abs), 2),
      unit: 'A',
      source: `the BMS's ${dir} limit (PACK_STATUS) + ${o.pct} % + ${o.abs} A (${tolSource(ctx)})`,
    },
  });
}

/** Where the tolerances come from: the profile, or the command line. */
function tolSource(ctx: RuleContext): string {
  const p = ctx.profile;
  const over = [`${ID}.tolerance_pct`, `${ID}.tolerance_A`].some((k) => p.source(k) === 'CLI override');
  return over ? 'CLI override' : `profile ${p.name}`;
}
