/**
 * The fault-injection table of the emulated device (PROTOCOL.md §11.2): for each fault code a
 * host may inject with CMD_INJECT_FAULT, the plant fault of the BMS emulator it stands for
 * (sim/bms/faults.ts), the index space the command's `index` must lie in, the range, unit and
 * default of its `value`, and how that default trips the code (tier, time, the condition the
 * pack must be in). The table is data: device/config/fault-injection.json, a JSON module (Node
 * imports it, Vite bundles it: the device core reads no files), validated on first use
 * (`readInjectionTable`); `injection` turns a command into a plant fault or a NACK reason.
 */
import shippedTableJson from './config/fault-injection.json' with { type: 'json' };
import { FAULT_CODE_NAMES, FaultCode, NackReason, type CmdInjectFault } from '../protocol/messages.ts';
import type { FaultSpec } from '../sim/bms/faults.ts';
import { Reader } from '../sim/validate.ts';

/** Where an injected fault's `index` points: a series group, a temperature sensor, a contactor, or the pack (0xFFFF only). */
export const INDEX_SPACES = ['cell', 'sensor', 'contactor', 'pack'] as const;
export type IndexSpace = (typeof INDEX_SPACES)[number];

/** Plant faults the table may name, and what `value` sets in each (null: it takes no value). */
const PLANT_VALUES = {
  cell_internal_short: 'ohm',
  ntc_drift: 'degC',
  open_sense_wire: null,
  ntc_open: null,
  ntc_short: null,
  current_sensor_offset: 'A',
  welded_contactor: null,
  precharge_resistor_open: null,
  host_comm_loss: null,
  stuck_sensor: null,
} as const;
type PlantFault = keyof typeof PLANT_VALUES;
const PLANT_FAULTS = Object.keys(PLANT_VALUES) as PlantFault[];
/** The index space each plant fault needs. */
const PLANT_INDEX: Readonly<Record<PlantFault, IndexSpace>> = {
  cell_internal_short: 'cell',
  ntc_drift: 'sensor',
  open_sense_wire: 'cell',
  ntc_open: 'sensor',
  ntc_short: 'sensor',
  current_sensor_offset: 'pack',
  welded_contactor: 'contactor',
  precharge_resistor_open: 'pack',
  host_comm_loss: 'pack',
  stuck_sensor: 'cell',
};

/** Conditions under which a default is proven to trip its code (test/device/injection.test.ts). */
export const TRIP_CONDITIONS = ['standby', 'request_normal', 'normal_then_standby', 'charge', 'discharge'] as const;
export type TripCondition = (typeof TRIP_CONDITIONS)[number];
export const TRIP_TIERS = ['INFO', 'WARNING', 'FATAL'] as const;

/** Contactors by CONTACTOR_FEEDBACK index. */
export const CONTACTORS = ['plus', 'minus', 'precharge'] as const;

export interface InjectionValue {
  unit: string;
  min: number;
  max: number;
  /** The default: a number, or this factor times the code's FATAL threshold. */
  default: number | { of_fatal_threshold: number };
}

export interface InjectionEntry {
  code: number;
  name: string;
  plantFault: PlantFault;
  index: IndexSpace;
  value: InjectionValue | null;
  trips: { tier: (typeof TRIP_TIERS)[number]; within_s: number; while: TripCondition };
}

export type InjectionTable = ReadonlyMap<number, InjectionEntry>;

/** Reads and validates a fault-injection table (errors: InputError `file: field: problem`). */
export function readInjectionTable(r: Reader): InjectionTable {
  r.only(['$comment', 'codes']);
  const codes = r.get('codes');
  const out = new Map<number, InjectionEntry>();
  for (const name of Object.keys(codes.object())) {
    const e = codes.get(name).only(['plant_fault', 'index', 'value', 'trips']);
    const code = FaultCode[name as keyof typeof FaultCode];
    if (code === undefined) e.fail(`not a fault code (PROTOCOL.md §12.3)`);
    const plantFault = e.get('plant_fault').string({ oneOf: PLANT_FAULTS }) as PlantFault;
    const index = e.get('index').string({ oneOf: [PLANT_INDEX[plantFault]] }) as IndexSpace;
    const v = e.get('value');
    const unit = PLANT_VALUES[plantFault];
    let value: InjectionValue | null = null;
    if (unit === null) {
      if (v.value !== null) v.fail(`must be null: ${plantFault} takes no value`);
    } else {
      v.only(['unit', 'min', 'max', 'default']);
      v.get('unit').string({ oneOf: [unit] });
      const min = v.get('min').number();
      const max = v.get('max').number({ min });
      const d = v.get('default');
      const def = d.isObject() ? { of_fatal_threshold: d.only(['of_fatal_threshold']).get('of_fatal_threshold').number({ gt: 0 }) } : d.number({ min, max });
      value = { unit, min, max, default: def };
    }
    const t = e.get('trips').only(['tier', 'within_s', 'while']);
    out.set(code, {
      code,
      name,
      plantFault,
      index,
      value,
      trips: {
        tier: t.get('tier').string({ oneOf: TRIP_TIERS }) as InjectionEntry['trips']['tier'],
        within_s: t.get('within_s').number({ gt: 0 }),
        while: t.get('while').string({ oneOf: TRIP_CONDITIONS }) as TripCondition,
      },
    });
  }
  return out;
}

let shipped: InjectionTable | null = null;

