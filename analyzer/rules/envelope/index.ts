/** The envelope checks (one file each): the data against the device's own tiered limits. */
import type { Rule } from '../rule.ts';
import { cellVoltage } from './cellVoltage.ts';
import { chargeTemperature } from './chargeTemperature.ts';
import { current } from './current.ts';
import { temperature } from './temperature.ts';

export const rules: Rule[] = [cellVoltage, temperature, current, chargeTemperature];
