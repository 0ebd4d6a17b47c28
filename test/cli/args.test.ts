/**
 * cli/args.ts: an option that takes a value takes the next argument whatever it looks like
 * (negative numbers), `--` ends the options, every option must be in the usage text, and
 * numeric options name themselves in their errors. In-process (no child processes).
 */
import { describe, expect, it } from 'vitest';
import { UsageError, num, parse } from '../../cli/args.ts';

const OPTIONS = { soc: { type: 'string' }, out: { type: 'string', short: 'o' }, json: { type: 'boolean' } } as const;
const USAGE = 'usage: x [--soc Z] [--out FILE|-o FILE] [--json]';

describe('parse', () => {
  // for values that start with "-" (negative numbers, "-" for stdin)
  // such that they follow an option that takes a value
  // the option gets them as its value instead of an "ambiguous" error
  it('should give an option taking a value the next argument, negative or not', () => {
    const { values, positionals } = parse(['--soc', '-0.01', '-o', '-', 'A', '--json'], OPTIONS, USAGE);
    expect(values.soc).toBe('-0.01');
    expect(values.out).toBe('-');
    expect(values.json).toBe(true);
    expect(positionals).toEqual(['A']);
    expect(parse(['--soc=-20'], OPTIONS, USAGE).values.soc).toBe('-20');
  });

  it('should stop reading options at --', () => {
    const { values, positionals } = parse(['--', '--soc', '-1'], OPTIONS, USAGE);
    expect(values.soc).toBeUndefined();
    expect(positionals).toEqual(['--soc', '-1']);
  });

  it('should refuse an unknown option, a boolean with a value and a missing value as UsageErrors', () => {
    expect(() => parse(['--bogus'], OPTIONS, USAGE)).toThrow(new UsageError('unknown option --bogus'));
    expect(() => parse(['--json=1'], OPTIONS, USAGE)).toThrow(UsageError);
    expect(() => parse(['--soc'], OPTIONS, USAGE)).toThrow(UsageError);
  });

  it('should refuse (as a programming error) an option the usage text does not list', () => {
    expect(() => parse([], { ...OPTIONS, 'max-rows': { type: 'string' } }, USAGE)).toThrow('option --max-rows is missing from the usage text');
    // a longer option that starts with the name does not count as listing it
    expect(() => parse([], { so: { type: 'string' } }, USAGE)).toThrow('option --so is missing');
  });
});

describe('num', () => {
  it('should read negative, exponent and bounded values and name the option in errors', () => {
    expect(num('temperature', '-20', 0)).toBe(-20);
    expect(num('dt', '1e-3', 1, { min: 1e-3 })).toBe(1e-3);
    expect(num('dt', undefined, 1)).toBe(1);
    expect(() => num('dt', '1e-300', 1, { min: 1e-3 })).toThrow('--dt: must be >= 0.001, got 1e-300');
    expect(() => num('soc', 'NaN', 1)).toThrow('--soc: expected a number, got "NaN"');
    expect(() => num('h', '2', 0, { max: 1 })).toThrow('--h: must be <= 1, got 2');
  });
});
