/**
 * Scenario files: pack, chemistry, vehicle, ambient, steps and drive cycles, seed and
 * duration, BMS configuration and faults, as one JSON document validated on load into typed
 * objects (format in sim/scenarios/README.md). Text or a parsed object in: the files the
 * scenario names by path are read through an InputFiles (sim/inputs.ts); in Node,
 * loadScenario (sim/node/load.ts) reads the scenario itself and those files from disk.
 */
import { type Chemistry, PRESETS, resolveChemistry } from './chemistry.ts';
import { type Ambient, AMBIENTS, readAmbient, resolveAmbient } from './load/ambient.ts';
import { CYCLES, type Cycle, resolveCycle } from './load/cycle.ts';
import { type Step, type Termination, parseStep } from './load/experiment.ts';
import { type CurrentProfile, resolveCurrentProfile } from './load/profile.ts';
import { VEHICLES, type Vehicle, batteryPowerProfile, resolveVehicle } from './load/vehicle.ts';
import { type BmsConfig, readBmsConfig } from './bms/config.ts';
import { type FaultSpec, readFaults } from './bms/faults.ts';
import type { HostRequest } from './bms/interface.ts';
import { type InputFiles, NO_FILES } from './inputs.ts';
import type { PackConfig, SpreadConfig } from './pack.ts';
import { isStableStep, maxStableStep_s } from './stability.ts';
import { MAX_RUN_STEPS, MIN_DT_S, startProblem } from './envelope.ts';
import { Reader, parseJson } from './validate.ts';

/** A drive-cycle step: the cycle's battery power, looped until a termination. */
export interface DriveStep {
  kind: 'drive';
  text: string;
  cycle: Cycle;
  vehicle: Vehicle;
  /** Battery power profile of one loop: value i holds over [time_s[i], time_s[i+1]). */
  profile: { time_s: Float64Array; power_W: Float64Array };
  /** Number of loops; null = until a termination (or the scenario's duration). */
  repeat: number | null;
  duration_s: number | null;
  until: Termination[];
}

export interface ExperimentStep extends Step {
  kind: 'experiment';
}

/**
 * A current-profile step: the pack current (charge positive) held from each time stamp to the
 * next (zero-order hold), from the profile's first stamp to its last; `request` is the host
 * request the step makes at its start (null: none, the scenario's "host" list decides).
 */
export interface CurrentStep {
  kind: 'current';
  text: string;
  profile: CurrentProfile;
  request: HostRequest | null;
  duration_s: number | null;
  until: Termination[];
}

export type ScenarioStep = DriveStep | ExperimentStep | CurrentStep;

export interface Scenario {
  file: string;
  /** Folder that relative paths in the scenario resolve against. */
  baseDir: string;
  name: string;
  description: string;
  chemistry: Chemistry;
  pack: Omit<PackConfig, 'chemistry' | 'dt_s' | 'seed' | 'init' | 'low_temperature_capacity'>;
  /** Coolant temperature, °C; null: cells exchange heat with the ambient air. */
  coolant_C: number | null;
  ambient: Ambient;
  /** Time of day at t = 0 (h), for daily ambient profiles. */
  start_time_h: number;
  initial: { soc: number; temperature_C: number | null; hysteresis: number };
  dt_s: number;
  seed: number;
  /** Stop after this much simulated time (s); null: when the steps end. */
  duration_s: number | null;
  /** Loop the step list until duration_s. */
  repeat_steps: boolean;
  /** End a step when a cell leaves the chemistry's voltage window (the load's own cut-off). */
  load_cutoff: boolean;
  low_temperature_capacity: boolean;
  steps: ScenarioStep[];
  /**
   * The BMS configuration (the "bms" section validated and merged over the default preset, its
   * limits derived from the chemistry); null: the scenario has no "bms" section.
   */
  bms: BmsConfig | null;
  /** The "bms" section as written (preset name, path or object), to derive it anew for another chemistry (resim). */
  bmsSection: Reader | null;
  /** Scheduled faults (the "faults" section), validated for this pack. */
  faults: FaultSpec[];
  /** Host requests at given times (the vehicle controller or rig), in time order. */
  host: { at_s: number; request: HostRequest }[];
  /** With a BMS: a step whose current path stays open this long (s) ends ('bms_open'). */
  open_path_timeout_s: number;
}

const TOP = [
  'name',
  'description',
  'chemistry',
  'pack',
  'vehicle',
  'ambient',
  'start_time_h',
  'initial',
  'dt_s',
  'seed',
  'duration_s',
  'repeat_steps',
  'load_cutoff',
  'low_temperature_capacity',
  'steps',
  'bms',
  'faults',
  'host',
  'open_path_timeout_s',
] as const;

