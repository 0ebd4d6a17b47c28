/** summary.bands: time in SOC bands and in bands of the hottest temperature. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageType } from '../../../../protocol/messages.ts';
import { analyzeGenerated, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { SHORT, analyzeCapture, near } from '../thermal/sessions.ts';

const ID = 'summary.bands';
/** Rows are 0.1 s apart; the session's 1150 rows span 114.9 s. */
const COVERED_S = 114.9;
const SOC_BANDS = ['0_10', '10_20', '20_30', '30_40', '40_50', '50_60', '60_70', '70_80', '80_90', '90_100'];
const TEMPERATURE_BANDS = ['below_0', '0_10', '10_20', '20_30', '30_40', '40_45', 'above_45'];

function temperatureBand(x: number): string {
  if (x < 0) return 'below_0';
  if (x >= 45) return 'above_45';
  if (x >= 40) return '40_45';
  const k = Math.floor(x / 10);
  return `${k * 10}_${k * 10 + 10}`;
}

function metricsOf(report: ReturnType<typeof analyzeGenerated>): Record<string, number | null> {
  return report.checks.find((c) => c.check === ID)!.metrics as Record<string, number | null>;
}

describe('summary.bands', () => {
  // for all SOCs in [0, 1) and temperatures in [−15, 60) °C / such that the BMS reports that SOC
  // and every sensor that temperature all session / all the time is in their two bands (share
  // 1), none in the others, holds
  it('should put the whole session in the bands of a constant SOC and temperature', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.999, noNaN: true }), fc.double({ min: -15, max: 59.9, noNaN: true }), (soc, T) => {
        const report = analyzeGenerated(
          {
            phases: SHORT,
            mutate: (k) => {
              k.soc = soc;
              k.temperature_C.fill(T);
            },
          },
          { checks: [ID] },
        );
        const m = metricsOf(report);
        const sBand = SOC_BANDS[Math.floor(soc * 10)]!;
        const tBand = temperatureBand(Math.round(T * 100) / 100); // the wire's 0.01 °C resolution
        expect(near(m.soc_time_s!, COVERED_S, 0.01)).toBe(true);
        for (const b of SOC_BANDS) expect(m[`soc_${b}_pct_share`]).toBe(b === sBand ? 1 : 0);
        for (const b of TEMPERATURE_BANDS) expect(m[`temperature_${b}_C_share`]).toBe(b === tBand ? 1 : 0);
        expect(near(m[`temperature_${tBand}_C_s`]!, COVERED_S, 0.01)).toBe(true);
        expect(report.findings).toEqual([]);
      }),
      { numRuns: 15, seed: 7501 },
    );
  });

  // for all switch times and two SOC bands / such that the SOC is in the first band before the
  // switch and in the second after / the time in each band is the time before and after it
  // (one row), and the shares add up to 1, holds
  it('should split the time between bands where the SOC moves', () => {
    fc.assert(
      fc.property(fc.double({ min: 10, max: 100, noNaN: true }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), (tSwitch, a, b) => {
        const report = analyzeGenerated(
          {
            phases: SHORT,
            mutate: (k) => {
              k.soc = (k.t_s < tSwitch ? a : b) / 10 + 0.05;
            },
          },
          { checks: [ID] },
        );
        const m = metricsOf(report);
        let share = 0;
        for (const band of SOC_BANDS) share += m[`soc_${band}_pct_share`]!;
        expect(near(share, 1, 1e-3)).toBe(true);
        if (a !== b) {
          expect(near(m[`soc_${SOC_BANDS[a]}_pct_s`]!, tSwitch, 0.11)).toBe(true);
          expect(near(m[`soc_${SOC_BANDS[b]}_pct_s`]!, COVERED_S - tSwitch, 0.11)).toBe(true);
        }
      }),
      { numRuns: 10, seed: 7502 },
    );
  });

  it('should count nothing across a gap', () => {
    const report = analyzeGenerated({ phases: SHORT, drop: (type, k) => type === MessageType.PACK_STATUS && k.t_s >= 50 && k.t_s < 60 }, { checks: [ID] });
    expect(near(metricsOf(report).soc_time_s!, COVERED_S - 10.1, 0.01)).toBe(true);
  });

  it('should not be evaluable without PACK_STATUS', () => {
    const report = analyzeGenerated({ phases: SHORT, drop: (type) => type === MessageType.PACK_STATUS }, { checks: [ID] });
    expect(statusOf(report, ID)).toBe('not_evaluable');
  });

  it('should put the hot cells of fault-cooling-failure above 45 °C for part of the charge', () => {
    const report = analyzeCapture(scenarioCapture('fault-cooling-failure'), [ID]);
    const m = report.checks.find((c) => c.check === ID)!.metrics as Record<string, number>;
    expect(m.temperature_above_45_C_share).toBeGreaterThan(0.5);
    expect(m.temperature_40_45_C_share! + m.temperature_above_45_C_share!).toBeCloseTo(1, 3);
    expect(m.soc_10_20_pct_s! + m.soc_20_30_pct_s!).toBeGreaterThan(100);
  });
});
