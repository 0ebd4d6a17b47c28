/**
 * Node edge: profiles, waivers and chemistries from files or names, with errors as one line
 * naming the file and field (InputError → exit 2).
 */
import { existsSync, readFileSync } from 'node:fs';
import { PRESETS } from '../../sim/chemistry.ts';
import type { ChemistryFile } from '../../sim/chemistry.ts';
import { InputError, isInputError } from '../../sim/errors.ts';
import { BUILT_IN_PROFILES, type Profile, ProfileError, builtInProfile, parseProfile } from '../profile.ts';
import { type Waiver, WaiverError, parseWaivers } from '../waivers.ts';
import { loadChemistry } from '../../sim/node/load.ts';

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new InputError(path, '(file)', code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code})`);
  }
}

/** A built-in profile name, or a path to a profile JSON file (which may extend a built-in one). */
export function loadProfile(nameOrPath: string): Profile {
  const isFile = nameOrPath.endsWith('.json') || nameOrPath.includes('/') || existsSync(nameOrPath);
  try {
    if (!isFile) return builtInProfile(nameOrPath);
    return parseProfile(readText(nameOrPath));
  } catch (e) {
    if (e instanceof ProfileError) {
      if (!isFile) throw new InputError('--profile', nameOrPath, `unknown profile (built in: ${BUILT_IN_PROFILES.join(', ')}; or a path to a .json file)`);
      throw new InputError(nameOrPath, e.field, e.message.slice(e.field.length + 2));
    }
    throw e;
  }
}

/** A waiver file. */
export function loadWaivers(path: string): Waiver[] {
  try {
    return parseWaivers(readText(path));
  } catch (e) {
    if (e instanceof WaiverError) throw new InputError(path, e.field, e.message.slice(e.field.length + 2));
    throw e;
  }
}

const cache = new Map<string, ChemistryFile | null>();

/** The chemistry a device names in INFO: a preset of sim/chemistry/, or null when unknown. */
export function chemistryByName(name: string): ChemistryFile | null {
  if (cache.has(name)) return cache.get(name)!;
  let c: ChemistryFile | null = null;
  if ((PRESETS as readonly string[]).includes(name)) {
    try {
      c = loadChemistry(name).spec;
    } catch (e) {
      if (!isInputError(e)) throw e;
    }
  }
  cache.set(name, c);
  return c;
}

/** --chemistry: a preset name or a chemistry JSON path (errors name the file and field). */
export function loadChemistryOption(nameOrPath: string): ChemistryFile {
  return loadChemistry(nameOrPath).spec;
}
