/**
 * The rows of an export's tables (analyzer/export/schema.ts), built from a Timeline and its
 * report in batches of BATCH_ROWS, so that a day-long 100-cell log never becomes one 86-million-
 * row array. Isomorphic. Nothing is bridged: NaN and ABSENT are NA (NaN in a numeric batch
 * column, null elsewhere; null in every written form).
 */
import { BMS_STATE_NAMES, FAULT_CODE_NAMES } from '../../protocol/messages.ts';
import { faultUnit } from '../rules/alarms.ts';
import type { Report } from '../analyze.ts';
import { ABSENT, PACK_CHANNELS, Present, type Timeline } from '../timeline/store.ts';
import { BATCH_ROWS, type Batch, type Cell, type ColumnValues, TABLES, type TableName, isNumeric } from './schema.ts';

/** What one capture (or trace) contributes to a dataset. */
export interface ExportSource {
  /** Stable id of the input's content (the same bytes give the same id). */
  captureId: string;
  timeline: Timeline;
  /** The analyser's report, for `findings` (null: no findings table rows). */
  report: Report | null;
}

const na = (x: number): number | null => (Number.isNaN(x) ? null : x);

/** A table of a source, column by column: any column's values over any range of its rows. */
interface ColumnarTable {
  rows: number;
  /** Rows per batch (column() is called on batch boundaries). */
  batchRows: number;
  column(j: number, start: number, end: number): ColumnValues;
}

/**
 * The values of rows start…end-1 of a column, one call of `value` per row: a Float64Array (NA as
 * NaN) for a numeric column, so that a batch of numbers is never an array of boxed values.
 */
function fill(numeric: boolean, start: number, end: number, value: (k: number) => Cell): ColumnValues {
  if (numeric) {
    const out = new Float64Array(end - start);
    for (let k = start; k < end; k++) {
      const v = value(k);
      out[k - start] = v === null ? NaN : (v as number);
    }
    return out;
  }
  const out: Cell[] = new Array(end - start);
  for (let k = start; k < end; k++) out[k - start] = value(k);
  return out;
}

/** A numeric column copied from a typed array (NA already NaN), or from bytes with ABSENT as NA. */
function copyNumeric(a: ArrayLike<number>, start: number, end: number, absent = false): Float64Array {
  const out = new Float64Array(end - start);
  for (let k = start; k < end; k++) {
    const v = a[k]!;
    out[k - start] = absent && v === ABSENT ? NaN : v;
  }
  return out;
}

const NUMERIC = (table: TableName): boolean[] => TABLES[table].columns.map((c) => isNumeric(c.kind));

function framesTable(s: ExportSource): ColumnarTable {
  const tl = s.timeline;
  const status =
    (a: ArrayLike<number>) =>
    (r: number): Cell =>
      tl.hasStatus(r) ? a[r]! : null;
  const fixed: (((r: number) => Cell) | { typed: ArrayLike<number>; absent?: boolean })[] = [
    () => s.captureId,
    (r) => r,
    { typed: tl.t_s },
    (r) => tl.runOfRow(r),
    { typed: tl.present },
    { typed: tl.state, absent: true },
    (r) => (tl.state[r] === ABSENT ? null : (BMS_STATE_NAMES[tl.state[r]!] ?? `STATE_${tl.state[r]}`)),
    { typed: tl.contactors, absent: true },
    status(tl.faultMask),
    status(tl.warningMask),
    status(tl.infoMask),
  ];
  const numeric = NUMERIC('frames');
  return {
    rows: tl.length,
    batchRows: BATCH_ROWS,
    column(j, start, end) {
      if (j >= fixed.length) return copyNumeric(tl.pack[PACK_CHANNELS[j - fixed.length]!], start, end);
      const f = fixed[j]!;
      return typeof f === 'function' ? fill(numeric[j]!, start, end, f) : copyNumeric(f.typed, start, end, f.absent);
    },
  };
}

/**
 * A column of a long table, for entry `i` (cell, sensor) and timeline rows `rows`: `out[o + q]`
 * is its value at `rows[q]`. Typed loops, so that 86 million cell rows cost no call per value.
 */
type LongColumn = { constant: Cell } | { entry: true } | { row: Float64Array | null } | { perEntry: readonly ArrayLike<number>[]; absent?: boolean };

function fillLong(c: LongColumn, numeric: boolean, rows: Int32Array, width: number): ColumnValues {
  const nq = rows.length;
  if ('constant' in c) {
    if (numeric) return new Float64Array(nq * width).fill(c.constant === null ? NaN : (c.constant as number));
    return new Array<Cell>(nq * width).fill(c.constant);
  }
  const out = new Float64Array(nq * width);
  for (let i = 0; i < width; i++) {
    const o = i * nq;
    if ('entry' in c) out.fill(i, o, o + nq);
    else if ('row' in c) {
      const src = c.row;
      for (let q = 0; q < nq; q++) out[o + q] = src === null ? rows[q]! : src[rows[q]!]!;
    } else {
      const src = c.perEntry[i];
      if (src === undefined) out.fill(NaN, o, o + nq);
      else if (c.absent) {
        for (let q = 0; q < nq; q++) {
          const v = src[rows[q]!]!;
          out[o + q] = v === ABSENT ? NaN : v;
        }
      } else for (let q = 0; q < nq; q++) out[o + q] = src[rows[q]!]!;
    }
  }
  return out;
}

