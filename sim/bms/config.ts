/**
 * BMS configuration as data (style.md habit 1): JSON presets in sim/bms/config/, validated on
 * load, with every datasheet limit derived from the chemistry preset. A file or inline object
 * may be partial: it is merged over the `default` preset. `selfCheck` is the cross-check the
 * loader and the config test run: MOL ⊂ RSL ⊂ MSL for every check, every wait a whole
 * number of ticks.
 *
 * Currents are per cell of a parallel group unless a field says otherwise; the engine
 * multiplies pack-level ones by np (see PACK_CURRENT_PER_CELL).
 */
import type { Chemistry, ChemistryFile } from '../chemistry.ts';
import { type InputFiles, NO_FILES } from '../inputs.ts';
import { presetJson, presetLabel } from '../presets.ts';
import { Reader, parseJson } from '../validate.ts';
import { type DeratingTable, derivedNumber, derivedOrNull, derivedTable, merge } from './internal/derive.ts';
import { CHECKS, CHECK_IDS, type CheckId, TIERS, type TaskName } from './types.ts';

export type { DeratingTable };

export interface CheckConfig {
  /** Thresholds per tier in the check's unit (null: tier not used). */
  mol: number | null;
  rsl: number | null;
  msl: number | null;
  /** A raised tier clears once the value is this far back inside its threshold. */
  hysteresis: number;
  /** Consecutive NOT_OK evaluations before a tier is raised. */
  debounce_ticks: number;
  /** Consecutive OK evaluations before a raised tier clears. */
  clear_ticks: number;
  /** Reaction delay after an MSL raise before the state machine goes to ERROR, ms. */
  delay_ms: number;
}

export type SensorCells = { every: number; offset: number } | { cells: number[] };

export interface BmsConfig {
  /** Where it came from (preset file, path or "(inline)"), for messages. */
  file: string;
  description: string;
  scheduler: { fast_period_ms: number; mid_period_ms: number; slow_period_ms: number };
  init: { wait_ms: number };
  afe: {
    cell_voltage: { resolution_V: number; noise_V: number; open_wire_test_V: number };
    temperature: { sensor_cells: SensorCells; lag_tau_s: number; noise_C: number; resolution_C: number; min_C: number; max_C: number };
    current: {
      full_scale_A: number;
      noise_pct_fs: number;
      offset_pct_fs: number;
      gain_error_pct: number;
      redundant: { noise_pct_fs: number; offset_pct_fs: number; gain_error_pct: number };
    };
    pack_voltage: { noise_pct: number };
    bus_voltage: { noise_pct: number };
  };
  checks: Record<CheckId, CheckConfig>;
  contactors: { break_current_A: number; max_break_wait_ms: number; operate_ms: number };
  precharge: { voltage_threshold_pct: number; settled_current_A: number; timeout_ms: number; retries: number; retry_wait_ms: number };
  /** The firmware's cell model (internal/cellModel.ts): what it is flashed with besides the datasheet. */
  cell_model: {
    /**
     * Resistance between each cell and the sense point of its group, Ω (in series with the
     * cell, part of the measured voltage at current): a number, or "pack" for the pack's
     * design value (its `cell_connection_ohm`).
     */
    connection_ohm: number | 'pack';
  };
  soc: {
    method: 'ekf' | 'counting';
    initial_soc: 'ocv' | number;
    rest_current_A: number;
    rest_s: number;
    min_ocv_slope_mV_per_pct: number;
    hysteresis_certain: number;
    ekf: {
      cells: ('avg' | 'min' | 'max')[];
      period: 'mid' | 'slow';
      initial_soc_sigma: number;
      process_soc_sigma_per_s: number;
      process_v_sigma_V: number;
      process_h_sigma: number;
      measurement_sigma_V: number;
    };
  };
  soh: { min_delta_soc: number; resistance_step_A: number; resistance_filter: number; disconnect_ratio: number; min_resistance_samples: number };
  sop: {
    charge_current_A: number;
    discharge_current_A: number;
    peak_discharge_current_A: number;
    peak_duration_s: number;
    charge_temperature: DeratingTable;
    charge_high_temperature: DeratingTable;
    discharge_temperature: DeratingTable;
    charge_soc: DeratingTable;
    discharge_soc: DeratingTable;
    voltage_horizon_s: number;
    warning_factor: number;
    ramp_up_per_s: number;
  };
  balancing: {
    enabled: boolean;
    min_voltage_V: number;
    threshold_V: number;
    hysteresis_V: number;
    bleed_ohm: number;
    max_temperature_C: number;
    min_rest_s: number;
  };
  plant: { dc_link_F: number; precharge_ohm: number; bus_bleed_tau_s: number; fuse_A: number; fuse_time_s: number };
}

