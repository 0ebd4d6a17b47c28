/**
 * From exceedance episodes to findings and metrics.
 */
import { type EvidenceValue, type Finding, type Severity, finding, round } from '../../../findings.ts';
import type { RuleContext } from '../../rule.ts';
import { type Episode, LEVEL_TIERS, timeBeyond } from './episodes.ts';
import { levelThreshold } from './limits.ts';
import { type ColumnScan, epochOfTag } from './scans.ts';

/** Severity of a level: MOL info, RSL warning, MSL error. */
export const LEVEL_SEVERITY: readonly Severity[] = ['info', 'info', 'warning', 'error'];

export interface Wording {
  unit: string;
  /** Subject of a column: "cell 3", "sensor 2"; pack-level scans say "pack". */
  subject(index: number): string;
  /** "above the RSL maximum" etc., for a direction, level and the scan tag at that level's start. */
  limitName(dir: 'over' | 'under', tier: string, tag: number): string;
  /** Shown value of the peak (current: a magnitude). */
  shown(v: number): number;
  /** Sign that turns a band into the shown limit (-1 for discharge currents). */
  sign(dir: 'over' | 'under'): number;
  digits: number;
}

/** One finding per episode: its worst held level decides the severity (MOL info, RSL warning, MSL error). */
export function episodeFinding(ctx: RuleContext, check: string, scan: ColumnScan, ep: Episode, w: Wording): Finding {
  const level = ep.level;
  const tier = LEVEL_TIERS[level]!;
  const tag = ep.levelTag[level]!;
  const threshold = levelThreshold(ctx, scan.tagBands[tag]!, scan.epochs, epochOfTag(scan, tag), ep.dir, level, w.unit, w.sign(ep.dir));
  const subject = scan.source === 'pack' ? 'pack' : w.subject(ep.index);
  const duration = ep.t_end_s - ep.t_start_s + scan.period_s;
  const peak = w.shown(ep.peak);
  const evidence: Record<string, EvidenceValue> = {
    direction: ep.dir,
    tier,
    peak: round(peak, w.digits),
    t_peak_s: round(ep.t_peak_s, 3),
    duration_s: round(duration, 3),
    beyond_mol_s: round(ep.beyond_s[1]!, 3),
    beyond_rsl_s: round(ep.beyond_s[2]!, 3),
    beyond_msl_s: round(ep.beyond_s[3]!, 3),
    first_beyond_tier_s: round(ep.levelStart_s[level]!, 3),
  };
  if (scan.source === 'pack') evidence.data = 'PACK_STATUS min/max';
  return finding({
    check,
    severity: LEVEL_SEVERITY[level]!,
    t_start_s: ep.t_start_s,
    t_end_s: ep.t_end_s,
    subject,
    message: `${subject} ${w.limitName(ep.dir, tier, tag)} (${threshold.value} ${w.unit}) for ${round(ep.beyond_s[level]!, 2)} s in an episode of ${round(duration, 2)} s; peak ${round(peak, w.digits)} ${w.unit} at ${round(ep.t_peak_s, 2)} s`,
    evidence,
    threshold,
  });
}

/** Metrics of a scan: operating time, time beyond each tier (union of the columns) and its share. */
export function scanMetrics(scan: ColumnScan, n: number, names: { over: string; under: string }): Record<string, EvidenceValue> {
  const m: Record<string, EvidenceValue> = {
    operating_time_s: round(scan.operating_s, 1),
    episodes: scan.episodes.length,
    data: scan.source === 'pack' ? 'PACK_STATUS' : 'columns',
  };
  if (scan.source === 'columns') m.columns = scan.columns;
  const share = (x: number): number => (scan.operating_s > 0 ? round(x / scan.operating_s, 6) : 0);
  for (const [rows, name] of [
    [scan.overRows, names.over],
    [scan.underRows, names.under],
  ] as const) {
    const t = timeBeyond(rows, n, scan.period_s);
    for (let k = 1; k <= 3; k++) {
      const tier = LEVEL_TIERS[k]!.toLowerCase();
      m[`time_${name}_${tier}_s`] = round(t[k]!, 2);
      m[`share_${name}_${tier}`] = share(t[k]!);
    }
  }
  return m;
}
