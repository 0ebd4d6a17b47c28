/**
 * `natrium query` as a library call: in-process DuckDB (@duckdb/node-api, its native binary
 * comes with the npm package; no server) over a dataset written by `natrium export` or
 * `natrium fleet` (analyzer/DATASET.md). Each table directory with Parquet files becomes a view
 * of that name, Hive partitions (pack_id, date) as columns.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { InputError } from '../../sim/errors.ts';
import { TABLE_NAMES } from '../export/schema.ts';

/** Example queries (analyzer/DATASET.md), by name: `natrium query DATASET --example NAME`. */
export const EXAMPLES: Record<string, { doc: string; sql: string }> = {
  'capacity-trend': {
    doc: 'charge counted per capture over its SOC swing: the capacity the BMS sees, per pack and day',
    sql: `WITH d AS (
  SELECT pack_id, date, capture_id, t_s, current_A::DOUBLE AS i, soc::DOUBLE AS soc,
         t_s - lag(t_s) OVER (PARTITION BY capture_id ORDER BY t_s) AS dt
  FROM frames)
SELECT pack_id, date, capture_id,
       round(sum(i * dt) / 3600, 3) AS charge_Ah,
       round(arg_max(soc, t_s) - arg_min(soc, t_s), 4) AS soc_swing,
       CASE WHEN abs(arg_max(soc, t_s) - arg_min(soc, t_s)) >= 0.05
            THEN round(sum(i * dt) / 3600 / (arg_max(soc, t_s) - arg_min(soc, t_s)), 2) END AS capacity_Ah
FROM d WHERE i IS NOT NULL AND soc IS NOT NULL AND dt IS NOT NULL
GROUP BY ALL ORDER BY pack_id, date, capture_id`,
  },
  'worst-cell-spread': {
    doc: 'the largest cell-voltage spread (max - min) of each capture, and when',
    sql: `SELECT pack_id, date, capture_id,
       max(cellVoltageMax_V - cellVoltageMin_V) AS spread_V,
       arg_max(t_s, cellVoltageMax_V - cellVoltageMin_V) AS at_t_s
FROM frames GROUP BY ALL ORDER BY spread_V DESC NULLS LAST LIMIT 20`,
  },
  'reaction-time-outliers': {
    doc: "the BMS's slowest reactions to a limit crossing (reaction.limits): latency and verdict",
    sql: `SELECT pack_id, capture_id, subject, t_start_s, severity,
       json_extract(evidence_json, '$.warn_latency_s')::DOUBLE AS warn_latency_s,
       json_extract_string(evidence_json, '$.warn') AS warn,
       json_extract(evidence_json, '$.derate_latency_s')::DOUBLE AS derate_latency_s,
       json_extract_string(evidence_json, '$.derate') AS derate,
       json_extract(evidence_json, '$.open_latency_s')::DOUBLE AS open_latency_s
FROM findings WHERE check_id = 'reaction.limits'
ORDER BY greatest(coalesce(warn_latency_s, 0), coalesce(derate_latency_s, 0), coalesce(open_latency_s, 0)) DESC
LIMIT 20`,
  },
};

export interface QueryResult {
  columns: string[];
  rows: unknown[][];
}

function hasParquet(dir: string): boolean {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory() ? hasParquet(join(dir, e.name)) : e.name.endsWith('.parquet')) return true;
  }
  return false;
}

/** The tables of a dataset directory (those with Parquet files). */
export function datasetTables(dataset: string): string[] {
  if (!existsSync(dataset) || !statSync(dataset).isDirectory()) throw new InputError(dataset, '(dataset)', 'not a directory');
  return TABLE_NAMES.filter((t) => existsSync(join(dataset, t)) && hasParquet(join(dataset, t)));
}

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Runs `sql` over the dataset's views. A bad query is an InputError on field `SQL`. */
export async function queryDataset(dataset: string, sql: string): Promise<QueryResult> {
  const tables = datasetTables(dataset);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    for (const t of tables) {
      const glob = join(dataset, t, '**', '*.parquet');
      await conn.run(
        `CREATE VIEW ${t} AS SELECT * FROM read_parquet(${quote(glob)}, hive_partitioning = true, hive_types = {'pack_id': VARCHAR, 'date': DATE}, union_by_name = true)`,
      );
    }
    let reader;
    try {
      reader = await conn.runAndReadAll(sql);
    } catch (e) {
      throw new InputError('SQL', '(query)', (e as Error).message.split('\n')[0]!);
    }
    return { columns: reader.columnNames(), rows: reader.getRowsJS() };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
