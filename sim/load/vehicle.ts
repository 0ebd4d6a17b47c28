/**
 * Road-load vehicle model: drive-cycle speed → wheel power → battery power.
 *
 * Each sample interval [t_i, t_{i+1}) is one step: a = Δv/Δt, v = mean speed of the interval,
 * and the power is held constant over it, so the kinetic-energy change of a step is exact.
 *   F_wheel = m·f_rot·a + m·g·(crr·cos θ + sin θ) + ½·ρ·CdA·v²   (rolling only while moving)
 *   P_wheel = F_wheel·v
 *   traction (P_wheel >= 0): P_batt = −(P_wheel / η_drive + P_aux)
 *   braking  (P_wheel < 0):  P_batt = +min(−P_wheel·regen_fraction·η_regen, regen_limit) − P_aux
 * Battery power is POSITIVE WHEN CHARGING. Presets are JSON files in sim/vehicles/.
 */
import { InputError } from '../errors.ts';
import { type InputFiles, baseName } from '../inputs.ts';
import { presetJson, presetLabel } from '../presets.ts';
import { Reader, parseJson } from '../validate.ts';
import { CYCLES, type Cycle } from './cycle.ts';

/** Standard gravity, m/s². */
export const GRAVITY_m_per_s2 = 9.81;

export interface Vehicle {
  name: string;
  description: string;
  /** Where each number comes from; estimates are marked EST. */
  sources: string[];
  /** Test mass including driver and load. */
  mass_kg: number;
  /** Equivalent-mass factor for rotating parts (>= 1). */
  rotating_mass_factor: number;
  /** Drag coefficient × frontal area (given directly, or as Cd and frontal_area_m2). */
  CdA_m2: number;
  rolling_resistance_coefficient: number;
  air_density_kg_per_m3: number;
  /** Traction efficiency battery → wheel, 0..1. */
  drivetrain_efficiency: number;
  /** Regeneration efficiency wheel → battery, 0..1. */
  regen_efficiency: number;
  /** Fraction of the braking power at the wheel that goes to regeneration (rest: friction brakes). */
  regen_fraction: number;
  /** Maximum charging power from regeneration, at the battery. */
  regen_limit_W: number;
  /** Constant auxiliary load drawn from the battery (controller, lights, HVAC). */
  aux_power_W: number;
  /** Constant road grade, rise over run in percent; positive uphill. */
  road_grade_pct: number;
  /** Cycle and plausible net consumption range a test checks the preset against. */
  reference_cycle?: { cycle: string; min_Wh_per_km: number; max_Wh_per_km: number; note: string };
}

export type SpeedTrace = Pick<Cycle, 'time_s' | 'speed_kmh'>;

const TOP = [
  'name',
  'description',
  'sources',
  'mass_kg',
  'rotating_mass_factor',
  'CdA_m2',
  'Cd',
  'frontal_area_m2',
  'rolling_resistance_coefficient',
  'air_density_kg_per_m3',
  'drivetrain_efficiency',
  'regen_efficiency',
  'regen_fraction',
  'regen_limit_W',
  'aux_power_W',
  'road_grade_pct',
  'reference_cycle',
] as const;

