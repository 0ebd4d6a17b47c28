/**
 * The simulator's inputs read from disk (Node): a chemistry, vehicle, ambient profile, drive
 * cycle, current profile or scenario by preset name or path. Each is the core's resolver
 * (text or objects in, sim/inputs.ts) given the disk as its InputFiles.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Chemistry, resolveChemistry } from '../chemistry.ts';
import { type Ambient, resolveAmbient } from '../load/ambient.ts';
import { type Cycle, resolveCycle } from '../load/cycle.ts';
import { type CurrentProfile, resolveCurrentProfile } from '../load/profile.ts';
import { type Vehicle, resolveVehicle } from '../load/vehicle.ts';
import { type Scenario, parseScenario } from '../scenario.ts';
import { NODE_FILES, SIM_DIR } from './files.ts';
import { readInputText } from './read.ts';

/** Folders of the shipped presets (for listings and tests). */
export const SCENARIO_DIR = `${SIM_DIR}scenarios/`;
export const PRESET_DIR = `${SIM_DIR}chemistry/`;
export const CYCLE_DIR = `${SIM_DIR}data/cycles/`;

/** A chemistry by preset name or by path to a JSON file. Errors name the file. */
export function loadChemistry(nameOrPath: string): Chemistry {
  return resolveChemistry(nameOrPath, NODE_FILES);
}

/** A vehicle by preset name or by path to a JSON file. Errors name the file. */
export function loadVehicle(nameOrPath: string): Vehicle {
  return resolveVehicle(nameOrPath, NODE_FILES);
}

/** An ambient profile by preset name or by path to a JSON file. Errors name the file. */
export function loadAmbient(nameOrPath: string): Ambient {
  return resolveAmbient(nameOrPath, NODE_FILES);
}

/** A shipped cycle by name, or any `time_s,speed_kmh` CSV by path. Errors name the file. */
export function loadCycle(nameOrPath: string): Cycle {
  return resolveCycle(nameOrPath, NODE_FILES);
}

/** A current profile (CSV `time_s,current_A`) by path. */
export function loadCurrentProfile(path: string, opts: { dischargePositive?: boolean } = {}): CurrentProfile {
  return resolveCurrentProfile(path, NODE_FILES, opts);
}

/**
 * Load a scenario by name (sim/scenarios/NAME.json) or path. A word without `/` or `.json` is a
 * library name when the library has it; otherwise it is a path (an existing file `myrun`).
 */
export function loadScenario(nameOrPath: string): Scenario {
  const plain = !nameOrPath.endsWith('.json') && !nameOrPath.includes('/');
  const byName = plain && (existsSync(`${SCENARIO_DIR}${nameOrPath}.json`) || !existsSync(nameOrPath));
  const path = byName ? `${SCENARIO_DIR}${nameOrPath}.json` : nameOrPath;
  const label = byName ? `sim/scenarios/${nameOrPath}.json` : nameOrPath;
  const notFound = byName ? 'no such file (natrium scenarios lists the library; or give a path)' : 'no such file';
  return parseScenario(label, readInputText(path, label, notFound), dirname(path), NODE_FILES);
}
