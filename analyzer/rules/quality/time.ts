/**
 * quality.time — the time axis: gaps in the telemetry and device clock regressions.
 *
 * Why: a gap is time for which nothing is known (every other check splits its runs there and
 * bridges nothing); a clock that goes back is a device restart (or a clock fault), after which
 * the assembler shifts the rows to keep the axis ascending (Timeline.clockSteps).
 *
 * A gap: two consecutive rows further apart than max(`gap_factor` × the median row period,
 * `min_gap_s`) (defaults 5 periods, 2 s); one finding per gap, a warning, an error from
 * `error_gap_s` (60 s). A clock regression: one warning each, with how far the raw clock went
 * back (PROTOCOL.md section 6: t_ms is monotonic between resets). At most `max_findings`.
 *
 * Not evaluable: fewer than two rows.
 */
import { type Finding, type Threshold, finding, round } from '../../findings.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { capFindings } from '../cap.ts';
import { gapsOf } from './internal/gaps.ts';

const ID = 'quality.time';

export const time: Rule = {
  id: ID,
  group: 'quality',
  title: 'Time gaps and clock regressions',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    if (tl.length < 2) return notEvaluable('fewer than two rows of telemetry');
    const gaps = gapsOf(tl, profile);
    const factor = profile.threshold(`${ID}.gap_factor`, '');
    const minGap = profile.threshold(`${ID}.min_gap_s`, 's');
    const errGap = profile.threshold(`${ID}.error_gap_s`, 's');
    const limit: Threshold =
      minGap.value !== null && gaps.limit_s === minGap.value
        ? minGap
        : { value: round(gaps.limit_s, 3), unit: 's', source: `gap_factor ${factor.value} (${factor.source}) × median period ${round(gaps.period_s, 4)} s` };
    const ts = tl.t_s;
    const out: Finding[] = [];
    let total = 0;
    let longest = 0;
    for (const r of gaps.rows) {
      const a = ts[r - 1]!;
      const b = ts[r]!;
      const gap = b - a;
      total += gap;
      if (gap > longest) longest = gap;
      const isError = errGap.value !== null && gap >= errGap.value;
      out.push(
        finding({
          check: ID,
          severity: isError ? 'error' : 'warning',
          t_start_s: a,
          t_end_s: b,
          subject: 'telemetry',
          message: `no telemetry for ${fmt(gap)} s (median period ${fmt(gaps.period_s)} s)`,
          evidence: { gap_s: round(gap, 3), period_s: round(gaps.period_s, 4), row_before: r - 1, row_after: r },
          threshold: isError ? errGap : limit,
        }),
      );
    }
    for (const s of tl.clockSteps) {
      const after = s.row < tl.length ? ts[s.row]! : s.t_s;
      out.push(
        finding({
          check: ID,
          severity: 'warning',
          t_start_s: s.t_s,
          t_end_s: after,
          subject: 'device clock',
          message: `the device clock went back ${fmt(s.back_s)} s (a restart?); later rows are shifted by ${fmt(s.shift_s)} s`,
          evidence: { back_s: round(s.back_s, 3), shift_s: round(s.shift_s, 3), row: s.row },
          threshold: { value: 0, unit: 's', source: 'PROTOCOL.md section 6: t_ms is monotonic between resets' },
        }),
      );
    }
    return {
      evaluable: true,
      findings: capFindings(ID, out, profile.threshold(`${ID}.max_findings`, 'findings'), 'time findings'),
      metrics: {
        median_period_s: round(gaps.period_s, 4),
        gap_limit_s: round(gaps.limit_s, 3),
        gaps: gaps.rows.length,
        gap_time_s: round(total, 3),
        longest_gap_s: round(longest, 3),
        clock_steps: tl.clockSteps.length,
      },
    };
  },
};

function fmt(x: number): string {
  return x >= 10 ? x.toFixed(0) : x.toPrecision(2);
}