/** Validate a parsed vehicle JSON value; throws InputError naming file and field. */
export function readVehicle(file: string, value: unknown): Vehicle {
  const r: Reader = new Reader(file, value).only(TOP);
  const sources = r
    .get('sources')
    .items()
    .map((s) => s.string({ nonEmpty: true }));
  if (sources.length === 0) r.get('sources').fail('must name at least one source');
  let CdA_m2: number;
  if (r.has('CdA_m2')) {
    if (r.has('Cd') || r.has('frontal_area_m2')) r.get('CdA_m2').fail('give either CdA_m2 or Cd with frontal_area_m2, not both');
    CdA_m2 = r.get('CdA_m2').number({ gt: 0, max: 20 });
  } else if (r.has('Cd') || r.has('frontal_area_m2')) {
    CdA_m2 = r.get('Cd').number({ gt: 0, max: 3 }) * r.get('frontal_area_m2').number({ gt: 0, max: 20 });
  } else {
    r.fail('missing: give CdA_m2, or Cd with frontal_area_m2', 'CdA_m2');
  }
  const vehicle: Vehicle = {
    name: r.get('name').string({ nonEmpty: true }),
    description: r.get('description').string({ nonEmpty: true }),
    sources,
    mass_kg: r.get('mass_kg').number({ gt: 0, max: 100_000 }),
    rotating_mass_factor: r.get('rotating_mass_factor').number({ min: 1, max: 2 }),
    CdA_m2,
    rolling_resistance_coefficient: r.get('rolling_resistance_coefficient').number({ min: 0, max: 0.1 }),
    air_density_kg_per_m3: r.get('air_density_kg_per_m3').number({ gt: 0, max: 2 }),
    drivetrain_efficiency: r.get('drivetrain_efficiency').number({ gt: 0, max: 1 }),
    regen_efficiency: r.get('regen_efficiency').number({ min: 0, max: 1 }),
    regen_fraction: r.get('regen_fraction').number({ min: 0, max: 1 }),
    regen_limit_W: r.get('regen_limit_W').number({ min: 0 }),
    aux_power_W: r.get('aux_power_W').number({ min: 0 }),
    road_grade_pct: r.opt('road_grade_pct')?.number({ min: -30, max: 30 }) ?? 0,
  };
  const ref = r.opt('reference_cycle');
  if (ref !== undefined) {
    ref.only(['cycle', 'min_Wh_per_km', 'max_Wh_per_km', 'note']);
    const min = ref.get('min_Wh_per_km').number({ gt: 0 });
    vehicle.reference_cycle = {
      cycle: ref.get('cycle').string({ oneOf: CYCLES }),
      min_Wh_per_km: min,
      max_Wh_per_km: ref.get('max_Wh_per_km').number({ gt: min }),
      note: ref.get('note').string({ nonEmpty: true }),
    };
  }
  return vehicle;
}

/** Names of the vehicle presets shipped in sim/vehicles/. */
export const VEHICLES = ['compact-car', 'three-wheeler', 'scooter'] as const;

/**
 * A vehicle by preset name (a JSON module, sim/presets.ts) or by path to a JSON file read
 * through `files` (in Node: loadVehicle in sim/node/load.ts). Errors name the file.
 */
export function resolveVehicle(nameOrPath: string, files: InputFiles): Vehicle {
  const isPreset = (VEHICLES as readonly string[]).includes(nameOrPath);
  const label = isPreset ? presetLabel('vehicle', nameOrPath) : nameOrPath;
  const value = isPreset
    ? presetJson('vehicle', nameOrPath)
    : parseJson(label, files.read(nameOrPath, label, `no such file (presets: ${VEHICLES.join(', ')})`));
  const vehicle = readVehicle(label, value);
  if (isPreset && vehicle.name !== nameOrPath) {
    throw new InputError(label, 'name', `must match the file name "${baseName(label, '.json')}", got "${vehicle.name}"`);
  }
  return vehicle;
}

/** Per-run constants of the road-load equation, computed once outside the loops. */
interface RoadLoad {
  inertia_kg: number;
  /** Rolling and grade force while moving, N. */
  steady_N: number;
  /** ½ρCdA, N/(m/s)². */
  aero_N_per_m2s2: number;
}

function roadLoad(v: Vehicle): RoadLoad {
  const theta = Math.atan(v.road_grade_pct / 100);
  return {
    inertia_kg: v.mass_kg * v.rotating_mass_factor,
    steady_N: v.mass_kg * GRAVITY_m_per_s2 * (v.rolling_resistance_coefficient * Math.cos(theta) + Math.sin(theta)),
    aero_N_per_m2s2: 0.5 * v.air_density_kg_per_m3 * v.CdA_m2,
  };
}

