/** Attach the BMS emulator to a scenario run when the scenario has a "bms" section. */
import { createBmsForScenario } from '../sim/bms/index.ts';
import type { RunOptions } from '../sim/run.ts';
import type { Scenario } from '../sim/scenario.ts';

export function attachBms(sc: Scenario): RunOptions['bms'] {
  if (!sc.bms) return undefined;
  return (pack) => createBmsForScenario(pack, sc);
}
