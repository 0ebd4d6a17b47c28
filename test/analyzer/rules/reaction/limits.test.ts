/** reaction.limits: warn, derate and (at MSL) open in time for every RSL / MSL exceedance. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BmsState, FaultCode, FaultTier } from '../../../../protocol/messages.ts';
import { type Tick, encodeRestarted, generateMessages } from '../../generate.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { CHARGE, DISCHARGE, SHORT, near, show } from '../envelope/sessions.ts';

const ID = 'reaction.limits';
/** Deadlines of the default profile for cell voltages, s. */
const WARN_S = 1.5;
const DERATE_S = 1.5;
const OPEN_S = 4.5;

type Verdict = 'ok' | 'late' | 'missing';
/** A reaction: its verdict and, unless missing, its latency. */
const reaction = (deadline: number) =>
  fc.oneof(
    fc.double({ min: 0, max: deadline - 0.3, noNaN: true }).map((l) => ({ verdict: 'ok' as Verdict, latency: l })),
    fc.double({ min: deadline + 0.5, max: deadline + 4, noNaN: true }).map((l) => ({ verdict: 'late' as Verdict, latency: l })),
    fc.constant({ verdict: 'missing' as Verdict, latency: Infinity }),
  );

/** Sets the over-voltage warning from `t`: the mask bit, or one EVENT at the first tick. */
function warnAt(k: Tick, t: number, byEvent: boolean, cell: number, tier: number): void {
  if (k.t_s < t) return;
  if (byEvent) {
    if (k.t_s < t + 0.1 - 1e-9)
      k.events.push({ code: FaultCode.CELL_OVERVOLTAGE, tier: tier as FaultTier, raised: true, index: cell, value: 4.07, threshold: 4.05 });
  } else if (tier === FaultTier.FATAL) k.faultMask |= 1 << FaultCode.CELL_OVERVOLTAGE;
  else k.warningMask |= 1 << FaultCode.CELL_OVERVOLTAGE;
}

