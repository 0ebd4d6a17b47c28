/** The soc checks (one file each). */
import type { Rule } from '../rule.ts';
import { bounds } from './bounds.ts';
import { coulombDrift } from './coulombDrift.ts';
import { cutoff } from './cutoff.ts';
import { estimator } from './estimator.ts';
import { fullAccepting } from './fullAccepting.ts';
import { jumps } from './jumps.ts';
import { ocvRest } from './ocvRest.ts';

export const rules: Rule[] = [bounds, jumps, coulombDrift, ocvRest, fullAccepting, cutoff, estimator];
