/** soc.ocv_rest: the BMS's SOC after a long rest against the OCV of the rest voltage. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateCapture, type Phase } from '../../generate.ts';
import { analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { RATE_HZ, SHORT, analyzeCapture, fixture, listFindings, near, rowAtOrAfter } from './helpers.ts';

const ID = 'soc.ocv_rest';
/** 10 min relaxation instead of 30, so that a session stays short. */
const RELAX = ['soc.ocv_rest.relaxation_s=600'];

/** Rest 20 s, 0.5C discharge for `d` s, rest 700 s. */
const session = (d: number): Phase[] => [
  { current_A: 0, duration_s: 20, state: 'STANDBY' },
  { current_A: -150, duration_s: d, state: 'NORMAL' },
  { current_A: 0, duration_s: 700, state: 'NORMAL' },
];

const bias = (lo: number, hi: number) => fc.tuple(fc.double({ min: lo, max: hi, noNaN: true }), fc.boolean()).map(([x, neg]) => (neg ? -x : x));

describe('soc.ocv_rest', () => {
  // for all discharge lengths (200–600 s, ending at SOC 0.52–0.57) and SOC errors of 3–7 %
  // (warning) or 13–20 % (error, 10 % or more outside the band) either way / such that the BMS's
  // SOC is off by that much during the rest / one finding on the pack over the relaxed part of the
  // rest (from 600 s into it to its last row, exact rows) at that severity holds
  it('should report a SOC that disagrees with the rest voltage, over the relaxed part of the rest', () => {
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 600 }), fc.oneof(bias(3, 7), bias(13, 20)), (d, err_pct) => {
        const rest0 = 20 + d;
        const report = analyzeGenerated(
          {
            phases: session(d),
            rate_Hz: RATE_HZ,
            mutate: (k) => {
              if (k.t_s >= rest0) k.soc += err_pct / 100;
            },
          },
          { checks: [ID], set: RELAX },
        );
        const fs = findingsOf(report, ID);
        expect(fs, listFindings(fs)).toHaveLength(1);
        const f = fs[0]!;
        const first = rowAtOrAfter(rest0);
        const last = rowAtOrAfter(rest0 + 700) - 1 / RATE_HZ;
        expect(f.subject).toBe('pack');
        expect(f.severity).toBe(Math.abs(err_pct) > 10 ? 'error' : 'warning');
        expect(near(f.t_start_s, first + 600, 0), `${f.t_start_s} vs ${first + 600}`).toBe(true);
        expect(near(f.t_end_s, last, 0), `${f.t_end_s} vs ${last}`).toBe(true);
        // the reported SOC lies outside the band on the side of the error
        const z = f.evidence.soc_pct as number;
        expect(err_pct > 0 ? z > (f.evidence.ocv_soc_high_pct as number) : z < (f.evidence.ocv_soc_low_pct as number)).toBe(true);
      }),
      { numRuns: 12, seed: 20261203 },
    );
  });

  // for all discharge lengths and seeds / such that the session is clean / the rest is evaluated
  // and agrees with the OCV, holds
  it('should pass a clean long rest', () => {
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 600 }), fc.integer({ min: 1, max: 1000 }), (d, seed) => {
        const report = analyzeGenerated({ seed, phases: session(d), rate_Hz: RATE_HZ }, { checks: [ID], set: RELAX });
        expect(statusOf(report, ID)).toBe('pass');
        expect(report.checks[0]!.metrics?.rests_evaluated).toBe(1);
      }),
      { numRuns: 10, seed: 3 },
    );
  });

  it('should not be evaluable without a long rest, without a chemistry, or on a plateau', () => {
    const short = analyzeGenerated({ phases: SHORT, rate_Hz: RATE_HZ }, { checks: [ID] });
    expect(statusOf(short, ID)).toBe('not_evaluable');
    expect(short.checks[0]!.reason).toMatch(/no rest of at least 1800 s/);
    const bytes = generateCapture({ phases: session(300), rate_Hz: RATE_HZ });
    const noChem = analyzeCapture(bytes, [ID], 'default', RELAX, false);
    expect(noChem.checks[0]!.status).toBe('not_evaluable');
    expect(noChem.checks[0]!.reason).toMatch(/chemistry unknown/);
    const flat = analyzeCapture(bytes, [ID], 'default', [...RELAX, 'soc.ocv_rest.min_slope_mV_per_pct=1000']);
    expect(flat.checks[0]!.status).toBe('not_evaluable');
    expect(flat.checks[0]!.reason).toMatch(/plateau/);
  });

  it('should skip the NVPF plateau rest and judge the sloped one (emulated BMS, real wire bytes)', () => {
    const report = analyzeCapture(scenarioCapture(fixture('nvpf-rests')), [ID], 'default', ['soc.ocv_rest.relaxation_s=900']);
    const c = report.checks[0]!;
    expect(c.status, listFindings(report.findings)).toBe('pass');
    expect(c.metrics).toMatchObject({ rests: 2, rests_on_plateau: 1, rests_evaluated: 1 });
    expect(c.reason).toMatch(/plateau/);
  });
});
