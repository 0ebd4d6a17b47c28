/** The thermal checks (one file each). */
import type { Rule } from '../rule.ts';
import { heating } from './heating.ts';
import { rate } from './rate.ts';
import { spread } from './spread.ts';

export const rules: Rule[] = [rate, spread, heating];
