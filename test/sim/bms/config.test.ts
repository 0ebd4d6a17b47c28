/**
 * The BMS configuration presets checked against themselves for every chemistry preset
 * (style.md habit 1): tiers nest, every wait is a whole number of ticks, datasheet limits
 * come from the chemistry. And the loader on malformed input.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PRESETS } from '../../../sim/chemistry.ts';
import { isInputError } from '../../../sim/errors.ts';
import { Reader } from '../../../sim/validate.ts';
import { BMS_PRESETS, readBmsConfig, selfCheck, taskPeriod_ms } from '../../../sim/bms/config.ts';
import { CHECKS, CHECK_IDS, TIERS } from '../../../sim/bms/types.ts';
import { chem, config } from './_harness.ts';
import { NODE_FILES } from '../../../sim/node/files.ts';

const dir = mkdtempSync(join(tmpdir(), 'natrium-bms-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problem(over: unknown): string {
  try {
    readBmsConfig(new Reader('(test)', over), chem(), NODE_FILES);
  } catch (e) {
    if (isInputError(e)) return e.message;
    throw e;
  }
  return '';
}

describe('BMS config presets', () => {
  for (const preset of BMS_PRESETS) {
    for (const c of PRESETS) {
      for (const fast of [10, 100]) {
        it(`should check "${preset}" against itself for ${c} at a ${fast} ms fast task`, () => {
          const cfg = readBmsConfig(new Reader('(test)', { scheduler: { fast_period_ms: fast } }), chem(c));
          expect(selfCheck(cfg)).toEqual([]);
          // MOL ⊂ RSL ⊂ MSL, written out again independently of selfCheck
          for (const id of CHECK_IDS) {
            const vals = TIERS.map((t) => cfg.checks[id][t]).filter((v): v is number => v !== null);
            const sorted = [...vals].sort((a, b) => (CHECKS[id].over ? a - b : b - a));
            expect(vals, id).toEqual(sorted);
            expect(cfg.checks[id].delay_ms % fast, `${id}.delay_ms`).toBe(0);
          }
          for (const ms of [
            cfg.init.wait_ms,
            cfg.contactors.max_break_wait_ms,
            cfg.contactors.operate_ms,
            cfg.precharge.timeout_ms,
            cfg.precharge.retry_wait_ms,
          ]) {
            expect(ms % fast).toBe(0);
          }
          expect((cfg.soc.rest_s * 1000) % taskPeriod_ms(cfg, 'slow')).toBe(0);
        });
      }
    }
    it(`should load "${preset}" by name`, () => {
      const cfg = readBmsConfig(new Reader('(scenario)', preset), chem());
      expect(cfg.file).toBe(`sim/bms/config/${preset}.json`);
    });
  }

  it('should derive datasheet limits from the chemistry', () => {
    for (const name of PRESETS) {
      const c = chem(name);
      const cfg = config({}, c);
      const L = c.spec.limits;
      expect(cfg.checks.cell_overvoltage.msl).toBeCloseTo(c.spec.voltage.max_V + 0.1, 12);
      expect(cfg.checks.cell_undervoltage.rsl).toBeCloseTo(c.spec.voltage.min_V, 12);
      expect(cfg.checks.overtemperature_charge.mol).toBe(L.charge_temperature_C.max);
      expect(cfg.checks.overtemperature_discharge.msl).toBe(L.cutoff_temperature_C);
      expect(cfg.checks.undertemperature_charge.mol).toBe(L.charge_temperature_C.min);
      expect(cfg.sop.charge_current_A).toBe(L.charge_current_A);
      expect(cfg.sop.charge_temperature).toEqual({ x: L.charge_derating.temperature_C, factor: L.charge_derating.factor });
      expect(cfg.balancing.min_voltage_V).toBe(c.spec.voltage.nominal_V);
    }
  });

  it('should merge a partial object over the default', () => {
    const cfg = config({ checks: { cell_overvoltage: { delay_ms: 200 } }, soc: { method: 'counting' } });
    expect(cfg.checks.cell_overvoltage.delay_ms).toBe(200);
    expect(cfg.checks.cell_overvoltage.msl).toBeCloseTo(4.2, 12);
    expect(cfg.soc.method).toBe('counting');
    expect(cfg.soc.ekf.cells).toEqual(['avg', 'min', 'max']);
  });

  it('should read a partial file by path', () => {
    const path = join(dir, 'slow.json');
    writeFileSync(path, JSON.stringify({ scheduler: { fast_period_ms: 100 } }));
    const cfg = readBmsConfig(new Reader('(scenario)', path), chem(), NODE_FILES);
    expect(cfg.scheduler.fast_period_ms).toBe(100);
    expect(cfg.file).toBe(path);
    // the sim core reads a path only through the InputFiles it is given (none: a browser)
    expect(() => readBmsConfig(new Reader('(scenario)', path), chem())).toThrow(`${path}: (file): no file access here`);
  });

  it('should reject tiers that do not nest, naming the field', () => {
    expect(problem({ checks: { cell_overvoltage: { rsl_V: 4.5 } } })).toMatch(
      /checks\.cell_overvoltage\.msl_V: tiers must nest .*msl_V 4\.2 is below rsl_V 4\.5/,
    );
    expect(problem({ checks: { cell_undervoltage: { msl_V: 1.7 } } })).toMatch(/checks\.cell_undervoltage\.msl_V: tiers must nest/);
  });

  it('should reject a wait that is not a whole number of ticks', () => {
    expect(problem({ scheduler: { fast_period_ms: 100 }, checks: { cell_overvoltage: { delay_ms: 250 } } })).toMatch(
      /checks\.cell_overvoltage\.delay_ms: must be a whole number of 100 ms ticks, got 250/,
    );
    expect(problem({ scheduler: { mid_period_ms: 105 } })).toMatch(/scheduler\.mid_period_ms: must be a whole multiple/);
  });

  it('should reject unknown fields, bad derivations and bad values', () => {
    expect(problem({ checks: { cell_overvoltage: { msl_A: 1 } } })).toMatch(/checks\.cell_overvoltage\.msl_A: unknown field/);
    expect(problem({ soc: { rest_current_A: { from_chemistry: 'limits.nope' } } })).toMatch(
      /soc\.rest_current_A\.from_chemistry: "limits\.nope" is not a number/,
    );
    expect(problem({ soc: { method: 'magic' } })).toMatch(/soc\.method: must be one of ekf, counting/);
    expect(problem({ soc: { ekf: { cells: ['min'] } } })).toMatch(/soc\.ekf\.cells: must include "avg"/);
    expect(problem({ cell_model: { connection_ohm: -1e-4 } })).toMatch(/cell_model\.connection_ohm: /);
    expect(problem({ cell_model: { connection_ohm: 'auto' } })).toMatch(/cell_model\.connection_ohm: must be one of pack/);
    expect(problem('nope')).toMatch(/expected a preset \(default\)/);
    expect(problem(join(dir, 'missing.json'))).toMatch(/missing\.json: \(file\): no such file/);
    expect(problem({ checks: { deep_discharge: { msl_V: null } } })).toMatch(/at least one tier/);
  });
});
