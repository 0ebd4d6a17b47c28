/**
 * Analysis profiles: the thresholds of every check, as data (analyzer/profiles/*.json; format in
 * analyzer/REPORT.md). A profile may extend another; `sources` names where a value comes from (a
 * standard, a datasheet), otherwise the source is the profile itself. Values set on the command
 * line (`--set check.key=value`) override both and are reported as "CLI override". Limits that
 * the device states in its INFO (the MOL/RSL/MSL tiers) are read from the capture, not from here.
 *
 * Isomorphic: `parseProfile` takes the JSON text or value; the Node edge reads files.
 */
import type { Threshold } from './findings.ts';
import defaultProfile from './profiles/default.json' with { type: 'json' };
import cellsDefaults from './profiles/defaults/cells.json' with { type: 'json' };
import envelopeDefaults from './profiles/defaults/envelope.json' with { type: 'json' };
import qualityDefaults from './profiles/defaults/quality.json' with { type: 'json' };
import reactionDefaults from './profiles/defaults/reaction.json' with { type: 'json' };
import socDefaults from './profiles/defaults/soc.json' with { type: 'json' };
import summaryDefaults from './profiles/defaults/summary.json' with { type: 'json' };
import thermalDefaults from './profiles/defaults/thermal.json' with { type: 'json' };
import gb38031Profile from './profiles/gb38031.json' with { type: 'json' };
import labProfile from './profiles/lab.json' with { type: 'json' };
import { jsonSyntaxMessage } from '../sim/validate.ts';

export const PROFILE_SCHEMA = 'natrium.profile/1';

/**
 * The kind of a numeric key, told by its name (the part after the check id; first match wins),
 * with the range a sane value of that kind lies in. A value outside it is a typo or a unit
 * mistake (1e30 s, 5000 V), refused with the key, the value and the bound, from a profile file and
 * from `--set` alike. The last kind catches names no other kind matches. Documented in
 * analyzer/REPORT.md §4.
 */
export interface KeyKind {
  readonly kind: string;
  readonly name: RegExp;
  readonly min: number;
  readonly max: number;
}
export const KEY_KINDS: readonly KeyKind[] = [
  { kind: 'a temperature rate', name: /_(K_per_min|C_per_s)$/, min: -1000, max: 1000 },
  { kind: 'a cell-voltage rate in mV', name: /_mV_per_(h|pct)$/, min: -5000, max: 5000 },
  { kind: 'a cell-voltage rate in V', name: /_V_per_(h|C)$/, min: -5, max: 5 },
  { kind: 'an SOC rate in % per hour', name: /_pct_per_h$/, min: -100, max: 100 },
  { kind: 'a duration in seconds', name: /_s$/, min: 0, max: 30 * 86400 },
  { kind: 'a duration in hours', name: /_h$/, min: 0, max: 30 * 24 },
  { kind: 'a cell voltage in V', name: /_V$/, min: -10, max: 10 },
  { kind: 'a current in A', name: /_A$/, min: -10000, max: 10000 },
  { kind: 'a temperature in °C', name: /temperature.*_C$/, min: -273.15, max: 1000 },
  { kind: 'a C-rate', name: /(_C|_c_rate)$/, min: -100, max: 100 },
  { kind: 'a temperature difference in K', name: /_K$/, min: -1000, max: 1000 },
  { kind: 'a percentage', name: /_pct(_max)?$/, min: -100, max: 100 },
  { kind: 'an SOC or SOH fraction', name: /(_soc|^soc_(min|max)|^soh_(min|max))$/, min: -2, max: 2 },
  { kind: 'a rate in Hz', name: /_Hz$/, min: 0, max: 10000 },
  { kind: 'a charge in Ah', name: /_Ah$/, min: 0, max: 100000 },
  { kind: 'a count', name: /(^max_findings|_count|_rows|_steps|_samples|^top_n)$/, min: 0, max: 1e6 },
  { kind: 'a severity tier', name: /_severity$/, min: 0, max: 10 },
  { kind: 'a fraction', name: /(_fraction|_share|_coverage)$/, min: 0, max: 1 },
  { kind: 'a factor or ratio', name: /(_factor|^k|_ratio|_rel|_drop|_tolerance)$/, min: 0, max: 1000 },
  { kind: 'a number', name: /./, min: -1e9, max: 1e9 },
];

