/**
 * Shared pieces of the SOC check tests: short generated sessions (2 Hz, so a property run stays
 * well under 0.2 s), the analysis of scenario captures with the chemistry presets resolved, and
 * a finding summary for failure messages.
 */
import { type Report, analyze } from '../../../../analyzer/analyze.ts';
import type { Finding } from '../../../../analyzer/findings.ts';
import { builtInProfile } from '../../../../analyzer/profile.ts';
import { RULES } from '../../../../analyzer/rules/index.ts';
import { timelineFromBytes } from '../../../../analyzer/timeline/ingest.ts';
import type { ChemistryFile } from '../../../../sim/chemistry.ts';
import nvpf from '../../../../sim/chemistry/naion-nvpf-polyanion.json' with { type: 'json' };
import cell18650 from '../../../../sim/chemistry/naion-18650-layered.json' with { type: 'json' };
import cell32140 from '../../../../sim/chemistry/naion-32140-layered.json' with { type: 'json' };
import prismatic from '../../../../sim/chemistry/naion-prismatic-150ah.json' with { type: 'json' };
import type { Phase } from '../../generate.ts';

/** PACK_STATUS rate of the property tests, Hz (one row every 0.5 s). */
export const RATE_HZ = 2;
export const PERIOD_S = 1 / RATE_HZ;

/** A short session: rest 20 s, 0.25C discharge 300 s, rest 60 s, 0.25C charge 300 s, rest 20 s (700 s). */
export const SHORT: Phase[] = [
  { current_A: 0, duration_s: 20, state: 'STANDBY' },
  { current_A: -75, duration_s: 300, state: 'NORMAL' },
  { current_A: 0, duration_s: 60, state: 'NORMAL' },
  { current_A: 75, duration_s: 300, state: 'CHARGE' },
  { current_A: 0, duration_s: 20, state: 'STANDBY' },
];

const PRESETS: Record<string, ChemistryFile> = Object.fromEntries(
  [nvpf, cell18650, cell32140, prismatic].map((c) => [(c as { name: string }).name, c as unknown as ChemistryFile]),
);

/** Analyses capture bytes with only the given checks, every chemistry preset resolvable (none with `chemistry: false`). */
export function analyzeCapture(bytes: Uint8Array, checks: string[], profile = 'default', set: string[] = [], chemistry = true): Report {
  const p = builtInProfile(profile);
  for (const s of set) p.override(s);
  const b = timelineFromBytes(bytes);
  return analyze(
    { timeline: b.timeline, counters: b.counters, meta: { name: 'capture', kind: 'capture', bytes: bytes.length } },
    { profile: p, rules: RULES.filter((r) => checks.includes(r.id)), chemistry: (n) => (chemistry ? (PRESETS[n] ?? null) : null), today: '2026-12-03' },
  );
}

/** Path of a test fixture scenario. */
export function fixture(name: string): string {
  return new URL(`./fixtures/${name}.json`, import.meta.url).pathname;
}

/** One line per finding, for assertion messages. */
export function listFindings(fs: Finding[]): string {
  return fs.map((f) => `${f.severity} ${f.t_start_s}..${f.t_end_s} ${f.subject}: ${f.message}`).join('\n');
}

/** Time of the first generated row at or after t (rows at k / RATE_HZ, exactly as the generator makes them). */
export function rowAtOrAfter(t: number): number {
  let k = Math.ceil(t * RATE_HZ);
  while (k > 0 && (k - 1) / RATE_HZ >= t) k--;
  while (k / RATE_HZ < t) k++;
  return k / RATE_HZ;
}

/** First and last row time of the rows with t in [t0, t1) at RATE_HZ. */
export function rowSpan(t0: number, t1: number): { first: number; last: number } {
  return { first: rowAtOrAfter(t0), last: rowAtOrAfter(t1) - PERIOD_S };
}

/** True when |a − b| ≤ tol (with room for float rounding). */
export function near(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol + 1e-6;
}
