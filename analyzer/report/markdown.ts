/**
 * The report as Markdown, for CI summaries and merge requests: a verdict line, the input, the
 * summary (quantities, then the time-in-band tables), the checks table, then every finding.
 *
 * Text from telemetry or files is escaped (`md`): a chemistry name, firmware string, file name or
 * waiver reason cannot inject Markdown or HTML, break a table (a `|`, a line break) or turn into a
 * link (GitHub links bare `www.` / `http://` / e-mail text). The escaping is kept to what
 * CommonMark and GitHub's tables need, so numbers, versions and file names read as they are in
 * the raw file too (`0.2.0`, not `0\.2\.0`).
 */
import type { Report } from '../analyze.ts';
import { fmtLimit, fmtTime, restarts } from './format.ts';
import { summaryTables } from './summary.ts';

/**
 * Escapes text for a Markdown table cell or the rest of a line: line breaks and other control
 * characters become a space (the text stays on its line and in its cell); the characters that
 * start inline markup or a table cell are backslash-escaped (`< > &` as entities; not a `_`
 * between two letters or digits, which cannot open or close emphasis: `NTC_OPEN`); and the
 * triggers of GitHub's bare links (`://`, `@`, `www.`) are broken by an escape.
 */
export function md(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex -- C0 and C1 controls, line and paragraph separators
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
      .replace(/[\\`*[\]|~#<>&]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, (ch) => (ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === '&' ? '&amp;' : `\\${ch}`))
      .replace(/:\/\//g, '\\://')
      .replace(/@/g, '\\@')
      .replace(/(w)(w)(w)\./gi, '$1$2$3\\.')
  );
}

/** An identifier of natrium's own (a check id) as code; anything else escaped as text. */
export function mdCode(id: string): string {
  return /^[A-Za-z0-9_.[\]-]+$/.test(id) ? `\`${id}\`` : md(id);
}

/** Headings of the time-in-band tables, by the metrics' family. */
const BAND_TITLES: Record<string, string> = {
  soc: 'Time in SOC bands (the BMS estimate)',
  temperature: 'Time in temperature bands (the hottest sensor)',
};

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
      `| link | ${d.frames} frames, ${i.seq_lost} lost (seq), ${d.crcErrors} CRC errors, ${d.cobsErrors} COBS errors, ${d.duplicates} duplicates, ${d.incompleteBytes} bytes cut at the end${restarts(i.restarts)} |`,
    );
  }
  L.push(`| profile | ${md(r.profile.name)}; limits from ${md(r.profile.limits_source)} |`);
  const sum = summaryTables(r.summary);
  if (sum.quantities.length || sum.bands.length) {
    L.push('');
    L.push('## Summary');
    if (sum.quantities.length) {
      L.push('');
      L.push('| quantity | value |');
      L.push('|---|---|');
      for (const q of sum.quantities) L.push(`| ${md(q.label)} | ${md(q.value)} |`);
    }
    for (const b of sum.bands) {
      L.push('');
      L.push(`### ${BAND_TITLES[b.family] ?? `Time in ${md(b.family)} bands`}`);
      L.push('');
      L.push('| band | time | share |');
      L.push('|---|--:|--:|');
      for (const row of b.rows) L.push(`| ${md(row.band)} | ${row.time} | ${row.share} |`);
    }
  }
  L.push('');
  L.push('## Checks');
  L.push('');
  L.push('| check | status | findings | note |');
  L.push('|---|---|---|---|');
  for (const ch of r.checks) {
    const n = r.findings.filter((f) => f.check === ch.check).length;
    const st = ch.status === 'pass' ? 'pass' : ch.status === 'fail' ? '**FAIL**' : 'not evaluable';
    L.push(`| ${mdCode(ch.check)} | ${st} | ${n} | ${md(ch.reason ?? ch.title)} |`);
  }
  L.push('');
  L.push('## Findings');
  L.push('');
  if (r.findings.length === 0) L.push('None.');
  else {
    L.push('| severity | time | check | subject | finding | limit |');
    L.push('|---|---|---|---|---|---|');
    for (const f of r.findings) {
      const th = f.threshold && f.threshold.value !== null ? `${fmtLimit(f.threshold.value, f.threshold.unit)} (${f.threshold.source})` : '';
      // bold for warning and error; the waiver's reason is the user's text, so escaped
      const sev = f.waived !== undefined ? md(`${f.severity} (waived: ${f.waived})`) : f.severity === 'info' ? 'info' : `**${f.severity}**`;
      L.push(`| ${sev} | ${fmtTime(f.t_start_s)}–${fmtTime(f.t_end_s)} | ${mdCode(f.check)} | ${md(f.subject)} | ${md(f.message)} | ${md(th)} |`);
    }
  }
  for (const w of r.expired_waivers) L.push(`\nExpired waiver: ${md(w.check)} (${md(w.expires ?? '')}): ${md(w.reason)}`);
  L.push('');
  return L.join('\n');
}