/** The kind of a key ("check.id.name"), from its name. */
export function keyKind(key: string): KeyKind {
  const name = key.slice(key.lastIndexOf('.') + 1);
  return KEY_KINDS.find((k) => k.name.test(name))!;
}

/** A profile file. */
export interface ProfileFile {
  schema: string;
  name: string;
  description?: string;
  extends?: string;
  /** check id → key → number (or boolean / string for switches). */
  checks: Record<string, Record<string, number | boolean | string | null>>;
  /** "check.key" → source text. */
  sources?: Record<string, string>;
}

export class ProfileError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/**
 * The default profile's values live in one file per check group (profiles/defaults/GROUP.json,
 * `{"checks": {…}, "sources": {…}}`), merged into profiles/default.json's own.
 */
type Part = { checks: Record<string, Record<string, number | boolean | string | null>>; sources?: Record<string, string> };
function merged(base: unknown, parts: Part[]): ProfileFile {
  const b = base as ProfileFile;
  const out: ProfileFile = { ...b, checks: { ...b.checks }, sources: { ...(b.sources ?? {}) } };
  for (const p of parts) {
    Object.assign(out.checks, p.checks);
    Object.assign(out.sources!, p.sources ?? {});
  }
  return out;
}
const DEFAULT_PARTS = [qualityDefaults, envelopeDefaults, reactionDefaults, socDefaults, thermalDefaults, cellsDefaults, summaryDefaults] as Part[];

const BUILT_IN: Record<string, unknown> = {
  default: merged(defaultProfile, DEFAULT_PARTS),
  gb38031: gb38031Profile,
  lab: labProfile,
};
export const BUILT_IN_PROFILES = Object.keys(BUILT_IN);

/** A resolved profile: every value with its source. */
export class Profile {
  readonly name: string;
  readonly description: string;
  private readonly values = new Map<string, { value: number | boolean | string | null; source: string }>();

  constructor(name: string, description: string) {
    this.name = name;
    this.description = description;
  }

