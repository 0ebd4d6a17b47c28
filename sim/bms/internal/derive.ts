/**
 * Helpers for reading the BMS configuration: a deep merge of a partial file over the preset,
 * and numbers that may be written as `{ "from_chemistry": path, "scale": k, "offset": x }`
 * (= spec[path] * k + x), so that sodium-ion defaults follow the chemistry preset.
 */
import type { ChemistryFile } from '../../chemistry.ts';
import { Reader } from '../../validate.ts';

/** Deep merge: objects merge key by key, anything else (arrays, numbers, null) replaces. */
export function merge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Value at a dotted path of the chemistry file, or undefined. */
export function specAt(spec: ChemistryFile, path: string): unknown {
  let v: unknown = spec;
  for (const key of path.split('.')) {
    if (!isPlainObject(v)) return undefined;
    v = v[key];
  }
  return v;
}

export interface NumberOpts {
  min?: number;
  max?: number;
  gt?: number;
  integer?: boolean;
}

/** A number, or a number derived from the chemistry. */
export function derivedNumber(r: Reader, spec: ChemistryFile, opts: NumberOpts = {}): number {
  if (!r.isObject()) return r.number(opts);
  r.only(['from_chemistry', 'scale', 'offset']);
  const path = r.get('from_chemistry').string({ nonEmpty: true });
  const base = specAt(spec, path);
  if (typeof base !== 'number') {
    r.get('from_chemistry').fail(`"${path}" is not a number in chemistry ${spec.name}`);
  }
  const scale = r.opt('scale')?.number() ?? 1;
  const offset = r.opt('offset')?.number() ?? 0;
  // rounded to 12 significant digits: 4.1 + 0.1 reads 4.2, not 4.199999999999999
  const v = Number(((base as number) * scale + offset).toPrecision(12));
  return new Reader(r.file, v, r.path).number(opts);
}

/** A number or null (the tier is not used). */
export function derivedOrNull(r: Reader, spec: ChemistryFile, opts: NumberOpts = {}): number | null {
  return r.value === null ? null : derivedNumber(r, spec, opts);
}

/** A clamped derating table: breakpoints `x` ascending, factors 0..1. */
export interface DeratingTable {
  x: number[];
  factor: number[];
}

/**
 * A derating table written as `{ <xKey>: [...], "factor": [...] }` (each breakpoint may be
 * derived) or `{ "from_chemistry": path }` naming such a table in the chemistry file.
 */
export function derivedTable(r: Reader, spec: ChemistryFile, xKey: string): DeratingTable {
  if (r.has('from_chemistry')) {
    r.only(['from_chemistry']);
    const path = r.get('from_chemistry').string({ nonEmpty: true });
    const t = specAt(spec, path);
    const tr = new Reader(r.file, t, r.path);
    if (!tr.isObject() || !tr.has(xKey)) r.get('from_chemistry').fail(`"${path}" is not a table with "${xKey}" in chemistry ${spec.name}`);
    return table(tr.only([xKey, 'factor']), spec, xKey);
  }
  return table(r.only([xKey, 'factor']), spec, xKey);
}

function table(r: Reader, spec: ChemistryFile, xKey: string): DeratingTable {
  const xs = r
    .get(xKey)
    .items()
    .map((it) => derivedNumber(it, spec));
  if (xs.length < 1) r.get(xKey).fail('expected at least 1 value');
  for (let i = 1; i < xs.length; i++) {
    if (!(xs[i]! > xs[i - 1]!)) r.get(xKey).fail(`must be strictly ascending (index ${i}: ${xs[i]} after ${xs[i - 1]})`);
  }
  const factor = r.get('factor').numbers({ min: 0, max: 1, length: xs.length });
  return { x: xs, factor };
}
