/**
 * Scenario validation (sim/scenario.ts): a malformed scenario is rejected with one InputError
 * whose message is a single line `FILE: FIELD.PATH: problem`; the shipped default loads.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../sim/errors.ts';
import { readScenario } from '../../sim/scenario.ts';
import { loadScenario } from '../../sim/node/load.ts';
import { NODE_FILES } from '../../sim/node/files.ts';

const FILE = 'my-scenario.json';

/** A valid scenario to break one field at a time. */
const base = {
  name: 'test',
  chemistry: 'naion-32140-layered',
  pack: { ns: 20, np: 1 },
  vehicle: 'scooter',
  ambient: { constant_C: 30 },
  initial: { soc: 0.8 },
  steps: [{ drive: 'idc-2w3w', until: '20 % SOC' }, 'Rest for 10 minutes'],
};

/** The InputError readScenario throws for `value` (fails the test when it does not throw). */
function rejection(value: unknown): InputError {
  try {
    readScenario(FILE, value, '/nonexistent-dir', NODE_FILES);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('readScenario accepted a malformed scenario');
}

/** One line, `FILE: field: problem`, naming the field path and matching the problem. */
function expectOneLine(e: InputError, field: string, problem: RegExp): void {
  expect(e.message).not.toContain('\n');
  expect(e.file).toBe(FILE);
  expect(e.field).toBe(field);
  expect(e.message.startsWith(`${FILE}: ${field}: `)).toBe(true);
  expect(e.problem).toMatch(problem);
}

describe('readScenario', () => {
  it('should accept the base scenario', () => {
    const sc = readScenario(FILE, base, '.', NODE_FILES);
    expect(sc.pack.ns).toBe(20);
    expect(sc.steps.map((s) => s.kind)).toEqual(['drive', 'experiment']);
  });

  it('should name "steps" when the steps are missing', () => {
    const { steps: _, ...noSteps } = base;
    expectOneLine(rejection(noSteps), 'steps', /^missing$/);
  });

  it('should name "steps" when the step list is empty', () => {
    expectOneLine(rejection({ ...base, steps: [] }), 'steps', /at least one step/);
  });

  it.each([
    [0, /must be >= 1, got 0/],
    [2.5, /whole number, got 2.5/],
    ['20', /finite number, got "20"/],
    [5000, /must be <= 1024, got 5000/],
  ])('should name pack.ns when it is %j', (ns, problem) => {
    expectOneLine(rejection({ ...base, pack: { ns, np: 1 } }), 'pack.ns', problem);
  });

  it('should name an unknown field by its full path and list the allowed ones', () => {
    expectOneLine(rejection({ ...base, seeds: 3 }), 'seeds', /unknown field \(allowed: .*seed.*\)/);
    expectOneLine(rejection({ ...base, pack: { ns: 2, np: 1, busbar_ohms: 0.01 } }), 'pack.busbar_ohms', /unknown field \(allowed: .*busbar_ohm\b/);
    expectOneLine(
      rejection({ ...base, steps: [{ drive: 'idc-2w3w', until: '20 % SOC', repeats: 2 }] }),
      'steps[0].repeats',
      /unknown field \(allowed: .*repeat\b/,
    );
  });

  it('should name the step and the cycle for an unknown drive cycle', () => {
    const e = rejection({ ...base, steps: [{ drive: 'wltc-class3', until: '20 % SOC' }] });
    expectOneLine(e, 'steps[0].drive', /wltc-class3/);
  });

  it.each([['20 furlongs'], ['2 A'], ['SOC 20 %'], ['']])('should name steps[1].until when "until" is %j', (until) => {
    const e = rejection({ ...base, steps: ['Rest for 1 minute', { drive: 'idc-2w3w', until }] });
    expectOneLine(e, 'steps[1].until', until === '' ? /must not be empty/ : /cannot parse .*expected a voltage .* or SOC/);
  });

  it('should name the drive step that has no vehicle', () => {
    const { vehicle: _, ...noVehicle } = base;
    expectOneLine(rejection(noVehicle), 'steps[0]', /needs a vehicle/);
  });

  it('should name an experiment step that does not parse', () => {
    expectOneLine(rejection({ ...base, steps: ['Discharge at 1C', 'Dance at 1C'] }), 'steps[0]', /never ends/);
    expectOneLine(rejection({ ...base, steps: ['Rest for 1 minute', 'Dance at 1C'] }), 'steps[1]', /cannot parse "Dance at 1C"/);
  });

  it('should name initial.soc when it is out of range', () => {
    expectOneLine(rejection({ ...base, initial: { soc: 1.2 } }), 'initial.soc', /must be <= 1, got 1.2/);
  });
});

describe('loadScenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'natrium-scenario-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should load the shipped default scenario', () => {
    const sc = loadScenario('default');
    expect(sc.pack.ns).toBe(100);
    expect(sc.pack.np).toBe(2);
    expect(sc.steps.length).toBe(3);
  });

  it('should reject a missing file and a JSON syntax error in one line naming the file', () => {
    const missing = join(dir, 'nope.json');
    expect(() => loadScenario(missing)).toThrow(InputError);
    expect(() => loadScenario(missing)).toThrow(`${missing}: (file): no such file`);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "name": "x", ');
    try {
      loadScenario(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).message).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\(syntax\\): not valid JSON`));
      expect((e as InputError).message).not.toContain('\n');
    }
  });

  it('should resolve a relative chemistry path against the scenario file', () => {
    const chem = JSON.parse(JSON.stringify(loadScenario('default').chemistry.spec));
    writeFileSync(join(dir, 'cell.json'), JSON.stringify({ ...chem, name: 'copy' }));
    writeFileSync(join(dir, 'sc.json'), JSON.stringify({ ...base, chemistry: 'cell.json' }));
    expect(loadScenario(join(dir, 'sc.json')).chemistry.name).toBe('copy');
  });
});
