/** The quality checks (one file each). */
import type { Rule } from '../rule.ts';
import { deviceRule } from './device.ts';
import { frameLoss } from './frameLoss.ts';
import { linkErrors } from './linkErrors.ts';
import { na } from './na.ts';
import { nonphysical } from './nonphysical.ts';
import { sampling } from './sampling.ts';
import { stuck } from './stuck.ts';
import { time } from './time.ts';

export const rules: Rule[] = [frameLoss, linkErrors, time, sampling, stuck, na, nonphysical, deviceRule];
