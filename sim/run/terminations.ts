/**
 * How a step ends: its "until" conditions (on V_k, I_k and the SOC reached), the load's own
 * voltage cut-off, and the bound on a step that makes no progress towards its end
 * (sim/envelope.ts: PROGRESS_FILLS, PROGRESS_C_RATE).
 */
import type { Chemistry } from '../chemistry.ts';
import { PROGRESS_C_RATE, PROGRESS_FILLS } from '../envelope.ts';
import { InputError } from '../errors.ts';
import type { Termination } from '../load/experiment.ts';
import type { ScenarioStep } from '../scenario.ts';
import type { Ledger } from './ledger.ts';
import type { EndReason } from './types.ts';

/**
 * The first of `until` that the last step met (`direction` +1 charging, −1 discharging, 0 a
 * hold), or null.
 */
export function terminated(until: Termination[], direction: number, I: number, oneC: number, packVoltage: number, ledger: Ledger): EndReason | null {
  if (until.length === 0) return null;
  for (const u of until) {
    switch (u.kind) {
      case 'voltage': {
        if (u.reference === 'pack') {
          if (direction > 0 && packVoltage >= u.voltage_V) return 'voltage';
          if (direction < 0 && packVoltage <= u.voltage_V) return 'voltage';
        } else {
          if (direction > 0 && ledger.stepVMax >= u.voltage_V) return 'voltage';
          if (direction < 0 && ledger.stepVMin <= u.voltage_V) return 'voltage';
        }
        break;
      }
      case 'current_A':
        if (Math.abs(I) <= u.current_A) return 'current';
        break;
      case 'c_rate':
        if (Math.abs(I) <= u.c_rate * oneC) return 'current';
        break;
      case 'soc': {
        const soc = ledger.stepSoc; // pack SOC after the step
        if (direction > 0 && soc >= u.soc) return 'soc';
        if (direction <= 0 && soc <= u.soc) return 'soc';
        break;
      }
    }
  }
  return null;
}

/** The load's own cut-off: a cell at the chemistry's window while the current pushes it further out. */
export function cutoff(I: number, chem: Chemistry, ledger: Ledger): EndReason | null {
  if (I < 0 && ledger.stepVMin <= chem.minV) return 'cutoff_low';
  if (I > 0 && ledger.stepVMax >= chem.maxV + 1e-9) return 'cutoff_high';
  return null;
}

/**
 * The bound on a step that only its end conditions can end: it must reach them before the
 * charge through the terminals passes PROGRESS_FILLS × the charge from empty to full, or before
 * as long as that takes at PROGRESS_C_RATE; otherwise `check` throws an InputError naming it.
 */
export class ProgressBound {
  private readonly ahLimit: number;
  private readonly tLimit: number;

  constructor(
    private readonly step: ScenarioStep,
    private readonly index: number,
    private readonly start: number,
    private readonly oneC: number,
    ledger: Ledger,
  ) {
    const open = step.duration_s === null && step.until.length > 0 && !(step.kind === 'drive' && step.repeat !== null) && step.kind !== 'current';
    // bounds on the charge passed (the ledger's, from this step's start) and on the time
    this.ahLimit = open ? ledger.dischargedAh + ledger.chargedAh + PROGRESS_FILLS * oneC : Infinity;
    this.tLimit = open ? start + (PROGRESS_FILLS / PROGRESS_C_RATE) * 3600 : Infinity;
  }

  check(t: number, ledger: Ledger, file: string): void {
    if (t > this.tLimit || ledger.dischargedAh + ledger.chargedAh > this.ahLimit) this.fail(t, ledger, file);
  }

  private fail(t: number, ledger: Ledger, file: string): never {
    const elapsed_s = t - this.start;
    const passedAh = ledger.dischargedAh + ledger.chargedAh - (this.ahLimit - PROGRESS_FILLS * this.oneC);
    const how =
      elapsed_s > (PROGRESS_FILLS / PROGRESS_C_RATE) * 3600
        ? `${Number((elapsed_s / 3600).toFixed(1))} h (${PROGRESS_FILLS} fills of the pack at C/${1 / PROGRESS_C_RATE})`
        : `${Number(passedAh.toFixed(3))} Ah passed (${PROGRESS_FILLS} × the charge from empty to full)`;
    throw new InputError(file, `steps[${this.index}]`, `"${this.step.text}" made no progress towards its end: ${how} without reaching it`);
  }
}
