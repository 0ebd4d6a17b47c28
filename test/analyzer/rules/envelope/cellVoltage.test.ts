/** envelope.cell_voltage: every cell against the INFO tiers, one finding per episode per cell. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyWaivers, parseWaivers } from '../../../../analyzer/waivers.ts';
import { MessageType } from '../../../../protocol/messages.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { DISCHARGE, LIMITS, SHORT, near, rowSpan, serious, show } from './sessions.ts';

const ID = 'envelope.cell_voltage';
const TIERS = ['mol', 'rsl', 'msl'] as const;
const SEVERITY = { mol: 'info', rsl: 'warning', msl: 'error' } as const;

/** A value inside the band of a tier: beyond its limit, not beyond the next one. */
function valueIn(tier: (typeof TIERS)[number], over: boolean, frac: number): number {
  const i = TIERS.indexOf(tier);
  if (over) {
    const lo = LIMITS[tier].cellVoltageMax_V;
    const hi = i < 2 ? LIMITS[TIERS[i + 1]!].cellVoltageMax_V : lo + 0.05;
    return lo + 0.002 + frac * (hi - lo - 0.004);
  }
  const hi = LIMITS[tier].cellVoltageMin_V;
  const lo = i < 2 ? LIMITS[TIERS[i + 1]!].cellVoltageMin_V : hi - 0.2;
  return hi - 0.002 - frac * (hi - lo - 0.004);
}

