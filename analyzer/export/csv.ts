/**
 * CSV forms of an export. Isomorphic: text chunks, one per batch.
 *
 * - `csvChunks`: a table of analyzer/export/schema.ts as CSV (header of column names, NA as an
 *   empty field, strings quoted when they hold a comma, quote or line end).
 * - `bdfChunks`: one series group as a Battery Data Format CSV (Battery Data Alliance, BDF README:
 *   one cell per file, a header row of the quantities' preferred labels, fixed units): the required
 *   `Test Time / s`, `Voltage / V`, `Current / A`, and `Surface Temperature T1 / degC` when the
 *   pack has one sensor per series group (the column is left out otherwise, not sent empty).
 *   `Unix Time / s` is left out: a capture has no wall clock. The current is the group's current,
 *   i.e. the pack current (the groups are in series), positive when charging, as everywhere in
 *   natrium and as cyclers record it. One row per timeline row with a cell voltage.
 */
import { Present, type Timeline } from '../timeline/store.ts';
import type { Batch, Cell, TableSpec } from './schema.ts';

function field(v: Cell | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '';
  if (typeof v === 'string') return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  return String(v);
}

/** The CSV text of a table, chunk by chunk (the header first). */
export function* csvChunks(spec: TableSpec, batches: Iterable<Batch>): Generator<string> {
  yield `${spec.columns.map((c) => c.name).join(',')}\n`;
  for (const b of batches) {
    const lines: string[] = new Array(b.rows);
    for (let i = 0; i < b.rows; i++) {
      let s = field(b.columns[0]![i]!);
      for (let j = 1; j < b.columns.length; j++) s += `,${field(b.columns[j]![i]!)}`;
      lines[i] = s;
    }
    yield `${lines.join('\n')}\n`;
  }
}

/** BDF's preferred labels of the quantities written (required ones first). */
export const BDF_COLUMNS = ['Test Time / s', 'Voltage / V', 'Current / A'] as const;
export const BDF_TEMPERATURE = 'Surface Temperature T1 / degC';

const fmt = (x: number, d: number): string => (Number.isNaN(x) ? '' : x.toFixed(d));

/** The BDF CSV of series group `cell` (0-based). The temperature column is there only when the
 * timeline has one sensor per series group. */
export function* bdfChunks(tl: Timeline, cell: number, rowsPerChunk = 100_000): Generator<string> {
  const temp = tl.nt === tl.ns ? tl.temperature_C[cell] : undefined;
  yield `${[...BDF_COLUMNS, ...(temp ? [BDF_TEMPERATURE] : [])].join(',')}\n`;
  const v = tl.cellVoltage_V[cell];
  if (v === undefined) return;
  const cur = tl.pack.current_A;
  let lines: string[] = [];
  for (let r = 0; r < tl.length; r++) {
    if ((tl.present[r]! & Present.CELLS) === 0) continue;
    const row = `${tl.t_s[r]!.toFixed(3)},${fmt(v[r]!, 5)},${fmt(cur[r]!, 4)}`;
    lines.push(temp ? `${row},${fmt(temp[r]!, 3)}` : row);
    if (lines.length >= rowsPerChunk) {
      yield `${lines.join('\n')}\n`;
      lines = [];
    }
  }
  if (lines.length > 0) yield `${lines.join('\n')}\n`;
}