/**
 * A long table: `width` entries (cells, sensors) for each row of `rowList`. Its batches hold
 * whole timeline rows (batchRows = a multiple of width), ordered entry-major inside a batch (cell
 * 0 over the batch's rows, then cell 1…), so that delta encoding runs along time, where a cell's
 * values change little, not across cells.
 */
function longTable(table: TableName, rowList: Int32Array, width: number, columns: LongColumn[]): ColumnarTable {
  const numeric = NUMERIC(table);
  const perBatch = Math.max(1, Math.floor(BATCH_ROWS / Math.max(1, width)));
  return {
    rows: rowList.length * width,
    batchRows: perBatch * width,
    column(j, start, end) {
      return fillLong(columns[j]!, numeric[j]!, rowList.subarray(start / width, end / width), width);
    },
  };
}

function rowsWith(tl: Timeline, mask: number): Int32Array {
  let n = 0;
  for (let r = 0; r < tl.length; r++) if ((tl.present[r]! & mask) !== 0) n++;
  const out = new Int32Array(n);
  n = 0;
  for (let r = 0; r < tl.length; r++) if ((tl.present[r]! & mask) !== 0) out[n++] = r;
  return out;
}

function cellsTable(s: ExportSource): ColumnarTable {
  const tl = s.timeline;
  const n = Math.max(tl.ns, tl.truthCellSoc.length);
  // one temperature per series group only when there is one sensor per group (sim traces)
  const perCellTemp = tl.nt === n;
  const mask = Present.CELLS | Present.BALANCING | Present.CELL_TRUTH | (perCellTemp ? Present.TEMPERATURES : 0);
  return longTable('cells', rowsWith(tl, mask), n, [
    { constant: s.captureId },
    { row: null },
    { row: tl.t_s },
    { entry: true },
    { perEntry: tl.cellVoltage_V },
    perCellTemp ? { perEntry: tl.temperature_C } : { constant: null },
    { perEntry: tl.balancing.slice(0, tl.ns), absent: true },
    { perEntry: tl.truthCellSoc },
    { perEntry: tl.truthCellCoreTemperature_C },
  ]);
}

function temperaturesTable(s: ExportSource): ColumnarTable {
  const tl = s.timeline;
  return longTable('temperatures', rowsWith(tl, Present.TEMPERATURES), tl.nt, [
    { constant: s.captureId },
    { row: null },
    { row: tl.t_s },
    { entry: true },
    { perEntry: tl.temperature_C },
  ]);
}

function* batchesOf(t: ColumnarTable, width: number, only?: ReadonlySet<number>): Generator<Batch> {
  for (let start = 0; start < t.rows; start += t.batchRows) {
    const end = Math.min(t.rows, start + t.batchRows);
    const columns: ColumnValues[] = [];
    for (let j = 0; j < width; j++) columns.push(only && !only.has(j) ? [] : t.column(j, start, end));
    yield { rows: end - start, columns };
  }
}

/** Collects rows (short tables: events, findings) and hands out full batches. */
class Batcher {
  private cols: Cell[][];
  private n = 0;
  constructor(private readonly width: number) {
    this.cols = Array.from({ length: width }, () => []);
  }
  push(row: Cell[]): Batch | null {
    for (let j = 0; j < this.width; j++) this.cols[j]!.push(row[j]!);
    this.n++;
    return this.n >= BATCH_ROWS ? this.take() : null;
  }
  take(): Batch | null {
    if (this.n === 0) return null;
    const b = { rows: this.n, columns: this.cols };
    this.cols = Array.from({ length: this.width }, () => []);
    this.n = 0;
    return b;
  }
}

function* listRows(width: number, rows: Iterable<Cell[]>): Generator<Batch> {
  const b = new Batcher(width);
  for (const row of rows) {
    const full = b.push(row);
    if (full) yield full;
  }
  const last = b.take();
  if (last) yield last;
}

function* eventRows(s: ExportSource): Generator<Cell[]> {
  for (const e of s.timeline.events) {
    yield [
      s.captureId,
      e.t_s,
      s.timeline.runAt(e.t_s),
      e.seq,
      e.code,
      FAULT_CODE_NAMES[e.code] ?? `CODE_${e.code}`,
      e.tier,
      e.raised,
      e.index,
      na(e.value),
      na(e.threshold),
      faultUnit(e.code),
    ];
  }
}

function* findingRows(s: ExportSource): Generator<Cell[]> {
  for (const f of s.report?.findings ?? []) {
    yield [
      s.captureId,
      f.id,
      f.check,
      f.severity,
      f.t_start_s,
      f.t_end_s,
      f.subject,
      f.message,
      f.threshold?.value ?? null,
      f.threshold?.unit ?? null,
      f.threshold?.source ?? null,
      f.waived ?? null,
      JSON.stringify(f.evidence),
    ];
  }
}

/**
 * The batches of one table of one source. `only`: the column indices to fill (the others are
 * empty arrays), for a pass that looks at some columns only.
 */
export function tableBatches(table: TableName, s: ExportSource, only?: ReadonlySet<number>): Generator<Batch> {
  const width = TABLES[table].columns.length;
  switch (table) {
    case 'frames':
      return batchesOf(framesTable(s), width, only);
    case 'cells':
      return batchesOf(cellsTable(s), width, only);
    case 'temperatures':
      return batchesOf(temperaturesTable(s), width, only);
    case 'events':
      return listRows(TABLES.events.columns.length, eventRows(s));
    case 'findings':
      return listRows(TABLES.findings.columns.length, findingRows(s));
  }
}