const HOST_REQUESTS: readonly HostRequest[] = ['STANDBY', 'NORMAL', 'CHARGE', 'RESET'];

/** A scenario from its JSON text (see readScenario). */
export function parseScenario(file: string, text: string, baseDir = '.', files: InputFiles = NO_FILES): Scenario {
  return readScenario(file, parseJson(file, text), baseDir, files);
}

/**
 * Validate a parsed scenario; the files it names by path are read through `files` (none by
 * default: presets and inline sections only), relative paths resolved against baseDir.
 */
export function readScenario(file: string, value: unknown, baseDir = '.', files: InputFiles = NO_FILES): Scenario {
  const r = new Reader(file, value).only(TOP);
  const rel = (p: string) => files.resolve(baseDir, p);
  /** A preset name as it is, a path resolved against the scenario; anything else is an error at `field`. */
  const named = (s: string, names: readonly string[], field: Reader, what: string) => {
    if (names.includes(s)) return s;
    if (s.includes('/') || /\.(json|csv)$/i.test(s)) return rel(s);
    return field.fail(`unknown ${what} "${s}" (presets: ${names.join(', ')}; or a path to a file)`);
  };

  const name = r.get('name').string({ nonEmpty: true });
  const description = r.opt('description')?.string() ?? '';
  const chemName = r.get('chemistry').string({ nonEmpty: true });
  const chemistry = resolveChemistry(named(chemName, PRESETS, r.get('chemistry'), 'chemistry'), files);

  const rp = r.get('pack').only(['ns', 'np', 'spread', 'thermal', 'cell_connection_ohm', 'busbar_ohm']);
  const ns = rp.get('ns').number({ integer: true, min: 1, max: 1024 });
  const np = rp.get('np').number({ integer: true, min: 1, max: 64 });
  const spread = readSpread(rp.opt('spread'));
  const rt = rp.opt('thermal')?.only(['hA_W_per_K', 'neighbour_W_per_K', 'cells_per_module', 'coolant_C']);
  const thermal = {
    hA_W_per_K: rt?.opt('hA_W_per_K')?.number({ gt: 0 }),
    neighbour_W_per_K: rt?.opt('neighbour_W_per_K')?.number({ min: 0 }) ?? 0,
    cells_per_module: rt?.opt('cells_per_module')?.number({ integer: true, min: 1 }) ?? ns * np,
  };
  const coolant_C = rt?.opt('coolant_C')?.number({ min: -40, max: 80 }) ?? null;
  const pack = {
    ns,
    np,
    spread,
    thermal,
    cell_connection_ohm: rp.opt('cell_connection_ohm')?.number({ min: 0, max: 1 }) ?? 0,
    busbar_ohm: rp.opt('busbar_ohm')?.number({ min: 0, max: 10 }) ?? 0,
  };

  const vehicleName = r.opt('vehicle')?.string({ nonEmpty: true });
  let defaultVehicle: Vehicle | null = null;
  const vehicleOf = (name: string | undefined, where: Reader): Vehicle => {
    if (name !== undefined) return resolveVehicle(named(name, VEHICLES, where.get('vehicle'), 'vehicle'), files);
    if (defaultVehicle) return defaultVehicle;
    if (vehicleName === undefined) where.fail('a drive step needs a vehicle (scenario field "vehicle" or the step\'s own)');
    defaultVehicle = resolveVehicle(named(vehicleName, VEHICLES, r.get('vehicle'), 'vehicle'), files);
    return defaultVehicle;
  };

  const ra = r.get('ambient');
  const ambient = typeof ra.value === 'string' ? resolveAmbient(named(ra.string(), AMBIENTS, ra, 'ambient profile'), files) : readAmbient(ra);
  const start_time_h = r.opt('start_time_h')?.number({ min: 0, lt: 24 }) ?? 0;

  const ri = r.get('initial').only(['soc', 'temperature_C', 'hysteresis']);
  const initial = {
    soc: ri.get('soc').number({ min: 0, max: 1 }),
    temperature_C: ri.opt('temperature_C')?.number({ min: -60, max: 100 }) ?? null,
    hysteresis: ri.opt('hysteresis')?.number({ min: -1, max: 1 }) ?? 0,
  };
  if (initial.temperature_C !== null) {
    const bad = startProblem(chemistry.spec, 'temperature', initial.temperature_C);
    if (bad) ri.get('temperature_C').fail(bad);
  }
  const dt_s = r.opt('dt_s')?.number({ min: MIN_DT_S, max: 60 }) ?? 1;
  if (!isStableStep(chemistry, np, spread, dt_s)) {
    const max = Math.floor(maxStableStep_s(chemistry, np, spread) * 1000) / 1000;
    r.get('dt_s').fail(
      `${dt_s} s is too long for ${np} cells of ${chemistry.name} in parallel: the parallel current split is stable up to ${max} s (sim/MODEL.md, "Step size")`,
    );
  }
  const seed = r.opt('seed')?.number({ integer: true, min: 0, max: 2 ** 32 - 1 }) ?? 1;
  const maxDuration = MAX_RUN_STEPS * dt_s;
  const duration_s = r.opt('duration_s')?.number({ gt: 0, max: maxDuration }) ?? null;
  const repeat_steps = r.opt('repeat_steps')?.boolean() ?? false;
  if (repeat_steps && duration_s === null) r.get('repeat_steps').fail('needs "duration_s" to end');

  const steps: ScenarioStep[] = [];
  const rs = r.get('steps');
  const items = rs.items();
  if (items.length === 0) rs.fail('needs at least one step');
  for (const item of items) {
    if (typeof item.value === 'string') {
      const step = parseStep(item.string(), { file, field: item.path });
      checkReach(item, step, chemistry, ns, maxDuration);
      steps.push({ kind: 'experiment', ...step });
      continue;
    }
    if (item.opt('current') !== undefined) {
      steps.push(
        readCurrentStep(
          item,
          (p) => resolveCurrentProfile(rel(p), files, { dischargePositive: item.opt('discharge_positive')?.boolean() ?? false }),
          chemistry,
          ns,
          maxDuration,
        ),
      );
      continue;
    }
    item.only(['drive', 'vehicle', 'until', 'repeat', 'duration_s']);
    const cycleName = item.get('drive').string({ nonEmpty: true });
    const cycle = resolveCycle(named(cycleName, CYCLES, item.get('drive'), 'drive cycle'), files);
    const vehicle = vehicleOf(item.opt('vehicle')?.string({ nonEmpty: true }), item);
    const until = item.opt('until') ? parseUntil(item.get('until')) : [];
    const repeat = item.opt('repeat')?.number({ integer: true, min: 1 }) ?? (until.length ? null : 1);
    const dur = item.opt('duration_s')?.number({ gt: 0, max: maxDuration }) ?? null;
    checkReach(item, { control: { mode: 'rest' }, duration_s: dur, until }, chemistry, ns, maxDuration);
    steps.push({
      kind: 'drive',
      text: `Drive ${cycle.name}${until.length ? ` until ${item.get('until').value}` : ''}${repeat ? ` x${repeat}` : ''}`,
      cycle,
      vehicle,
      profile: batteryPowerProfile(vehicle, cycle),
      repeat,
      duration_s: dur,
      until,
    });
  }

  const bmsSection = r.opt('bms') ?? null;
  return {
    file,
    baseDir,
    name,
    description,
    chemistry,
    pack,
    coolant_C,
    ambient,
    start_time_h,
    initial,
    dt_s,
    seed,
    duration_s,
    repeat_steps,
    load_cutoff: r.opt('load_cutoff')?.boolean() ?? true,
    low_temperature_capacity: r.opt('low_temperature_capacity')?.boolean() ?? true,
    steps,
    bms: bmsSection ? readBmsConfig(bmsSection, chemistry, files, baseDir) : null,
    bmsSection,
    faults: r.opt('faults') ? readFaults(r.get('faults'), ns, np) : [],
    host: readHost(r.opt('host')),
    open_path_timeout_s: r.opt('open_path_timeout_s')?.number({ gt: 0 }) ?? 300,
  };
}

