/**
 * The scenario library (sim/scenarios/, issue 3 §3): every shipped file loads, `natrium
 * scenarios --json` (listScenarios) lists at least 12 with a description, and every fault kind
 * the injector supports has a scenario. Running them is test/sim/bms/scenarios.test.ts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listScenarios } from '../../cli/scenarios.ts';
import { FAULT_NAMES } from '../../sim/bms/index.ts';
import { readScenario } from '../../sim/scenario.ts';
import { parseJson } from '../../sim/validate.ts';
import { NODE_FILES } from '../../sim/node/files.ts';
import { SCENARIO_DIR } from '../../sim/node/load.ts';

const files = readdirSync(SCENARIO_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

/** Clean scenarios the issue names (fault scenarios are fault-<kind>). */
const NAMED = ['wltc-day-25c', 'hot-city-fast-charge', 'cold-start-minus20', 'three-wheeler-fleet-day', 'fast-charge-3c'];

describe('scenario library', () => {
  for (const f of files) {
    it(`${f} should load, be named after its file and have a description`, () => {
      const label = `sim/scenarios/${f}`;
      const sc = readScenario(label, parseJson(label, readFileSync(SCENARIO_DIR + f, 'utf8')), SCENARIO_DIR, NODE_FILES);
      expect(sc.name).toBe(f.replace(/\.json$/, ''));
      expect(sc.description.trim().length).toBeGreaterThan(20);
      expect(sc.bms, 'the library runs with the BMS').not.toBeNull();
      // the faults are valid for the pack (cells, groups in range)
      // (validated at load: a fault scenario has its fault, the others none)
      expect(sc.faults.length).toBe(f.startsWith('fault-') ? 1 : 0);
    });
  }

  it('should list at least 12 scenarios with non-empty descriptions, as natrium scenarios --json does', () => {
    const list = listScenarios();
    expect(list.length).toBeGreaterThanOrEqual(12);
    expect(list.map((s) => s.name)).toEqual(files.map((f) => f.replace(/\.json$/, '')));
    for (const s of list) {
      expect(Object.keys(s)).toEqual(['name', 'description', 'faults']);
      expect(s.description.trim(), s.name).not.toBe('');
    }
    for (const name of NAMED) expect(list.find((s) => s.name === name)?.faults, name).toEqual([]);
  });

  it('should have a scenario for every fault kind the injector supports, named fault-<kind>', () => {
    const list = listScenarios();
    for (const kind of FAULT_NAMES) {
      const withIt = list.filter((s) => s.faults.includes(kind));
      expect(withIt.length, kind).toBeGreaterThanOrEqual(1);
      const prefix = `fault-${kind.replace(/_/g, '-')}`;
      expect(
        withIt.some((s) => s.name === prefix || s.name.startsWith(`${prefix}-`) || (kind === 'charger_fault' && s.name.startsWith('fault-charger-'))),
        kind,
      ).toBe(true);
    }
    // a fault scenario injects exactly the fault it is named after
    for (const s of list.filter((x) => x.name.startsWith('fault-'))) expect(s.faults.length, s.name).toBe(1);
  });
});
