/**
 * The report for a terminal: the input, the session summary, each check's status, then the
 * findings (worst first, at most `maxFindings` lines: when they do not fit, the kinds with the
 * most findings are cut short and the rest of each is one line; the lines beyond are counted). Plain text, no colour codes
 * unless asked (`color`), so it pipes cleanly.
 */
import type { Report } from '../analyze.ts';
import type { Finding, Severity } from '../findings.ts';
import { severityRank } from '../findings.ts';
import { fmtLimit, fmtTime, restarts } from './format.ts';

export interface TextOptions {
  color?: boolean;
  /** Most lines of findings (default 40). */
  maxFindings?: number;
  /**
   * When the findings take more than `maxFindings` lines: the fewest listed of one kind (check,
   * severity and where the threshold came from; default 3). The kinds with the most findings
   * are cut to as many as leaves every kind room, and the rest of a kind is one line that counts
   * them and names their subjects, so that 49 cells over the same limit do not push the BMS's
   * own alarm off the screen.
   */
  perKind?: number;
}

const COLORS: Record<Severity | 'pass' | 'dim', string> = {
  error: '\x1b[31m',
  warning: '\x1b[33m',
  info: '\x1b[36m',
  pass: '\x1b[32m',
  dim: '\x1b[2m',
};

export function reportText(r: Report, o: TextOptions = {}): string {
  const c = (k: keyof typeof COLORS, s: string): string => (o.color ? `${COLORS[k]}${s}\x1b[0m` : s);
  const max = o.maxFindings ?? 40;
  const L: string[] = [];
  const i = r.input;
  const dev = i.device;
  L.push(`input      ${i.name} (${i.kind}, ${(i.bytes / 1e6).toFixed(1)} MB, ${fmtTime(i.duration_s)} of device time, ${i.rows} rows)`);
  if (dev) {
    L.push(
      `device     ${dev.device_id} firmware ${dev.firmware}${dev.simulator ? ' (simulator)' : ''}, ${dev.chemistry}, ${dev.ns}s${dev.np}p × ${dev.cell_capacity_Ah} Ah, ${dev.temperature_sensors} temperature sensors`,
    );
  }
  if (i.decoder) {
    const d = i.decoder;
    const errs = d.crcErrors + d.cobsErrors + d.shortFrames + d.badVersions + d.oversizeRuns + d.truncatedPayloads + d.badValues;
    L.push(
      `link       ${d.frames} frames, ${i.seq_lost} lost, ${errs} damaged, ${d.duplicates} duplicates${d.incompleteBytes ? `, ${d.incompleteBytes} bytes of a cut last frame` : ''}${restarts(i.restarts)}`,
    );
  }
  L.push(`profile    ${r.profile.name} (limits: ${r.profile.limits_source}; fail on ${r.profile.fail_on})`);
  const s = r.summary;
  const num = (k: string): number | null => (typeof s[k] === 'number' ? (s[k] as number) : null);
  const parts: string[] = [];
  const ahIn = num('charge_in_Ah'),
    ahOut = num('charge_out_Ah'),
    whIn = num('energy_in_Wh'),
    whOut = num('energy_out_Wh');
  if (ahOut !== null && ahIn !== null) parts.push(`${ahOut.toFixed(1)} Ah out, ${ahIn.toFixed(1)} Ah in`);
  if (whOut !== null && whIn !== null) parts.push(`${(whOut / 1000).toFixed(2)} kWh out, ${(whIn / 1000).toFixed(2)} kWh in`);
  const eq = num('equivalent_cycles');
  if (eq !== null) parts.push(`${eq.toFixed(2)} equivalent cycles`);
  if (parts.length) L.push(`session    ${parts.join(', ')}`);
  const ce = num('coulombic_efficiency'),
    ee = num('energy_efficiency');
  if (ce !== null || ee !== null) {
    L.push(
      `efficiency ${ce !== null ? `coulombic ${(ce * 100).toFixed(2)} %` : ''}${ce !== null && ee !== null ? ', ' : ''}${ee !== null ? `energy ${(ee * 100).toFixed(2)} %` : ''}`,
    );
  }
  L.push('');
  L.push('checks');
  for (const ch of r.checks) {
    const n = r.findings.filter((f) => f.check === ch.check && f.severity !== 'info').length;
    const status = ch.status === 'pass' ? c('pass', 'pass') : ch.status === 'fail' ? c('error', 'FAIL') : c('dim', 'n/e ');
    const note = ch.status === 'not_evaluable' ? c('dim', ` — ${ch.reason ?? ''}`) : n > 0 ? ` — ${n} finding${n === 1 ? '' : 's'}` : '';
    L.push(`  ${status}  ${ch.check.padEnd(34)} ${ch.title}${note}`);
  }
  const shown = [...r.findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.t_start_s - b.t_start_s);
  L.push('');
  const res = r.result;
  L.push(`findings   ${res.findings.error} error, ${res.findings.warning} warning, ${res.findings.info} info${res.waived ? ` (${res.waived} waived)` : ''}`);
  const lines = findingLines(shown, perKindFor(shown, max, o.perKind ?? 3), c);
  for (const l of lines.slice(0, max)) L.push(l);
  if (lines.length > max) L.push(`  … and ${lines.length - max} more lines (--json or --md lists every finding)`);
  for (const w of r.expired_waivers)
    L.push(`  ${c('warning', 'expired waiver')} ${w.check}${w.subject ? ` ${w.subject}` : ''} (expired ${w.expires}): ${w.reason}`);
  L.push('');
  const verdict = res.exit_code === 0 ? c('pass', `PASS`) : c('error', 'FAIL');
  L.push(
    `result     ${verdict}: worst finding ${res.worst}; ${res.checks.pass} checks pass, ${res.checks.fail} fail, ${res.checks.not_evaluable} not evaluable`,
  );
  return L.join('\n');
}

