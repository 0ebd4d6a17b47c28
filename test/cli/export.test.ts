/**
 * natrium export and natrium query (spawned): a capture exported as Parquet, CSV and BDF; query
 * in its three output forms and with a named example; bad arguments and a bad query are one line
 * and exit 2.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = 'test/device/fixtures/capture-8s1p-short.json';
const dir = mkdtempSync(join(tmpdir(), 'natrium-cli-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const natrium = (...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'bin/natrium.js'), ...args], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, NATRIUM_DEBUG: '' } });
const CAP = join(dir, 'c.bin');
const DS = join(dir, 'ds');

function expectUsage(r: ReturnType<typeof natrium>, what: string): void {
  expect(r.status, r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(what);
}

beforeAll(() => {
  expect(natrium('capture', FIXTURE, '--out', CAP).status).toBe(0);
  const r = natrium('export', CAP, '--out', DS, '--pack-id', 'rig-7', '--date', '2026-05-06');
  expect(r.status, r.stderr).toBe(0);
}, 60_000);

describe('natrium export', () => {
  it('should write the five tables under pack_id=…/date=…', () => {
    for (const t of ['frames', 'cells', 'temperatures', 'events', 'findings']) {
      const d = join(DS, t, 'pack_id=rig-7', 'date=2026-05-06');
      expect(
        readdirSync(d).filter((f) => f.endsWith('.parquet')),
        t,
      ).toHaveLength(1);
    }
  });

  it('should write CSV and BDF forms', () => {
    expect(natrium('export', CAP, '--format', 'csv', '--out', join(dir, 'csv'), '--pack-id', 'p', '--date', '2026-05-06').status).toBe(0);
    expect(existsSync(join(dir, 'csv', 'frames', 'pack_id=p', 'date=2026-05-06'))).toBe(true);
    expect(natrium('export', CAP, '--format', 'bdf', '--out', join(dir, 'bdf'), '--pack-id', 'p', '--date', '2026-05-06').status).toBe(0);
    const [id] = readdirSync(join(dir, 'bdf', 'bdf', 'pack_id=p', 'date=2026-05-06'));
    expect(readdirSync(join(dir, 'bdf', 'bdf', 'pack_id=p', 'date=2026-05-06', id!))).toHaveLength(8);
  });

  it('should keep a sim trace exact as integer raw units (no column falls back to double)', () => {
    const trace = join(dir, 't.csv');
    expect(natrium('sim', FIXTURE, '--out', trace, '--cells', 'all').status).toBe(0);
    const out = join(dir, 'trace-ds');
    expect(natrium('export', trace, '--out', out, '--date', '2026-05-06').status).toBe(0);
    const q = natrium(
      'query',
      out,
      "SELECT key::VARCHAR AS k, value::VARCHAR AS v FROM parquet_kv_metadata('" + out + "/*/*/*/*.parquet') WHERE key::VARCHAR = 'natrium.double_columns'",
      '--json',
    );
    expect(q.status, q.stderr).toBe(0);
    const rows = JSON.parse(q.stdout) as { v: string }[];
    expect(rows.length).toBe(5);
    expect(rows.map((r) => r.v)).toEqual(['', '', '', '', '']);
    const types = JSON.parse(natrium('query', out, 'SELECT column_name, column_type FROM (DESCRIBE cells)', '--json').stdout) as {
      column_name: string;
      column_type: string;
    }[];
    expect(types.find((t) => t.column_name === 'voltage_V')!.column_type).toBe('DECIMAL(9,5)');
    const n = JSON.parse(natrium('query', out, 'SELECT count(voltage_V) AS n, count(temperature_C) AS t FROM cells', '--json').stdout)[0];
    expect(n.n).toBeGreaterThan(0);
    expect(n.t).toBe(n.n); // a trace has one temperature per cell
  });

  it('should reject bad arguments with one line and exit 2', () => {
    expectUsage(natrium('export', CAP, '--out', DS, '--format', 'xlsx'), '--format');
    expectUsage(natrium('export', CAP), '--out');
    expectUsage(natrium('export', CAP, '--out', DS, '--date', 'May'), '--date');
    expectUsage(natrium('export', join(dir, 'missing.bin'), '--out', DS), 'missing.bin');
  });
});

describe('natrium query', () => {
  it('should print a table, CSV and JSON', () => {
    const sql = 'SELECT pack_id, date, count(*) AS n FROM frames GROUP BY ALL';
    const t = natrium('query', DS, sql);
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/^pack_id\s+date\s+n\n/);
    expect(t.stdout).toContain('(1 rows)');
    const c = natrium('query', DS, sql, '--csv');
    expect(c.stdout.split('\n')[1]).toMatch(/^rig-7,2026-05-06,\d+$/);
    const j = JSON.parse(natrium('query', DS, sql, '--json').stdout);
    expect(j[0].pack_id).toBe('rig-7');
    expect(j[0].n).toBeGreaterThan(100);
  });

  it('should run a named example and list them', () => {
    const r = natrium('query', DS, '--example', 'worst-cell-spread', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)[0].spread_V).toBeGreaterThan(0);
    expect(natrium('query', '--examples').stdout).toContain('-- capacity-trend');
  });

  it('should make a bad query or dataset one line and exit 2', () => {
    expectUsage(natrium('query', DS, 'SELECT nope FROM frames'), 'SQL');
    expectUsage(natrium('query', join(dir, 'nothing'), 'SELECT 1'), 'nothing');
    expectUsage(natrium('query', DS, '--example', 'nope'), '--example');
  });
});
