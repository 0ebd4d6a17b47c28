/**
 * natrium export FILE… --format parquet|csv|bdf --out DIR [--pack-id ID] [--date YYYY-MM-DD]
 *                [--profile NAME|FILE]
 *
 * Writes captures or sim traces as a Hive-partitioned dataset (analyzer/DATASET.md): tables
 * frames, cells, temperatures, events and findings (the findings of `natrium analyze` with the
 * profile), or per-cell Battery Data Format CSVs. Exporting the same input again replaces its
 * files. Exit 0; 2 for an unreadable input or bad arguments.
 */
import { analyzeLoaded } from '../analyzer/node/analyze-file.ts';
import { EXPORT_FORMATS, type ExportFormat, captureIdOf, exportLoaded, partitionOf } from '../analyzer/node/export.ts';
import { loadProfile } from '../analyzer/node/files.ts';
import { loadInput } from '../analyzer/node/input.ts';
import { UsageError, dateOption, parse } from './args.ts';

const USAGE = `usage: natrium export FILE… --format parquet|csv|bdf --out DIR [--pack-id ID] [--date YYYY-MM-DD]
                     [--profile NAME|FILE]

Writes captures or sim traces into DIR as one dataset, partitioned pack_id=…/date=…/
(analyzer/DATASET.md): tables frames, cells, temperatures, events, findings (Parquet or CSV),
or one Battery Data Format CSV per series group (bdf). pack_id: the device id from INFO, else
--pack-id or the file name; date: --date, else the file's modification day (UTC).
Exit code: 0 written, 2 an unreadable input or bad arguments.`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      format: { type: 'string', default: 'parquet' },
      out: { type: 'string' },
      'pack-id': { type: 'string' },
      date: { type: 'string' },
      profile: { type: 'string', default: 'default' },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError(`expected at least one FILE\n${USAGE}`);
  const format = values.format as string;
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format: expected parquet, csv or bdf, got "${format}"`);
  if (values.out === undefined) throw new UsageError('--out DIR is required');
  if (positionals.includes('-')) throw new UsageError('export reads files, not stdin (a capture id is the hash of the file)');
  const date = dateOption(values.date as string | undefined);
  const profile = loadProfile(values.profile as string);
  for (const path of positionals) {
    const input = loadInput(path);
    const report = format === 'bdf' ? null : analyzeLoaded(input, { profile });
    const partition = partitionOf(input, path, { packId: values['pack-id'] as string | undefined, date });
    const r = await exportLoaded(input, report, { format: format as ExportFormat, out: values.out as string, captureId: captureIdOf(path), partition });
    const rows = Object.entries(r.rows)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ');
    process.stdout.write(
      `${path}: pack_id=${partition.packId} date=${partition.date} capture ${r.captureId}: ${r.files.length} files, ${(r.bytes / 1e6).toFixed(2)} MB${rows ? ` (${rows} rows)` : ''}\n`,
    );
  }
  return 0;
}
