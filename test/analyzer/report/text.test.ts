/** The terminal report's header lines (analyzer/report/text.ts), and the Markdown input table's link row. */
import { describe, expect, it } from 'vitest';
import { reportMarkdown } from '../../../analyzer/report/markdown.ts';
import { reportText } from '../../../analyzer/report/text.ts';
import { encodeRestarted, generateMessages } from '../generate.ts';
import { analyzeBytes } from '../harness.ts';

const msgs = generateMessages({ phases: [{ current_A: -50, duration_s: 30, state: 'NORMAL' }] });
const linkLine = (text: string): string => text.split('\n').find((l) => l.startsWith('link '))!;
const linkRow = (md: string): string => md.split('\n').find((l) => l.startsWith('| link |'))!;

describe('report header', () => {
  // a capture whose device restarted 0, 1 or 2 times / the link line and row say so (none: nothing)
  it('should name the device restarts on the link line, with their count', () => {
    for (const [at, said] of [
      [[], null],
      [[12], ', 1 device restart'],
      [[8, 19], ', 2 device restarts'],
    ] as const) {
      const { report } = analyzeBytes(encodeRestarted(msgs, at), { checks: ['quality.time'] });
      expect(report.input.restarts).toBe(at.length);
      const line = linkLine(reportText(report));
      const row = linkRow(reportMarkdown(report));
      if (said === null) {
        expect(line).not.toContain('restart');
        expect(row).not.toContain('restart');
      } else {
        expect(line.endsWith(said), line).toBe(true);
        expect(row.endsWith(`${said} |`), row).toBe(true);
      }
    }
  });
});