  /** Sets a value (used by parseProfile and by overrides). */
  set(key: string, value: number | boolean | string | null, source: string): void {
    // a value outside its kind's range is a typo; a negative duration would judge before the event
    if (typeof value === 'number') {
      const k = keyKind(key);
      if (value < k.min || value > k.max) {
        const cli = source === 'CLI override';
        const bound = value < k.min ? `>= ${k.min}` : `<= ${k.max}`;
        throw new ProfileError(cli ? '--set' : `checks.${key}`, `${cli ? `${key} is ` : ''}${k.kind}, got ${value} (must be ${bound})`);
      }
    }
    this.values.set(key, { value, source });
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  /** A numeric threshold with its source; throws ProfileError when missing or not a number. */
  threshold(key: string, unit: string): Threshold {
    const v = this.values.get(key);
    if (v === undefined) throw new ProfileError(key, `missing from profile "${this.name}"`);
    if (v.value !== null && typeof v.value !== 'number') throw new ProfileError(key, `expected a number, got ${JSON.stringify(v.value)}`);
    return { value: v.value, unit, source: v.source };
  }

  /** A number (NaN when null). */
  num(key: string): number {
    const t = this.threshold(key, '');
    return t.value ?? NaN;
  }

  /** A switch. */
  flag(key: string): boolean {
    const v = this.values.get(key);
    if (v === undefined) throw new ProfileError(key, `missing from profile "${this.name}"`);
    if (typeof v.value !== 'boolean') throw new ProfileError(key, `expected true or false, got ${JSON.stringify(v.value)}`);
    return v.value;
  }

  /** Every key, sorted (for reports and tests). */
  keys(): string[] {
    return [...this.values.keys()].sort();
  }

  /** The source of a key. */
  source(key: string): string {
    return this.values.get(key)?.source ?? `profile ${this.name}`;
  }

  /** `check.key=value` from the command line. */
  override(assignment: string): void {
    const m = /^([a-z0-9_.]+)\.([a-zA-Z0-9_]+)=(.*)$/.exec(assignment);
    if (!m) throw new ProfileError('--set', `expected CHECK.KEY=VALUE, got "${assignment}"`);
    const key = `${m[1]}.${m[2]}`;
    const old = this.values.get(key);
    if (old === undefined) throw new ProfileError('--set', `unknown key "${key}" (profile "${this.name}" has ${this.values.size} keys)`);
    const raw = m[3]!;
    let value: number | boolean | string | null;
    if (typeof old.value === 'boolean') {
      if (raw !== 'true' && raw !== 'false') throw new ProfileError('--set', `${key} takes true or false, got "${raw}"`);
      value = raw === 'true';
    } else if (typeof old.value === 'number' || old.value === null) {
      // Number('') and Number(' ') are 0: an empty value is a typo, not a zero
      value = raw === 'null' ? null : raw.trim() === '' ? NaN : Number(raw);
      if (typeof value === 'number' && !Number.isFinite(value)) throw new ProfileError('--set', `${key} takes a number, got "${raw}"`);
    } else value = raw;
    this.set(key, value, 'CLI override');
  }
}

/** Validates a profile value and resolves `extends` (built-in names, or `resolve` for others). */
export function parseProfile(value: unknown, resolve: (name: string) => unknown = (n) => BUILT_IN[n], depth = 0): Profile {
  if (typeof value === 'string') {
    const text = value.replace(/^\uFEFF/, '');
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new ProfileError('(file)', jsonSyntaxMessage(text, e));
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProfileError('(file)', 'expected a JSON object');
  const f = value as Partial<ProfileFile>;
  if (f.schema !== PROFILE_SCHEMA) throw new ProfileError('schema', `expected "${PROFILE_SCHEMA}", got ${JSON.stringify(f.schema)}`);
  if (typeof f.name !== 'string' || f.name === '') throw new ProfileError('name', 'expected a non-empty string');
  if (typeof f.checks !== 'object' || f.checks === null) throw new ProfileError('checks', 'expected an object');
  for (const k of Object.keys(f)) {
    if (!['schema', 'name', 'description', 'extends', 'checks', 'sources'].includes(k)) throw new ProfileError(k, 'unknown field');
  }
  let p: Profile;
  if (f.extends !== undefined) {
    if (depth > 8) throw new ProfileError('extends', 'too deep (a cycle?)');
    const base = resolve(f.extends);
    if (base === undefined) throw new ProfileError('extends', `unknown profile "${f.extends}" (built in: ${BUILT_IN_PROFILES.join(', ')})`);
    const b = parseProfile(base, resolve, depth + 1);
    p = new Profile(f.name, f.description ?? b.description);
    for (const k of b.keys())
      p.set(k, (b as unknown as { values: Map<string, { value: number | boolean | string | null }> }).values.get(k)!.value, b.source(k));
  } else p = new Profile(f.name, f.description ?? '');
  for (const [check, entries] of Object.entries(f.checks)) {
    if (typeof entries !== 'object' || entries === null) throw new ProfileError(`checks.${check}`, 'expected an object');
    for (const [k, v] of Object.entries(entries)) {
      const key = `${check}.${k}`;
      if (v !== null && typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'string') {
        throw new ProfileError(`checks.${key}`, `expected a number, true/false, a string or null, got ${JSON.stringify(v)}`);
      }
      if (typeof v === 'number' && !Number.isFinite(v)) throw new ProfileError(`checks.${key}`, 'not a finite number');
      p.set(key, v, f.sources?.[key] ?? `profile ${f.name}`);
    }
  }
  for (const k of Object.keys(f.sources ?? {})) {
    if (!p.has(k)) throw new ProfileError(`sources.${k}`, 'names no value of the profile');
  }
  return p;
}

/** A built-in profile by name. */
export function builtInProfile(name: string): Profile {
  const v = BUILT_IN[name];
  if (v === undefined) throw new ProfileError('--profile', `unknown profile "${name}" (built in: ${BUILT_IN_PROFILES.join(', ')})`);
  return parseProfile(v);
}
