/**
 * Waivers: known findings that may pass (analyzer/REPORT.md). A waiver file is JSON:
 * `{"schema": "natrium.waivers/1", "waivers": [{"check": "quality.frame_loss", "subject": "CELL_VOLTAGES",
 * "id": "…", "from_s": 0, "to_s": 600, "reason": "known link noise on rig 3", "expires": "2027-06-30"}]}`.
 * A waiver matches a finding when every field it gives matches (`check` is required and may end
 * in `*`); the finding stays in the report, marked with the reason, and no longer counts for
 * `--fail-on`. An expired waiver matches nothing and is reported.
 */
import type { Finding } from './findings.ts';
import { jsonSyntaxMessage } from '../sim/validate.ts';

export const WAIVERS_SCHEMA = 'natrium.waivers/1';

export interface Waiver {
  check: string;
  id?: string;
  subject?: string;
  from_s?: number;
  to_s?: number;
  reason: string;
  /** ISO date (YYYY-MM-DD); after it the waiver no longer applies. */
  expires?: string;
}

export class WaiverError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/** Validates a waiver file's value (or JSON text). */
export function parseWaivers(value: unknown): Waiver[] {
  if (typeof value === 'string') {
    const text = value.replace(/^\uFEFF/, '');
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new WaiverError('(file)', jsonSyntaxMessage(text, e));
    }
  }
  if (typeof value !== 'object' || value === null) throw new WaiverError('(file)', 'expected a JSON object');
  const v = value as { schema?: unknown; waivers?: unknown };
  if (v.schema !== WAIVERS_SCHEMA) throw new WaiverError('schema', `expected "${WAIVERS_SCHEMA}", got ${JSON.stringify(v.schema)}`);
  if (!Array.isArray(v.waivers)) throw new WaiverError('waivers', 'expected an array');
  return v.waivers.map((w: unknown, i: number) => {
    const at = `waivers[${i}]`;
    if (typeof w !== 'object' || w === null) throw new WaiverError(at, 'expected an object');
    const o = w as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!['check', 'id', 'subject', 'from_s', 'to_s', 'reason', 'expires'].includes(k)) throw new WaiverError(`${at}.${k}`, 'unknown field');
    }
    if (typeof o.check !== 'string' || o.check === '') throw new WaiverError(`${at}.check`, 'expected a check id');
    if (typeof o.reason !== 'string' || o.reason.trim() === '') throw new WaiverError(`${at}.reason`, 'expected a reason');
    for (const k of ['id', 'subject', 'expires'] as const) {
      if (o[k] !== undefined && typeof o[k] !== 'string') throw new WaiverError(`${at}.${k}`, 'expected a string');
    }
    for (const k of ['from_s', 'to_s'] as const) {
      if (o[k] !== undefined && (typeof o[k] !== 'number' || !Number.isFinite(o[k]))) throw new WaiverError(`${at}.${k}`, 'expected a number of seconds');
    }
    if (o.expires !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(o.expires as string)) throw new WaiverError(`${at}.expires`, 'expected YYYY-MM-DD');
    return o as unknown as Waiver;
  });
}

function matches(w: Waiver, f: Finding): boolean {
  const check = w.check.endsWith('*') ? f.check.startsWith(w.check.slice(0, -1)) : f.check === w.check;
  if (!check) return false;
  if (w.id !== undefined && w.id !== f.id) return false;
  if (w.subject !== undefined && w.subject !== f.subject) return false;
  if (w.from_s !== undefined && f.t_end_s < w.from_s) return false;
  if (w.to_s !== undefined && f.t_start_s > w.to_s) return false;
  return true;
}

/** Marks the findings that a (non-expired) waiver matches; returns the expired waivers. */
export function applyWaivers(findings: Finding[], waivers: Waiver[], today: string): Waiver[] {
  const expired = waivers.filter((w) => w.expires !== undefined && w.expires < today);
  const live = waivers.filter((w) => !expired.includes(w));
  for (const f of findings) {
    const w = live.find((x) => matches(x, f));
    if (w !== undefined) f.waived = w.reason;
    else {
      const reason = membersWaived(live, f);
      if (reason !== null) f.waived = reason;
    }
  }
  return expired;
}

/**
 * A group finding's members ("cell 7", "cell 42", …) from its evidence (`subjects`: the indices,
 * comma-separated; `first_subject`: one of them with the family's word), or null for any other
 * finding.
 */
function groupMembers(f: Finding): string[] | null {
  const list = f.evidence.subjects;
  const first = f.evidence.first_subject;
  if (typeof list !== 'string' || typeof first !== 'string' || list === '') return null;
  const family = /^(\S+) /.exec(first)?.[1];
  if (family === undefined) return null;
  return list.split(',').map((k) => `${family} ${k}`);
}

/**
 * The reasons (each once, in order) of the waivers that name each member of a group finding by
 * subject (and match its check and time), or null when a member has none. Waivers naming an `id`
 * name one finding, not a member of a group.
 */
function membersWaived(live: readonly Waiver[], f: Finding): string | null {
  const members = groupMembers(f);
  if (members === null) return null;
  const reasons: string[] = [];
  for (const subject of members) {
    const as = { ...f, subject };
    const w = live.find((x) => x.subject === subject && x.id === undefined && matches(x, as));
    if (w === undefined) return null;
    if (!reasons.includes(w.reason)) reasons.push(w.reason);
  }
  return reasons.join('; ');
}
