/**
 * `natrium resim` end to end (node bin/natrium.js in a child process): a clean capture against its
 * own scenario exits 0 and says where the ambient came from; a lower overvoltage limit exits 1
 * with the channels in the JSON; bad input is one line on stderr and exit 2. The processes start
 * together in beforeAll, two at a time.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioCapture } from '../analyzer/scenario-capture.ts';

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
      [join(ROOT, 'bin/natrium.js'), 'resim', ...args],
      { cwd: ROOT, env: { ...process.env, NATRIUM_DEBUG: '' }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const dir = mkdtempSync(join(tmpdir(), 'natrium-resim-cli-'));
const f = (name: string) => join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CASES = {
  clean: () => [f('d.cap')],
  md: () => [f('d.cap'), '--md'],
  lowOv: () => [f('d.cap'), '--config', f('low-ov.json'), '--json'],
  badTolerance: () => [f('d.cap'), '--tolerance', 'soc=-1'],
  noFile: () => [f('missing.cap')],
  otherPack: () => [f('d.cap'), '--scenario', 'three-wheeler-fleet-day'],
} as const;
const runs = {} as Record<keyof typeof CASES, Run>;

beforeAll(async () => {
  writeFileSync(f('d.cap'), scenarioCapture('default', 120));
  writeFileSync(
    f('low-ov.json'),
    JSON.stringify({
      scheduler: { fast_period_ms: 100, mid_period_ms: 100, slow_period_ms: 1000 },
      checks: { cell_overvoltage: { mol_V: 3.4, rsl_V: 3.5, msl_V: 3.6 } },
    }),
  );
  const names = Object.keys(CASES) as (keyof typeof CASES)[];
  for (let i = 0; i < names.length; i += 2) {
    await Promise.all(names.slice(i, i + 2).map(async (n) => (runs[n] = await natrium([...CASES[n]()]))));
  }
}, 120_000);

describe('natrium resim', () => {
  it('should exit 0 on a clean capture against its own scenario and say what drove it', () => {
    const r = runs.clean;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/within tolerance: no differences/);
    expect(r.stdout).toMatch(/ambient: the scenario's \(the capture has no ambient channel\)/);
    expect(r.stdout).toMatch(/host requests \(from the capture's states\): NORMAL at 0 s/);
    expect(runs.md.code).toBe(0);
    expect(runs.md.stdout.startsWith('# natrium resim\n\n- resim of')).toBe(true);
  });

  it('should exit 1 with a lower overvoltage limit and name the channels in the JSON', () => {
    const r = runs.lowOv;
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.stdout) as { schema: string; diff: { differences: { channel: string; ranges: { t_start_s: number }[] }[] } };
    expect(rep.schema).toBe('natrium.resim/1');
    const channels = rep.diff.differences.map((d) => d.channel);
    expect(channels).toEqual(expect.arrayContaining(['state', 'faultMask']));
    expect(rep.diff.differences.find((d) => d.channel === 'faultMask')!.ranges[0]!.t_start_s).toBeLessThan(5);
  });

  it('should refuse bad input with one line and exit 2', () => {
    for (const [name, pattern] of [
      ['badTolerance', /^natrium: --tolerance: soc: abs must be a number >= 0/],
      ['noFile', /^natrium: .*missing\.cap: \(file\): no such file/],
      ['otherPack', /^natrium: .*d\.cap: INFO: the capture is of a 100s2p pack, scenario three-wheeler-fleet-day of 20s10p/],
    ] as const) {
      const r = runs[name];
      expect(r.code, name).toBe(2);
      expect(r.stdout, name).toBe('');
      expect(r.stderr.trim().split('\n'), name).toHaveLength(1);
      expect(r.stderr, name).toMatch(pattern);
    }
  });
});
