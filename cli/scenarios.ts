/**
 * natrium scenarios [--json]: the scenario library in sim/scenarios/. The JSON form is an
 * array of {name, description, faults} (faults: the names of the injected faults).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { Reader, parseJson } from '../sim/validate.ts';
import { parse } from './args.ts';
import { SCENARIO_DIR } from '../sim/node/load.ts';

const USAGE = 'usage: natrium scenarios [--json]';

export interface ScenarioEntry {
  name: string;
  description: string;
  faults: string[];
}

/** Read the name, description and fault list of every scenario in the library. */
export function listScenarios(dir = SCENARIO_DIR): ScenarioEntry[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return files.map((f) => {
    const label = `sim/scenarios/${f}`;
    const r = new Reader(label, parseJson(label, readFileSync(dir + f, 'utf8')));
    const faults =
      r
        .opt('faults')
        ?.items()
        .map((x) => x.get('fault').string()) ?? [];
    return {
      name: r.get('name').string(),
      description: r.opt('description')?.string() ?? '',
      faults: [...new Set(faults)],
    };
  });
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean', default: false } }, USAGE);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const list = listScenarios();
  if (values.json) {
    console.log(JSON.stringify(list, null, 2));
    return 0;
  }
  const w = Math.max(...list.map((s) => s.name.length));
  for (const s of list) {
    const f = s.faults.length ? `  [faults: ${s.faults.join(', ')}]` : '';
    console.log(`${s.name.padEnd(w)}  ${s.description}${f}`);
  }
  return 0;
}
