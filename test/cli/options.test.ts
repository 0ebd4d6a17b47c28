/**
 * The CLI's options as a user types them (node bin/natrium.js in a child process, two at a time):
 * --version, `help COMMAND`, every command's --help (which fails if an option is missing from the
 * usage text: cli/args.ts), negative values, --allow-abuse marking the summary and the trace,
 * --capacity and --hysteresis of `sim cell`, and a scenario file with a UTF-8 byte order mark.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadChemistry } from '../../sim/node/load.ts';
import { interp1 } from '../../sim/table.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function natrium(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin/natrium.js'), ...args],
      { cwd: ROOT, env: { ...process.env, NATRIUM_DEBUG: '' }, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
      },
    );
  });
}

const dir = mkdtempSync(join(tmpdir(), 'natrium-cli-options-'));
const f = (name: string) => join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COMMANDS = ['demo', 'sim', 'scenarios', 'capture', 'emulate', 'stream', 'replay', 'analyze', 'decode'];
const SCENARIO = {
  name: 'abuse',
  chemistry: 'naion-18650-layered',
  pack: { ns: 2, np: 1 },
  ambient: { constant_C: 25 },
  initial: { soc: 0.5 },
  steps: ['Discharge at 1000C for 3 s', 'Rest for 5 s'],
};
const cell = (out: string, ...more: string[]) => [
  'sim',
  'cell',
  '--chemistry',
  'naion-18650-layered',
  '--current',
  f('p.csv'),
  '--dt',
  '1',
  '--out',
  f(out),
  ...more,
];

const JOBS: Record<string, string[]> = {
  version: ['--version'],
  helpSim: ['help', 'sim'],
  simHelp: ['sim', '--help'],
  helpCell: ['help', 'sim', 'cell'],
  cold: cell('cold.csv', '--temperature', '-20', '--ambient', '-20'),
  big: cell('big.csv', '--capacity', '3', '--hysteresis', '-1'),
  charged: cell('charged.csv', '--capacity', '1.2', '--hysteresis', 'charge'),
  discharged: cell('discharged.csv', '--hysteresis', 'Discharge'),
  plain: cell('plain.csv'),
  abuseJson: ['sim', f('abuse.json'), '--allow-abuse', '--json', '--out', f('abuse.csv')],
  abuseText: ['sim', f('abuse.json'), '--allow-abuse'],
  bom: ['sim', f('bom.json'), '--json'],
  ...Object.fromEntries(COMMANDS.map((c) => [`help-${c}`, [c, '--help']])),
};
const runs: Record<string, Run> = {};

beforeAll(async () => {
  writeFileSync(f('p.csv'), 'time_s,current_A\n0,-1.5\n600,-1.5\n');
  writeFileSync(f('abuse.json'), JSON.stringify(SCENARIO));
  writeFileSync(f('bom.json'), `\uFEFF${JSON.stringify({ ...SCENARIO, name: 'bom', steps: ['Rest for 5 s'] })}`);
  const names = Object.keys(JOBS);
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const n = names[next++]!;
      runs[n] = await natrium(JOBS[n]!);
    }
  };
  await Promise.all([worker(), worker()]);
}, 300_000);

const lastRow = (file: string) => readFileSync(f(file), 'utf8').trim().split('\n').at(-1)!.split(',').map(Number);

describe('natrium --version and help COMMAND', () => {
  it('should print the package version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(runs.version).toEqual({ code: 0, stdout: `natrium ${pkg.version}\n`, stderr: '' });
  });

  it("should print a command's own usage for help COMMAND", () => {
    expect(runs.helpSim!.code).toBe(0);
    expect(runs.helpSim!.stdout).toBe(runs.simHelp!.stdout);
    expect(runs.helpSim!.stdout).toMatch(/^usage: natrium sim SCENARIO/);
    expect(runs.helpCell!.stdout).toBe(runs.simHelp!.stdout);
  });

  it.each(COMMANDS)('should list every option of natrium %s in its --help', (c) => {
    const r = runs[`help-${c}`]!;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: natrium ${c}`));
  });

  it('should list the options the issue found missing', () => {
    for (const o of ['--no-low-temperature-capacity', '--allow-abuse', '--max-rows', '--capacity', '--hysteresis']) expect(runs.simHelp!.stdout).toContain(o);
    expect(runs['help-stream']!.stdout).toContain('--append');
  });
});

describe('natrium sim cell options', () => {
  it('should take negative temperatures as separate arguments', () => {
    expect(runs.cold!.stderr).toBe('');
    expect(runs.cold!.code).toBe(0);
    const first = readFileSync(f('cold.csv'), 'utf8').split('\n')[1]!.split(',').map(Number);
    expect(first.at(-2)).toBe(-20); // temperature_C of row 0
  });

  it('should use --capacity for the SOC and --hysteresis as the start state', () => {
    expect(runs.big!.code).toBe(0);
    const soc = (row: number[]) => row[3]!;
    // 1.5 A for 600 s (one row per step, the last at t = 600 before its step): 0.25 Ah less
    expect(1 - soc(lastRow('plain.csv'))).toBeCloseTo((1.5 * 600) / 3600 / 1.5, 3);
    expect(1 - soc(lastRow('big.csv'))).toBeCloseTo((1.5 * 600) / 3600 / 3, 3);
    const h0 = readFileSync(f('big.csv'), 'utf8').split('\n')[1]!.split(',').map(Number)[6];
    expect(h0).toBe(-1);
  });

  it('should take --hysteresis charge as +1 and discharge as -1, and a measured capacity in Ah', () => {
    expect(runs.charged!.stderr).toBe('');
    expect(runs.charged!.code).toBe(0);
    expect(runs.discharged!.code).toBe(0);
    const firstRow = (name: string) => readFileSync(f(name), 'utf8').split('\n')[1]!.split(',').map(Number);
    expect(firstRow('charged.csv')[6]).toBe(1);
    expect(firstRow('discharged.csv')[6]).toBe(-1);
    expect(firstRow('plain.csv')[6]).toBe(0);
    // At the same SOC a cell last charged sits 2·M(soc) above one last discharged (M·h).
    const { soc, M_V } = loadChemistry('naion-18650-layered').spec.hysteresis;
    expect(firstRow('charged.csv')[2]! - firstRow('discharged.csv')[2]!).toBeCloseTo(2 * interp1(soc, M_V, 1), 9);
    expect(1 - lastRow('charged.csv')[3]!).toBeCloseTo((1.5 * 600) / 3600 / 1.2, 3);
  });
});

describe('natrium sim --allow-abuse', () => {
  it('should run on and mark the JSON summary and the trace', () => {
    const r = runs.abuseJson!;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { envelope: { allowed: boolean; steps_outside: number; first: { quantity: string; cell: number; limit: number }[] } };
    expect(s.envelope.allowed).toBe(true);
    expect(s.envelope.steps_outside).toBeGreaterThanOrEqual(1);
    expect(s.envelope.first[0]).toMatchObject({ quantity: 'current', cell: 1, limit: -9 });
    expect(readFileSync(f('abuse.csv'), 'utf8').split('\n')[0]).toMatch(/"allow_abuse":true\}$/);
  });

  it('should say ABUSE in the text summary', () => {
    expect(runs.abuseText!.code).toBe(0);
    expect(runs.abuseText!.stdout).toMatch(
      /\nABUSE {6}cells left the validity envelope in \d+ steps \(--allow-abuse\); first:\n {2}cell 1 \(group 1, position 1\): current -1500 A beyond/,
    );
  });
});

describe('natrium sim on a scenario with a UTF-8 byte order mark', () => {
  it('should read it as if the mark were not there', () => {
    expect(runs.bom!.stderr).toBe('');
    expect(runs.bom!.code).toBe(0);
    expect((JSON.parse(runs.bom!.stdout) as { scenario: string }).scenario).toBe('bom');
  });
});
