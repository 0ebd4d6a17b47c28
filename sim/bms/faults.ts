/**
 * Fault injection specs, as scenario files write them: a JSON array of
 *   { "at_s": 600, "fault": "cell_internal_short", "cell": 17, "resistance_ohm": 2 }
 * Every fault starts at `at_s`; an optional `duration_s` ends it (default: it stays). Cell
 * indices run over the whole pack (group * np + p); `group` indices over the series groups
 * (voltage channels). Deterministic: a fault's effect depends only on the spec and the seed.
 */
import { type Reader } from '../validate.ts';

export const FAULT_NAMES = [
  'cell_internal_short',
  'cell_disconnect',
  'open_sense_wire',
  'ntc_open',
  'ntc_short',
  'ntc_drift',
  'current_sensor_offset',
  'current_sensor_drift',
  'stuck_sensor',
  'welded_contactor',
  'cooling_failure',
  'ambient_heat_wave',
  'charger_fault',
  'host_comm_loss',
  'precharge_resistor_open',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

interface Timing {
  at_s: number;
  /** null: the fault stays to the end of the run. */
  duration_s: number | null;
}

export type FaultSpec = Timing &
  (
    | { fault: 'cell_internal_short'; cell: number; resistance_ohm: number }
    | { fault: 'cell_disconnect'; cell: number }
    | { fault: 'open_sense_wire'; group: number }
    | { fault: 'ntc_open' | 'ntc_short'; cell: number }
    /** The NTC on `cell` reads offset_C + rate_C_per_s * (t - at_s) too high. */
    | { fault: 'ntc_drift'; cell: number; offset_C: number; rate_C_per_s: number }
    /** Added to the shunt reading, pack-level A. */
    | { fault: 'current_sensor_offset'; offset_A: number | null; offset_pct_fs: number | null }
    | { fault: 'current_sensor_drift'; rate_A_per_s: number }
    /** The sensor repeats its last reading. index: group (cell_voltage) or cell (temperature). */
    | { fault: 'stuck_sensor'; sensor: 'current' | 'cell_voltage' | 'temperature'; index: number }
    /** The contactor welds closed (now if closed, else at its next closing). */
    | { fault: 'welded_contactor'; contactor: 'plus' | 'minus' | 'precharge' }
    /** Heat transfer of the cells first..last (default all) multiplied by factor. */
    | { fault: 'cooling_failure'; factor: number; first_cell: number | null; last_cell: number | null }
    /** Ambient rises by delta_C, linearly over ramp_s (the runner reads ambientOffset_C). */
    | { fault: 'ambient_heat_wave'; delta_C: number; ramp_s: number }
    /** The charger regulates to cv_V per cell (cv_too_high) or never ends its CC phase (no_termination); it ignores the BMS's charge limit. */
    | { fault: 'charger_fault'; mode: 'cv_too_high'; cv_V: number }
    | { fault: 'charger_fault'; mode: 'no_termination' }
    | { fault: 'host_comm_loss' }
    | { fault: 'precharge_resistor_open' }
  );

/** The charger fault the runner's charger step consults (chargerFault(t)). */
export type ChargerFault = { mode: 'cv_too_high'; cv_V: number } | { mode: 'no_termination' };

/**
 * Validate a scenario's `faults` array for a pack of ns series groups of np cells. Errors are
 * InputError `file: faults[i].field: problem`.
 */
export function readFaults(r: Reader, ns: number, np: number): FaultSpec[] {
  const n = ns * np;
  const out: FaultSpec[] = [];
  for (const it of r.items()) {
    const fault = it.get('fault').string({ oneOf: FAULT_NAMES }) as FaultName;
    const allow = (...keys: string[]) => it.only(['fault', 'at_s', 'duration_s', 'description', ...keys]);
    if (it.has('description')) it.get('description').string();
    const at_s = it.get('at_s').number({ min: 0 });
    const dr = it.opt('duration_s');
    const t: Timing = { at_s, duration_s: dr === undefined || dr.value === null ? null : dr.number({ gt: 0 }) };
    const cell = () => it.get('cell').number({ min: 0, max: n - 1, integer: true });
    switch (fault) {
      case 'cell_internal_short':
        allow('cell', 'resistance_ohm');
        out.push({ ...t, fault, cell: cell(), resistance_ohm: it.get('resistance_ohm').number({ gt: 0 }) });
        break;
      case 'cell_disconnect':
        allow('cell');
        out.push({ ...t, fault, cell: cell() });
        break;
      case 'open_sense_wire':
        allow('group');
        out.push({ ...t, fault, group: it.get('group').number({ min: 0, max: ns - 1, integer: true }) });
        break;
      case 'ntc_open':
      case 'ntc_short':
        allow('cell');
        out.push({ ...t, fault, cell: cell() });
        break;
      case 'ntc_drift': {
        allow('cell', 'offset_C', 'rate_C_per_s');
        const offset_C = it.opt('offset_C')?.number() ?? 0;
        const rate_C_per_s = it.opt('rate_C_per_s')?.number() ?? 0;
        if (offset_C === 0 && rate_C_per_s === 0) it.fail('give offset_C or rate_C_per_s (non-zero)', it.path ? `${it.path}.offset_C` : 'offset_C');
        out.push({ ...t, fault, cell: cell(), offset_C, rate_C_per_s });
        break;
      }
      case 'current_sensor_offset': {
        allow('offset_A', 'offset_pct_fs');
        const a = it.opt('offset_A');
        const p = it.opt('offset_pct_fs');
        if ((a === undefined) === (p === undefined)) it.fail('give exactly one of offset_A, offset_pct_fs', `${it.path}.offset_A`);
        out.push({ ...t, fault, offset_A: a ? a.number() : null, offset_pct_fs: p ? p.number({ min: -100, max: 100 }) : null });
        break;
      }
      case 'current_sensor_drift':
        allow('rate_A_per_s');
        out.push({ ...t, fault, rate_A_per_s: it.get('rate_A_per_s').number() });
        break;
      case 'stuck_sensor': {
        allow('sensor', 'index');
        const sensor = it.get('sensor').string({ oneOf: ['current', 'cell_voltage', 'temperature'] }) as 'current' | 'cell_voltage' | 'temperature';
        const max = sensor === 'cell_voltage' ? ns - 1 : sensor === 'temperature' ? n - 1 : 0;
        const index =
          sensor === 'current' ? (it.opt('index')?.number({ min: 0, max: 0, integer: true }) ?? 0) : it.get('index').number({ min: 0, max, integer: true });
        out.push({ ...t, fault, sensor, index });
        break;
      }
      case 'welded_contactor':
        allow('contactor');
        out.push({ ...t, fault, contactor: it.get('contactor').string({ oneOf: ['plus', 'minus', 'precharge'] }) as 'plus' | 'minus' | 'precharge' });
        break;
      case 'cooling_failure': {
        allow('factor', 'first_cell', 'last_cell');
        const first = it.opt('first_cell')?.number({ min: 0, max: n - 1, integer: true }) ?? null;
        const last = it.opt('last_cell')?.number({ min: first ?? 0, max: n - 1, integer: true }) ?? null;
        out.push({ ...t, fault, factor: it.opt('factor')?.number({ gt: 0, max: 1 }) ?? 0.1, first_cell: first, last_cell: last });
        break;
      }
      case 'ambient_heat_wave':
        allow('delta_C', 'ramp_s');
        out.push({ ...t, fault, delta_C: it.get('delta_C').number({ min: -100, max: 100 }), ramp_s: it.opt('ramp_s')?.number({ min: 0 }) ?? 0 });
        break;
      case 'charger_fault': {
        const mode = it.get('mode').string({ oneOf: ['cv_too_high', 'no_termination'] });
        if (mode === 'cv_too_high') {
          allow('mode', 'cv_V');
          out.push({ ...t, fault, mode, cv_V: it.get('cv_V').number({ gt: 0, max: 10 }) });
        } else {
          allow('mode');
          out.push({ ...t, fault, mode: 'no_termination' });
        }
        break;
      }
      case 'host_comm_loss':
      case 'precharge_resistor_open':
        allow();
        out.push({ ...t, fault });
        break;
      default: {
        const never: never = fault;
        throw new Error(`unhandled fault ${String(never)}`);
      }
    }
  }
  return out;
}

/** One-line description of a fault, for reports and test names. */
export function describeFault(f: FaultSpec): string {
  const { at_s, duration_s, fault, ...rest } = f;
  const args = Object.entries(rest)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}=${String(v)}`);
  return `${fault}@${at_s}s${duration_s !== null ? `+${duration_s}s` : ''}${args.length ? ` (${args.join(', ')})` : ''}`;
}
