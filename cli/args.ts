/** Argument parsing shared by the subcommands (node:util parseArgs with clear errors). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LinkFaultSpecError, parseLinkFaults } from '../device/linkfaults.ts';
import type { LinkFaultRates } from '../protocol/linkfaults.ts';

export class UsageError extends Error {
  readonly usageError = true;
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends Options>(argv: string[], options: O, _usage: string) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    const msg = (e as Error).message;
    const unknown = /^Unknown option '([^']+)'/.exec(msg);
    throw new UsageError(unknown ? `unknown option ${unknown[1]}` : msg.split('\n')[0]!);
  }
}

/** A numeric option: finite, within bounds; the error names the option. */
export function num(name: string, raw: string | undefined, dflt: number, opts: { min?: number; gt?: number; integer?: boolean } = {}): number {
  if (raw === undefined) return dflt;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${name}: expected a number, got "${raw}"`);
  if (opts.integer && !Number.isInteger(v)) throw new UsageError(`--${name}: expected a whole number, got "${raw}"`);
  if (opts.min !== undefined && v < opts.min) throw new UsageError(`--${name}: must be >= ${opts.min}, got ${v}`);
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