/** Wheel power over one interval (positive = traction), from the speeds at its ends. */
function wheelPower_W(k: RoadLoad, v0_kmh: number, v1_kmh: number, dt_s: number): number {
  const v0 = v0_kmh / 3.6;
  const v1 = v1_kmh / 3.6;
  const v = (v0 + v1) / 2;
  if (v === 0) return 0;
  const a = (v1 - v0) / dt_s;
  return (k.inertia_kg * a + k.steady_N + k.aero_N_per_m2s2 * v * v) * v;
}

/**
 * Battery power for each cycle interval: value i holds over [t_i, t_{i+1}). Both columns have
 * the cycle's length; the last power repeats the one before so the columns align, and
 * time_s[n-1] marks the end of the profile. Positive = charging.
 */
export function batteryPowerProfile(vehicle: Vehicle, cycle: SpeedTrace): { time_s: Float64Array; power_W: Float64Array } {
  const n = cycle.time_s.length;
  const time_s = Float64Array.from(cycle.time_s);
  const power_W = new Float64Array(n);
  const k = roadLoad(vehicle);
  const { drivetrain_efficiency: etaDrive, aux_power_W: aux, regen_limit_W: limit } = vehicle;
  const regenGain = vehicle.regen_fraction * vehicle.regen_efficiency;
  for (let i = 0; i + 1 < n; i++) {
    const p = wheelPower_W(k, cycle.speed_kmh[i]!, cycle.speed_kmh[i + 1]!, time_s[i + 1]! - time_s[i]!);
    power_W[i] = p >= 0 ? -(p / etaDrive + aux) : Math.min(-p * regenGain, limit) - aux;
  }
  if (n >= 2) power_W[n - 1] = power_W[n - 2]!;
  return { time_s, power_W };
}

export interface CycleEnergy {
  /** Battery energy out for traction (wheel energy / drivetrain efficiency). */
  traction_Wh: number;
  /** Battery energy in from regeneration (after the regen limit). */
  regen_Wh: number;
  /** Battery energy out for the auxiliary load. */
  aux_Wh: number;
  /** Net battery energy out: traction + aux − regen. */
  net_Wh: number;
  distance_km: number;
}

/** Battery energy balance over a whole cycle. */
export function cycleEnergy(vehicle: Vehicle, cycle: SpeedTrace): CycleEnergy {
  const k = roadLoad(vehicle);
  const regenGain = vehicle.regen_fraction * vehicle.regen_efficiency;
  let traction_J = 0;
  let regen_J = 0;
  let duration_s = 0;
  let distance_m = 0;
  const t = cycle.time_s;
  const v = cycle.speed_kmh;
  for (let i = 0; i + 1 < t.length; i++) {
    const dt = t[i + 1]! - t[i]!;
    const p = wheelPower_W(k, v[i]!, v[i + 1]!, dt);
    if (p >= 0) traction_J += (p / vehicle.drivetrain_efficiency) * dt;
    else regen_J += Math.min(-p * regenGain, vehicle.regen_limit_W) * dt;
    duration_s += dt;
    distance_m += ((v[i]! + v[i + 1]!) / 2 / 3.6) * dt;
  }
  const aux_J = vehicle.aux_power_W * duration_s;
  return {
    traction_Wh: traction_J / 3600,
    regen_Wh: regen_J / 3600,
    aux_Wh: aux_J / 3600,
    net_Wh: (traction_J + aux_J - regen_J) / 3600,
    distance_km: distance_m / 1000,
  };
}

/** Net battery energy out per km over the cycle. Throws RangeError if the cycle covers no distance. */
export function energyPerKm_Wh(vehicle: Vehicle, cycle: SpeedTrace): number {
  const e = cycleEnergy(vehicle, cycle);
  if (!(e.distance_km > 0)) throw new RangeError(`cycle covers no distance (${e.distance_km} km)`);
  return e.net_Wh / e.distance_km;
}
