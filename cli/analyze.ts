/**
 * natrium analyze CAPTURE|TRACE.csv|- [--profile NAME|FILE] [--fail-on info|warning|error]
 *                 [--waivers FILE] [--set CHECK.KEY=VALUE]... [--chemistry NAME|FILE]
 *                 [--json | --md] [--junit FILE] [--report-json FILE] [--report-md FILE]
 *
 * Checks a capture (raw serial bytes) or a natrium sim trace against a profile and reports:
 * a terminal summary by default, one JSON document (analyzer/REPORT.md) with --json, Markdown
 * with --md; --junit/--report-json/--report-md write those forms to files as well. Exit code 0:
 * no finding at or above --fail-on (default error; waived findings do not count); 1: such a
 * finding; 2: unreadable input or bad arguments (one line naming the file, field and problem).
 */
import { writeFileSync } from 'node:fs';
import type { Report } from '../analyzer/analyze.ts';
import { SEVERITIES, type Severity } from '../analyzer/findings.ts';
import { analyzeFile } from '../analyzer/node/analyze-file.ts';
import { loadChemistryOption, loadProfile, loadWaivers } from '../analyzer/node/files.ts';
import { ProfileError } from '../analyzer/profile.ts';
import { reportJUnit } from '../analyzer/report/junit.ts';
import { reportMarkdown } from '../analyzer/report/markdown.ts';
import { reportText } from '../analyzer/report/text.ts';
import { InputError } from '../sim/errors.ts';
import { UsageError, parse } from './args.ts';

const USAGE = `usage: natrium analyze CAPTURE|TRACE.csv|- [--profile NAME|FILE] [--fail-on info|warning|error]
                      [--waivers FILE] [--set CHECK.KEY=VALUE]... [--chemistry NAME|FILE]
                      [--json | --md] [--junit FILE] [--report-json FILE] [--report-md FILE]

Checks a capture (raw serial bytes, "-" for stdin) or a natrium sim trace: data quality, limits,
the BMS's reactions, SOC, thermal behaviour, cells, and a session summary (analyzer/REPORT.md).
--profile: default, gb38031, lab, or a profile JSON file. --set overrides one threshold.
--json / --md print the report in that form; otherwise a terminal summary.
Exit code: 0 clean, 1 a finding at or above --fail-on (default error), 2 unreadable input.`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      profile: { type: 'string', default: 'default' },
      'fail-on': { type: 'string', default: 'error' },
      waivers: { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
      chemistry: { type: 'string' },
      json: { type: 'boolean', default: false },
      md: { type: 'boolean', default: false },
      junit: { type: 'string' },
      'report-json': { type: 'string' },
      'report-md': { type: 'string' },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one CAPTURE or TRACE (or - for stdin), got ${positionals.length}\n${USAGE}`);
  if (values.json && values.md) throw new UsageError('give at most one of --json and --md');
  const failOn = values['fail-on'] as string;
  if (!(SEVERITIES as readonly string[]).includes(failOn)) throw new UsageError(`--fail-on: expected info, warning or error, got "${failOn}"`);
  const profile = loadProfile(values.profile as string);
  for (const s of values.set as string[]) {
    try {
      profile.override(s);
    } catch (e) {
      if (e instanceof ProfileError) throw new UsageError(e.message);
      throw e;
    }
  }
  const waivers = values.waivers === undefined ? [] : loadWaivers(values.waivers as string);
  const chemistry = values.chemistry === undefined ? undefined : loadChemistryOption(values.chemistry as string);
  const report = analyzeFile(positionals[0]!, { profile, failOn: failOn as Severity, waivers, chemistry });
  writeReports(report, {
    junit: values.junit as string | undefined,
    json: values['report-json'] as string | undefined,
    md: values['report-md'] as string | undefined,
  });
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (values.md) process.stdout.write(reportMarkdown(report));
  else process.stdout.write(`${reportText(report, { color: process.stdout.isTTY === true })}\n`);
  return report.result.exit_code;
}

/** Writes the report files asked for; an unwritable path is an InputError (exit 2). */
export function writeReports(report: Report, files: { junit?: string; json?: string; md?: string }): void {
  const write = (path: string | undefined, text: () => string): void => {
    if (path === undefined) return;
    try {
      writeFileSync(path, text());
    } catch (e) {
      throw new InputError(path, '(output)', `cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
  };
  write(files.junit, () => reportJUnit(report));
  write(files.json, () => `${JSON.stringify(report, null, 2)}\n`);
  write(files.md, () => reportMarkdown(report));
}
