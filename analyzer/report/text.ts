/**
 * The report for a terminal: the input, the session summary, each check's status, then the
 * findings (worst first, at most `maxFindings`, the rest counted). Plain text, no colour codes
 * unless asked (`color`), so it pipes cleanly.
 */
import type { Report } from '../analyze.ts';
import type { Finding, Severity } from '../findings.ts';
import { severityRank } from '../findings.ts';
import { fmtTime, fmtValue, restarts } from './format.ts';

export interface TextOptions {
  color?: boolean;
  /** Most findings listed (default 40). */
  maxFindings?: number;
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
  for (const f of shown.slice(0, max)) L.push(findingLine(f, c));
  if (shown.length > max) L.push(`  … and ${shown.length - max} more (--json or --md lists them all)`);
  for (const w of r.expired_waivers)
    L.push(`  ${c('warning', 'expired waiver')} ${w.check}${w.subject ? ` ${w.subject}` : ''} (expired ${w.expires}): ${w.reason}`);
  L.push('');
  const verdict = res.exit_code === 0 ? c('pass', `PASS`) : c('error', 'FAIL');
  L.push(
    `result     ${verdict}: worst finding ${res.worst}; ${res.checks.pass} checks pass, ${res.checks.fail} fail, ${res.checks.not_evaluable} not evaluable`,
  );
  return L.join('\n');
}

function findingLine(f: Finding, c: (k: keyof typeof COLORS, s: string) => string): string {
  const sev = c(f.severity, f.severity.toUpperCase().padEnd(7));
  const range = `${fmtTime(f.t_start_s)}–${fmtTime(f.t_end_s)}`;
  const th = f.threshold && f.threshold.value !== null ? c('dim', ` [limit ${fmtValue(f.threshold.value)} ${f.threshold.unit}, ${f.threshold.source}]`) : '';
  const waived = f.waived !== undefined ? c('dim', ` (waived: ${f.waived})`) : '';
  return `  ${sev} ${range.padEnd(21)} ${f.check}: ${f.message}${th}${waived}`;
}
