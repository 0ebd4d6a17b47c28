/**
 * The analyser: a Timeline and its context in, a report out (schema natrium.report/1,
 * analyzer/REPORT.md). Runs every check of analyzer/rules/ against the profile, applies waivers,
 * and decides the exit status against `failOn`. Isomorphic: no Node APIs; the Node edges
 * (analyzer/node/) read files and ports and hand over bytes or a Timeline.
 */
import type { DecoderCounters } from '../protocol/decoder.ts';
import { BMS_STATE_NAMES, type Info } from '../protocol/messages.ts';
import type { ChemistryFile } from '../sim/chemistry/spec.ts';
import { type CheckResult, type EvidenceValue, type Finding, type Severity, naturalCompare, severityRank } from './findings.ts';
import type { Profile } from './profile.ts';
import { RULES } from './rules/index.ts';
import { type Rule, type RuleContext, toResult } from './rules/rule.ts';
import type { Timeline } from './timeline/store.ts';
import { type Waiver, applyWaivers } from './waivers.ts';

export const REPORT_SCHEMA = 'natrium.report/1';

export interface InputMeta {
  /** File name, "-" for stdin, or the port. */
  name: string;
  kind: 'capture' | 'trace' | 'live';
  bytes: number;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  generator: { name: 'natrium'; version: string };
  input: {
    name: string;
    kind: InputMeta['kind'];
    bytes: number;
    rows: number;
    duration_s: number;
    messages: Record<string, number>;
    device: null | {
      device_id: string;
      firmware: string;
      simulator: boolean;
      chemistry: string;
      ns: number;
      np: number;
      cell_capacity_Ah: number;
      temperature_sensors: number;
    };
    decoder: DecoderCounters | null;
    late_frames: number;
    seq_lost: number;
    /** Device restarts seen in the input (Timeline.clockSteps). */
    restarts: number;
  };
  profile: { name: string; fail_on: Severity; limits_source: string };
  summary: Record<string, EvidenceValue>;
  result: {
    worst: Severity | 'none';
    findings: Record<Severity, number>;
    waived: number;
    checks: { pass: number; fail: number; not_evaluable: number };
    /** 0 clean, 1 a finding at or above fail_on (waived ones do not count). */
    exit_code: 0 | 1;
  };
  checks: Omit<CheckResult, 'findings'>[];
  findings: Finding[];
  expired_waivers: Waiver[];
}

export interface AnalyzeOptions {
  profile: Profile;
  /** Lowest severity that makes the exit code 1 (default error). */
  failOn?: Severity;
  waivers?: Waiver[];
  /** Looks up a chemistry by the name the device reports (null when unknown). */
  chemistry?: (name: string) => ChemistryFile | null;
  /** For traces: the limits and chemistry when no INFO exists. */
  fallback?: { info: Info | null; chemistry: ChemistryFile | null; source: string };
  /** Today's date (YYYY-MM-DD) for waiver expiry; default: the clock's. */
  today?: string;
  /** The checks to run (default all). */
  rules?: readonly Rule[];
  version?: string;
}

export interface AnalyzeInput {
  timeline: Timeline;
  counters: DecoderCounters | null;
  lateFrames?: number;
  seqLost?: number;
  meta: InputMeta;
}

