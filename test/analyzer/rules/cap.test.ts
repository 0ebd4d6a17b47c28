/** analyzer/rules/cap.ts: the cap on the findings of one check. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Finding, type Severity, SEVERITIES, finding, naturalCompare, severityRank } from '../../../analyzer/findings.ts';
import { capFindings } from '../../../analyzer/rules/cap.ts';

const CHECK = 'envelope.cell_voltage';

const aFinding: fc.Arbitrary<Finding> = fc
  .record({
    severity: fc.constantFrom(...SEVERITIES),
    t: fc.integer({ min: 0, max: 20 }),
    d: fc.integer({ min: 0, max: 10 }),
    cell: fc.integer({ min: 0, max: 120 }),
  })
  .map(({ severity, t, d, cell }) =>
    finding({
      check: CHECK,
      severity,
      t_start_s: t,
      t_end_s: t + d,
      subject: `cell ${cell}`,
      message: 'm',
      evidence: {},
      threshold: null,
    }),
  );

const worstOf = (fs: readonly Finding[]): number => Math.max(-1, ...fs.map((f) => severityRank(f.severity)));

describe('capFindings', () => {
  // for all lists of findings and caps 0..30 / — / at most `max` are listed and, when some are
  // left out, one "more" finding counts them by severity, spans them and carries their worst
  // severity; no left-out finding is more severe than a listed one; the worst severity of the
  // check is unchanged; the listed ones are in time order (subjects in reading order), holds
  it('should list the most severe and count the rest', () => {
    fc.assert(
      fc.property(fc.array(aFinding, { maxLength: 60 }), fc.integer({ min: 0, max: 30 }), (all, max) => {
        const out = capFindings(CHECK, all, { value: max, unit: 'findings', source: 'profile test' });
        expect(worstOf(out)).toBe(worstOf(all));
        if (all.length <= max) {
          expect(out).toHaveLength(all.length);
          expect(out.every((f) => f.subject !== 'more')).toBe(true);
          return;
        }
        expect(out).toHaveLength(max + 1);
        const listed = out.slice(0, max);
        const more = out[max]!;
        expect(more.subject).toBe('more');
        const left = all.filter((f) => !listed.includes(f));
        expect(more.evidence.more).toBe(left.length);
        const count = (s: Severity): number => left.filter((f) => f.severity === s).length;
        expect([more.evidence.more_error, more.evidence.more_warning, more.evidence.more_info]).toEqual([count('error'), count('warning'), count('info')]);
        expect(more.severity).toBe(SEVERITIES[worstOf(left)]);
        expect(more.t_start_s).toBe(Math.min(...left.map((f) => f.t_start_s)));
        expect(more.t_end_s).toBe(Math.max(...left.map((f) => f.t_end_s)));
        if (listed.length > 0) expect(Math.min(...listed.map((f) => severityRank(f.severity)))).toBeGreaterThanOrEqual(worstOf(left));
        for (let i = 1; i < listed.length; i++) {
          const a = listed[i - 1]!;
          const b = listed[i]!;
          expect(a.t_start_s < b.t_start_s || (a.t_start_s === b.t_start_s && naturalCompare(a.subject, b.subject) <= 0)).toBe(true);
        }
        expect(more.threshold).toEqual({ value: max, unit: 'findings', source: 'profile test' });
      }),
    );
  });

  it('should keep the lowest cells of a tie, and name what it left out', () => {
    // 100 cells over the limit from the same moment, as under a charger that ignores the BMS
    const all = Array.from({ length: 100 }, (_, i) =>
      finding({
        check: CHECK,
        severity: i === 46 ? 'error' : 'warning',
        t_start_s: 192.4,
        t_end_s: 249.9,
        subject: `cell ${99 - i}`,
        message: 'm',
        evidence: {},
        threshold: null,
      }),
    );
    const out = capFindings(CHECK, all, 50);
    expect(out.slice(0, 50).map((f) => f.subject)).toEqual(
      ['cell 0', ...Array.from({ length: 48 }, (_, i) => `cell ${i + 1}`), 'cell 53'].sort(naturalCompare),
    );
    expect(out[50]!.message).toBe('and 50 more findings not listed (50 warning, 50 cells): the check lists the 50 most severe (max_findings)');
    expect(out[50]!.threshold).toEqual({ value: 50, unit: 'findings', source: `profile ${CHECK}.max_findings` });
  });
});
