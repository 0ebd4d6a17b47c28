/** soc.cutoff: the SOC near 0 at the discharge cut-off and near 1 at the end of a charge. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Phase, encodeRestarted, generateMessages, infoFor, ocv, withLimitsFrom } from '../../generate.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { RATE_HZ, SHORT, analyzeCapture, fixture, listFindings, near } from './helpers.ts';

const ID = 'soc.cutoff';
const MOL = infoFor(8, 2, 4).limits.mol;

/** From SOC 0.06: 0.5C discharge for 400 s reaches the generator's MOL minimum (1.95 V) at ~3.7 % true SOC. */
const EMPTY: Phase[] = [
  { current_A: 0, duration_s: 10, state: 'STANDBY' },
  { current_A: -150, duration_s: 400, state: 'NORMAL' },
  { current_A: 0, duration_s: 30, state: 'NORMAL' },
];
/** From SOC 0.975: C/15 charge for 1200 s reaches MOL max − 30 mV and ends at ~99.7 % true SOC (last row 1209.5 s). */
const FULL: Phase[] = [
  { current_A: 0, duration_s: 10, state: 'STANDBY' },
  { current_A: 20, duration_s: 1200, state: 'CHARGE' },
  { current_A: 0, duration_s: 30, state: 'STANDBY' },
];
const FULL_END_S = 1209.5;

/** Runs a session with the BMS's SOC off by bias; returns the report and the first tick at the cut-off / at the top. */
function run(phases: Phase[], initialSoc: number, bias: number) {
  let tEmpty = NaN;
  let tFull = NaN;
  const report = analyzeGenerated(
    {
      phases,
      rate_Hz: RATE_HZ,
      initialSoc,
      mutate: (k) => {
        k.soc += bias;
        if (tEmpty !== tEmpty && Math.min(...k.cellVoltage_V) <= MOL.cellVoltageMin_V) tEmpty = k.t_s;
        if (tFull !== tFull && Math.max(...k.cellVoltage_V) >= MOL.cellVoltageMax_V - 0.03 && k.current_A > 0) tFull = k.t_s;
      },
    },
    { checks: [ID] },
  );
  return { report, tEmpty, tFull };
}

