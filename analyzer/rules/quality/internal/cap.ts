/**
 * Bounds the findings of one check: a day-long log with a flickering channel must not produce
 * thousands of findings. The `max` most severe findings are kept (ties: the earliest first); the
 * others are summed up in one finding "and N more", at the highest severity among them, spanning
 * their time range, so the check's status is what it would have been without the cap. Used by
 * the quality and cells checks; `max` is the check's `max_findings` profile value.
 */
import { type Finding, type Severity, type Threshold, finding, severityRank } from '../../../findings.ts';

/** The findings sorted by time, at most `max` of them plus one summary finding. */
export function capFindings(check: string, all: Finding[], max: Threshold, what: string): Finding[] {
  const limit = Math.max(1, Math.floor(max.value ?? Infinity));
  if (all.length <= limit) return [...all].sort(byTime);
  const ranked = [...all].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || byTime(a, b));
  const kept = ranked.slice(0, limit);
  const rest = ranked.slice(limit);
  let worst: Severity = 'info';
  let t0 = Infinity;
  let t1 = -Infinity;
  const bySeverity: Record<Severity, number> = { info: 0, warning: 0, error: 0 };
  for (const f of rest) {
    if (severityRank(f.severity) > severityRank(worst)) worst = f.severity;
    bySeverity[f.severity]++;
    if (f.t_start_s < t0) t0 = f.t_start_s;
    if (f.t_end_s > t1) t1 = f.t_end_s;
  }
  kept.sort(byTime);
  kept.push(
    finding({
      check,
      severity: worst,
      t_start_s: t0,
      t_end_s: t1,
      subject: 'more',
      message: `and ${rest.length} more ${what} (only the ${limit} most severe are listed)`,
      evidence: { more: rest.length, errors: bySeverity.error, warnings: bySeverity.warning, infos: bySeverity.info },
      threshold: max,
    }),
  );
  return kept;
}

function byTime(a: Finding, b: Finding): number {
  return a.t_start_s - b.t_start_s || a.subject.localeCompare(b.subject);
}
