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

/** "1 cluster", "3 clusters": a count and its noun (a regular plural) for a finding's message. */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Rounds evidence for reports (keeps ids and JSON stable and short). */
export function round(x: number, digits = 4): number {
  if (!Number.isFinite(x)) return x;
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}

/** A finding id from its check, subject and start time (ms resolution). */
export function findingId(check: string, subject: string, t_start_s: number): string {
  return `${check}/${subject.replace(/\s+/g, '-')}/${Math.round(t_start_s * 1000)}`;
}

/**
 * Orders strings as a reader does: runs of digits by their value, the rest by UTF-16 code unit
 * ("cell 2" before "cell 10"). The same in every runtime (no locale), so the report the viewer
 * computes in the browser lists findings in the order the CLI does.
 */
export function naturalCompare(a: string, b: string): number {
  const na = a.length;
  const nb = b.length;
  let i = 0;
  let j = 0;
  while (i < na && j < nb) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(j);
    if (isDigit(x) && isDigit(y)) {
      // compare the two digit runs by value: skip leading zeros, then the longer run is larger,
      // then the first differing digit decides
      let i0 = i;
      let j0 = j;
      while (i0 < na && a.charCodeAt(i0) === 48) i0++;
      while (j0 < nb && b.charCodeAt(j0) === 48) j0++;
      let i1 = i0;
      let j1 = j0;
      while (i1 < na && isDigit(a.charCodeAt(i1))) i1++;
      while (j1 < nb && isDigit(b.charCodeAt(j1))) j1++;
      if (i1 - i0 !== j1 - j0) return i1 - i0 - (j1 - j0);
      for (let k = 0; k < i1 - i0; k++) {
        const d = a.charCodeAt(i0 + k) - b.charCodeAt(j0 + k);
        if (d !== 0) return d;
      }
      // equal values: fewer leading zeros first, so that distinct strings never compare equal
      if (i1 - i !== j1 - j) return i1 - i - (j1 - j);
      i = i1;
      j = j1;
      continue;
    }
    if (x !== y) return x - y;
    i++;
    j++;
  }
  return na - i - (nb - j);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Builds a finding with its id. */
export function finding(f: Omit<Finding, 'id'>): Finding {
  return { id: findingId(f.check, f.subject, f.t_start_s), ...f };
}