describe('soc.cutoff', () => {
  // for all SOC errors of +3..+20 % or −20..−10 % / such that the BMS's SOC is off by that much
  // while a 0.5C discharge reaches the INFO MOL minimum (at ~3.9 % reported SOC) / one warning on
  // the pack from the first row at the cut-off (± one row for the wire's 0.1 mV rounding) holds
  it('should report a SOC far from 0 at the discharge cut-off', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ min: 3, max: 20, noNaN: true }), fc.double({ min: -20, max: -10, noNaN: true })), (bias_pct) => {
        const { report, tEmpty } = run(EMPTY, 0.06, bias_pct / 100);
        const fs = findingsOf(report, ID);
        expect(fs, listFindings(fs)).toHaveLength(1);
        const f = fs[0]!;
        expect(f.subject).toBe('pack');
        expect(f.severity).toBe('warning');
        expect(near(f.t_start_s, tEmpty, 0.5), `${f.t_start_s} vs ${tEmpty}`).toBe(true);
        expect(f.evidence.soc_pct as number).toBeCloseTo(3.9 + bias_pct, 0);
      }),
      { numRuns: 10, seed: 20261203 },
    );
  });

  // for all SOC errors of −20..−4 % / such that the BMS's SOC is that far below the truth while a
  // C/15 charge ends with the top cell at the MOL maximum / one warning on the pack from the first
  // row near the top (± one row) to the last row of the charge (exact) holds
  it('should report a SOC far from 1 at the end of a charge', () => {
    fc.assert(
      fc.property(fc.double({ min: -20, max: -4, noNaN: true }), (bias_pct) => {
        const { report, tFull } = run(FULL, 0.975, bias_pct / 100);
        const fs = findingsOf(report, ID);
        expect(fs, listFindings(fs)).toHaveLength(1);
        const f = fs[0]!;
        expect(f.severity).toBe('warning');
        expect(near(f.t_start_s, tFull, 0.5), `${f.t_start_s} vs ${tFull}`).toBe(true);
        expect(near(f.t_end_s, FULL_END_S, 0), `${f.t_end_s} vs ${FULL_END_S}`).toBe(true);
      }),
      { numRuns: 10, seed: 8 },
    );
  });

  // for all small SOC errors (−4..+0.8 % at the cut-off, −2.5..0 % at the top) / such that the
  // session reaches the cut-off or the top / the check is evaluated and passes holds
  it('should accept a SOC within the tolerances', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }), (empty, x) => {
        const { report } = empty ? run(EMPTY, 0.06, (-4 + 4.8 * x) / 100) : run(FULL, 0.975, (-2.5 * x) / 100);
        expect(statusOf(report, ID), listFindings(findingsOf(report, ID))).toBe('pass');
        expect(report.checks[0]!.metrics?.[empty ? 'cutoffs' : 'ends_of_charge']).toBe(1);
      }),
      { numRuns: 10, seed: 12 },
    );
  });

  // for all times (at an INFO, 10–1500 s, or never) from which the device states a MOL minimum
  // raised to the voltage of ~15 % SOC / such that a 0.5C discharge from 30 % with a correct SOC
  // crosses it at tNew and the old 1.95 V at tEmpty (1900 s) / one warning from
  // max(change, tNew) (± one row), with the SOC ≥ 9 % there and cutoff_V the new minimum, or
  // with no change a pass (the old cut-off reached with the SOC near 0) holds
  it('should take the cut-off voltage of the limits in force at each row', () => {
    const L = infoFor(8, 2, 4).limits;
    const vNew = Math.round((ocv(0.15) - 0.06) * 1000) / 1000; // less the 150 A × 0.4 mΩ IR drop
    const NEW = { ...L, mol: { ...L.mol, cellVoltageMin_V: vNew } };
    let tNew = NaN;
    let tEmpty = NaN;
    const msgs = generateMessages({
      phases: [
        { current_A: 0, duration_s: 10, state: 'STANDBY' },
        { current_A: -150, duration_s: 2200, state: 'NORMAL' },
        { current_A: 0, duration_s: 30, state: 'NORMAL' },
      ],
      rate_Hz: RATE_HZ,
      initialSoc: 0.3,
      mutate: (k) => {
        const lo = Math.min(...k.cellVoltage_V);
        if (tNew !== tNew && lo <= vNew) tNew = k.t_s;
        if (tEmpty !== tEmpty && lo <= MOL.cellVoltageMin_V) tEmpty = k.t_s;
      },
    });
    expect(tNew).toBeGreaterThan(800);
    expect(tEmpty).toBeGreaterThan(1800);
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 2, max: 300 }), fc.constant(Infinity)), (k) => {
        const change = 5 * k;
        const { report } = analyzeBytes(encodeRestarted(withLimitsFrom(msgs, change - 1, NEW), []), { checks: [ID] });
        const fs = findingsOf(report, ID);
        if (change === Infinity) {
          expect(statusOf(report, ID), listFindings(fs)).toBe('pass');
          return;
        }
        const from = Math.max(change, tNew);
        expect(fs, listFindings(fs)).toHaveLength(1);
        expect(near(fs[0]!.t_start_s, from, 1 / RATE_HZ), `${fs[0]!.t_start_s} vs ${from}`).toBe(true);
        expect(fs[0]!.evidence.cutoff_V).toBe(vNew);
        expect(fs[0]!.evidence.soc_pct as number).toBeGreaterThan(9);
      }),
      { numRuns: 12, seed: 2300 },
    );
  });

  it('should not be evaluable when neither end of the window is reached', () => {
    const report = analyzeGenerated({ phases: SHORT, rate_Hz: RATE_HZ }, { checks: [ID] });
    expect(statusOf(report, ID)).toBe('not_evaluable');
  });

  it('should pass a CC-CV charge and a 2C discharge to the cut-off with the emulated BMS (real wire bytes)', () => {
    const report = analyzeCapture(scenarioCapture(fixture('cutoff-cycle')), [ID]);
    const c = report.checks[0]!;
    expect(c.status, listFindings(report.findings)).toBe('pass');
    expect(c.metrics).toMatchObject({ cutoffs: 1, ends_of_charge: 1, cutoffs_at_high_current: 0 });
    expect(c.metrics?.cutoff_worst_off_pct as number).toBeLessThan(3);
    expect(c.metrics?.end_of_charge_worst_soc_pct as number).toBeGreaterThan(98);
  });
});
