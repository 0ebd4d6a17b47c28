/**
 * natrium diff A B [--tolerance CHANNEL=abs,rel,time …] [--json | --md]
 *
 * Aligns two captures or sim traces on device time and compares their channels (analyzer/diff.ts):
 * where, and by how much, B parts from the baseline A. Exit 0 within tolerance, 1 beyond it, 2 for
 * unreadable input or bad arguments.
 */
import { type Tolerances, channelsOf, diffTimelines, parseTolerance } from '../analyzer/diff.ts';
import { diffText } from '../analyzer/report/diff.ts';
import { loadInput } from '../analyzer/node/input.ts';
import { UsageError, parse } from './args.ts';

const USAGE = `usage: natrium diff A B [--tolerance CHANNEL=abs,rel,time …] [--json | --md]

Compares capture or trace B against the baseline A, aligned on device time. A row of A is within
tolerance when B has a value within ±time seconds that is within abs + rel·|b| of it. CHANNEL is
a channel (current_A, cellVoltage_V[3]), a base name for all its indices (cellVoltage_V), or *
for every channel; the default is exact. Exit code: 0 within tolerance, 1 beyond, 2 bad input.`;

/** The --tolerance options (UsageError on a bad one). */
export function parseTolerances(specs: string[]): Tolerances {
  const tolerances: Tolerances = {};
  for (const spec of specs) {
    try {
      const [ch, t] = parseTolerance(spec);
      tolerances[ch] = t;
    } catch (e) {
      throw new UsageError(`--tolerance: ${(e as Error).message}`);
    }
  }
  return tolerances;
}

/**
 * Refuses a --tolerance naming no channel of the inputs (a typo would otherwise leave that channel
 * exact): a channel, a base name of indexed channels (`cellVoltage_V`) or `*`.
 */
export function checkToleranceChannels(tolerances: Tolerances, channels: Iterable<string>, where = 'the inputs'): void {
  const known = new Set<string>(['*']);
  let indexed = false;
  for (const c of channels) {
    const base = c.replace(/\[\d+\]$/, '');
    if (base !== c) indexed = true;
    known.add(c).add(base);
  }
  for (const ch of Object.keys(tolerances)) {
    if (known.has(ch)) continue;
    const bases = [...known].filter((k) => k !== '*' && !/\[\d+\]$/.test(k));
    const list = `${bases.slice(0, 12).join(', ')}${bases.length > 12 ? ', …' : ''}${indexed ? '; one of an indexed channel as NAME[i]' : ''}`;
    throw new UsageError(`--tolerance: no channel "${ch}" in ${where} (channels: ${list}; * for all)`);
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { tolerance: { type: 'string', multiple: true, default: [] }, json: { type: 'boolean', default: false }, md: { type: 'boolean', default: false } },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError(`expected two inputs A and B, got ${positionals.length}\n${USAGE}`);
  if (values.json && values.md) throw new UsageError('give at most one of --json and --md');
  const tolerances = parseTolerances(values.tolerance as string[]);
  const [pa, pb] = positionals as [string, string];
  const a = loadInput(pa).timeline;
  const b = loadInput(pb).timeline;
  checkToleranceChannels(tolerances, [...channelsOf(a).keys(), ...channelsOf(b).keys()]);
  const report = diffTimelines(a, b, tolerances, { a: pa, b: pb });
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(diffText(report, values.md === true));
  return report.exit_code;
}
