/**
 * Drive cycles: vehicle speed against time, read from `time_s,speed_kmh` CSV files whose `#`
 * lines are comments (source, licence, stated totals). The shipped cycles live in
 * sim/data/cycles/ (see sim/data/README.md for sources and licences).
 */
import { InputError } from '../errors.ts';
import { type InputFiles, baseName } from '../inputs.ts';

export interface Cycle {
  /** Preset name, or the file name without `.csv` for a path. */
  readonly name: string;
  /** The file as named in error messages. */
  readonly file: string;
  /** Sample times, strictly ascending. */
  readonly time_s: Float64Array;
  /** Speed at each sample time, >= 0; linear between samples. */
  readonly speed_kmh: Float64Array;
  /** Last sample time minus first. */
  readonly duration_s: number;
  /** Trapezoidal integral of the speed. */
  readonly distance_km: number;
}

/** Names of the drive cycles shipped in sim/data/cycles/ (file `<name>-speed.csv`). */
export const CYCLES = ['wltc-class3b', 'udds', 'us06', 'hwfet', 'ftp75', 'wmtc', 'midc', 'idc-2w3w'] as const;
export type CycleName = (typeof CYCLES)[number];

/** Where a shipped cycle's CSV lives in sim/ (`data/cycles/<name>-speed.csv`). */
export function cycleDataPath(name: string): string {
  return `data/cycles/${name}-speed.csv`;
}

/**
 * A shipped cycle by name, or any `time_s,speed_kmh` CSV by path, read through `files` (in
 * Node: loadCycle in sim/node/load.ts). Errors name the file.
 */
export function resolveCycle(nameOrPath: string, files: InputFiles): Cycle {
  const isPreset = (CYCLES as readonly string[]).includes(nameOrPath);
  const label = isPreset ? `sim/${cycleDataPath(nameOrPath)}` : nameOrPath;
  const text = isPreset ? files.shipped(cycleDataPath(nameOrPath)) : files.read(nameOrPath, label, `no such file (cycles: ${CYCLES.join(', ')})`);
  return parseCycleCsv(label, text, isPreset ? nameOrPath : baseName(label).replace(/\.csv$/i, ''));
}

const COLUMNS = ['time_s', 'speed_kmh'] as const;

/**
 * Parse cycle CSV text. Errors are InputError(file, "line L, column C (name)", problem), with
 * 1-based line and column numbers.
 */
export function parseCycleCsv(file: string, text: string, name: string): Cycle {
  const lines = text.split(/\r?\n/);
  const time: number[] = [];
  const speed: number[] = [];
  let header = false;
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = line.split(',').map((c) => c.trim());
    const at = (col: number): string => `line ${li + 1}, column ${col + 1}` + (col < 2 ? ` (${COLUMNS[col]})` : '');
    if (!header) {
      for (let c = 0; c < COLUMNS.length; c++) {
        if (cells[c] !== COLUMNS[c]) {
          throw new InputError(file, at(c), `expected header "${COLUMNS.join(',')}", got "${cells[c] ?? ''}"`);
        }
      }
      if (cells.length > 2) throw new InputError(file, at(2), `unexpected column "${cells[2]}" (expected time_s,speed_kmh)`);
      header = true;
      continue;
    }
    if (cells.length !== 2) {
      const col = Math.min(cells.length, 2);
      throw new InputError(file, at(col), `expected 2 values (time_s,speed_kmh), got ${cells.length}`);
    }
    const values = cells.map((c, col) => {
      const x = c === '' ? NaN : Number(c);
      if (!Number.isFinite(x)) throw new InputError(file, at(col), `expected a number, got "${c}"`);
      return x;
    });
    const t = values[0]!;
    const v = values[1]!;
    if (time.length > 0 && !(t > time[time.length - 1]!)) {
      throw new InputError(file, at(0), `time must be strictly ascending: ${t} after ${time[time.length - 1]}`);
    }
    if (v < 0) throw new InputError(file, at(1), `speed must be >= 0, got ${v}`);
    time.push(t);
    speed.push(v);
  }
  if (!header) throw new InputError(file, '(header)', `missing header line "${COLUMNS.join(',')}"`);
  if (time.length < 2) throw new InputError(file, '(data)', `expected at least 2 samples, got ${time.length}`);

  const time_s = Float64Array.from(time);
  const speed_kmh = Float64Array.from(speed);
  let distance_m = 0;
  for (let i = 1; i < time_s.length; i++) {
    distance_m += ((speed_kmh[i - 1]! + speed_kmh[i]!) / 2 / 3.6) * (time_s[i]! - time_s[i - 1]!);
  }
  return {
    name,
    file,
    time_s,
    speed_kmh,
    duration_s: time_s[time_s.length - 1]! - time_s[0]!,
    distance_km: distance_m / 1000,
  };
}
