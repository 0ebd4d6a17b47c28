/**
 * Current profiles for single-cell runs: CSV `time_s,current_A` (comment lines start with
 * `#`; a header line is optional). Charge is positive unless the file says otherwise
 * (PyBaMM's profiles are discharge-positive: flip them with `dischargePositive`).
 * The current holds from its time stamp to the next (zero-order hold).
 */
import { InputError } from '../errors.ts';
import type { InputFiles } from '../inputs.ts';

export interface CurrentProfile {
  file: string;
  time_s: Float64Array;
  current_A: Float64Array;
}

/** A current profile by path, read through `files` (in Node: loadCurrentProfile in sim/node/load.ts). */
export function resolveCurrentProfile(path: string, files: InputFiles, opts: { dischargePositive?: boolean } = {}): CurrentProfile {
  return parseCurrentProfile(path, files.read(path, path), opts);
}

export function parseCurrentProfile(file: string, text: string, opts: { dischargePositive?: boolean } = {}): CurrentProfile {
  const t: number[] = [];
  const c: number[] = [];
  const sign = opts.dischargePositive ? -1 : 1;
  const lines = text.split(/\r?\n/);
  let header = false;
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cols = line.split(',').map((s) => s.trim());
    if (!header && t.length === 0 && Number.isNaN(Number(cols[0]))) {
      header = true;
      if (cols[0] !== 'time_s' || !cols[1]?.startsWith('current_A')) {
        throw new InputError(file, `line ${ln + 1}`, `expected the header "time_s,current_A", got "${line}"`);
      }
      continue;
    }
    if (cols.length < 2) throw new InputError(file, `line ${ln + 1}`, `expected 2 columns (time_s,current_A), got ${cols.length}`);
    const ti = Number(cols[0]);
    const ci = Number(cols[1]);
    if (cols[0] === '' || !Number.isFinite(ti)) throw new InputError(file, `line ${ln + 1}, column 1 (time_s)`, `not a number: "${cols[0]}"`);
    if (cols[1] === '' || !Number.isFinite(ci)) throw new InputError(file, `line ${ln + 1}, column 2 (current_A)`, `not a number: "${cols[1]}"`);
    if (t.length > 0 && !(ti > t[t.length - 1]!)) {
      throw new InputError(file, `line ${ln + 1}, column 1 (time_s)`, `time must increase (${ti} after ${t[t.length - 1]})`);
    }
    t.push(ti);
    c.push(sign * ci + 0); // + 0 turns -0 into 0
  }
  if (t.length < 2) throw new InputError(file, '(data)', `needs at least 2 rows, got ${t.length}`);
  return { file, time_s: Float64Array.from(t), current_A: Float64Array.from(c) };
}