describe('reaction.limits', () => {
  // for all cells, starts in the charge phase, durations of 5–20 s and BMS reactions (a warning
  // by mask bit or by EVENT, and a derating of the charge limit, each in time, late or missing)
  // / such that a cell sits beyond the RSL maximum (4.07 V) / no finding when both reactions are
  // in time, otherwise one error for that cell from the first sample beyond the RSL, with each
  // reaction's verdict and its measured latency, holds
  it('should judge the warning and the derating of an RSL over-voltage', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 5, max: 20, noNaN: true }),
        reaction(WARN_S),
        fc.boolean(),
        reaction(DERATE_S),
        (cell, at, d, warn, byEvent, derate) => {
          const t0 = CHARGE.from + at * (CHARGE.to - CHARGE.from - d - 5);
          const report = analyzeGenerated(
            {
              phases: SHORT,
              mutate: (k) => {
                if (k.t_s >= t0 && k.t_s < t0 + d) k.cellVoltage_V[cell] = 4.07;
                if (k.t_s > t0 + d + 1) return;
                warnAt(k, t0 + warn.latency, byEvent, cell, FaultTier.WARNING);
                if (k.t_s >= t0 + derate.latency) k.chargeLimit_A = 450;
              },
            },
            { checks: [ID] },
          );
          const fs = findingsOf(report, ID);
          if (warn.verdict === 'ok' && derate.verdict === 'ok') {
            expect(fs, show(fs)).toEqual([]);
            expect(statusOf(report, ID)).toBe('pass');
            return;
          }
          expect(fs, show(fs)).toHaveLength(1);
          const f = fs[0]!;
          expect(f.severity).toBe('error');
          expect(f.subject).toBe(`cell ${cell}`);
          expect(near(f.t_start_s, Math.ceil(t0 * 10 - 1e-9) / 10, 0.1)).toBe(true);
          expect(f.evidence.warn).toBe(warn.verdict);
          expect(f.evidence.derate).toBe(derate.verdict);
          for (const [key, r] of [
            ['warn_latency_s', warn],
            ['derate_latency_s', derate],
          ] as const) {
            if (r.verdict === 'missing') expect(f.evidence[key]).toBeNull();
            else expect(near(f.evidence[key] as number, r.latency, 0.15), `${key} ${f.evidence[key]} vs ${r.latency}`).toBe(true);
          }
        },
      ),
      { numRuns: 20, seed: 777 },
    );
  });

  // for all starts and opening latencies (in time, late, missing) / such that a cell goes beyond
  // the MSL (4.12 V), the BMS warns and derates to 0 at once and goes to ERROR with the contactors
  // open after the latency / the opening judged against its deadline with the measured latency, holds
  it('should judge the opening at an MSL over-voltage', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), reaction(OPEN_S), (at, open) => {
        const t0 = CHARGE.from + at * (CHARGE.to - CHARGE.from - 15);
        const report = analyzeGenerated(
          {
            phases: SHORT,
            mutate: (k) => {
              if (k.t_s >= t0 && k.t_s < t0 + 3) k.cellVoltage_V[5] = 4.12;
              warnAt(k, t0 + 0.2, false, 5, FaultTier.FATAL);
              if (k.t_s >= t0 + 0.2) k.chargeLimit_A = k.dischargeLimit_A = 0;
              if (k.t_s >= t0 + open.latency) {
                k.state = BmsState.ERROR;
                k.contactors = { pos: false, neg: false, pre: false };
                k.current_A = 0;
              }
            },
          },
          { checks: [ID] },
        );
        const fs = findingsOf(report, ID);
        if (open.verdict === 'ok') {
          expect(fs, show(fs)).toEqual([]);
          return;
        }
        expect(fs, show(fs)).toHaveLength(1);
        const f = fs[0]!;
        expect(f.evidence.tier).toBe('MSL');
        expect(f.evidence.warn).toBe('ok');
        expect(f.evidence.derate).toBe('ok');
        expect(f.evidence.open).toBe(open.verdict);
        if (open.verdict === 'late') expect(near(f.evidence.open_latency_s as number, open.latency, 0.15)).toBe(true);
        expect(f.threshold).toMatchObject({ value: OPEN_S, unit: 's' });
      }),
      { numRuns: 12, seed: 4711 },
    );
  });

  it('should judge temperature and current exceedances by their own codes and limits', () => {
    // over-temperature at the RSL while discharging: OVERTEMPERATURE_DISCHARGE and the discharge limit
    const hot = (react: boolean) =>
      analyzeGenerated(
        {
          phases: SHORT,
          mutate: (k) => {
            if (k.t_s >= 20 && k.t_s < 40) k.temperature_C[2] = 66;
            if (react && k.t_s >= 22 && k.t_s < 41) {
              k.warningMask |= 1 << FaultCode.OVERTEMPERATURE_DISCHARGE;
              k.dischargeLimit_A = 450;
            }
          },
        },
        { checks: [ID] },
      );
    expect(findingsOf(hot(true), ID)).toEqual([]);
    const missed = findingsOf(hot(false), ID);
    expect(missed.map((f) => [f.subject, f.evidence.quantity, f.evidence.warn, f.evidence.derate])).toEqual([
      ['sensor 2', 'temperature', 'missing', 'missing'],
    ]);
    // discharge over-current at the RSL: OVERCURRENT_DISCHARGE and the discharge limit
    const surge = (react: boolean) =>
      analyzeGenerated(
        {
          phases: SHORT,
          mutate: (k) => {
            if (k.t_s >= DISCHARGE.from + 5 && k.t_s < DISCHARGE.from + 10) k.current_A = -1200;
            if (react && k.t_s >= DISCHARGE.from + 5.5 && k.t_s < DISCHARGE.from + 11) {
              k.warningMask |= 1 << FaultCode.OVERCURRENT_DISCHARGE;
              k.dischargeLimit_A = 300;
            }
          },
        },
        { checks: [ID] },
      );
    expect(findingsOf(surge(true), ID)).toEqual([]);
    expect(findingsOf(surge(false), ID).map((f) => [f.subject, f.evidence.direction])).toEqual([['pack current', 'under']]);
  });

  // for all seeds / a clean session / nothing judged, no finding, passing with a note, holds
  // an RSL over-voltage from t0 = 70 s, the device restarting `restart` s later, the BMS warning
  // and derating `react` s after t0 (or never)
  it('should not judge a reaction the device restarted before, and judge the others', () => {
    const t0 = 70;
    const run = (restart: number, react: number) => {
      const msgs = generateMessages({
        phases: SHORT,
        mutate: (k) => {
          if (k.t_s >= t0 && k.t_s < t0 + 10) k.cellVoltage_V[2] = 4.07;
          if (k.t_s > t0 + 11) return;
          warnAt(k, t0 + react, false, 2, FaultTier.WARNING);
          if (k.t_s >= t0 + react) k.chargeLimit_A = 450;
        },
      });
      const { report } = analyzeBytes(encodeRestarted(msgs, [t0 + restart]), { checks: [ID] });
      return { fs: findingsOf(report, ID), metrics: report.checks.find((c) => c.check === ID)!.metrics! };
    };
    // a warning 1 s after t0, 0.5 s after a restart: in time on the axis, but the downtime is unknown
    const after = run(0.5, 1);
    expect(after.fs, show(after.fs)).toHaveLength(1);
    expect(after.fs[0]!.severity).toBe('info');
    expect([after.fs[0]!.evidence.warn, after.fs[0]!.evidence.derate]).toEqual(['interrupted', 'interrupted']);
    expect(after.fs[0]!.message).toMatch(/device restarted at 70\.\d+ s/);
    expect(after.metrics.reactions_interrupted).toBe(2);
    // none at all, the device restarting before the deadline: not judged either
    const none = run(0.5, Infinity);
    expect(none.fs.map((f) => [f.severity, f.evidence.warn])).toEqual([['info', 'interrupted']]);
    // the same warning before the restart is judged (in time)
    expect(run(2, 1).fs).toEqual([]);
    // a restart after the deadline leaves a missing reaction missing
    const late = run(3, Infinity);
    expect(late.fs.map((f) => [f.severity, f.evidence.warn, f.evidence.derate])).toEqual([['error', 'missing', 'missing']]);
  });

  it('should find nothing to judge on clean sessions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const report = analyzeGenerated({ phases: SHORT, seed }, { checks: [ID] });
        expect(findingsOf(report, ID)).toEqual([]);
        const c = report.checks.find((x) => x.check === ID)!;
        expect(c.status).toBe('pass');
        expect(c.reason).toContain('no exceedance');
      }),
      { numRuns: 4, seed: 23 },
    );
  });

  it('should find the emulated BMS reacting in time to fault-charger-cv-too-high', () => {
    const report = analyzeBytes(scenarioCapture('fault-charger-cv-too-high'), { checks: [ID] }).report;
    expect(findingsOf(report, ID), show(findingsOf(report, ID))).toEqual([]);
    const m = report.checks.find((c) => c.check === ID)!.metrics!;
    expect(m.cell_voltage_beyond_rsl as number).toBeGreaterThan(50);
    expect(m.cell_voltage_beyond_msl).toBe(1);
    expect(m.cell_voltage_warn_latency_max_s as number).toBeLessThanOrEqual(WARN_S);
    expect(m.cell_voltage_derate_latency_max_s as number).toBeLessThanOrEqual(DERATE_S);
    expect(m.cell_voltage_open_latency_max_s as number).toBeLessThanOrEqual(OPEN_S);
    expect(m.reactions_missed).toBe(0);
  });
});