/**
 * A step's voltages (its hold and its end conditions) must lie in the chemistry's window (times
 * ns for a pack voltage), and its duration within the run's step bound: otherwise the step
 * could never end, or would end only far outside what the model holds for.
 */
function checkReach(r: Reader, step: Pick<Step, 'control' | 'duration_s' | 'until'>, chem: Chemistry, ns: number, maxDuration: number): void {
  if (step.duration_s !== null && step.duration_s > maxDuration) {
    r.fail(`duration ${step.duration_s} s is more than ${MAX_RUN_STEPS} steps of dt_s`);
  }
  const voltages: { voltage_V: number; reference: 'cell' | 'pack'; what: string }[] = step.until.flatMap((u) =>
    u.kind === 'voltage' ? [{ ...u, what: 'end voltage' }] : [],
  );
  if (step.control.mode === 'voltage') voltages.push({ ...step.control, what: 'hold voltage' });
  for (const v of voltages) {
    const k = v.reference === 'pack' ? ns : 1;
    const lo = chem.minV * k;
    const hi = chem.maxV * k;
    if (v.voltage_V < lo - 1e-9 || v.voltage_V > hi + 1e-9) {
      const of =
        v.reference === 'pack'
          ? `the pack's reach (${ns} × ${chem.minV}…${chem.maxV} V = ${Number(lo.toFixed(4))}…${Number(hi.toFixed(4))} V)`
          : `${chem.name}'s window ${chem.minV}…${chem.maxV} V`;
      r.fail(`${v.what} ${v.voltage_V} V is outside ${of}`);
    }
  }
}

