/** The cells checks (one file each). */
import type { Rule } from '../rule.ts';
import { balancing } from './balancing.ts';
import { outliers } from './outliers.ts';
import { spread } from './spread.ts';
import { weakest } from './weakest.ts';

export const rules: Rule[] = [spread, weakest, outliers, balancing];
