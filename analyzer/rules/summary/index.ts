/** The summary checks (one file each). */
import type { Rule } from '../rule.ts';
import { bands } from './bands.ts';
import { energy } from './energy.ts';
import { resistance } from './resistance.ts';

export const rules: Rule[] = [energy, bands, resistance];
