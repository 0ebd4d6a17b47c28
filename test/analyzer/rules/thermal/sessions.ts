/**
 * Short generated sessions for the thermal and summary check tests, and helpers shared by their
 * test files: planting a temperature ramp, analysing a scenario capture with any preset
 * chemistry (the harness knows only the generator's).
 */
import { type Report, analyze } from '../../../../analyzer/analyze.ts';
import type { Finding } from '../../../../analyzer/findings.ts';
import { builtInProfile } from '../../../../analyzer/profile.ts';
import { RULES } from '../../../../analyzer/rules/index.ts';
import { timelineFromBytes } from '../../../../analyzer/timeline/ingest.ts';
import type { ChemistryFile } from '../../../../sim/chemistry/spec.ts';
import layered18650 from '../../../../sim/chemistry/naion-18650-layered.json' with { type: 'json' };
import layered32140 from '../../../../sim/chemistry/naion-32140-layered.json' with { type: 'json' };
import nvpf from '../../../../sim/chemistry/naion-nvpf-polyanion.json' with { type: 'json' };
import prismatic from '../../../../sim/chemistry/naion-prismatic-150ah.json' with { type: 'json' };
import type { Phase, Tick } from '../../generate.ts';

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
export const SHORT_S = 115;

/** 120 s: STANDBY 0–5 s, then a 3C (900 A) discharge to 115 s, STANDBY to 120 s. */
export const HEAVY: Phase[] = [
  { current_A: 0, duration_s: 5, state: 'STANDBY' },
  { current_A: -900, duration_s: 110, state: 'NORMAL' },
  { current_A: 0, duration_s: 5, state: 'STANDBY' },
];

/**
 * 125 s of current steps: STANDBY 5 s, then 24 levels of 5 s among rest, 75 A and 150 A
 * discharge and 75 A charge: 24 steps of at least 75 A (at 5.5 s after the precharge, then every
 * 5 s from 10 to 120 s).
 */
const LEVELS = [-75, -150, 0, 75, 0, -150, -75, 75];
export const STEPS: Phase[] = [
  { current_A: 0, duration_s: 5, state: 'STANDBY' },
  ...Array.from({ length: 24 }, (_, k): Phase => {
    const I = LEVELS[k % LEVELS.length]!;
    return { current_A: I, duration_s: 5, state: I > 0 ? 'CHARGE' : 'NORMAL' };
  }),
];

/** Adds a ramp to a sensor: 0 before t0, rate·(t − t0) during [t0, t0 + d), rate·d after (held). */
export function ramp(k: Tick, sensor: number, t0: number, d: number, rate_K_per_min: number): void {
  const dt = Math.min(Math.max(k.t_s - t0, 0), d);
  k.temperature_C[sensor]! += (rate_K_per_min / 60) * dt;
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

const PRESETS = new Map<string, ChemistryFile>([layered18650, layered32140, nvpf, prismatic].map((c) => [c.name, c as unknown as ChemistryFile]));

/** Analyses a capture with the given checks, looking the device's chemistry up among the presets. */
export function analyzeCapture(bytes: Uint8Array, checks: string[]): Report {
  const b = timelineFromBytes(bytes);
  return analyze(
    {
      timeline: b.timeline,
      counters: b.counters,
      lateFrames: b.assembler.lateFrames,
      seqLost: b.assembler.seqLost,
      meta: { name: 'capture', kind: 'capture', bytes: bytes.length },
    },
    { profile: builtInProfile('default'), rules: RULES.filter((r) => checks.includes(r.id)), chemistry: (n) => PRESETS.get(n) ?? null, today: '2026-12-03' },
  );
}