/**
 * Findings listed per kind: all of them when they fit in `max` lines, else the most per kind
 * (not below `least`) with which the lines (each kind cut to it, plus one line for its rest) fit.
 */
function perKindFor(shown: readonly Finding[], max: number, least: number): number {
  if (shown.length <= max) return Infinity;
  const counts = new Map<string, number>();
  for (const f of shown) counts.set(kindOf(f), (counts.get(kindOf(f)) ?? 0) + 1);
  const lines = (k: number): number => {
    let n = 0;
    for (const c of counts.values()) n += c <= k ? c : k + 1;
    return n;
  };
  let k = least;
  while (lines(k + 1) <= max) k++;
  return k;
}

function kindOf(f: Finding): string {
  return `${f.check}\u0000${f.severity}\u0000${f.threshold?.source ?? ''}`;
}

/** Subjects named on a line that stands for the findings of a kind not listed. */
const SUBJECTS_NAMED = 8;

/** The findings of one kind beyond the first few listed: one line counts them. */
export interface FindingRest {
  /** The first of them (its check and severity head the line). */
  first: Finding;
  n: number;
  /** Their time span. */
  from: number;
  to: number;
  /** Their subjects, in the order met, each once. */
  subjects: string[];
  /** The findings themselves, in the given order. */
  findings: Finding[];
}

/**
 * The findings in the given order, but at most `perKind` of each kind (check, severity, threshold
 * source): the rest of a kind are one FindingRest where the kind's next one would have been.
 */
export function groupByKind(shown: readonly Finding[], perKind: number): (Finding | FindingRest)[] {
  const seen = new Map<string, number>();
  const rest = new Map<string, FindingRest>();
  const out: (Finding | FindingRest)[] = [];
  for (const f of shown) {
    const key = kindOf(f);
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n <= perKind) {
      out.push(f);
      continue;
    }
    let g = rest.get(key);
    if (g === undefined) {
      g = { first: f, subjects: [], n: 0, from: f.t_start_s, to: f.t_end_s, findings: [] };
      rest.set(key, g);
      out.push(g);
    }
    g.n++;
    g.findings.push(f);
    g.from = Math.min(g.from, f.t_start_s);
    g.to = Math.max(g.to, f.t_end_s);
    if (!g.subjects.includes(f.subject)) g.subjects.push(f.subject);
  }
  return out;
}

/** What a FindingRest says after its check: "46 more like the above, cells 7, 77, 85, … (46 in all)". */
export function restText(g: FindingRest): string {
  return `${g.n} more like the above, ${subjectList(g.subjects)}`;
}

function findingLines(shown: readonly Finding[], perKind: number, c: (k: keyof typeof COLORS, s: string) => string): string[] {
  return groupByKind(shown, perKind).map((l) => {
    if ('id' in l) return findingLine(l, c);
    const f = l.first;
    const sev = c(f.severity, f.severity.toUpperCase().padEnd(7));
    const range = `${fmtTime(l.from)}–${fmtTime(l.to)}`;
    return `  ${sev} ${range.padEnd(21)} ${f.check}: ${restText(l)}`;
  });
}

/** "cells 7, 77, 85" for subjects of one family ("cell 77", …), at most SUBJECTS_NAMED named. */
function subjectList(subjects: readonly string[]): string {
  const family = /^(\S+) (.+)$/.exec(subjects[0] ?? '')?.[1];
  const same = family !== undefined && subjects.every((x) => x.startsWith(`${family} `));
  const names = same ? subjects.map((x) => x.slice(family.length + 1)) : [...subjects];
  const more = names.length > SUBJECTS_NAMED ? `, … (${names.length} in all)` : '';
  return `${same && names.length > 1 ? `${family}s ` : same ? `${family} ` : ''}${names.slice(0, SUBJECTS_NAMED).join(', ')}${more}`;
}

function findingLine(f: Finding, c: (k: keyof typeof COLORS, s: string) => string): string {
  const sev = c(f.severity, f.severity.toUpperCase().padEnd(7));
  const range = `${fmtTime(f.t_start_s)}–${fmtTime(f.t_end_s)}`;
  const th = f.threshold && f.threshold.value !== null ? c('dim', ` [limit ${fmtLimit(f.threshold.value, f.threshold.unit)}, ${f.threshold.source}]`) : '';
  const waived = f.waived !== undefined ? c('dim', ` (waived: ${f.waived})`) : '';
  return `  ${sev} ${range.padEnd(21)} ${f.check}: ${f.message}${th}${waived}`;
}

/**
 * The lines of a live feed (`natrium stream --analyze`, `natrium demo`) for the findings that
 * appeared since its last lines: info findings are left to the final report, and of each kind at
 * most `perKind` (default 3) are listed, the rest of the kind on one line ("46 more like the
 * above, cells 7, 77, 85, …"), so that a charger taking every cell over a limit is a few lines,
 * not a hundred. `align` pads the severity to one width.
 */
export function liveLines(fresh: readonly Finding[], o: { perKind?: number; align?: boolean } = {}): string[] {
  const sev = (s: Severity): string => (o.align ? s.toUpperCase().padEnd(7) : s.toUpperCase());
  const shown = fresh.filter((f) => f.severity !== 'info');
  return groupByKind(shown, o.perKind ?? 3).map((l) =>
    'id' in l
      ? `${sev(l.severity)} ${fmtTime(l.t_start_s)} ${l.check}: ${l.message}`
      : `${sev(l.first.severity)} ${fmtTime(l.from)} ${l.first.check}: ${restText(l)}`,
  );
}
