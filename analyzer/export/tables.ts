/**
 * The rows of an export's tables (analyzer/export/schema.ts), built from a Timeline and its
 * report in batches of BATCH_ROWS, so that a day-long 100-cell log never becomes one 86-million-
 * row array. Isomorphic. Nothing is bridged: NaN and ABSENT become null (NA).
 */
import { BMS_STATE_NAMES, FAULT_CODE_NAMES, FAULT_UNITS, type FaultCode } from '../../protocol/messages.ts';
import type { Report } from '../analyze.ts';
import { ABSENT, PACK_CHANNELS, Present, type Timeline } from '../timeline/store.ts';
import { BATCH_ROWS, type Batch, type Cell, TABLES, type TableName } from './schema.ts';

/** What one capture (or trace) contributes to a dataset. */
export interface ExportSource {
  /** Stable id of the input's content (the same bytes give the same id). */
  captureId: string;
  timeline: Timeline;
  /** The analyser's report, for `findings` (null: no findings table rows). */
  report: Report | null;
}

const na = (x: number): number | null => (Number.isNaN(x) ? null : x);
const naByte = (x: number): number | null => (x === ABSENT ? null : x);

/** Collects rows column by column and hands out full batches. */
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

function* frames(s: ExportSource): Generator<Batch> {
  const tl = s.timeline;
  const b = new Batcher(TABLES.frames.columns.length);
  const row: Cell[] = [];
  for (let r = 0; r < tl.length; r++) {
    const st = tl.state[r]!;
    const status = tl.hasStatus(r);
    row.length = 0;
    row.push(
      s.captureId, r, tl.t_s[r]!, tl.present[r]!, naByte(st), st === ABSENT ? null : (BMS_STATE_NAMES[st] ?? `STATE_${st}`),
      naByte(tl.contactors[r]!),
      status ? tl.faultMask[r]! : null, status ? tl.warningMask[r]! : null, status ? tl.infoMask[r]! : null,
    );
    for (const c of PACK_CHANNELS) row.push(na(tl.pack[c][r]!));
    const full = b.push(row);
    if (full) yield full;
  }
  const last = b.take();
  if (last) yield last;
}

function* cells(s: ExportSource): Generator<Batch> {
  const tl = s.timeline;
  const n = Math.max(tl.ns, tl.truthCellSoc.length);
  // one temperature per series group only when there is one sensor per group (sim traces)
  const perCellTemp = tl.nt === n;
  const mask = Present.CELLS | Present.BALANCING | Present.CELL_TRUTH | (perCellTemp ? Present.TEMPERATURES : 0);
  const b = new Batcher(TABLES.cells.columns.length);
  const row: Cell[] = [];
  for (let r = 0; r < tl.length; r++) {
    if ((tl.present[r]! & mask) === 0) continue;
    const t = tl.t_s[r]!;
    for (let i = 0; i < n; i++) {
      row.length = 0;
      row.push(
        s.captureId, r, t, i,
        i < tl.ns ? na(tl.cellVoltage_V[i]![r]!) : null,
        perCellTemp ? na(tl.temperature_C[i]![r]!) : null,
        i < tl.ns ? naByte(tl.balancing[i]![r]!) : null,
        i < tl.truthCellSoc.length ? na(tl.truthCellSoc[i]![r]!) : null,
        i < tl.truthCellSoc.length ? na(tl.truthCellCoreTemperature_C[i]![r]!) : null,
      );
      const full = b.push(row);
      if (full) yield full;
    }
  }
  const last = b.take();
  if (last) yield last;
}

function* temperatures(s: ExportSource): Generator<Batch> {
  const tl = s.timeline;
  const b = new Batcher(TABLES.temperatures.columns.length);
  const row: Cell[] = [];
  for (let r = 0; r < tl.length; r++) {
    if ((tl.present[r]! & Present.TEMPERATURES) === 0) continue;
    for (let j = 0; j < tl.nt; j++) {
      row.length = 0;
      row.push(s.captureId, r, tl.t_s[r]!, j, na(tl.temperature_C[j]![r]!));
      const full = b.push(row);
      if (full) yield full;
    }
  }
  const last = b.take();
  if (last) yield last;
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
      s.captureId, e.t_s, e.seq, e.code, FAULT_CODE_NAMES[e.code] ?? `CODE_${e.code}`, e.tier, e.raised, e.index,
      na(e.value), na(e.threshold), FAULT_UNITS[e.code as FaultCode] ?? '',
    ];
  }
}

function* findingRows(s: ExportSource): Generator<Cell[]> {
  for (const f of s.report?.findings ?? []) {
    yield [
      s.captureId, f.id, f.check, f.severity, f.t_start_s, f.t_end_s, f.subject, f.message,
      f.threshold?.value ?? null, f.threshold?.unit ?? null, f.threshold?.source ?? null, f.waived ?? null,
      JSON.stringify(f.evidence),
    ];
  }
}

/** The batches of one table of one source. */
export function tableBatches(table: TableName, s: ExportSource): Generator<Batch> {
  switch (table) {
    case 'frames':
      return frames(s);
    case 'cells':
      return cells(s);
    case 'temperatures':
      return temperatures(s);
    case 'events':
      return listRows(TABLES.events.columns.length, eventRows(s));
    case 'findings':
      return listRows(TABLES.findings.columns.length, findingRows(s));
  }
}
