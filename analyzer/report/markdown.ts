/**
 * The report as Markdown, for CI summaries and merge requests: a verdict line, the input and
 * summary tables, the checks table, then every finding. Text from telemetry or files is escaped
 * (a chemistry name or file name cannot inject Markdown or HTML).
 */
import type { Report } from '../analyze.ts';
import { fmtTime, fmtValue } from './format.ts';

/** Escapes text for a Markdown table cell or line. */
export function md(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>&]/g, (ch) => (ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === '&' ? '&amp;' : `\\${ch}`));
}

export function reportMarkdown(r: Report): string {
  const L: string[] = [];
  const res = r.result;
  L.push(`# natrium analysis: ${md(r.input.name)}`);
  L.push('');
  L.push(
    `**${res.exit_code === 0 ? 'PASS' : 'FAIL'}** (fail on ${r.profile.fail_on}): ${res.findings.error} error, ${res.findings.warning} warning, ${res.findings.info} info findings${res.waived ? `, ${res.waived} waived` : ''}; ${res.checks.pass} checks pass, ${res.checks.fail} fail, ${res.checks.not_evaluable} not evaluable.`,
  );
  L.push('');
  L.push('## Input');
  L.push('');
  L.push('| | |');
  L.push('|---|---|');
  const i = r.input;
  L.push(`| file | ${md(i.name)} (${i.kind}, ${i.bytes} bytes) |`);
  L.push(`| device time | ${fmtTime(i.duration_s)} (${i.rows} rows) |`);
  if (i.device) {
    const d = i.device;
    L.push(`| device | ${md(d.device_id)}, firmware ${md(d.firmware)}${d.simulator ? ' (simulator)' : ''} |`);
    L.push(`| pack | ${md(d.chemistry)}, ${d.ns}s${d.np}p × ${d.cell_capacity_Ah} Ah, ${d.temperature_sensors} temperature sensors |`);
  }
  L.push(
    `| messages | ${Object.entries(i.messages)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} |`,
  );
  if (i.decoder) {
    const d = i.decoder;
    L.push(
      `| link | ${d.frames} frames, ${i.seq_lost} lost (seq), ${d.crcErrors} CRC errors, ${d.cobsErrors} COBS errors, ${d.duplicates} duplicates, ${d.incompleteBytes} bytes cut at the end |`,
    );
  }
  L.push(`| profile | ${md(r.profile.name)}; limits from ${md(r.profile.limits_source)} |`);
  const sum = Object.entries(r.summary);
  if (sum.length) {
    L.push('');
    L.push('## Summary');
    L.push('');
    L.push('| quantity | value |');
    L.push('|---|---|');
    for (const [k, v] of sum) L.push(`| ${md(k)} | ${md(fmtValue(v))} |`);
  }
  L.push('');
  L.push('## Checks');
  L.push('');
  L.push('| check | status | findings | note |');
  L.push('|---|---|---|---|');
  for (const ch of r.checks) {
    const n = r.findings.filter((f) => f.check === ch.check).length;
    const st = ch.status === 'pass' ? 'pass' : ch.status === 'fail' ? '**FAIL**' : 'not evaluable';
    L.push(`| ${md(ch.check)} | ${st} | ${n} | ${md(ch.reason ?? ch.title)} |`);
  }
  L.push('');
  L.push('## Findings');
  L.push('');
  if (r.findings.length === 0) L.push('None.');
  else {
    L.push('| severity | time | check | subject | finding | limit |');
    L.push('|---|---|---|---|---|---|');
    for (const f of r.findings) {
      const th = f.threshold && f.threshold.value !== null ? `${fmtValue(f.threshold.value)} ${f.threshold.unit} (${f.threshold.source})` : '';
      const sev = f.waived !== undefined ? `${f.severity} (waived: ${f.waived})` : f.severity === 'info' ? 'info' : `**${f.severity}**`;
      L.push(`| ${md(sev)} | ${fmtTime(f.t_start_s)}–${fmtTime(f.t_end_s)} | ${md(f.check)} | ${md(f.subject)} | ${md(f.message)} | ${md(th)} |`);
    }
  }
  for (const w of r.expired_waivers) L.push(`\nExpired waiver: ${md(w.check)} (${md(w.expires ?? '')}): ${md(w.reason)}`);
  L.push('');
  return L.join('\n');
}
