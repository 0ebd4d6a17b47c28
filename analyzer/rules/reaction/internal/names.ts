/** Names for reports (kept here so the rules import nothing from analyze.ts, which imports them). */
import { BMS_STATE_NAMES } from '../../../../protocol/messages.ts';

/** Name of a BMS state value ("STATE_7" for one this reader does not know). */
export function stateName(s: number): string {
  return BMS_STATE_NAMES[s] ?? `STATE_${s}`;
}
