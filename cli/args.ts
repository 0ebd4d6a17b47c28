/** Argument parsing shared by the subcommands (node:util parseArgs with clear errors). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LinkFaultSpecError, parseLinkFaults } from '../device/linkfaults.ts';
import type { LinkFaultRates } from '../protocol/linkfaults.ts';

export class UsageError extends Error {
  readonly usageError = true;
}

export type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parse a command's arguments. An option that takes a value takes the next argument whatever it
 * looks like (`--temperature -20`, `--soc -0.01`), as getopt does: node:util's parseArgs refuses
 * a value that starts with `-` unless written `--name=value`, so such pairs are joined first.
 * Every option must be listed in the command's usage text (a programming error otherwise).
 */
export function parse<O extends Options>(argv: string[], options: O, usage: string) {
  const all = { ...options, help: { type: 'boolean' as const, short: 'h' } };
  for (const name of Object.keys(options)) {
    if (!new RegExp(`--${name}(?![\\w-])`).test(usage)) throw new Error(`option --${name} is missing from the usage text`);
  }
  try {
    return parseArgs({ args: joinValues(argv, all), options: all, allowPositionals: true, strict: true });
  } catch (e) {
    const msg = (e as Error).message;
    const unknown = /^Unknown option '([^']+)'/.exec(msg);
    throw new UsageError(unknown ? `unknown option ${unknown[1]}` : msg.split('\n')[0]!);
  }
}

/** `--name VALUE` and `-x VALUE` for options taking a value become `--name=VALUE`; `--` ends options. */
function joinValues(argv: string[], options: Options): string[] {
  const byShort = new Map(Object.entries(options).flatMap(([name, o]) => (o.short ? [[o.short, name] as const] : [])));
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const name = a.startsWith('--') ? a.slice(2) : /^-\w$/.test(a) ? byShort.get(a.slice(1)) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && i + 1 < argv.length) {
      out.push(`--${name}=${argv[++i]}`);
    } else {
      out.push(a);
    }
  }
  return out;
}

/** A numeric option: finite, within bounds; the error names the option. */
export function num(name: string, raw: string | undefined, dflt: number, opts: { min?: number; max?: number; gt?: number; integer?: boolean } = {}): number {
  if (raw === undefined) return dflt;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${name}: expected a number, got "${raw}"`);
  if (opts.integer && !Number.isInteger(v)) throw new UsageError(`--${name}: expected a whole number, got "${raw}"`);
  if (opts.min !== undefined && v < opts.min) throw new UsageError(`--${name}: must be >= ${opts.min}, got ${v}`);
  if (opts.max !== undefined && v > opts.max) throw new UsageError(`--${name}: must be <= ${opts.max}, got ${v}`);
  if (opts.gt !== undefined && !(v > opts.gt)) throw new UsageError(`--${name}: must be > ${opts.gt}, got ${v}`);
  return v;
}

/** The --link-faults option (device/linkfaults.ts): null when absent; a bad spec is a usage error. */
export function linkFaultsOption(raw: string | undefined): LinkFaultRates | null {
  if (raw === undefined) return null;
  try {
    return parseLinkFaults(raw);
  } catch (e) {
    if (e instanceof LinkFaultSpecError) throw new UsageError(`--link-faults: ${e.message}`);
    throw e;
  }
}

/** A --date option: YYYY-MM-DD naming a day of the calendar (2026-02-30 is refused); undefined when absent. */
export function dateOption(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  if (!m) throw new UsageError(`--date: expected YYYY-MM-DD, got "${raw}"`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (d.toISOString().slice(0, 10) !== raw) throw new UsageError(`--date: ${raw} is not a day of the calendar`);
  return raw;
}