/** BMS configuration presets shipped in sim/bms/config/ (JSON modules: sim/presets.ts). */
export const BMS_PRESETS = ['default'] as const;

function presetValue(name: string): unknown {
  return presetJson('bms', name);
}

/**
 * Read a BMS configuration: a preset name ("default"), a path to a JSON file, or an inline
 * object. Files and objects may be partial; missing fields come from the default preset,
 * whose limits derive from `chem`. A path is read through `files` (none by default: presets and
 * objects only); a relative one resolves against `baseDir` (the scenario's folder) when given.
 * Errors are InputError `file: field: problem`.
 */
export function readBmsConfig(r: Reader, chem: Chemistry, files: InputFiles = NO_FILES, baseDir?: string): BmsConfig {
  let file = r.file;
  let user: unknown = {};
  let prefix = r.path;
  if (typeof r.value === 'string') {
    const s = r.value;
    if ((BMS_PRESETS as readonly string[]).includes(s)) {
      file = presetLabel('bms', s);
      user = presetValue(s);
    } else if (s.endsWith('.json')) {
      const path = baseDir !== undefined ? files.resolve(baseDir, s) : s;
      const text = files.read(path, s, `no such file (presets: ${BMS_PRESETS.join(', ')})`);
      file = s;
      user = parseJson(s, text);
    } else {
      r.fail(`expected a preset (${BMS_PRESETS.join(', ')}), a path to a .json file or an object, got "${s}"`);
    }
    prefix = '';
  } else {
    r.object();
    user = r.value;
  }
  const merged = merge(presetValue('default'), user);
  return readMerged(new Reader(file, merged, prefix), chem.spec);
}

