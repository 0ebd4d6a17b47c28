/**
 * From exceedance episodes to findings and metrics.
 */
import { type EvidenceValue, type Finding, type Severity, finding, naturalCompare, round } from '../../../findings.ts';
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

/** Subjects named in a group finding's message (all of them are in its evidence). */
const GROUP_NAMED = 8;

/**
 * The findings of a scan's episodes, one per episode (episodeFinding; `decorate` adds to each),
 * except where `min` or more columns are beyond the same tier of the same limit at overlapping
 * times: those episodes are one finding, subject the family ("cells", "sensors"), at the tier's
 * severity. A charger that takes the whole pack over its voltage limit is one finding that says
 * so, where a finding per cell listed a hundred (and the cap cut them to fifty); a lone cell, or
 * fewer than `min`, is still its own finding. A column whose episode reached a higher tier is in
 * that tier's finding, not in both. `min` below 2 (the profile's 0): never grouped. Pack-level
 * scans (subject "pack") are never grouped.
 */
export function episodeFindings(
  ctx: RuleContext,
  check: string,
  scan: ColumnScan,
  w: Wording,
  min: number,
  decorate?: (f: Finding, ep: Episode) => void,
): Finding[] {
  const singles = scan.episodes.map((ep) => {
    const f = episodeFinding(ctx, check, scan, ep, w);
    decorate?.(f, ep);
    return { ep, f };
  });
  if (scan.source === 'pack' || !(min >= 2) || singles.length < min) return singles.map((x) => x.f);
  const kinds = new Map<string, { ep: Episode; f: Finding }[]>();
  for (const x of singles) {
    const { ep, f } = x;
    const key = `${ep.dir}\u0000${ep.level}\u0000${f.threshold?.value}\u0000${f.threshold?.source}\u0000${w.limitName(ep.dir, LEVEL_TIERS[ep.level]!, ep.levelTag[ep.level]!)}`;
    const list = kinds.get(key);
    if (list === undefined) kinds.set(key, [x]);
    else list.push(x);
  }
  const out: Finding[] = [];
  for (const list of kinds.values()) {
    list.sort((a, b) => a.ep.t_start_s - b.ep.t_start_s);
    // clusters of episodes that overlap in time (each starts before the latest end so far)
    for (let i = 0; i < list.length;) {
      let end = list[i]!.ep.t_end_s;
      let j = i + 1;
      while (j < list.length && list[j]!.ep.t_start_s <= end) end = Math.max(end, list[j++]!.ep.t_end_s);
      const cluster = list.slice(i, j);
      const columns = new Set(cluster.map((x) => x.ep.index));
      if (columns.size >= min) out.push(groupFinding(check, scan, cluster, w));
      else for (const x of cluster) out.push(x.f);
      i = j;
    }
  }
  return out;
}

/** One finding for the episodes of many columns beyond one tier together (see episodeFindings). */
function groupFinding(check: string, scan: ColumnScan, cluster: readonly { ep: Episode; f: Finding }[], w: Wording): Finding {
  const first = cluster[0]!;
  const level = first.ep.level;
  const tier = LEVEL_TIERS[level]!;
  const dir = first.ep.dir;
  // per column: time beyond the tier (its episodes summed) and when it first went beyond it
  const beyond = new Map<number, number>();
  const since = new Map<number, number>();
  let peakOf = first;
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const x of cluster) {
    const { ep } = x;
    beyond.set(ep.index, (beyond.get(ep.index) ?? 0) + ep.beyond_s[level]!);
    since.set(ep.index, Math.min(since.get(ep.index) ?? Infinity, ep.levelStart_s[level]!));
    if (dir === 'over' ? ep.peak > peakOf.ep.peak : ep.peak < peakOf.ep.peak) peakOf = x;
    t0 = Math.min(t0, ep.t_start_s);
    t1 = Math.max(t1, ep.t_end_s);
  }
  const order = [...since.keys()].sort((a, b) => since.get(a)! - since.get(b)! || a - b);
  const times = [...beyond.values()].sort((a, b) => a - b);
  const mid = times.length >> 1;
  const median = times.length % 2 === 1 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
  const one = w.subject(order[0]!).split(' ')[0]!;
  const family = `${one}s`;
  const peak = w.shown(peakOf.ep.peak);
  const duration = t1 - t0 + scan.period_s;
  const threshold = first.f.threshold!;
  const named = order.slice(0, GROUP_NAMED).join(', ') + (order.length > GROUP_NAMED ? `, … (${order.length} in all)` : '');
  const evidence: Record<string, EvidenceValue> = {
    direction: dir,
    tier,
    count: order.length,
    peak: round(peak, w.digits),
    t_peak_s: round(peakOf.ep.t_peak_s, 3),
    peak_subject: w.subject(peakOf.ep.index),
    duration_s: round(duration, 3),
    beyond_tier_s_min: round(times[0]!, 3),
    beyond_tier_s_median: round(median, 3),
    beyond_tier_s_max: round(times[times.length - 1]!, 3),
    first_beyond_tier_s: round(since.get(order[0]!)!, 3),
    first_subject: w.subject(order[0]!),
    subjects: [...order].sort((a, b) => naturalCompare(String(a), String(b))).join(','),
  };
  for (const k of Object.keys(first.f.evidence)) if (!(k in evidence) && !/^(beyond_|first_beyond)/.test(k)) evidence[k] = first.f.evidence[k]!;
  const each =
    times[0] === times[times.length - 1]
      ? `${round(times[0]!, 2)} s`
      : `${round(times[0]!, 2)}–${round(times[times.length - 1]!, 2)} s (median ${round(median, 2)} s)`;
  return finding({
    check,
    severity: LEVEL_SEVERITY[level]!,
    t_start_s: t0,
    t_end_s: t1,
    subject: family,
    message:
      `${order.length} ${family} ${w.limitName(dir, tier, first.ep.levelTag[level]!)} (${threshold.value} ${w.unit}) at once, ` +
      `each for ${each} in an episode of ${round(duration, 2)} s; ` +
      `peak ${round(peak, w.digits)} ${w.unit} (${w.subject(peakOf.ep.index)}) at ${round(peakOf.ep.t_peak_s, 2)} s; ` +
      `first ${w.subject(order[0]!)} at ${round(since.get(order[0]!)!, 2)} s; ${family} ${named}`,
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
