/** Every check, in report order. */
import type { Rule } from './rule.ts';
import { rules as quality } from './quality/index.ts';
import { rules as envelope } from './envelope/index.ts';
import { rules as reaction } from './reaction/index.ts';
import { rules as soc } from './soc/index.ts';
import { rules as thermal } from './thermal/index.ts';
import { rules as cells } from './cells/index.ts';
import { rules as summary } from './summary/index.ts';

export const RULES: readonly Rule[] = [...quality, ...envelope, ...reaction, ...soc, ...thermal, ...cells, ...summary];

export type { Rule, RuleContext, RuleOutcome, RuleGroup } from './rule.ts';
