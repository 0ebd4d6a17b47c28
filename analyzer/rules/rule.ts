/**
 * The shape of a check (one file per check in analyzer/rules/): it reads the Timeline and the
 * context, and says pass, fail or not evaluable, with findings. Thresholds come from the
 * profile (data) or from the device's INFO limits; a rule holds no limit of its own.
 */
import type { DecoderCounters } from '../../protocol/decoder.ts';
import type { Info, TierLimits } from '../../protocol/messages.ts';
import type { ChemistryFile } from '../../sim/chemistry/spec.ts';
import type { CheckResult, EvidenceValue, Finding } from '../findings.ts';
import type { Profile } from '../profile.ts';
import type { Timeline } from '../timeline/store.ts';

export type RuleGroup = 'quality' | 'envelope' | 'reaction' | 'soc' | 'thermal' | 'cells' | 'summary';

export interface RuleContext {
  tl: Timeline;
  profile: Profile;
  /** The device's INFO (the latest), or null when the input has none (a sim trace, a capture without INFO). */
  info: Info | null;
  /** The tiered limits, from INFO, or null. */
  limits: { mol: TierLimits; rsl: TierLimits; msl: TierLimits } | null;
  /** Where `limits` came from ("device INFO" or the trace's scenario/chemistry). */
  limitsSource: string;
  /** The chemistry named by INFO (or the trace), when known: its OCV, hysteresis and limits. */
  chemistry: ChemistryFile | null;
  /** The decoder's counters (captures and live streams), null for traces. */
  counters: DecoderCounters | null;
  /** Frames the assembler could not place (late) and frames lost per seq. */
  lateFrames: number;
}

export interface RuleOutcome {
  /** 'not_evaluable' with a reason, or evaluated (pass/fail follows from the findings). */
  evaluable: boolean;
  reason?: string;
  findings: Finding[];
  metrics?: Record<string, EvidenceValue>;
}

export interface Rule {
  /** "group.name", e.g. "envelope.cell_voltage". */
  id: string;
  group: RuleGroup;
  title: string;
  evaluate(ctx: RuleContext): RuleOutcome;
}

/** Shorthand for a not-evaluable outcome. */
export function notEvaluable(reason: string, metrics?: Record<string, EvidenceValue>): RuleOutcome {
  return { evaluable: false, reason, findings: [], metrics };
}

/** Status of an outcome: fail when a finding is at warning or above. */
export function toResult(rule: Rule, o: RuleOutcome): CheckResult {
  const status = !o.evaluable ? 'not_evaluable' : o.findings.some((f) => f.severity !== 'info') ? 'fail' : 'pass';
  const r: CheckResult = { check: rule.id, title: rule.title, status, findings: o.findings };
  if (o.reason !== undefined) r.reason = o.reason;
  if (o.metrics !== undefined) r.metrics = o.metrics;
  return r;
}
