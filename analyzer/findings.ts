/**
 * What a check says (analyzer/REPORT.md): a status per check, and findings, each with a
 * severity, a time range on the device's time axis (s from the first frame), evidence values and
 * the threshold it was judged against, with where that threshold came from.
 */
export type Severity = 'info' | 'warning' | 'error';
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'error'];
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export type CheckStatus = 'pass' | 'fail' | 'not_evaluable';

export type EvidenceValue = number | string | boolean | null;

/** A threshold and where it came from ("device INFO RSL", "chemistry …", "GB 38031-2025 …", "profile default", "CLI override"). */
export interface Threshold {
  value: number | null;
  unit: string;
  source: string;
}

export interface Finding {
  /** Stable id: check, subject and start time (the same data give the same id; waivers name it). */
  id: string;
  check: string;
  severity: Severity;
  t_start_s: number;
  t_end_s: number;
  /** One sentence a reviewer reads. */
  message: string;
  /** What the finding is about: "pack", "cell 12", "sensor 3", "PACK_STATUS"… */
  subject: string;
  evidence: Record<string, EvidenceValue>;
  threshold: Threshold | null;
  /** Set when a waiver let it pass: the waiver's reason. */
  waived?: string;
}

/** The outcome of one check. */
export interface CheckResult {
  check: string;
  title: string;
  status: CheckStatus;
  /** Why not evaluable (a channel absent, too few rests, no truth), or a short note. */
  reason?: string;
  findings: Finding[];
  /** Figures the check computed (summary values, counts). */
  metrics?: Record<string, EvidenceValue>;
}

/** Rounds evidence for reports (keeps ids and JSON stable and short). */
/** "1 cluster", "3 clusters": a count and its noun (a regular plural) for a finding's message. */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function round(x: number, digits = 4): number {
  if (!Number.isFinite(x)) return x;
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}

/** A finding id from its check, subject and start time (ms resolution). */
export function findingId(check: string, subject: string, t_start_s: number): string {
  return `${check}/${subject.replace(/\s+/g, '-')}/${Math.round(t_start_s * 1000)}`;
}

/** Builds a finding with its id. */
export function finding(f: Omit<Finding, 'id'>): Finding {
  return { id: findingId(f.check, f.subject, f.t_start_s), ...f };
}