describe('envelope.cell_voltage', () => {
  // for all cells, tiers, directions, starts and durations (≥ 1 s) / such that one cell is held
  // beyond the tier's limit during the discharge / one finding for that cell at the tier's
  // severity, spanning the planted rows (± one sample), holds
  it('should report a planted exceedance at its tier, cell and time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 }),
        fc.constantFrom(...TIERS),
        fc.boolean(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: DISCHARGE.from, max: DISCHARGE.to - 20, noNaN: true }),
        fc.double({ min: 1, max: 15, noNaN: true }),
        (cell, tier, over, frac, t0, d) => {
          const v = valueIn(tier, over, frac);
          const report = analyzeGenerated(
            {
              phases: SHORT,
              mutate: (k) => {
                if (k.t_s >= t0 && k.t_s < t0 + d) k.cellVoltage_V[cell] = v;
              },
            },
            { checks: [ID] },
          );
          const fs = findingsOf(report, ID);
          expect(fs, show(fs)).toHaveLength(1);
          const f = fs[0]!;
          const span = rowSpan(t0, t0 + d);
          expect(f.subject).toBe(`cell ${cell}`);
          expect(f.severity).toBe(SEVERITY[tier]);
          expect(f.evidence.direction).toBe(over ? 'over' : 'under');
          expect(f.threshold?.source).toBe(`device INFO ${tier.toUpperCase()}`);
          expect(f.threshold?.value).toBe(over ? LIMITS[tier].cellVoltageMax_V : LIMITS[tier].cellVoltageMin_V);
          expect(near(f.t_start_s, span.first, 0.1), `${f.t_start_s} vs ${span.first}`).toBe(true);
          expect(near(f.t_end_s, span.last, 0.1), `${f.t_end_s} vs ${span.last}`).toBe(true);
        },
      ),
      { numRuns: 15, seed: 20251203 },
    );
  });

  // for all cells and spike lengths of at most 4 samples (0.4 s < min_duration_s 0.5 s) / such
  // that a cell jumps beyond the MSL / no finding, holds
  it('should ignore spikes shorter than the minimum duration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 100, max: 400 }), (cell, n, k0) => {
        const report = analyzeGenerated(
          {
            phases: SHORT,
            mutate: (k) => {
              if (k.k >= k0 && k.k < k0 + n) k.cellVoltage_V[cell] = 4.2;
            },
          },
          { checks: [ID] },
        );
        expect(findingsOf(report, ID)).toEqual([]);
      }),
      { numRuns: 10, seed: 7 },
    );
  });

  it('should merge crossings closer than merge_s into one episode', () => {
    const report = analyzeGenerated(
      {
        phases: SHORT,
        mutate: (k) => {
          if ((k.t_s >= 20 && k.t_s < 22) || (k.t_s >= 25 && k.t_s < 27)) k.cellVoltage_V[3] = 4.06;
        },
      },
      { checks: [ID] },
    );
    const fs = findingsOf(report, ID);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.t_start_s).toBeCloseTo(20, 6);
    expect(fs[0]!.t_end_s).toBeCloseTo(26.9, 6);
    expect(fs[0]!.evidence.beyond_rsl_s).toBeCloseTo(4, 6);
  });

  // for all seeds / the clean generated session / no finding and the check passes, holds
  it('should find nothing on clean sessions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const report = analyzeGenerated({ phases: SHORT, seed }, { checks: [ID] });
        expect(findingsOf(report, ID)).toEqual([]);
        expect(statusOf(report, ID)).toBe('pass');
      }),
      { numRuns: 5, seed: 11 },
    );
  });

  it('should fall back to the PACK_STATUS extremes without CELL_VOLTAGES', () => {
    const report = analyzeGenerated(
      {
        phases: SHORT,
        drop: (type) => type === MessageType.CELL_VOLTAGES,
        mutate: (k) => {
          if (k.t_s >= 30 && k.t_s < 35) k.cellVoltage_V[2] = 1.6;
        },
      },
      { checks: [ID] },
    );
    const fs = findingsOf(report, ID);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.subject).toBe('pack');
    expect(fs[0]!.severity).toBe('warning');
    expect(fs[0]!.evidence.data).toBe('PACK_STATUS min/max');
  });

  it('should list cells over the limit from one moment in reading order (cell 2 before cell 10)', () => {
    const report = analyzeGenerated(
      {
        phases: SHORT,
        ns: 12,
        mutate: (k) => {
          if (k.t_s >= 10 && k.t_s < 14) for (let c = 0; c < 12; c++) k.cellVoltage_V[c] = 4.02;
        },
      },
      { checks: [ID], set: [`${ID}.group_count=0`] },
    );
    const subjects = report.findings.filter((f) => f.check === ID).map((f) => f.subject);
    expect(subjects).toEqual(Array.from({ length: 12 }, (_, c) => `cell ${c}`));
  });

  // for all sets of cells, tiers and directions / such that the cells are held beyond the tier at
  // overlapping times (staggered starts) / four or more (group_count) are one finding, subject
  // "cells", naming every one of them, at the tier's severity and spanning them all; fewer are a
  // finding each, holds
  it('should make many cells beyond one tier at once one finding, and a few a finding each', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 11 }), { minLength: 1, maxLength: 12 }),
        fc.constantFrom(...TIERS),
        fc.boolean(),
        (cells, tier, over) => {
          const v = valueIn(tier, over, 0.5);
          const t0 = DISCHARGE.from + 5;
          const report = analyzeGenerated(
            {
              phases: SHORT,
              ns: 12,
              mutate: (k) => {
                cells.forEach((c, j) => {
                  if (k.t_s >= t0 + j && k.t_s < t0 + 8 + j) k.cellVoltage_V[c] = v;
                });
              },
            },
            { checks: [ID] },
          );
          const fs = findingsOf(report, ID);
          const span = rowSpan(t0, t0 + 8 + cells.length - 1);
          if (cells.length < 4) {
            expect(fs.map((f) => f.subject).sort(), show(fs)).toEqual(cells.map((c) => `cell ${c}`).sort());
            return;
          }
          expect(fs, show(fs)).toHaveLength(1);
          const f = fs[0]!;
          expect(f.subject).toBe('cells');
          expect(f.severity).toBe(SEVERITY[tier]);
          expect(f.threshold?.source).toBe(`device INFO ${tier.toUpperCase()}`);
          expect(f.evidence.count).toBe(cells.length);
          expect(f.evidence.direction).toBe(over ? 'over' : 'under');
          expect(f.evidence.first_subject).toBe(`cell ${cells[0]}`);
          expect(String(f.evidence.subjects).split(',').map(Number)).toEqual([...cells].sort((a, b) => a - b));
          expect(f.message).toMatch(new RegExp(`^${cells.length} cells ${over ? 'above' : 'below'} the ${tier.toUpperCase()} `));
          expect(near(f.t_start_s, span.first, 0.1), `${f.t_start_s} vs ${span.first}`).toBe(true);
          expect(near(f.t_end_s, span.last, 0.1), `${f.t_end_s} vs ${span.last}`).toBe(true);
        },
      ),
      { numRuns: 12, seed: 20261206 },
    );
  });

  it('should keep a cell that went a tier further out of the group, and cells over at other times apart', () => {
    const report = analyzeGenerated(
      {
        phases: SHORT,
        ns: 12,
        mutate: (k) => {
          // cells 0-5 over the RSL together, cell 3 on to the MSL; cells 8-11 over the RSL one after another
          if (k.t_s >= 10 && k.t_s < 16) for (let c = 0; c < 6; c++) k.cellVoltage_V[c] = c === 3 ? 4.12 : 4.07;
          for (let c = 8; c < 12; c++) if (k.t_s >= 20 + 5 * (c - 8) && k.t_s < 22 + 5 * (c - 8)) k.cellVoltage_V[c] = 4.07;
        },
      },
      { checks: [ID] },
    );
    const fs = findingsOf(report, ID);
    expect(
      fs.map((f) => `${f.subject} ${f.severity}`),
      show(fs),
    ).toEqual(['cell 3 error', 'cells warning', 'cell 8 warning', 'cell 9 warning', 'cell 10 warning', 'cell 11 warning']);
    expect(fs[1]!.evidence.subjects).toBe('0,1,2,4,5');
    // and with grouping off, a finding per cell
    const apart = analyzeGenerated(
      {
        phases: SHORT,
        ns: 12,
        mutate: (k) => {
          if (k.t_s >= 10 && k.t_s < 16) for (let c = 0; c < 6; c++) k.cellVoltage_V[c] = 4.07;
        },
      },
      { checks: [ID], set: [`${ID}.group_count=0`] },
    );
    expect(findingsOf(apart, ID)).toHaveLength(6);
  });

  // a waiver per cell covers the group of those cells (the grouping must not undo a waiver that
  // let a known cell through), not a group with any other cell in it
  it('should take a group finding as waived when every cell in it is waived by subject', () => {
    const report = analyzeGenerated(
      {
        phases: SHORT,
        ns: 12,
        mutate: (k) => {
          if (k.t_s >= 10 && k.t_s < 16) for (let c = 2; c < 7; c++) k.cellVoltage_V[c] = 4.07;
        },
      },
      { checks: [ID] },
    );
    const group = findingsOf(report, ID);
    expect(group.map((f) => f.subject)).toEqual(['cells']);
    const waive = (cells: number[], extra: object = {}) => {
      const fs = group.map((f) => ({ ...f }));
      const ws = parseWaivers({
        schema: 'natrium.waivers/1',
        waivers: cells.map((c) => ({ check: ID, subject: `cell ${c}`, reason: c < 4 ? 'tab weld' : 'sensing lead', ...extra })),
      });
      applyWaivers(fs, ws, '2026-12-03');
      return fs[0]!.waived ?? null;
    };
    expect(waive([2, 3, 4, 5, 6])).toBe('tab weld; sensing lead');
    expect(waive([2, 3, 4, 5])).toBeNull();
    expect(waive([2, 3, 4, 5, 6, 9])).toBe('tab weld; sensing lead');
    expect(waive([2, 3, 4, 5, 6], { to_s: 5 })).toBeNull();
    expect(waive([2, 3, 4, 5, 6], { check: 'envelope.temperature' })).toBeNull();
  });

  it('should cap the findings and summarise the rest', () => {
    const report = analyzeGenerated(
      {
        phases: SHORT,
        mutate: (k) => {
          for (let s = 0; s < 8; s++) if (k.t_s >= 10 + 5 * s && k.t_s < 12 + 5 * s) k.cellVoltage_V[s] = 4.02;
        },
      },
      { checks: [ID], set: [`${ID}.max_findings=3`] },
    );
    const fs = findingsOf(report, ID);
    expect(fs).toHaveLength(4);
    const more = fs.find((f) => f.subject === 'more')!;
    expect(more.evidence.more).toBe(5);
    expect(more.severity).toBe('info');
  });

  it('should report time beyond each tier as metrics', () => {
    const report = analyzeGenerated(
      {
        phases: SHORT,
        mutate: (k) => {
          if (k.t_s >= 20 && k.t_s < 30) k.cellVoltage_V[0] = 4.07;
        },
      },
      { checks: [ID] },
    );
    const m = report.checks.find((c) => c.check === ID)!.metrics!;
    expect(m.time_above_mol_s).toBeCloseTo(10, 6);
    expect(m.time_above_rsl_s).toBeCloseTo(10, 6);
    expect(m.time_above_msl_s).toBe(0);
    expect(m.share_above_rsl as number).toBeCloseTo(10 / 115, 3);
  });

  it('should not be evaluable without INFO', () => {
    const report = analyzeGenerated({ phases: SHORT, drop: (type) => type === MessageType.INFO }, { checks: [ID] });
    expect(statusOf(report, ID)).toBe('not_evaluable');
  });

  it('should find the over-voltage of fault-charger-cv-too-high and nothing on a clean drive', () => {
    const fault = analyzeBytes(scenarioCapture('fault-charger-cv-too-high'), { checks: [ID] }).report;
    const fs = findingsOf(fault, ID);
    const msl = fs.filter((f) => f.severity === 'error');
    expect(msl.map((f) => f.subject)).toEqual(['cell 46']);
    expect(msl[0]!.evidence.peak).toBeGreaterThan(LIMITS.msl.cellVoltageMax_V);
    expect(fs.some((f) => f.severity === 'warning')).toBe(true);
    const clean = analyzeBytes(scenarioCapture('default', 300), { checks: [ID] }).report;
    expect(serious(findingsOf(clean, ID))).toEqual([]);
  });
});
