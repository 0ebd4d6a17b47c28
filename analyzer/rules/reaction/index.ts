/** The reaction checks (one file each): what the BMS did about what the data show. */
import type { Rule } from '../rule.ts';
import { bmsAlarms } from './bmsAlarms.ts';
import { contactors } from './contactors.ts';
import { falseAlarms } from './falseAlarms.ts';
import { gb38031ThermalRunaway } from './gb38031ThermalRunaway.ts';
import { limits } from './limits.ts';
import { sop } from './sop.ts';

export const rules: Rule[] = [limits, sop, contactors, falseAlarms, gb38031ThermalRunaway, bmsAlarms];