/** A `{ "current": "profile.csv", … }` step (sim/scenarios/README.md, "Steps"). */
function readCurrentStep(item: Reader, load: (path: string) => CurrentProfile, chem: Chemistry, ns: number, maxDuration: number): CurrentStep {
  item.only(['current', 'discharge_positive', 'request', 'until', 'duration_s']);
  const path = item.get('current').string({ nonEmpty: true });
  const profile = load(path);
  const until = item.opt('until') ? parseUntil(item.get('until')) : [];
  const dur = item.opt('duration_s')?.number({ gt: 0, max: maxDuration }) ?? null;
  const span = profile.time_s[profile.time_s.length - 1]! - profile.time_s[0]!;
  if (span > maxDuration) item.get('current').fail(`the profile spans ${span} s, more than ${MAX_RUN_STEPS} steps of dt_s`);
  checkReach(item, { control: { mode: 'rest' }, duration_s: dur, until }, chem, ns, maxDuration);
  const req = item.opt('request')?.string({ oneOf: [...HOST_REQUESTS, 'none'] });
  return {
    kind: 'current',
    text: `Current profile ${path}${until.length ? ` until ${item.get('until').value}` : ''}`,
    profile,
    request: req === undefined ? defaultRequest(profile) : req === 'none' ? null : (req as HostRequest),
    duration_s: dur,
    until,
  };
}

/** CHARGE for a profile that only charges (or rests), NORMAL otherwise. */
export function defaultRequest(p: CurrentProfile): HostRequest {
  return p.current_A.every((c) => c >= 0) && p.current_A.some((c) => c > 0) ? 'CHARGE' : 'NORMAL';
}

function readHost(r: Reader | undefined): { at_s: number; request: HostRequest }[] {
  if (!r) return [];
  const out = r.items().map((it) => {
    it.only(['at_s', 'request']);
    return { at_s: it.get('at_s').number({ min: 0 }), request: it.get('request').string({ oneOf: HOST_REQUESTS }) as HostRequest };
  });
  for (let i = 1; i < out.length; i++) {
    if (out[i]!.at_s < out[i - 1]!.at_s) r.fail(`must be in time order (entry ${i} at ${out[i]!.at_s} s after ${out[i - 1]!.at_s} s)`);
  }
  return out;
}

function readSpread(r: Reader | undefined): SpreadConfig {
  if (!r) return { capacity_rel_sigma: 0, resistance_rel_sigma: 0, soc_sigma: 0, truncate_sigma: 3 };
  r.only(['capacity_rel_sigma', 'resistance_rel_sigma', 'soc_sigma', 'truncate_sigma']);
  return {
    capacity_rel_sigma: r.opt('capacity_rel_sigma')?.number({ min: 0, max: 0.2 }) ?? 0,
    resistance_rel_sigma: r.opt('resistance_rel_sigma')?.number({ min: 0, max: 0.3 }) ?? 0,
    soc_sigma: r.opt('soc_sigma')?.number({ min: 0, max: 0.1 }) ?? 0,
    truncate_sigma: r.opt('truncate_sigma')?.number({ gt: 0, max: 6 }) ?? 3,
  };
}

/**
 * A drive step's "until" ("20 % SOC", "2.5 V", "250 V pack"; several joined by " or "),
 * read with the experiment grammar so both accept the same words.
 */
function parseUntil(r: Reader): Termination[] {
  const text = r.string({ nonEmpty: true });
  try {
    return parseStep(`Discharge at 1 A until ${text}`, { file: r.file, field: r.path }).until;
  } catch {
    return r.fail(`cannot parse "${text}": expected a voltage (V, mV, optionally "pack") or SOC (%), e.g. "20 % SOC"`);
  }
}