function readMerged(r: Reader, spec: ChemistryFile): BmsConfig {
  r.only(['description', 'scheduler', 'init', 'afe', 'checks', 'contactors', 'precharge', 'cell_model', 'soc', 'soh', 'sop', 'balancing', 'plant']);
  const n = (x: Reader, o = {}) => derivedNumber(x, spec, o);
  const pos = { gt: 0 };
  const nonneg = { min: 0 };
  const whole = { min: 0, integer: true };

  const rs = r.get('scheduler').only(['fast_period_ms', 'mid_period_ms', 'slow_period_ms']);
  const scheduler = {
    fast_period_ms: rs.get('fast_period_ms').number({ min: 1, integer: true }),
    mid_period_ms: rs.get('mid_period_ms').number({ min: 1, integer: true }),
    slow_period_ms: rs.get('slow_period_ms').number({ min: 1, integer: true }),
  };
  const init = { wait_ms: r.get('init').only(['wait_ms']).get('wait_ms').number(whole) };

  const ra = r.get('afe').only(['cell_voltage', 'temperature', 'current', 'pack_voltage', 'bus_voltage']);
  const rcv = ra.get('cell_voltage').only(['resolution_V', 'noise_V', 'open_wire_test_V']);
  const rt = ra.get('temperature').only(['sensor_cells', 'lag_tau_s', 'noise_C', 'resolution_C', 'min_C', 'max_C']);
  const rsc = rt.get('sensor_cells');
  let sensor_cells: SensorCells;
  if (Array.isArray(rsc.value)) {
    sensor_cells = { cells: rsc.items().map((c) => c.number(whole)) };
    if (sensor_cells.cells.length === 0) rsc.fail('expected at least one cell');
  } else {
    rsc.only(['every', 'offset']);
    sensor_cells = { every: rsc.get('every').number({ min: 1, integer: true }), offset: rsc.opt('offset')?.number(whole) ?? 0 };
  }
  const tmin = rt.get('min_C').number();
  const rc = ra.get('current').only(['full_scale_A', 'noise_pct_fs', 'offset_pct_fs', 'gain_error_pct', 'redundant']);
  const rr = rc.get('redundant').only(['noise_pct_fs', 'offset_pct_fs', 'gain_error_pct']);
  const afe: BmsConfig['afe'] = {
    cell_voltage: {
      resolution_V: n(rcv.get('resolution_V'), pos),
      noise_V: n(rcv.get('noise_V'), nonneg),
      open_wire_test_V: n(rcv.get('open_wire_test_V'), pos),
    },
    temperature: {
      sensor_cells,
      lag_tau_s: rt.get('lag_tau_s').number(nonneg),
      noise_C: rt.get('noise_C').number(nonneg),
      resolution_C: rt.get('resolution_C').number(pos),
      min_C: tmin,
      max_C: rt.get('max_C').number({ gt: tmin }),
    },
    current: {
      full_scale_A: n(rc.get('full_scale_A'), pos),
      noise_pct_fs: rc.get('noise_pct_fs').number(nonneg),
      offset_pct_fs: rc.get('offset_pct_fs').number(),
      gain_error_pct: rc.get('gain_error_pct').number(),
      redundant: {
        noise_pct_fs: rr.get('noise_pct_fs').number(nonneg),
        offset_pct_fs: rr.get('offset_pct_fs').number(),
        gain_error_pct: rr.get('gain_error_pct').number(),
      },
    },
    pack_voltage: { noise_pct: ra.get('pack_voltage').only(['noise_pct']).get('noise_pct').number(nonneg) },
    bus_voltage: { noise_pct: ra.get('bus_voltage').only(['noise_pct']).get('noise_pct').number(nonneg) },
  };

  const rch = r.get('checks').only(CHECK_IDS);
  const checks = {} as Record<CheckId, CheckConfig>;
  for (const id of CHECK_IDS) {
    const u = CHECKS[id].unit;
    const rc1 = rch.get(id).only([`mol_${u}`, `rsl_${u}`, `msl_${u}`, `hysteresis_${u}`, 'debounce_ticks', 'clear_ticks', 'delay_ms']);
    const cfg: CheckConfig = {
      mol: derivedOrNull(rc1.get(`mol_${u}`), spec),
      rsl: derivedOrNull(rc1.get(`rsl_${u}`), spec),
      msl: derivedOrNull(rc1.get(`msl_${u}`), spec),
      hysteresis: n(rc1.get(`hysteresis_${u}`), nonneg),
      debounce_ticks: rc1.get('debounce_ticks').number({ min: 1, integer: true }),
      clear_ticks: rc1.get('clear_ticks').number({ min: 1, integer: true }),
      delay_ms: rc1.get('delay_ms').number(whole),
    };
    if (cfg.mol === null && cfg.rsl === null && cfg.msl === null) rc1.fail('at least one tier must have a threshold');
    checks[id] = cfg;
  }

  const rco = r.get('contactors').only(['break_current_A', 'max_break_wait_ms', 'operate_ms']);
  const contactors = {
    break_current_A: n(rco.get('break_current_A'), nonneg),
    max_break_wait_ms: rco.get('max_break_wait_ms').number(whole),
    operate_ms: rco.get('operate_ms').number(whole),
  };
  const rp = r.get('precharge').only(['voltage_threshold_pct', 'settled_current_A', 'timeout_ms', 'retries', 'retry_wait_ms']);
  const precharge = {
    voltage_threshold_pct: rp.get('voltage_threshold_pct').number({ gt: 0, max: 50 }),
    settled_current_A: n(rp.get('settled_current_A'), pos),
    timeout_ms: rp.get('timeout_ms').number({ min: 1, integer: true }),
    retries: rp.get('retries').number(whole),
    retry_wait_ms: rp.get('retry_wait_ms').number(whole),
  };

  const rcm = r.get('cell_model').only(['connection_ohm']);
  const rcc = rcm.get('connection_ohm');
  const cell_model: BmsConfig['cell_model'] = {
    connection_ohm: typeof rcc.value === 'string' ? (rcc.string({ oneOf: ['pack'] }) as 'pack') : rcc.number(nonneg),
  };

  const rsoc = r.get('soc').only(['method', 'initial_soc', 'rest_current_A', 'rest_s', 'min_ocv_slope_mV_per_pct', 'hysteresis_certain', 'ekf']);
  const ri = rsoc.get('initial_soc');
  const re = rsoc
    .get('ekf')
    .only(['cells', 'period', 'initial_soc_sigma', 'process_soc_sigma_per_s', 'process_v_sigma_V', 'process_h_sigma', 'measurement_sigma_V']);
  const cells = re
    .get('cells')
    .items()
    .map((c) => c.string({ oneOf: ['avg', 'min', 'max'] }) as 'avg' | 'min' | 'max');
  if (!cells.includes('avg')) re.get('cells').fail('must include "avg" (the pack SOC)');
  const soc: BmsConfig['soc'] = {
    method: rsoc.get('method').string({ oneOf: ['ekf', 'counting'] }) as 'ekf' | 'counting',
    initial_soc: typeof ri.value === 'string' ? (ri.string({ oneOf: ['ocv'] }) as 'ocv') : ri.number({ min: -0.2, max: 1.2 }),
    rest_current_A: n(rsoc.get('rest_current_A'), pos),
    rest_s: rsoc.get('rest_s').number(pos),
    min_ocv_slope_mV_per_pct: rsoc.get('min_ocv_slope_mV_per_pct').number(nonneg),
    hysteresis_certain: rsoc.get('hysteresis_certain').number({ min: 0, max: 1 }),
    ekf: {
      cells: [...new Set(cells)],
      period: re.get('period').string({ oneOf: ['mid', 'slow'] }) as 'mid' | 'slow',
      initial_soc_sigma: re.get('initial_soc_sigma').number(pos),
      process_soc_sigma_per_s: re.get('process_soc_sigma_per_s').number(nonneg),
      process_v_sigma_V: re.get('process_v_sigma_V').number(nonneg),
      process_h_sigma: re.get('process_h_sigma').number(nonneg),
      measurement_sigma_V: re.get('measurement_sigma_V').number(pos),
    },
  };
  const rsoh = r.get('soh').only(['min_delta_soc', 'resistance_step_A', 'resistance_filter', 'disconnect_ratio', 'min_resistance_samples']);
  const soh = {
    min_delta_soc: rsoh.get('min_delta_soc').number({ gt: 0, max: 1 }),
    resistance_step_A: n(rsoh.get('resistance_step_A'), pos),
    resistance_filter: rsoh.get('resistance_filter').number({ gt: 0, max: 1 }),
    disconnect_ratio: rsoh.get('disconnect_ratio').number({ gt: 1 }),
    min_resistance_samples: rsoh.get('min_resistance_samples').number({ min: 1, integer: true }),
  };
  const rsop = r
    .get('sop')
    .only([
      'charge_current_A',
      'discharge_current_A',
      'peak_discharge_current_A',
      'peak_duration_s',
      'charge_temperature',
      'charge_high_temperature',
      'discharge_temperature',
      'charge_soc',
      'discharge_soc',
      'voltage_horizon_s',
      'warning_factor',
      'ramp_up_per_s',
    ]);
  const sop: BmsConfig['sop'] = {
    charge_current_A: n(rsop.get('charge_current_A'), pos),
    discharge_current_A: n(rsop.get('discharge_current_A'), pos),
    peak_discharge_current_A: n(rsop.get('peak_discharge_current_A'), pos),
    peak_duration_s: n(rsop.get('peak_duration_s'), nonneg),
    charge_temperature: derivedTable(rsop.get('charge_temperature'), spec, 'temperature_C'),
    charge_high_temperature: derivedTable(rsop.get('charge_high_temperature'), spec, 'temperature_C'),
    discharge_temperature: derivedTable(rsop.get('discharge_temperature'), spec, 'temperature_C'),
    charge_soc: derivedTable(rsop.get('charge_soc'), spec, 'soc'),
    discharge_soc: derivedTable(rsop.get('discharge_soc'), spec, 'soc'),
    voltage_horizon_s: rsop.get('voltage_horizon_s').number(pos),
    warning_factor: rsop.get('warning_factor').number({ min: 0, max: 1 }),
    ramp_up_per_s: rsop.get('ramp_up_per_s').number(pos),
  };
  const rb = r.get('balancing').only(['enabled', 'min_voltage_V', 'threshold_V', 'hysteresis_V', 'bleed_ohm', 'max_temperature_C', 'min_rest_s']);
  const balancing = {
    enabled: rb.get('enabled').boolean(),
    min_voltage_V: n(rb.get('min_voltage_V'), pos),
    threshold_V: n(rb.get('threshold_V'), pos),
    hysteresis_V: n(rb.get('hysteresis_V'), nonneg),
    bleed_ohm: n(rb.get('bleed_ohm'), pos),
    max_temperature_C: n(rb.get('max_temperature_C')),
    min_rest_s: rb.get('min_rest_s').number(nonneg),
  };
  if (balancing.hysteresis_V >= balancing.threshold_V) rb.get('hysteresis_V').fail(`must be < threshold_V (${balancing.threshold_V})`);
  const rpl = r.get('plant').only(['dc_link_F', 'precharge_ohm', 'bus_bleed_tau_s', 'fuse_A', 'fuse_time_s']);
  const plant = {
    dc_link_F: rpl.get('dc_link_F').number(pos),
    precharge_ohm: rpl.get('precharge_ohm').number(pos),
    bus_bleed_tau_s: rpl.get('bus_bleed_tau_s').number(pos),
    fuse_A: n(rpl.get('fuse_A'), pos),
    fuse_time_s: rpl.get('fuse_time_s').number(pos),
  };

  const cfg: BmsConfig = {
    file: r.file,
    description: r.opt('description')?.string() ?? '',
    scheduler,
    init,
    afe,
    checks,
    contactors,
    precharge,
    cell_model,
    soc,
    soh,
    sop,
    balancing,
    plant,
  };
  const problems = selfCheck(cfg);
  if (problems.length > 0) r.fail(problems[0]!.problem, (r.path ? r.path + '.' : '') + problems[0]!.field);
  return cfg;
}

