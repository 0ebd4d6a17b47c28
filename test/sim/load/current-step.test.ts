/**
 * Current-profile scenario steps (sim/scenario.ts readCurrentStep, sim/run.ts): validated like the
 * other steps, the current held from each stamp to the next, the step over at the last stamp.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../sim/errors.ts';
import { runScenario } from '../../../sim/run.ts';
import { readScenario } from '../../../sim/scenario.ts';
import { NODE_FILES } from '../../../sim/node/files.ts';

const FILE = 'profile-scenario.json';
/** Half a unit of the summary's last Ah digit, and a hair for binary fractions. */
const AH_ROUNDING = 0.0005 + 1e-12;
const dir = mkdtempSync(join(tmpdir(), 'natrium-current-step-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, rows: [number, number][]): string {
  writeFileSync(join(dir, name), `time_s,current_A\n${rows.map(([t, i]) => `${t},${i}`).join('\n')}\n`);
  return name;
}

const scenario = (step: unknown) => ({
  name: 'profile',
  chemistry: 'naion-32140-layered',
  pack: { ns: 4, np: 1 },
  ambient: { constant_C: 25 },
  initial: { soc: 0.5 },
  steps: [step],
});

function rejection(step: unknown): InputError {
  try {
    readScenario(FILE, scenario(step), dir, NODE_FILES);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).not.toContain('\n');
    return e as InputError;
  }
  throw new Error('readScenario accepted a malformed current step');
}

describe('current-profile step: validation', () => {
  const mixed = csv('mixed.csv', [
    [0, 2],
    [60, -4],
    [120, 0],
  ]);
  const charge = csv('charge.csv', [
    [0, 2],
    [60, 0],
  ]);

  it('should read the profile relative to the scenario and pick the request from its sign', () => {
    const sc = readScenario(FILE, scenario({ current: mixed }), dir, NODE_FILES);
    const s = sc.steps[0]!;
    expect(s.kind).toBe('current');
    if (s.kind !== 'current') return;
    expect(Array.from(s.profile.current_A)).toEqual([2, -4, 0]);
    expect(s.request).toBe('NORMAL');
    const c = readScenario(FILE, scenario({ current: charge }), dir, NODE_FILES).steps[0]!;
    expect(c.kind === 'current' && c.request).toBe('CHARGE');
    const none = readScenario(FILE, scenario({ current: charge, request: 'none' }), dir, NODE_FILES).steps[0]!;
    expect(none.kind === 'current' && none.request).toBe(null);
  });

  it('should flip a discharge-positive profile', () => {
    const s = readScenario(FILE, scenario({ current: mixed, discharge_positive: true }), dir, NODE_FILES).steps[0]!;
    expect(s.kind === 'current' && Array.from(s.profile.current_A)).toEqual([-2, 4, 0]);
  });

  it('should name an unknown field, a bad request and a missing file', () => {
    const unknown = rejection({ current: mixed, repeat: 2 });
    expect(unknown.field).toBe('steps[0].repeat');
    const req = rejection({ current: mixed, request: 'DRIVE' });
    expect(req.field).toBe('steps[0].request');
    expect(req.problem).toMatch(/must be one of STANDBY, NORMAL, CHARGE, RESET, none/);
    const missing = rejection({ current: 'nope.csv' });
    expect(missing.message).toMatch(/nope\.csv/);
    const bad = rejection({ current: mixed, until: '5 V' });
    expect(bad.problem).toMatch(/outside/);
  });
});

describe('current-profile step: run', () => {
  it('should hold each current to the next stamp and end at the last stamp', () => {
    const sc = readScenario(
      FILE,
      scenario({
        current: csv('run.csv', [
          [0, 3],
          [60, -6],
          [120, 0],
          [180, 0],
        ]),
      }),
      dir,
      NODE_FILES,
    );
    const { summary } = runScenario(sc);
    expect(summary.steps).toEqual([expect.objectContaining({ start_s: 0, end_s: 180, end_reason: 'profile_end' })]);
    expect(summary.charge.charged_Ah).toBeCloseTo((3 * 60) / 3600, 3);
    expect(summary.charge.discharged_Ah).toBeCloseTo((6 * 60) / 3600, 3);
  });

  it('should pass the charge the profile integrates to (property)', () => {
    let n = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: -8, max: 8 })), { minLength: 1, maxLength: 6 }), (segs) => {
        const rows: [number, number][] = [];
        let t = 0;
        let inAs = 0;
        let outAs = 0;
        for (const [d, i] of segs) {
          rows.push([t, i]);
          t += d;
          if (i > 0) inAs += i * d;
          else outAs -= i * d;
        }
        rows.push([t, 0]);
        const sc = readScenario(FILE, scenario({ current: csv(`p${n++}.csv`, rows) }), dir, NODE_FILES);
        const { summary } = runScenario(sc);
        expect(summary.duration_s).toBeCloseTo(t, 6);
        // the summary rounds charge to 3 decimals (sim/run.ts summary())
        expect(Math.abs(summary.charge.charged_Ah - inAs / 3600)).toBeLessThanOrEqual(AH_ROUNDING);
        expect(Math.abs(summary.charge.discharged_Ah - outAs / 3600)).toBeLessThanOrEqual(AH_ROUNDING);
      }),
      {
        numRuns: 25,
        examples: [
          [
            [
              [3, 4],
              [15, 7],
              [1, 0],
            ],
          ],
        ],
      },
    );
  });
});
