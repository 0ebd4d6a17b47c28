/**
 * Ambient temperature against time, for the thermal model. Three JSON forms:
 *   { "constant_C": 40 }
 *   { "daily": { "min_C": 30, "max_C": 46, "t_min_h": 5, "t_max_h": 15 } }
 *       a half cosine rising from min_C at t_min_h to max_C at t_max_h and another falling back
 *       to min_C at t_min_h + 24 h: continuous, flat at both extremes, period 24 h
 *   { "table": { "time_h": [0, 6, 12, 18], "temperature_C": [28, 30, 44, 36] } }
 *       linear between points and from the last point to the first one a day later; repeats
 *       every 24 h
 * An optional "description" is allowed. `at(t_s)` allocates nothing; t_s = 0 is midnight.
 * Presets (e.g. hot-summer-day) are JSON files in sim/ambient/.
 */
import type { InputFiles } from '../inputs.ts';
import { presetJson, presetLabel } from '../presets.ts';
import { interp1 } from '../table.ts';
import { Reader, parseJson } from '../validate.ts';

export interface Ambient {
  readonly kind: 'constant' | 'daily' | 'table';
  /** Ambient temperature in °C at simulation time t_s (t_s = 0 is midnight). */
  at(t_s: number): number;
}

const DAY_h = 24;
const FORMS = ['constant_C', 'daily', 'table'] as const;

/** Validate an ambient block (one of the three forms) and build its evaluator. */
export function readAmbient(reader: Reader): Ambient {
  const r = reader.only([...FORMS, 'description']);
  if (r.has('description')) r.get('description').string();
  const given = FORMS.filter((f) => r.has(f));
  if (given.length !== 1) {
    r.fail(given.length === 0 ? `expected one of ${FORMS.join(', ')}` : `give only one of ${given.join(', ')}`);
  }
  if (r.has('constant_C')) return constant(r.get('constant_C').number({ min: -60, max: 100 }));
  if (r.has('daily')) return daily(r.get('daily'));
  return table(r.get('table'));
}

function constant(T_C: number): Ambient {
  return { kind: 'constant', at: () => T_C };
}

/** Hours since midnight of t_s, in [0, 24). */
function hourOfDay(t_s: number): number {
  const h = t_s / 3600;
  return h - DAY_h * Math.floor(h / DAY_h);
}

function daily(r: Reader): Ambient {
  r.only(['min_C', 'max_C', 't_min_h', 't_max_h']);
  const min_C = r.get('min_C').number({ min: -60, max: 100 });
  const max_C = r.get('max_C').number({ min: min_C, max: 100 });
  const t_min_h = r.get('t_min_h').number({ min: 0, lt: DAY_h });
  const t_max_h = r.get('t_max_h').number({ min: 0, lt: DAY_h });
  if (t_max_h === t_min_h) r.get('t_max_h').fail(`must differ from t_min_h (${t_min_h})`);
  const rise_h = t_max_h > t_min_h ? t_max_h - t_min_h : t_max_h + DAY_h - t_min_h;
  const fall_h = DAY_h - rise_h;
  const mid_C = (min_C + max_C) / 2;
  const half_C = (max_C - min_C) / 2;
  return {
    kind: 'daily',
    at(t_s: number): number {
      let p = hourOfDay(t_s) - t_min_h; // hours since the daily minimum
      if (p < 0) p += DAY_h;
      return p < rise_h ? mid_C - half_C * Math.cos((Math.PI * p) / rise_h) : mid_C + half_C * Math.cos((Math.PI * (p - rise_h)) / fall_h);
    },
  };
}

function table(r: Reader): Ambient {
  r.only(['time_h', 'temperature_C']);
  const time_h = r.get('time_h').numbers({ min: 0, max: DAY_h, minLength: 1, ascending: true });
  const temperature_C = r.get('temperature_C').numbers({ min: -60, max: 100, length: time_h.length });
  const n = time_h.length;
  const first_h = time_h[0]!;
  const closes = time_h[n - 1]! - first_h === DAY_h;
  if (closes && temperature_C[n - 1] !== temperature_C[0]) {
    r.get('temperature_C').fail(`the table repeats every 24 h: the value at ${time_h[n - 1]} h must equal the one at ${first_h} h`);
  }
  // Close the loop: append the first point one day later (unless the table already does).
  const xs = Float64Array.from(closes ? time_h : [...time_h, first_h + DAY_h]);
  const ys = Float64Array.from(closes ? temperature_C : [...temperature_C, temperature_C[0]!]);
  return {
    kind: 'table',
    at(t_s: number): number {
      let h = hourOfDay(t_s);
      if (h < first_h) h += DAY_h;
      return interp1(xs, ys, h);
    },
  };
}

/** Names of the ambient presets shipped in sim/ambient/. */
export const AMBIENTS = ['hot-summer-day'] as const;

/**
 * An ambient profile by preset name (a JSON module, sim/presets.ts) or by path to a JSON file
 * read through `files` (in Node: loadAmbient in sim/node/load.ts). Errors name the file.
 */
export function resolveAmbient(nameOrPath: string, files: InputFiles): Ambient {
  const isPreset = (AMBIENTS as readonly string[]).includes(nameOrPath);
  const label = isPreset ? presetLabel('ambient', nameOrPath) : nameOrPath;
  const value = isPreset
    ? presetJson('ambient', nameOrPath)
    : parseJson(label, files.read(nameOrPath, label, `no such file (presets: ${AMBIENTS.join(', ')})`));
  return readAmbient(new Reader(label, value));
}
