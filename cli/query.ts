/**
 * natrium query DATASET "SQL" | --example NAME  [--csv | --json]
 *
 * Runs SQL in-process (DuckDB) over a dataset of `natrium export` / `natrium fleet`: the views
 * frames, cells, temperatures, events and findings, with pack_id and date from the partitions
 * (analyzer/DATASET.md). Prints a table, CSV or JSON (an array of row objects).
 */
import { EXAMPLES, queryDataset, type QueryResult } from '../analyzer/node/query.ts';
import { UsageError, parse } from './args.ts';

const USAGE = `usage: natrium query DATASET "SQL" [--csv | --json]
       natrium query DATASET --example NAME [--csv | --json]
       natrium query --examples

Runs SQL over a dataset written by natrium export or natrium fleet, in process (DuckDB, no
server). Views: frames, cells, temperatures, events, findings; pack_id and date are columns.
Examples (analyzer/DATASET.md): ${Object.keys(EXAMPLES).join(', ')}.`;

/** A value as it prints: dates as YYYY-MM-DD, big integers as numbers when they fit. */
function plain(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString().slice(0, v.getUTCHours() + v.getUTCMinutes() + v.getUTCSeconds() === 0 ? 10 : 19);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The result as text: an aligned table, CSV or JSON. */
export function formatResult(r: QueryResult, form: 'table' | 'csv' | 'json'): string {
  const rows = r.rows.map((row) => row.map(plain));
  if (form === 'json')
    return `${JSON.stringify(
      rows.map((row) => Object.fromEntries(r.columns.map((c, j) => [c, row[j]]))),
      null,
      1,
    )}\n`;
  if (form === 'csv') return [r.columns.map(csvField).join(','), ...rows.map((row) => row.map(csvField).join(','))].join('\n') + '\n';
  const cells = [r.columns, ...rows.map((row) => row.map((v) => (v === null ? 'NULL' : String(v))))];
  const width = r.columns.map((_, j) => Math.max(...cells.map((row) => row[j]!.length)));
  const line = (row: string[]): string =>
    row
      .map((s, j) => s.padEnd(width[j]!))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), width.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line), `(${rows.length} rows)`].join('\n') + '\n';
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      csv: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      example: { type: 'string' },
      examples: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.examples) {
    for (const [name, e] of Object.entries(EXAMPLES)) process.stdout.write(`-- ${name}: ${e.doc}\n${e.sql};\n\n`);
    return 0;
  }
  if (values.csv && values.json) throw new UsageError('give at most one of --csv and --json');
  const example = values.example as string | undefined;
  if (example !== undefined && !(example in EXAMPLES)) throw new UsageError(`--example: unknown "${example}" (${Object.keys(EXAMPLES).join(', ')})`);
  const want = example === undefined ? 2 : 1;
  if (positionals.length !== want) throw new UsageError(`expected DATASET${example === undefined ? ' and "SQL"' : ''}\n${USAGE}`);
  const sql = example === undefined ? positionals[1]! : EXAMPLES[example]!.sql;
  const r = await queryDataset(positionals[0]!, sql);
  process.stdout.write(formatResult(r, values.json ? 'json' : values.csv ? 'csv' : 'table'));
  return 0;
}
