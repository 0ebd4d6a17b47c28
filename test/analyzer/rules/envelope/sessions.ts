/**
 * Short generated sessions for the envelope and reaction check tests (a run takes well under
 * 0.2 s), the generator's INFO limits, and small helpers shared by the test files.
 */
import type { Finding } from '../../../../analyzer/findings.ts';
import { type Phase, infoFor } from '../../generate.ts';

/**
 * 115 s: STANDBY 0–5 s, precharge 5–5.5 s, NORMAL discharging 75 A to 55 s, NORMAL at rest to
 * 60 s, CHARGE at 75 A to 110 s, STANDBY to 115 s (8 cells, 2p, 4 sensors, 10 Hz).
 */
export const SHORT: Phase[] = [
  { current_A: 0, duration_s: 5, state: 'STANDBY' },
  { current_A: -75, duration_s: 50, state: 'NORMAL' },
  { current_A: 0, duration_s: 5, state: 'NORMAL' },
  { current_A: 75, duration_s: 50, state: 'CHARGE' },
  { current_A: 0, duration_s: 5, state: 'STANDBY' },
];
/** Where SHORT discharges and charges (s), with a margin from the phase edges. */
export const DISCHARGE = { from: 8, to: 52 };
export const CHARGE = { from: 62, to: 107 };

/** The limits the generator's INFO carries for the default 8s2p pack with 4 sensors. */
export const LIMITS = infoFor(8, 2, 4).limits;

/** Telemetry period of the generator (10 Hz). */
export const PERIOD_S = 0.1;

/** First and last row time of the rows with t in [t0, t1) at 10 Hz. */
export function rowSpan(t0: number, t1: number): { first: number; last: number } {
  const first = Math.ceil(t0 * 10 - 1e-9) / 10;
  const last = Math.ceil(t1 * 10 - 1e-9) / 10 - PERIOD_S;
  return { first, last };
}

/** True when |a − b| ≤ tol (with a little room for float rounding). */
export function near(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol + 1e-6;
}

/** Findings at warning or above. */
export function serious(fs: Finding[]): Finding[] {
  return fs.filter((f) => f.severity !== 'info');
}

/** A compact view of findings for failure messages. */
export function show(fs: Finding[]): string {
  return fs.map((f) => `${f.severity} ${f.subject} ${f.t_start_s}-${f.t_end_s}: ${f.message}`).join('\n');
}
