/** Attach the BMS emulator to a scenario run when the scenario has a "bms" section. */
import { InputError } from '../sim/errors.ts';
import type { RunOptions } from '../sim/run.ts';
import type { Scenario } from '../sim/scenario.ts';

export function attachBms(sc: Scenario): RunOptions['bms'] {
  if (!sc.bms) return undefined;
  throw new InputError(sc.file, 'bms', 'this build has no BMS emulator yet; remove the "bms" section');
}
