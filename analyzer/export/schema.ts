/**
 * The tables of an export (analyzer/DATASET.md): their columns, types and units. Isomorphic.
 *
 * A `decimal` column holds a measured quantity; its `scale` is the number of decimals that makes
 * both a capture (the wire's resolution, protocol/PROTOCOL.md) and a sim trace (the decimals
 * sim/trace.ts prints) exact integers. Writers store it as integer raw units (value × 10^scale)
 * when every value of the file is exact at that scale, and as a double otherwise.
 */
import { PACK_CHANNELS, type PackChannel } from '../timeline/store.ts';

export type ColumnKind = 'double' | 'decimal' | 'int' | 'string' | 'bool';

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  /** Decimals of a `decimal` column. */
  scale?: number;
  /** Unit ('' = dimensionless or not a quantity). */
  unit: string;
  /** Force dictionary encoding (a long table's time: few distinct values, repeated per cell). */
  dictionary?: boolean;
  /** Never NA (Parquet REQUIRED: no definition levels to write or read). */
  required?: boolean;
}

export const TABLE_NAMES = ['frames', 'cells', 'temperatures', 'events', 'findings'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export interface TableSpec {
  name: TableName;
  columns: ColumnSpec[];
}

const dec = (name: string, scale: number, unit: string): ColumnSpec => ({ name, kind: 'decimal', scale, unit });
const int = (name: string, unit = ''): ColumnSpec => ({ name, kind: 'int', unit });
const dbl = (name: string, unit: string): ColumnSpec => ({ name, kind: 'double', unit });
const str = (name: string): ColumnSpec => ({ name, kind: 'string', unit: '' });
const req = (c: ColumnSpec): ColumnSpec => ({ ...c, required: true });
const LONG_TIME: ColumnSpec = { name: 't_s', kind: 'double', unit: 's', dictionary: true, required: true };

/** Decimals and unit of each pack channel (wire resolution ∪ trace decimals). */
export const PACK_CHANNEL_SCALE: Record<PackChannel, [number, string] | 'int'> = {
  packVoltage_V: [4, 'V'],
  current_A: [4, 'A'],
  soc: [6, ''],
  soh: [4, ''],
  cellVoltageMin_V: [5, 'V'],
  cellVoltageMax_V: [5, 'V'],
  cellVoltageMinIndex: 'int',
  cellVoltageMaxIndex: 'int',
  temperatureMin_C: [3, '°C'],
  temperatureMax_C: [3, '°C'],
  temperatureMinIndex: 'int',
  temperatureMaxIndex: 'int',
  chargeCurrentLimit_A: [3, 'A'],
  dischargeCurrentLimit_A: [3, 'A'],
  balancingCount: 'int',
  truthSocMin: [6, ''],
  truthSocAvg: [6, ''],
  truthSocMax: [6, ''],
  truthCoreTemperatureMin_C: [3, '°C'],
  truthCoreTemperatureAvg_C: [3, '°C'],
  truthCoreTemperatureMax_C: [3, '°C'],
  truthCurrent_A: [4, 'A'],
};

/** Columns every table starts with: which capture the row came from. */
const CAPTURE = req(str('capture_id'));
const ROW = req(int('row'));

export const TABLES: Record<TableName, TableSpec> = {
  frames: {
    name: 'frames',
    columns: [
      CAPTURE,
      ROW,
      req(dbl('t_s', 's')),
      req(int('run')),
      req(int('present')),
      int('state'),
      str('state_name'),
      int('contactors'),
      int('fault_mask'),
      int('warning_mask'),
      int('info_mask'),
      ...PACK_CHANNELS.map((c) => {
        const s = PACK_CHANNEL_SCALE[c];
        return s === 'int' ? int(c) : dec(c, s[0], s[1]);
      }),
    ],
  },
  cells: {
    name: 'cells',
    columns: [
      CAPTURE,
      ROW,
      LONG_TIME,
      req(int('cell')),
      dec('voltage_V', 5, 'V'),
      dec('temperature_C', 3, '°C'),
      int('balancing'),
      dec('truth_soc', 6, ''),
      dec('truth_core_temperature_C', 3, '°C'),
    ],
  },
  temperatures: {
    name: 'temperatures',
    columns: [CAPTURE, ROW, LONG_TIME, req(int('sensor')), dec('temperature_C', 3, '°C')],
  },
  events: {
    name: 'events',
    columns: [
      CAPTURE,
      req(dbl('t_s', 's')),
      req(int('run')),
      req(int('seq')),
      req(int('code')),
      req(str('code_name')),
      req(int('tier')),
      { name: 'raised', kind: 'bool', unit: '', required: true },
      req(int('index')),
      dbl('value', ''),
      dbl('threshold', ''),
      str('unit'),
    ],
  },
  findings: {
    name: 'findings',
    columns: [
      CAPTURE,
      req(str('id')),
      req(str('check_id')),
      req(str('severity')),
      dbl('t_start_s', 's'),
      dbl('t_end_s', 's'),
      str('subject'),
      str('message'),
      dbl('threshold', ''),
      str('threshold_unit'),
      str('threshold_source'),
      str('waived'),
      str('evidence_json'),
    ],
  },
};

/** A cell of a batch: null is NA. */
export type Cell = number | string | boolean | null;

/** A column's values in a batch: numeric columns may come as a Float64Array with NaN for NA. */
export type ColumnValues = Cell[] | Float64Array;

/** Up to BATCH_ROWS rows of a table, column by column (in TABLES order). */
export interface Batch {
  rows: number;
  columns: ColumnValues[];
}

export function isNumeric(kind: ColumnKind): boolean {
  return kind === 'double' || kind === 'decimal' || kind === 'int';
}

/** Rows per batch, and per Parquet row group. */
export const BATCH_ROWS = 100_000;
