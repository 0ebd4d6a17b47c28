/** diffText: the diff report as terminal text and as Markdown whose file names cannot change it. */
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import { DIFF_SCHEMA, type DiffReport } from '../../../analyzer/diff.ts';
import { diffText } from '../../../analyzer/report/diff.ts';

const range = { t_start_s: 1.5, t_end_s: 2.5, rows: 11, max_abs_diff: 0.25, at_t_s: 2, a: 3.5, b: 3.25 };
const report: DiffReport = {
  schema: DIFF_SCHEMA,
  a: 'runs/a|*base*.bin',
  b: 'runs/<b>\nnew.bin',
  rows: { a: 100, b: 100, matched: 100 },
  channels_compared: 2,
  only_in_a: ['soc_truth'],
  only_in_b: [],
  differences: [
    { channel: 'cellVoltage_V[3]', tolerance: { abs: 0.01, rel: 0, time_s: 0 }, rows_beyond: 11, max_abs_diff: 0.25, ranges: [range], ranges_omitted: 2 },
  ],
  exit_code: 1,
};

describe('diffText', () => {
  it('should print each channel beyond tolerance with its ranges on a terminal', () => {
    expect(diffText(report, false).split('\n')).toEqual([
      'runs/<b>', // the file name's line break, as it is
      'new.bin against runs/a|*base*.bin: 2 channels, 100 of 100 rows aligned',
      'only in A: soc_truth',
      'cellVoltage_V[3]: 11 rows beyond tolerance (±0.01), max |A-B| 0.25',
      '  1.5–2.5 s: 11 rows, max |A-B| 0.25 at 2 s (A 3.5, B 3.25)',
      '  … 2 more ranges',
      '',
    ]);
  });

  // the tolerance as --tolerance reads it: exact, ±abs, + rel % of B, ± time
  it('should say each tolerance in words', () => {
    const said = (abs: number, rel: number, time_s: number): string => {
      const d = { ...report.differences[0]!, tolerance: { abs, rel, time_s } };
      return diffText({ ...report, differences: [d] }, false).split('\n')[3]!;
    };
    expect(said(0, 0, 0)).toBe('cellVoltage_V[3]: 11 rows beyond tolerance (exact), max |A-B| 0.25');
    expect(said(0.5, 0.01, 0.1)).toBe('cellVoltage_V[3]: 11 rows beyond tolerance (±0.5 + 1 % of |B|, ±0.1 s), max |A-B| 0.25');
    expect(said(0, 0.02, 0)).toBe('cellVoltage_V[3]: 11 rows beyond tolerance (±2 % of |B|), max |A-B| 0.25');
  });

  it('should keep the file names as literal text and every range in its own row of nine cells in Markdown', () => {
    const html = micromark(diffText(report, true), { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
    expect(html).toContain('runs/&lt;b&gt; new.bin against runs/a|*base*.bin: 2 channels');
    expect(html).not.toMatch(/<(em|b|a)\b/);
    const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!.match(/<t[dh]>/g)?.length);
    expect(rows).toEqual([9, 9, 9]); // the header, the range, the "more ranges" row
    expect(html).toContain('<td><code>cellVoltage_V[3]</code></td>');
  });
});