export interface ConfigProblem {
  field: string;
  problem: string;
}

/** Task period of a check, ms. */
export function taskPeriod_ms(cfg: BmsConfig, task: TaskName): number {
  const s = cfg.scheduler;
  return task === 'fast' ? s.fast_period_ms : task === 'mid' ? s.mid_period_ms : s.slow_period_ms;
}

/**
 * The configuration checked against itself: tiers nested (MOL ⊂ RSL ⊂ MSL: for an upper
 * limit mol <= rsl <= msl, for a lower one mol >= rsl >= msl), task periods nested, and
 * every wait a whole number of ticks of the task that counts it.
 */
export function selfCheck(cfg: BmsConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const s = cfg.scheduler;
  const f = s.fast_period_ms;
  if (s.mid_period_ms % f !== 0)
    out.push({ field: 'scheduler.mid_period_ms', problem: `must be a whole multiple of fast_period_ms (${f}), got ${s.mid_period_ms}` });
  if (s.slow_period_ms % s.mid_period_ms !== 0)
    out.push({ field: 'scheduler.slow_period_ms', problem: `must be a whole multiple of mid_period_ms (${s.mid_period_ms}), got ${s.slow_period_ms}` });
  const ticks = (field: string, ms: number, period: number) => {
    if (ms % period !== 0) out.push({ field, problem: `must be a whole number of ${period} ms ticks, got ${ms}` });
  };
  for (const id of CHECK_IDS) {
    const c = cfg.checks[id];
    const def = CHECKS[id];
    const u = def.unit;
    // the reaction delay is counted by the state machine in the fast task
    ticks(`checks.${id}.delay_ms`, c.delay_ms, f);
    let prev: { key: string; v: number } | null = null;
    for (const t of TIERS) {
      const v = c[t];
      if (v === null) continue;
      if (prev) {
        const bad = def.over ? v < prev.v : v > prev.v;
        if (bad) {
          out.push({
            field: `checks.${id}.${t}_${u}`,
            problem: `tiers must nest (MOL ⊂ RSL ⊂ MSL): ${t}_${u} ${v} is ${def.over ? 'below' : 'above'} ${prev.key} ${prev.v}`,
          });
        }
      }
      prev = { key: `${t}_${u}`, v };
    }
  }
  ticks('init.wait_ms', cfg.init.wait_ms, f);
  ticks('contactors.max_break_wait_ms', cfg.contactors.max_break_wait_ms, f);
  ticks('contactors.operate_ms', cfg.contactors.operate_ms, f);
  ticks('precharge.timeout_ms', cfg.precharge.timeout_ms, f);
  ticks('precharge.retry_wait_ms', cfg.precharge.retry_wait_ms, f);
  ticks('soc.rest_s', cfg.soc.rest_s * 1000, s.slow_period_ms);
  const ov = cfg.checks.cell_overvoltage;
  const uv = cfg.checks.cell_undervoltage;
  if (ov.mol !== null && cfg.balancing.min_voltage_V >= ov.mol) {
    out.push({ field: 'balancing.min_voltage_V', problem: `must be below the MOL over-voltage limit ${ov.mol} V, got ${cfg.balancing.min_voltage_V}` });
  }
  if (ov.mol !== null && uv.mol !== null && !(uv.mol < ov.mol)) {
    out.push({ field: 'checks.cell_undervoltage.mol_V', problem: `must be below checks.cell_overvoltage.mol_V (${ov.mol}), got ${uv.mol}` });
  }
  return out;
}
