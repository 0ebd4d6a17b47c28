/** summary.energy: Ah and Wh in and out, efficiencies, equivalent cycles, operating and rest time. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageType } from '../../../../protocol/messages.ts';
import type { Phase } from '../../generate.ts';
import { analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { analyzeCapture, near } from '../thermal/sessions.ts';

const ID = 'summary.energy';
const PACK_AH = 300; // 8s2p of 150 Ah
const PRECHARGE_S = 0.5;

function metricsOf(report: ReturnType<typeof analyzeGenerated>): Record<string, number | null> {
  return report.checks.find((c) => c.check === ID)!.metrics as Record<string, number | null>;
}

/** A session: STANDBY 5 s, the given phases, STANDBY 5 s. */
function session(levels: { I: number; d: number }[]): Phase[] {
  return [
    { current_A: 0, duration_s: 5, state: 'STANDBY' },
    ...levels.map(({ I, d }): Phase => ({ current_A: I, duration_s: d, state: I > 0 ? 'CHARGE' : 'NORMAL' })),
    { current_A: 0, duration_s: 5, state: 'STANDBY' },
  ];
}

const level = fc.record({
  I: fc.oneof(fc.constant(0), fc.integer({ min: -150, max: -10 }), fc.integer({ min: 10, max: 150 })),
  d: fc.integer({ min: 5, max: 20 }),
});

describe('summary.energy', () => {
  // for all sequences of 2–5 current levels (rest, 10–150 A either way) of 5–20 s / such that
  // the session is those levels / Ah in and out are the sums of the positive and negative
  // current × time (the first level loses the 0.5 s precharge), within a sample per change, rest
  // time is the time at zero current, equivalent cycles are (in + out) / 600 Ah, and one info line
  // says so, holds
  it('should integrate the charge in and out', () => {
    fc.assert(
      fc.property(fc.array(level, { minLength: 2, maxLength: 5 }), (levels) => {
        const report = analyzeGenerated({ phases: session(levels) }, { checks: [ID] });
        const m = metricsOf(report);
        let inAs = 0,
          outAs = 0,
          tol = 0.001 * 3600,
          rest = 10;
        levels.forEach(({ I, d }, k) => {
          const t = k === 0 ? d - PRECHARGE_S : d;
          if (I > 0) inAs += I * t;
          else outAs -= I * t;
          if (I === 0) rest += d;
          tol += Math.abs(I) * 0.1;
        });
        if (levels[0]!.I !== 0) rest += PRECHARGE_S; // the precharge carries no current
        expect(near(m.charge_in_Ah!, inAs / 3600, tol / 3600)).toBe(true);
        expect(near(m.charge_out_Ah!, outAs / 3600, tol / 3600)).toBe(true);
        expect(near(m.equivalent_cycles!, (m.charge_in_Ah! + m.charge_out_Ah!) / (2 * PACK_AH), 1e-4)).toBe(true);
        expect(near(m.rest_time_s!, rest, 0.1 * (levels.length + 2))).toBe(true);
        expect(near(m.operating_time_s! + m.rest_time_s!, m.covered_time_s!, 0.11)).toBe(true);
        expect(m.gap_time_s).toBe(0);
        if (m.charge_in_Ah! > 0.01) expect(m.energy_in_Wh! / m.charge_in_Ah!).toBeGreaterThan(8 * 2.5);
        if (m.charge_in_Ah! >= 0.1 && m.charge_out_Ah! >= 0.1 && (m as Record<string, unknown>).round_trip === true) {
          expect(m.coulombic_efficiency).toBeCloseTo(m.charge_out_Ah! / m.charge_in_Ah!, 3);
        } else expect(m.coulombic_efficiency).toBeNull();
        const fs = findingsOf(report, ID);
        expect(fs).toHaveLength(1);
        expect(fs[0]!.severity).toBe('info');
        expect(statusOf(report, ID)).toBe('pass');
      }),
      { numRuns: 15, seed: 7401 },
    );
  });

  // for all gap starts and lengths of 2–8 s inside a 100 A discharge / such that PACK_STATUS is
  // lost there / the gap is counted as gap time and no charge is integrated across it, holds
  it('should never integrate across a gap', () => {
    fc.assert(
      fc.property(fc.double({ min: 10, max: 30, noNaN: true }), fc.double({ min: 2, max: 8, noNaN: true }), (t0, d) => {
        const phases = session([{ I: -100, d: 45 }]);
        const report = analyzeGenerated({ phases, drop: (type, k) => type === MessageType.PACK_STATUS && k.t_s >= t0 && k.t_s < t0 + d }, { checks: [ID] });
        const m = metricsOf(report);
        // the rows before and after the lost ones are d + 0.1 s apart (to the 0.1 s grid)
        expect(near(m.gap_time_s!, d + 0.1, 0.11)).toBe(true);
        expect(near(m.charge_out_Ah!, (100 * (45 - PRECHARGE_S - m.gap_time_s!)) / 3600, (100 * 0.2) / 3600)).toBe(true);
      }),
      { numRuns: 10, seed: 7402 },
    );
  });

  it('should say when the efficiencies describe no round trip', () => {
    const report = analyzeGenerated(
      {
        phases: session([
          { I: -150, d: 30 },
          { I: 50, d: 20 },
        ]),
      },
      { checks: [ID] },
    );
    expect(findingsOf(report, ID)[0]!.message).toContain('not a round trip');
    expect((metricsOf(report) as Record<string, unknown>).round_trip).toBe(false);
    expect(metricsOf(report).coulombic_efficiency).toBeNull();
  });

  // the same session with no INFO (no pack capacity) / no round trip judged, so no efficiency
  // (it once passed for one on its small SOC change alone, and out/in read several hundred %)
  it('should give no efficiency without a pack capacity to tell a round trip', () => {
    const report = analyzeGenerated(
      {
        phases: session([
          { I: -150, d: 30 },
          { I: 50, d: 20 },
        ]),
        drop: (type) => type === MessageType.INFO,
      },
      { checks: [ID] },
    );
    const m = metricsOf(report) as Record<string, unknown>;
    expect(m.round_trip).toBeNull();
    expect(m.coulombic_efficiency).toBeNull();
    expect(m.energy_efficiency).toBeNull();
    expect(findingsOf(report, ID)[0]!.message).toContain('no efficiency: no pack capacity (INFO) to tell a round trip');
  });

  it('should not be evaluable without PACK_STATUS', () => {
    const report = analyzeGenerated({ phases: session([{ I: -50, d: 10 }]), drop: (type) => type === MessageType.PACK_STATUS }, { checks: [ID] });
    expect(statusOf(report, ID)).toBe('not_evaluable');
  });

  it('should count the charge of fault-ambient-heat-wave as its SOC rise', () => {
    // 20s10p of 12 Ah cells (120 Ah) charging at up to 0.5C for 25 minutes
    const report = analyzeCapture(scenarioCapture('fault-ambient-heat-wave'), [ID]);
    const m = report.checks.find((c) => c.check === ID)!.metrics as Record<string, number>;
    expect(m.charge_in_Ah).toBeGreaterThan(20);
    expect(near(m.charge_in_Ah!, (m.soc_end! - m.soc_start!) * 120, 0.03 * m.charge_in_Ah!)).toBe(true);
    expect(m.charge_out_Ah).toBeLessThan(0.1);
    expect(report.summary.charge_in_Ah).toBe(m.charge_in_Ah);
  });
});
