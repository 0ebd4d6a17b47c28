/**
 * Test harness for the checks: generated telemetry (generate.ts) → wire bytes → Timeline →
 * analyze with a profile, optionally only some checks. `findingsOf` narrows to one check.
 */
import { type Report, analyze } from '../../analyzer/analyze.ts';
import type { Finding } from '../../analyzer/findings.ts';
import { type Profile, builtInProfile } from '../../analyzer/profile.ts';
import { RULES } from '../../analyzer/rules/index.ts';
import type { Rule } from '../../analyzer/rules/rule.ts';
import { timelineFromBytes, type TimelineBuilder } from '../../analyzer/timeline/ingest.ts';
import { CHEMISTRY, type GenOptions, generateCapture } from './generate.ts';

export interface HarnessOptions {
  /** Profile name or object (default "default"). */
  profile?: string | Profile;
  /** Only these check ids (default all). */
  checks?: string[];
  /** `--set` style overrides: "check.key=value". */
  set?: string[];
}

/** Analyses a capture's bytes. */
export function analyzeBytes(bytes: Uint8Array, h: HarnessOptions = {}): { report: Report; builder: TimelineBuilder } {
  const profile = typeof h.profile === 'object' ? h.profile : builtInProfile(h.profile ?? 'default');
  for (const s of h.set ?? []) profile.override(s);
  const builder = timelineFromBytes(bytes);
  const rules: Rule[] = h.checks ? RULES.filter((r) => h.checks!.includes(r.id)) : [...RULES];
  if (h.checks && rules.length !== h.checks.length) throw new Error(`unknown check in ${h.checks.join(', ')}`);
  const report = analyze(
    {
      timeline: builder.timeline,
      counters: builder.counters,
      lateFrames: builder.assembler.lateFrames,
      seqLost: builder.assembler.seqLost,
      meta: { name: 'generated', kind: 'capture', bytes: bytes.length },
    },
    { profile, rules, chemistry: (name) => (name === CHEMISTRY.name ? CHEMISTRY : null), today: '2026-12-03' },
  );
  return { report, builder };
}

/** Generates a session and analyses it. */
export function analyzeGenerated(g: GenOptions = {}, h: HarnessOptions = {}): Report {
  return analyzeBytes(generateCapture(g), h).report;
}

/** The findings of one check. */
export function findingsOf(report: Report, check: string): Finding[] {
  return report.findings.filter((f) => f.check === check);
}

/** The status of one check. */
export function statusOf(report: Report, check: string): string | undefined {
  return report.checks.find((c) => c.check === check)?.status;
}