/** The table shipped in device/config/fault-injection.json (read once). */
export function shippedInjectionTable(): InjectionTable {
  shipped ??= readInjectionTable(new Reader('device/config/fault-injection.json', structuredClone(shippedTableJson)));
  return shipped;
}

/** What the device knows of itself to check an injection. */
export interface InjectionContext {
  /** Series groups (CELL_VOLTAGES index space). */
  ns: number;
  /** Cells per group. */
  np: number;
  /** The cell each temperature sensor sits on (TEMPERATURES index space). */
  ntcCells: Int32Array;
  /** The FATAL threshold of a fault code, in its EVENT unit (NaN: none). */
  fatalThreshold(code: number): number;
}

/** A refused injection: the NACK reason and why (PROTOCOL.md §11.2). */
export interface InjectionRefusal {
  reason: number;
  why: string;
}

/** Size of an index space for this device. */
export function indexCount(space: IndexSpace, ctx: InjectionContext): number {
  return space === 'cell' ? ctx.ns : space === 'sensor' ? ctx.ntcCells.length : space === 'contactor' ? CONTACTORS.length : 0;
}

/** The value a command's NaN stands for. */
export function defaultValue(e: InjectionEntry, ctx: InjectionContext): number {
  const d = e.value!.default;
  return typeof d === 'number' ? d : d.of_fatal_threshold * ctx.fatalThreshold(e.code);
}

/**
 * CMD_INJECT_FAULT's index and value checked against the table, as the plant fault to inject
 * from t_s on (for `active` 0, only the index is checked): UNSUPPORTED for a code the table does
 * not list, BAD_VALUE for an index outside the code's space (pack-level codes: 0xFFFF only) or a
 * value outside its range (codes without a value: anything but NaN).
 */
export function injection(table: InjectionTable, cmd: CmdInjectFault, ctx: InjectionContext, t_s: number): FaultSpec | InjectionRefusal {
  const e = table.get(cmd.code);
  const name = FAULT_CODE_NAMES[cmd.code] ?? String(cmd.code);
  if (e === undefined) return { reason: NackReason.UNSUPPORTED, why: `${name} cannot be injected` };
  const i = cmd.index;
  if (e.index === 'pack' ? i !== -1 : !(i >= 0 && i < indexCount(e.index, ctx))) {
    const want = e.index === 'pack' ? '0xFFFF (pack-level)' : `a ${e.index} index 0..${indexCount(e.index, ctx) - 1}`;
    return { reason: NackReason.BAD_VALUE, why: `${name}: index ${i < 0 ? '0xFFFF' : i}: must be ${want}` };
  }
  let v = NaN;
  if (cmd.active) {
    if (e.value === null) {
      if (!Number.isNaN(cmd.value)) return { reason: NackReason.BAD_VALUE, why: `${name}: value ${cmd.value}: takes no value (send NaN)` };
    } else {
      v = Number.isNaN(cmd.value) ? defaultValue(e, ctx) : cmd.value;
      if (!(v >= e.value.min && v <= e.value.max)) {
        return { reason: NackReason.BAD_VALUE, why: `${name}: value ${v} ${e.value.unit}: must be ${e.value.min}..${e.value.max}` };
      }
    }
  }
  return plantFault(e, i, v, ctx, t_s);
}

function plantFault(e: InjectionEntry, i: number, v: number, ctx: InjectionContext, t_s: number): FaultSpec {
  const base = { at_s: t_s, duration_s: null };
  switch (e.plantFault) {
    case 'cell_internal_short':
      return { ...base, fault: 'cell_internal_short', cell: i * ctx.np, resistance_ohm: v };
    case 'ntc_drift':
      return { ...base, fault: 'ntc_drift', cell: ctx.ntcCells[i]!, offset_C: v, rate_C_per_s: 0 };
    case 'open_sense_wire':
      return { ...base, fault: 'open_sense_wire', group: i };
    case 'ntc_open':
    case 'ntc_short':
      return { ...base, fault: e.plantFault, cell: ctx.ntcCells[i]! };
    case 'current_sensor_offset':
      return { ...base, fault: 'current_sensor_offset', offset_A: v, offset_pct_fs: null };
    case 'welded_contactor':
      return { ...base, fault: 'welded_contactor', contactor: CONTACTORS[i]! };
    case 'precharge_resistor_open':
    case 'host_comm_loss':
      return { ...base, fault: e.plantFault };
    case 'stuck_sensor':
      return { ...base, fault: 'stuck_sensor', sensor: 'cell_voltage', index: i };
  }
}

/** The table as PROTOCOL.md §11.2 shows it (one row per code, by code). */
export function injectionTableMarkdown(table: InjectionTable): string {
  const rows = ['| code | name | index | value (unit, range) | default | default trips (tier, within, while) |', '|---|---|---|---|---|---|'];
  for (const e of [...table.values()].sort((a, b) => a.code - b.code)) {
    const index = e.index === 'pack' ? '0xFFFF only' : e.index === 'contactor' ? 'contactor 0..2' : `${e.index} 0..n−1`;
    const v = e.value;
    const value = v === null ? 'none (NaN)' : `${v.unit}, ${v.min}..${v.max}`;
    const def = v === null ? '—' : typeof v.default === 'number' ? `${v.default} ${v.unit}` : `${v.default.of_fatal_threshold} × FATAL threshold`;
    rows.push(`| ${e.code} | ${e.name} | ${index} | ${value} | ${def} | ${e.trips.tier}, ${e.trips.within_s} s, ${e.trips.while} |`);
  }
  return rows.join('\n');
}
