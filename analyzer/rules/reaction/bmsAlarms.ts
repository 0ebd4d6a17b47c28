/**
 * reaction.bms_alarms — the BMS's own alarms, as findings. Every fault the device raised at
 * WARNING (RSL) or FATAL (MSL) tier (its EVENTs, PROTOCOL.md §12) becomes one finding from the
 * raise to the matching clear (same code, tier and index; a device restart or the end of the
 * data when it never cleared: ../alarms.ts), with the value and threshold the EVENT carries. This is what the firmware itself
 * reported — a host link lost, a failed precharge, a welded contactor, a sensor fault — beside
 * the analyser's own judgement of the data (envelope.*, reaction.false_alarms, which judges
 * whether a quantity alarm matches the data). INFO-tier (MOL) events are left to the envelope
 * checks. Severities come from the profile. Not evaluable without EVENTs in a capture (a
 * trace carries none).
 */
import { FAULT_CODE_NAMES, FaultTier } from '../../../protocol/messages.ts';
import { type Finding, type Severity, finding, round } from '../../findings.ts';
import { capFindings } from '../cap.ts';
import { alarmEpisodes, faultUnit } from '../alarms.ts';
import { type Rule, notEvaluable } from '../rule.ts';

const ID = 'reaction.bms_alarms';

function severityOf(v: number | null): Severity | null {
  return v === 2 ? 'error' : v === 1 ? 'warning' : v === 0 ? 'info' : null;
}

export const bmsAlarms: Rule = {
  id: ID,
  group: 'reaction',
  title: 'Alarms the BMS itself raised (WARNING and FATAL EVENTs)',
  evaluate(ctx) {
    const { tl, profile } = ctx;
    if (ctx.counters === null && tl.events.length === 0) return notEvaluable('the input carries no EVENTs (a trace)');
    const sevWarning = severityOf(profile.num(`${ID}.warning_tier_severity`));
    const sevFatal = severityOf(profile.num(`${ID}.fatal_tier_severity`));
    const max = profile.num(`${ID}.max_findings`);
    const end = tl.length > 0 ? tl.t_s[tl.length - 1]! : 0;
    const out: Finding[] = [];
    for (const ep of alarmEpisodes(tl, (e) => e.tier !== FaultTier.INFO, end)) {
      const o = ep.raise;
      const sev = o.tier === FaultTier.FATAL ? sevFatal : sevWarning;
      if (sev === null) continue;
      const name = FAULT_CODE_NAMES[o.code] ?? `CODE_${o.code}`;
      const unit = faultUnit(o.code);
      const subject = o.index >= 0 ? `${name} ${o.index}` : name;
      const tierName = o.tier === FaultTier.FATAL ? 'FATAL' : 'WARNING';
      const how =
        ep.end === 'cleared'
          ? `cleared after ${round(ep.t_end_s - ep.t_start_s, 1)} s`
          : ep.end === 'restart'
            ? `not cleared before the device restarted at ${round(ep.t_end_s, 1)} s`
            : 'not cleared by the end of the data';
      out.push(
        finding({
          check: ID,
          subject,
          severity: sev,
          t_start_s: ep.t_start_s,
          t_end_s: ep.t_end_s,
          message: `the BMS raised ${name} at ${tierName}${o.index >= 0 ? ` (index ${o.index})` : ''}; ${how}`,
          evidence: {
            code: o.code,
            tier: tierName,
            index: o.index,
            value: round(o.value),
            cleared: ep.end === 'cleared',
            ended_by_restart: ep.end === 'restart',
          },
          threshold: { value: Number.isFinite(o.threshold) ? round(o.threshold) : null, unit, source: 'device EVENT' },
        }),
      );
    }
    out.sort((a, b) => a.t_start_s - b.t_start_s);
    const raised = out.length;
    return { evaluable: true, findings: capFindings(ID, out, max), metrics: { alarms_raised: raised } };
  },
};
