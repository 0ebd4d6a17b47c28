/**
 * Node edge of the exports (analyzer/export/): a loaded capture or trace and its report become
 * files of a Hive-partitioned dataset (analyzer/DATASET.md):
 *
 *   OUT/TABLE/pack_id=P/date=YYYY-MM-DD/CAPTURE_ID.parquet     (or .csv)
 *   OUT/bdf/pack_id=P/date=YYYY-MM-DD/CAPTURE_ID/cell-NNN.bdf.csv
 *
 * CAPTURE_ID is a hash of the input's bytes, so exporting the same input again replaces its
 * files instead of adding rows. Each file is written under a temporary name and renamed when
 * complete, so a reader never sees half a file. Parquet is flushed to disk after every row group.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ByteWriter } from 'hyparquet-writer';
import { InputError } from '../../sim/errors.ts';
import { makeOutputDir } from './output.ts';
import type { Report } from '../analyze.ts';
import { bdfChunks, csvChunks } from '../export/csv.ts';
import { writeParquet } from '../export/parquet.ts';
import { TABLES, TABLE_NAMES, type TableName } from '../export/schema.ts';
import { type ExportSource, tableBatches } from '../export/tables.ts';
import type { LoadedInput } from './input.ts';

export type ExportFormat = 'parquet' | 'csv' | 'bdf';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['parquet', 'csv', 'bdf'];

export interface Partition {
  packId: string;
  date: string;
}

/** A hyparquet-writer Writer that appends to a file descriptor on every flush. */
class FileWriter extends ByteWriter {
  constructor(private readonly fd: number) {
    super(1 << 20);
  }
  flush(): void {
    if (this.index > 0) writeSync(this.fd, new Uint8Array(this.buffer, 0, this.index));
    this.index = 0;
  }
  finish(): void {
    this.flush();
  }
}

/** Stable id of a file's content: the first 16 hex digits of its SHA-256. */
export function captureIdOf(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex').slice(0, 16);
}

const safe = (s: string): string => s.replace(/[^A-Za-z0-9_.-]/g, '_');

/**
 * The partition of an input: pack_id from the device's INFO (its device id), else `fallbackPack`
 * or the file's name; date `date` or the file's modification day (UTC; captures carry no wall
 * clock).
 */
export function partitionOf(input: LoadedInput, path: string, o: { packId?: string; date?: string }): Partition {
  const info = input.timeline.info;
  const fromInfo = info && info.deviceId !== 0 ? info.deviceId.toString(16).padStart(8, '0') : null;
  const stem = basename(path).replace(/\.[^.]*$/, '');
  const packId = safe(o.packId ?? fromInfo ?? stem);
  let date = o.date;
  if (date === undefined) date = path === '-' ? new Date().toISOString().slice(0, 10) : statSync(path).mtime.toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new InputError('--date', date, 'expected YYYY-MM-DD');
  return { packId, date };
}

function partDir(out: string, table: string, p: Partition): string {
  const dir = join(out, table, `pack_id=${p.packId}`, `date=${p.date}`);
  makeOutputDir(dir);
  return dir;
}

/** Writes to `path` through a temporary file renamed at the end. */
async function atomically(path: string, write: (fd: number) => Promise<void> | void): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    await write(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function writeText(fd: number, chunks: Iterable<string>): void {
  for (const c of chunks) writeSync(fd, c);
}

export interface ExportResult {
  captureId: string;
  partition: Partition;
  files: string[];
  rows: Partial<Record<TableName, number>>;
  bytes: number;
}

/** Exports one loaded input (with its report, for `findings`) into `out`. */
export async function exportLoaded(
  input: LoadedInput,
  report: Report | null,
  o: { format: ExportFormat; out: string; captureId: string; partition: Partition; tables?: readonly TableName[] },
): Promise<ExportResult> {
  const src: ExportSource = { captureId: o.captureId, timeline: input.timeline, report };
  const res: ExportResult = { captureId: o.captureId, partition: o.partition, files: [], rows: {}, bytes: 0 };
  if (o.format === 'bdf') {
    const dir = join(partDir(o.out, 'bdf', o.partition), o.captureId);
    makeOutputDir(dir);
    for (let i = 0; i < input.timeline.ns; i++) {
      const file = join(dir, `cell-${String(i + 1).padStart(3, '0')}.bdf.csv`);
      await atomically(file, (fd) => writeText(fd, bdfChunks(input.timeline, i)));
      res.files.push(file);
    }
  } else {
    for (const table of o.tables ?? TABLE_NAMES) {
      const spec = TABLES[table];
      const file = join(partDir(o.out, table, o.partition), `${o.captureId}.${o.format}`);
      await atomically(file, async (fd) => {
        if (o.format === 'csv') {
          writeText(fd, csvChunks(spec, tableBatches(table, src)));
          return;
        }
        const kv = { 'natrium.capture_id': o.captureId, 'natrium.source': input.meta.name, 'natrium.pack_id': o.partition.packId };
        const r = await writeParquet(spec, (only) => tableBatches(table, src, only), new FileWriter(fd), kv);
        res.rows[table] = r.rows;
      });
      res.files.push(file);
    }
  }
  for (const f of res.files) res.bytes += statSync(f).size;
  return res;
}
