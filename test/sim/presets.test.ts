/**
 * The JSON presets as modules (sim/presets.ts) and the sim core without file access
 * (sim/inputs.ts NO_FILES): every preset a module lists is there and equals its file on disk,
 * copies are fresh, and a path the core cannot read is one InputError naming it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BMS_PRESETS } from '../../sim/bms/config.ts';
import { PRESETS } from '../../sim/chemistry.ts';
import { isInputError } from '../../sim/errors.ts';
import { NO_FILES, baseName } from '../../sim/inputs.ts';
import { AMBIENTS } from '../../sim/load/ambient.ts';
import { VEHICLES } from '../../sim/load/vehicle.ts';
import { SIM_DIR } from '../../sim/node/files.ts';
import { type PresetKind, presetJson, presetLabel } from '../../sim/presets.ts';
import { readScenario } from '../../sim/scenario.ts';

const KINDS: [PresetKind, readonly string[]][] = [
  ['chemistry', PRESETS],
  ['vehicle', VEHICLES],
  ['ambient', AMBIENTS],
  ['bms', BMS_PRESETS],
];

describe('presets as JSON modules', () => {
  for (const [kind, names] of KINDS) {
    it(`has every ${kind} preset, equal to its file`, () => {
      for (const name of names) {
        const label = presetLabel(kind, name);
        const onDisk = JSON.parse(readFileSync(SIM_DIR + label.slice('sim/'.length), 'utf8')) as unknown;
        expect(presetJson(kind, name), label).toEqual(onDisk);
      }
      expect(presetJson(kind, 'no-such-preset')).toBeUndefined();
    });
  }

  it('hands out a fresh copy each time', () => {
    const a = presetJson('bms', 'default') as Record<string, unknown>;
    a.description = 'changed';
    expect((presetJson('bms', 'default') as Record<string, unknown>).description).not.toBe('changed');
  });
});

describe('the sim core without file access', () => {
  const scenario = (chemistry: string) => ({
    name: 'x',
    chemistry,
    pack: { ns: 1, np: 1 },
    ambient: { constant_C: 25 },
    initial: { soc: 0.5 },
    steps: ['Rest for 1 minute'],
  });

  it('loads a scenario of presets', () => {
    const sc = readScenario('x.json', scenario('naion-18650-layered'));
    expect(sc.chemistry.name).toBe('naion-18650-layered');
    expect(sc.bms).toBeNull();
    expect(sc.faults).toEqual([]);
  });

  it('refuses a path with one line naming it', () => {
    let err: unknown;
    try {
      readScenario('x.json', scenario('cells/my-cell.json'), '.', NO_FILES);
    } catch (e) {
      err = e;
    }
    expect(isInputError(err)).toBe(true);
    expect((err as Error).message).toBe('cells/my-cell.json: (file): no file access here: pass the parsed object or the text instead of a path');
  });

  it('names files by their last segment', () => {
    expect(baseName('a/b/c.json')).toBe('c.json');
    expect(baseName('a/b/c.json', '.json')).toBe('c');
    expect(baseName('c.json', '.json')).toBe('c');
    expect(baseName('.json', '.json')).toBe('.json');
  });
});
