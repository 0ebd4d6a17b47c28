/**
 * The report as JUnit XML (one testsuite, one testcase per check), which CI systems (GitLab,
 * Jenkins, GitHub test reporters) show as test results: a check with findings at or above the
 * report's fail-on severity is a <failure>, a not-evaluable check is <skipped>, others pass; the
 * findings are listed in the failure body and in <system-out>. Every text is XML-escaped.
 */
import type { Report } from '../analyze.ts';
import { counted, severityRank } from '../findings.ts';
import { fmtTime } from './format.ts';

export function xml(s: string): string {
  // escape markup and drop characters XML 1.0 cannot carry
  return (
    s
      // eslint-disable-next-line no-control-regex -- the control characters XML 1.0 allows, kept
      .replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

export function reportJUnit(r: Report): string {
  const failOn = severityRank(r.profile.fail_on);
  let failures = 0;
  let skipped = 0;
  const cases: string[] = [];
  for (const ch of r.checks) {
    const fs = r.findings.filter((f) => f.check === ch.check);
    const failing = fs.filter((f) => f.waived === undefined && severityRank(f.severity) >= failOn);
    const lines = fs.map(
      (f) => `${f.severity}${f.waived !== undefined ? ' (waived)' : ''} ${fmtTime(f.t_start_s)}-${fmtTime(f.t_end_s)} ${f.subject}: ${f.message}`,
    );
    let body = '';
    if (ch.status === 'not_evaluable') {
      skipped++;
      body = `<skipped message="${xml(ch.reason ?? 'not evaluable')}"/>`;
    } else if (failing.length > 0) {
      failures++;
      body = `<failure message="${xml(`${counted(failing.length, 'finding')} at or above ${r.profile.fail_on}`)}" type="${xml(failing[0]!.severity)}">${xml(lines.join('\n'))}</failure>`;
    }
    if (lines.length > 0) body += `<system-out>${xml(lines.join('\n'))}</system-out>`;
    cases.push(`    <testcase classname="natrium.${xml(ch.check.split('.')[0]!)}" name="${xml(ch.check)}" time="0">${body}</testcase>`);
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="natrium analyze" tests="${r.checks.length}" failures="${failures}" skipped="${skipped}">`,
    `  <testsuite name="${xml(r.input.name)}" tests="${r.checks.length}" failures="${failures}" skipped="${skipped}" errors="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
