/** Every SOC check on clean library scenarios (real wire bytes from the emulated BMS): no warning or error. */
import { describe, expect, it } from 'vitest';
import { RULES } from '../../../../analyzer/rules/index.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { analyzeCapture, listFindings } from './helpers.ts';

const SOC = RULES.filter((r) => r.group === 'soc').map((r) => r.id);

describe('soc checks on clean scenarios', () => {
  for (const [name, cut_s] of [
    ['cold-start-minus20', 1200],
    ['three-wheeler-fleet-day', 1200],
    ['hot-city-fast-charge', 900],
  ] as const) {
    it(`should raise no warning on ${name} (first ${cut_s} s), default and lab profiles`, () => {
      const bytes = scenarioCapture(name, cut_s);
      for (const profile of ['default', 'lab']) {
        const report = analyzeCapture(bytes, SOC, profile);
        const serious = report.findings.filter((f) => f.severity !== 'info');
        expect(serious, `${profile}: ${listFindings(serious)}`).toHaveLength(0);
        expect(report.checks.filter((c) => c.status === 'fail')).toHaveLength(0);
      }
    });
  }
});
