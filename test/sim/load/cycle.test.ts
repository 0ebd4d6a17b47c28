import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../sim/errors.ts';
import { CYCLES, parseCycleCsv } from '../../../sim/load/cycle.ts';
import { CYCLE_DIR, loadCycle } from '../../../sim/node/load.ts';

/** The totals a cycle file's own header states: "# duration 1800 s, distance 23.266 km ...". */
function statedTotals(name: string): { duration_s: number; distance_km: number; v_max_kmh: number } {
  const text = readFileSync(join(CYCLE_DIR, `${name}-speed.csv`), 'utf8');
  const m = /^# duration ([\d.]+) s, distance ([\d.]+) km \(trapezoidal\), v_max ([\d.]+) km\/h/m.exec(text);
  if (m === null) throw new Error(`${name}: no stated totals in the header`);
  return { duration_s: Number(m[1]), distance_km: Number(m[2]), v_max_kmh: Number(m[3]) };
}

describe('loadCycle: shipped cycles', () => {
  it.each(CYCLES)('should load %s with the duration and distance its header states (within 0.5 %%)', (name) => {
    const c = loadCycle(name);
    const stated = statedTotals(name);
    expect(c.name).toBe(name);
    expect(c.file).toBe(`sim/data/cycles/${name}-speed.csv`);
    expect(c.time_s.length).toBe(c.speed_kmh.length);
    expect(Math.abs(c.duration_s - stated.duration_s)).toBeLessThanOrEqual(0.005 * stated.duration_s);
    expect(Math.abs(c.distance_km - stated.distance_km)).toBeLessThanOrEqual(0.005 * stated.distance_km);
    expect(Math.max(...c.speed_kmh)).toBeCloseTo(stated.v_max_kmh, 1);
    // 1 Hz from t = 0, starting and ending at rest
    expect(c.time_s[0]).toBe(0);
    for (let i = 1; i < c.time_s.length; i++) expect(c.time_s[i]! - c.time_s[i - 1]!).toBe(1);
    expect(c.speed_kmh[0]).toBe(0);
    expect(c.speed_kmh[c.speed_kmh.length - 1]).toBe(0);
  });

  it.each(CYCLES)('should keep the source and licence header of %s', (name) => {
    const header = readFileSync(join(CYCLE_DIR, `${name}-speed.csv`), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('#'))
      .join('\n');
    expect(header).toMatch(/licence:/);
    expect(header).toMatch(/source:|RECONSTRUCTED/);
  });

  it('should match the totals of shared/data/README.md for WLTC and IDC 2W/3W', () => {
    // values copied from the README's statistics table
    expect(loadCycle('wltc-class3b').distance_km).toBeCloseTo(23.27, 1);
    expect(loadCycle('idc-2w3w').distance_km).toBeCloseTo(3.95, 1);
    expect(loadCycle('idc-2w3w').duration_s).toBe(648);
  });
});

describe('loadCycle: files by path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'natrium-cycle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should read a time_s,speed_kmh CSV with comments, blank lines and CRLF', () => {
    const path = join(dir, 'my-commute.csv');
    writeFileSync(path, '# my commute\r\n# licence: mine\r\ntime_s,speed_kmh\r\n0,0\r\n\r\n10,36\r\n20,36\r\n# mid comment\r\n30,0\r\n');
    const c = loadCycle(path);
    expect(c.name).toBe('my-commute');
    expect(c.file).toBe(path);
    expect([...c.time_s]).toEqual([0, 10, 20, 30]);
    expect([...c.speed_kmh]).toEqual([0, 36, 36, 0]);
    expect(c.duration_s).toBe(30);
    // 10 s ramp at mean 5 m/s + 10 s at 10 m/s + 10 s ramp at mean 5 m/s = 200 m
    expect(c.distance_km).toBeCloseTo(0.2, 12);
  });

  it('should name the file when it cannot be read', () => {
    expect(() => loadCycle(join(dir, 'missing.csv'))).toThrow(InputError);
    expect(() => loadCycle(join(dir, 'missing.csv'))).toThrow(/missing\.csv: \(file\): no such file \(cycles: wltc-class3b, udds/);
    expect(() => loadCycle('wltc')).toThrow(/^wltc: \(file\): no such file/);
  });

  it('should report a bad value with file, line and column', () => {
    const path = join(dir, 'bad.csv');
    writeFileSync(path, '# x\ntime_s,speed_kmh\n0,0\n1,fast\n');
    expect(() => loadCycle(path)).toThrow(`${path}: line 4, column 2 (speed_kmh): expected a number, got "fast"`);
  });
});

describe('parseCycleCsv: errors', () => {
  const BAD: [string, string, string][] = [
    ['time_s,speed_kmh\n0,0\nx,1\n', 'line 3, column 1 (time_s)', 'expected a number, got "x"'],
    ['time_s,speed_kmh\n0,0\n1,\n', 'line 3, column 2 (speed_kmh)', 'expected a number, got ""'],
    ['time_s,speed_kmh\n0,0\n1,2,3\n', 'line 3, column 3', 'expected 2 values (time_s,speed_kmh), got 3'],
    ['time_s,speed_kmh\n0,0\n1\n', 'line 3, column 2 (speed_kmh)', 'expected 2 values (time_s,speed_kmh), got 1'],
    ['time_s,speed_kmh\n0,0\n1,5\n1,6\n', 'line 4, column 1 (time_s)', 'time must be strictly ascending: 1 after 1'],
    ['time_s,speed_kmh\n0,0\n1,-5\n', 'line 3, column 2 (speed_kmh)', 'speed must be >= 0, got -5'],
    ['# c\ntime,speed_kmh\n0,0\n', 'line 2, column 1 (time_s)', 'expected header "time_s,speed_kmh", got "time"'],
    ['time_s,speed_mps\n0,0\n', 'line 1, column 2 (speed_kmh)', 'expected header "time_s,speed_kmh", got "speed_mps"'],
    ['time_s,speed_kmh,grade\n0,0\n', 'line 1, column 3', 'unexpected column "grade"'],
    ['# only comments\n', '(header)', 'missing header line "time_s,speed_kmh"'],
    ['time_s,speed_kmh\n0,0\n', '(data)', 'expected at least 2 samples, got 1'],
  ];

  it.each(BAD)('should reject %j at %s', (text, field, problem) => {
    let caught: unknown;
    try {
      parseCycleCsv('c.csv', text, 'c');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).field).toBe(field);
    expect((caught as InputError).problem).toContain(problem);
    expect((caught as InputError).file).toBe('c.csv');
  });
});