/** The report of a Timeline. */
export function analyze(input: AnalyzeInput, options: AnalyzeOptions): Report {
  const { timeline: tl } = input;
  const failOn = options.failOn ?? 'error';
  const info = tl.info ?? options.fallback?.info ?? null;
  const chemistryName = info?.chemistry ?? '';
  const chemistry = options.fallback?.chemistry ?? (chemistryName && options.chemistry ? options.chemistry(chemistryName) : null);
  const ctx: RuleContext = {
    tl,
    profile: options.profile,
    info,
    limits: info?.limits ?? null,
    limitsSource: tl.info ? 'device INFO' : (options.fallback?.source ?? 'none'),
    chemistry,
    counters: input.counters,
    lateFrames: input.lateFrames ?? 0,
  };
  const results: CheckResult[] = [];
  for (const rule of options.rules ?? RULES) {
    let r: CheckResult;
    try {
      r = toResult(rule, rule.evaluate(ctx));
    } catch (e) {
      // a check that breaks says so in the report; it never takes the others down
      r = { check: rule.id, title: rule.title, status: 'not_evaluable', reason: `internal error: ${(e as Error).message}`, findings: [] };
    }
    results.push(r);
  }
  // a finding's range is the part of its episode inside the capture (a check working on bins or
  // windows may place an end up to half a bin past the last row)
  const end_s = Math.round(tl.duration_s * 1000) / 1000;
  for (const r of results) {
    for (const f of r.findings) {
      if (f.t_end_s > end_s) f.t_end_s = end_s;
      if (f.t_start_s > f.t_end_s) f.t_start_s = f.t_end_s;
    }
  }
  const findings = results.flatMap((r) => r.findings);
  findings.sort((a, b) => a.t_start_s - b.t_start_s || severityRank(b.severity) - severityRank(a.severity) || naturalCompare(a.id, b.id));
  const expired = applyWaivers(findings, options.waivers ?? [], options.today ?? new Date().toISOString().slice(0, 10));
  const counts: Record<Severity, number> = { info: 0, warning: 0, error: 0 };
  let worst: Severity | 'none' = 'none';
  let waived = 0;
  let failing = false;
  for (const f of findings) {
    counts[f.severity]++;
    if (f.waived !== undefined) {
      waived++;
      continue;
    }
    if (worst === 'none' || severityRank(f.severity) > severityRank(worst)) worst = f.severity;
    if (severityRank(f.severity) >= severityRank(failOn)) failing = true;
  }
  const summary: Record<string, EvidenceValue> = {};
  for (const r of results) if (r.check.startsWith('summary.') && r.metrics) Object.assign(summary, r.metrics);
  const messages: Record<string, number> = {};
  for (const [type, n] of [...tl.received.entries()].sort((a, b) => a[0] - b[0])) messages[typeName(type)] = n;
  return {
    schema: REPORT_SCHEMA,
    generator: { name: 'natrium', version: options.version ?? '0.1.0' },
    input: {
      name: input.meta.name,
      kind: input.meta.kind,
      bytes: input.meta.bytes,
      rows: tl.length,
      duration_s: end_s,
      messages,
      device: info === null ? null : deviceOf(info),
      decoder: input.counters === null ? null : { ...input.counters },
      late_frames: input.lateFrames ?? 0,
      seq_lost: input.seqLost ?? 0,
      restarts: tl.clockSteps.length,
    },
    profile: { name: options.profile.name, fail_on: failOn, limits_source: ctx.limitsSource },
    summary,
    result: {
      worst,
      findings: counts,
      waived,
      checks: {
        pass: results.filter((r) => r.status === 'pass').length,
        fail: results.filter((r) => r.status === 'fail').length,
        not_evaluable: results.filter((r) => r.status === 'not_evaluable').length,
      },
      exit_code: failing ? 1 : 0,
    },
    checks: results.map(({ findings: _f, ...rest }) => rest),
    findings,
    expired_waivers: expired,
  };
}

const TYPE_NAMES: Record<number, string> = {
  0x01: 'INFO',
  0x02: 'PACK_STATUS',
  0x03: 'CELL_VOLTAGES',
  0x04: 'TEMPERATURES',
  0x05: 'BALANCING',
  0x06: 'EVENT',
  0x07: 'ACK',
  0x08: 'NACK',
  0x70: 'SIM_TRUTH',
  0x71: 'SIM_CELL_TRUTH',
};
export function typeName(t: number): string {
  return TYPE_NAMES[t] ?? `UNKNOWN_0x${t.toString(16).padStart(2, '0')}`;
}

function deviceOf(info: Info): NonNullable<Report['input']['device']> {
  return {
    device_id: `0x${info.deviceId.toString(16).padStart(8, '0')}`,
    firmware: `${info.firmwareMajor}.${info.firmwareMinor}.${info.firmwarePatch}`,
    simulator: (info.flags & 1) !== 0,
    chemistry: info.chemistry,
    ns: info.ns,
    np: info.np,
    cell_capacity_Ah: info.cellCapacity_Ah,
    temperature_sensors: info.temperatureSensors,
  };
}

/** Name of a BMS state value. */
export function stateName(s: number): string {
  return BMS_STATE_NAMES[s] ?? `STATE_${s}`;
}
