/**
 * natrium fleet DIR|GLOB… --out DATASET [--jobs N] [--profile NAME|FILE] [--date YYYY-MM-DD] [--json]
 *
 * Analyses many captures in parallel (worker threads, one per core), adds each one's tables and
 * findings to the partitioned dataset (analyzer/DATASET.md) and writes the fleet report
 * (DATASET/fleet-report.json and .md): per pack, summary figures, worst findings, data quality.
 * Re-running on the same captures replaces their rows. Exit 0: every capture read and none with
 * a finding at error; 1: some capture failing or unreadable (listed); 2: bad arguments.
 */
import { basename } from 'node:path';
import { counted } from '../analyzer/findings.ts';
import { expandInputs, runFleet, writeFleetReport } from '../analyzer/node/fleet.ts';
import { loadProfile } from '../analyzer/node/files.ts';
import { checkOutputDir } from '../analyzer/node/output.ts';
import { dateOption, num, UsageError, parse } from './args.ts';
import { progressReporter } from './progress.ts';

const USAGE = `usage: natrium fleet DIR|GLOB… --out DATASET [--jobs N] [--profile NAME|FILE] [--date YYYY-MM-DD] [--json]

Analyses every capture or trace in DIR (recursively) or matching GLOB (e.g. 'logs/*.bin') with
one worker thread per core (--jobs). Below a DIR, files are taken by their content (a trace
header, or a natrium frame in the first 64 KiB); other files, hidden entries and earlier
datasets are skipped and listed. It adds them to the partitioned dataset DATASET with their
findings (analyzer/DATASET.md; natrium query reads it) and writes DATASET/fleet-report.json and
fleet-report.md over every capture in the dataset. Re-running does not duplicate rows.
Exit code: 0 every input read and none with a finding at error, 1 an input unreadable (listed)
or with a finding at error, 2 bad arguments.`;

/** "notes.txt, report.md, … (--json lists all 12 with why)": the first few names of what was skipped. */
function names(skipped: readonly { path: string; why: string }[]): string {
  const SHOWN = 6;
  const list = skipped.slice(0, SHOWN).map((x) => basename(x.path));
  return `${list.join(', ')}${skipped.length > SHOWN ? `, … (--json lists all ${skipped.length} with why)` : ''}`;
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      out: { type: 'string' },
      jobs: { type: 'string' },
      profile: { type: 'string', default: 'default' },
      date: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError(`expected DIR or GLOB\n${USAGE}`);
  if (values.out === undefined) throw new UsageError('--out DATASET is required');
  checkOutputDir(values.out as string);
  const jobs = values.jobs === undefined ? undefined : num('jobs', values.jobs as string, 1, { min: 1, integer: true });
  const date = dateOption(values.date as string | undefined);
  loadProfile(values.profile as string); // a bad profile is one line here, not one per worker
  const { paths, skipped } = expandInputs(positionals, values.out as string);
  if (paths.length === 0) {
    const what =
      skipped.length > 0
        ? `; skipped ${skipped.length === 1 ? '1 entry that is not a natrium log' : `${skipped.length} entries that are not natrium logs`}: ${names(skipped)}`
        : '';
    throw new UsageError(`no captures or traces in ${positionals.join(' ')}${what}`);
  }
  const bar = progressReporter(paths.length, 'analysing', 'captures', '');
  const t0 = performance.now();
  const run = await runFleet(paths, {
    out: values.out as string,
    jobs,
    profile: values.profile as string,
    date,
    onProgress: (done) => bar.update(done),
  });
  bar.stop();
  const report = writeFleetReport(values.out as string);
  const wall = (performance.now() - t0) / 1000;
  const failing = run.manifests.filter((m) => m.exit_code === 1).length;
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ ...report, run: { inputs: paths.length, workers: run.workers, wall_s: Math.round(wall * 100) / 100, failures: run.failures, skipped } }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(
      `natrium fleet: ${run.manifests.length} of ${counted(paths.length, 'capture')} in ${wall.toFixed(1)} s with ${counted(run.workers, 'worker')} → ${values.out} (${counted(report.captures, 'capture')}, ${counted(report.packs.length, 'pack')} in the dataset); ${failing} with findings at error\n`,
    );
    for (const f of run.failures) process.stdout.write(`  unreadable: ${f.error}\n`);
    if (skipped.length > 0)
      process.stdout.write(
        `  skipped:    ${skipped.length === 1 ? '1 entry' : `${skipped.length} entries`} below the directories, not natrium logs: ${names(skipped)}\n`,
      );
  }
  return run.failures.length > 0 || failing > 0 ? 1 : 0;
}
