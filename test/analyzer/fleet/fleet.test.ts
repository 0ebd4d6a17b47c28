/**
 * natrium fleet over generated captures with planted faults (and a clean one, and a file that is
 * no capture): the fleet report names each fault's pack, `natrium query` returns each fault from
 * the dataset, and a re-run adds no rows. Spawns the CLI (worker threads, as users run it).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetReport } from '../../../analyzer/node/fleet.ts';
import { expandInputs } from '../../../analyzer/node/fleet.ts';
import { queryDataset } from '../../../analyzer/node/query.ts';
import { scenarioCapture } from '../scenario-capture.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLEAN = fileURLToPath(new URL('../../device/fixtures/capture-8s1p-short.json', import.meta.url));
/** Scenario, capture length (device s), and the fault code its BMS must raise. */
const PLANTED = [
  ['fault-ntc-open', 140, 'NTC_OPEN'],
  ['fault-host-comm-loss', 130, 'HOST_COMM_LOSS'],
  ['fault-open-sense-wire', 130, 'OPEN_SENSE_WIRE'],
] as const;
const dir = mkdtempSync(join(tmpdir(), 'natrium-fleet-'));
const logs = join(dir, 'logs');
const ds = join(dir, 'dataset');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const natrium = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/natrium.js'), ...args], { encoding: 'utf8', cwd: ROOT });

beforeAll(() => {
  mkdirSync(join(logs, 'sub'), { recursive: true });
  for (const [name, s] of PLANTED) writeFileSync(join(logs, `${name}.bin`), scenarioCapture(name, s));
  writeFileSync(join(logs, 'sub', 'clean.bin'), scenarioCapture(CLEAN));
  // below the directory but no natrium log: notes, a hidden directory, an earlier dataset
  writeFileSync(join(logs, 'notes.txt'), 'not a capture\n');
  mkdirSync(join(logs, '.git'), { recursive: true });
  writeFileSync(join(logs, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  mkdirSync(join(logs, 'old-dataset', '_fleet'), { recursive: true });
  writeFileSync(join(logs, 'old-dataset', '_fleet', 'x.json'), '{}');
  // a trace by its header that does not parse: a log, unreadable
  writeFileSync(join(logs, 'broken.csv'), '# natrium-trace/1 {not json\n');
}, 120_000);

describe('natrium fleet', () => {
  let first: ReturnType<typeof natrium>;
  beforeAll(() => {
    first = natrium('fleet', logs, '--out', ds, '--jobs', '2', '--date', '2026-03-04', '--json');
  }, 120_000);

  it('should take the natrium logs below a directory, or the files a glob matches', () => {
    const below = expandInputs([logs]);
    expect(below.paths.map((p) => p.slice(logs.length + 1))).toEqual([
      'broken.csv',
      'fault-host-comm-loss.bin',
      'fault-ntc-open.bin',
      'fault-open-sense-wire.bin',
      'sub/clean.bin',
    ]);
    expect(below.skipped.map((x) => [x.path.slice(logs.length + 1), x.why])).toEqual([
      ['notes.txt', 'no natrium frame in its first 14 bytes and no trace header'],
      ['old-dataset', 'a natrium dataset'],
    ]);
    expect(expandInputs([join(logs, 'fault-*.bin')]).paths).toHaveLength(3);
    expect(expandInputs([join(logs, 'notes.txt')]).paths).toEqual([join(logs, 'notes.txt')]); // named: analysed (and reported)
    expect(expandInputs([dir], ds).paths).toHaveLength(5); // the dataset below the directory is not input, nor listed
    expect(expandInputs([dir], ds).skipped.map((x) => x.path)).not.toContain(ds);
  });

  it('should refuse a named input that is not there, in one line with exit 2', () => {
    expect(() => expandInputs([join(logs, 'no-such.bin')])).toThrow(/no-such\.bin: \(input\): no such file or directory/);
    const r = natrium('fleet', join(dir, 'no-such-dir'), '--out', join(dir, 'never'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^natrium: [^\n]*no-such-dir: \(input\): no such file or directory\n$/);
  });

  it('should analyse every capture, list the unreadable log and the skipped files, and exit 1', () => {
    expect(first.status, first.stderr).toBe(1);
    const out = JSON.parse(first.stdout) as FleetReport & { run: { workers: number; failures: { path: string }[]; skipped: { path: string }[] } };
    expect(out.run.workers).toBe(2);
    expect(out.run.failures.map((f) => f.path)).toEqual([join(logs, 'broken.csv')]);
    expect(out.run.skipped.map((x) => x.path)).toEqual([join(logs, 'notes.txt'), join(logs, 'old-dataset')]);
    expect(out.captures).toBe(4);
    const md = readFileSync(join(ds, 'fleet-report.md'), 'utf8');
    for (const [, , code] of PLANTED) expect(md).toContain(code);
  });

  it('should make each planted fault queryable, in events and findings, with its pack', async () => {
    const ev = await queryDataset(ds, 'SELECT DISTINCT code_name FROM events WHERE raised ORDER BY 1');
    const codes = ev.rows.map((r) => r[0]);
    for (const [, , code] of PLANTED) expect(codes).toContain(code);
    const f = await queryDataset(ds, "SELECT count(DISTINCT capture_id) FROM findings WHERE check_id = 'reaction.bms_alarms'");
    expect(Number(f.rows[0]![0])).toBe(PLANTED.length);
    const dates = await queryDataset(ds, 'SELECT DISTINCT date::VARCHAR FROM frames');
    expect(dates.rows).toEqual([['2026-03-04']]);
  });

  it('should not duplicate rows when run again on the same captures', async () => {
    const count = async () => (await queryDataset(ds, 'SELECT (SELECT count(*) FROM frames) + (SELECT count(*) FROM findings)')).rows[0]![0];
    const before = await count();
    const again = natrium('fleet', logs, '--out', ds, '--date', '2026-03-04');
    expect(again.status, again.stderr).toBe(1);
    expect(await count()).toBe(before);
    expect((JSON.parse(readFileSync(join(ds, 'fleet-report.json'), 'utf8')) as FleetReport).captures).toBe(4);
  }, 120_000);
});
