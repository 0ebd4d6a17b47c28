/**
 * Bounds the findings of one check: a day-long log with a flickering channel, or a charger that
 * takes every cell over the limit, must not list hundreds of findings. Every check applies this
 * cap with its `max_findings` profile value.
 *
 * The `max` most severe findings are listed (ties: the earliest, then by subject in reading order,
 * "cell 2" before "cell 10"); the others become one last finding, subject "more", that counts them
 * by severity and subject, carries the worst severity among them and spans their time range, so
 * the check's status and the report's worst severity are what they would have been without the
 * cap.
 */
import { type Finding, type Severity, type Threshold, finding, naturalCompare, severityRank } from '../findings.ts';

/**
 * The findings in time order, at most `max` of them, plus the summary of the rest when there is
 * one. `max`: the profile's `max_findings` threshold (its source goes with the summary) or its
 * value (null or not finite: no cap); `what` names the findings in the summary ("NA runs").
 */
export function capFindings(check: string, all: readonly Finding[], max: Threshold | number, what = 'findings'): Finding[] {
  const value = typeof max === 'number' ? max : max.value;
  const limit = value !== null && Number.isFinite(value) ? Math.max(0, Math.floor(value)) : Infinity;
  if (all.length <= limit) return [...all].sort(byTime);
  const ranked = [...all].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || byTime(a, b));
  const kept = ranked.slice(0, limit).sort(byTime);
  const rest = ranked.slice(limit);
  let worst: Severity = 'info';
  let t0 = Infinity;
  let t1 = -Infinity;
  const bySeverity: Record<Severity, number> = { info: 0, warning: 0, error: 0 };
  const subjects = new Set<string>();
  for (const f of rest) {
    if (severityRank(f.severity) > severityRank(worst)) worst = f.severity;
    bySeverity[f.severity]++;
    subjects.add(f.subject);
    if (f.t_start_s < t0) t0 = f.t_start_s;
    if (f.t_end_s > t1) t1 = f.t_end_s;
  }
  const counts = (['error', 'warning', 'info'] as const)
    .filter((s) => bySeverity[s] > 0)
    .map((s) => `${bySeverity[s]} ${s}`)
    .join(', ');
  const about = subjects.size === 1 ? `, ${[...subjects][0]}` : `, ${subjectCount([...subjects])}`;
  kept.push(
    finding({
      check,
      severity: worst,
      t_start_s: t0,
      t_end_s: t1,
      subject: 'more',
      message: `and ${rest.length} more ${what} not listed (${counts}${about}): ${limit === 0 ? 'the check lists none' : `the check lists the ${limit} most severe`} (max_findings)`,
      evidence: { more: rest.length, more_error: bySeverity.error, more_warning: bySeverity.warning, more_info: bySeverity.info, subjects: subjects.size },
      threshold: typeof max === 'number' ? { value: limit, unit: 'findings', source: `profile ${check}.max_findings` } : { ...max, unit: 'findings' },
    }),
  );
  return kept;
}

/** Time order; at one start, subjects in reading order. */
function byTime(a: Finding, b: Finding): number {
  return a.t_start_s - b.t_start_s || naturalCompare(a.subject, b.subject);
}

/** "50 cells" when every subject is a cell ("cell 3"), likewise sensors; else "7 subjects". */
function subjectCount(subjects: readonly string[]): string {
  const family = /^([a-z]+) \d+$/.exec(subjects[0] ?? '')?.[1];
  const same = family !== undefined && subjects.every((x) => new RegExp(`^${family} \\d+$`).test(x));
  return `${subjects.length} ${same ? family : 'subject'}s`;
}
