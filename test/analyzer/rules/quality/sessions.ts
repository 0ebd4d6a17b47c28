/**
 * Shared pieces of the quality and cells check tests: short generated sessions (a run takes
 * well under 0.2 s), direct rule evaluation on a Timeline (for inputs the harness cannot make,
 * such as a trace without counters), and small assertion helpers.
 */
import { analyze, type Report } from '../../../../analyzer/analyze.ts';
import type { Finding } from '../../../../analyzer/findings.ts';
import { builtInProfile } from '../../../../analyzer/profile.ts';
import { RULES } from '../../../../analyzer/rules/index.ts';
import type { Timeline } from '../../../../analyzer/timeline/store.ts';
import { captureScenario, type CaptureOptions } from '../../../../device/capture.ts';
import { CHEMISTRY, type Phase } from '../../generate.ts';
import { loadScenario } from '../../../../sim/node/load.ts';

/**
 * 60 s at 10 Hz: STANDBY 0–5 s, precharge to 5.5 s, NORMAL discharging 75 A to 30 s, NORMAL at
 * rest to 35 s, CHARGE at 75 A to 55 s, STANDBY to 60 s (8 cells, 2p, 4 sensors).
 */
export const SHORT: Phase[] = [
  { current_A: 0, duration_s: 5, state: 'STANDBY' },
  { current_A: -75, duration_s: 25, state: 'NORMAL' },
  { current_A: 0, duration_s: 5, state: 'NORMAL' },
  { current_A: 75, duration_s: 20, state: 'CHARGE' },
  { current_A: 0, duration_s: 5, state: 'STANDBY' },
];
/** SHORT's rows (10 Hz). */
export const SHORT_TICKS = 600;

/** True when |a − b| ≤ tol (with room for float rounding). */
export function near(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol + 1e-6;
}

/** Findings as text, for assertion messages. */
export function show(fs: Finding[]): string {
  return fs.map((f) => `${f.severity} ${f.subject} ${f.t_start_s}–${f.t_end_s}: ${f.message}`).join('\n');
}

/** Findings at warning or above. */
export function serious(fs: Finding[]): Finding[] {
  return fs.filter((f) => f.severity !== 'info');
}

/** Analyses a Timeline directly with some checks (counters null: a trace). */
export function analyzeTimeline(tl: Timeline, checks: string[], profile = 'default'): Report {
  return analyze(
    { timeline: tl, counters: null, meta: { name: 'timeline', kind: 'trace', bytes: 0 } },
    {
      profile: builtInProfile(profile),
      rules: RULES.filter((r) => checks.includes(r.id)),
      chemistry: (n) => (n === CHEMISTRY.name ? CHEMISTRY : null),
      today: '2026-12-03',
    },
  );
}

/** The capture of a library scenario with line options (rates, link faults). */
export function captureWith(name: string, o: Omit<CaptureOptions, 'out'>): { bytes: Uint8Array; summary: ReturnType<typeof captureScenario> } {
  const parts: Uint8Array[] = [];
  let n = 0;
  const summary = captureScenario(loadScenario(name), {
    ...o,
    out: (b) => {
      parts.push(b.slice());
      n += b.length;
    },
  });
  const bytes = new Uint8Array(n);
  let p = 0;
  for (const b of parts) {
    bytes.set(b, p);
    p += b.length;
  }
  return { bytes, summary };
}
