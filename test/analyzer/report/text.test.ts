/** The terminal report's header lines (analyzer/report/text.ts), and the Markdown input table's link row. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../analyzer/findings.ts';
import { reportMarkdown } from '../../../analyzer/report/markdown.ts';
import { liveLines, reportText } from '../../../analyzer/report/text.ts';
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

  // a threshold with no unit (a ratio, a count) / its value stands alone: "[limit 0.85, …]", not "0.85 ,"
  it('should print a threshold with its unit, and one without a unit with no space before the comma', () => {
    const { report } = analyzeBytes(encodeRestarted(msgs, []), { checks: ['quality.time'] });
    const finding = (id: string, value: number, unit: string): Finding => ({
      id,
      check: 'quality.time',
      severity: 'warning',
      t_start_s: 1,
      t_end_s: 2,
      message: `finding ${id}`,
      subject: 'pack',
      evidence: {},
      threshold: { value, unit, source: 'profile default' },
    });
    report.findings = [finding('ratio', 0.85, ''), finding('volts', 4.1, 'V')];
    const text = reportText(report);
    expect(text).toContain('[limit 0.85, profile default]');
    expect(text).toContain('[limit 4.1 V, profile default]');
    const md = reportMarkdown(report);
    expect(md).toContain('0.85 (profile default)');
    expect(md).toContain('4.1 V (profile default)');
    expect(md).not.toContain('0.85  (');
  });

  // 12 cells over one limit, one BMS alarm later / all 13 listed when they fit; in 5 lines: three
  // cell lines, one line for the nine others (cells named, their time span) and the alarm; in 2
  // lines, the rest counted
  it('should cut the kinds with the most findings short when the findings do not fit', () => {
    const { report } = analyzeBytes(encodeRestarted(msgs, []), { checks: ['quality.time'] });
    const cell = (k: number): Finding => ({
      id: `cell-${k}`,
      check: 'envelope.cell_voltage',
      severity: 'warning',
      t_start_s: 10 + k,
      t_end_s: 40 + k,
      message: `cell ${k} above the RSL maximum`,
      subject: `cell ${k}`,
      evidence: {},
      threshold: { value: 4.05, unit: 'V', source: 'device INFO RSL' },
    });
    const alarm: Finding = {
      ...cell(0),
      id: 'alarm',
      check: 'reaction.bms_alarms',
      t_start_s: 100,
      t_end_s: 101,
      message: 'the BMS raised CELL_OVERVOLTAGE',
      subject: 'pack',
    };
    report.findings = [...Array.from({ length: 12 }, (_, k) => cell(k)), alarm];
    const lines = (o?: Parameters<typeof reportText>[1]): string[] => {
      const text = reportText(report, o);
      return text.slice(text.indexOf('\nfindings ')).split('\n').slice(2, -2);
    };
    expect(lines().length).toBe(13);
    expect(lines({ maxFindings: 13 }).length).toBe(13);
    const five = lines({ maxFindings: 5 });
    expect(five.length).toBe(5);
    expect(five.slice(0, 3).map((l) => /cell (\d+) above/.exec(l)?.[1])).toEqual(['0', '1', '2']);
    expect(five[3]).toContain('0:13.0–0:51.0');
    expect(five[3]).toContain('envelope.cell_voltage: 9 more like the above, cells 3, 4, 5, 6, 7, 8, 9, 10, … (9 in all)');
    expect(five[4]).toContain('reaction.bms_alarms: the BMS raised CELL_OVERVOLTAGE');
    // room for 8 lines: six cells, one line for the other six, the alarm
    const eight = lines({ maxFindings: 8 });
    expect(eight.length).toBe(8);
    expect(eight[6]).toContain('6 more like the above, cells 6, 7, 8, 9, 10, 11');
    const few = lines({ maxFindings: 2 });
    expect(few.length).toBe(3);
    expect(few[2]).toBe('  … and 3 more lines (--json or --md lists every finding)');
  });
});

describe('live feed', () => {
  const f = (check: string, severity: Finding['severity'], subject: string, t: number, source: string): Finding => ({
    id: `${check}/${subject}/${t}`,
    check,
    severity,
    t_start_s: t,
    t_end_s: t + 10,
    message: `${subject} beyond`,
    subject,
    evidence: {},
    threshold: { value: 4.05, unit: 'V', source },
  });

  // a batch of 49 cells over the RSL, one over the MSL, a BMS alarm and an info / the feed lists
  // three RSL cells and one line naming the other 46 with their time span, the MSL cell and the
  // alarm, and leaves the info to the final report
  it('should list three findings of a kind and count the rest on one line', () => {
    const batch = [
      f('envelope.cell_voltage', 'error', 'cell 46', 192.4, 'device INFO MSL'),
      ...Array.from({ length: 49 }, (_, i) =>
        f('envelope.cell_voltage', 'warning', `cell ${i < 46 ? i : i + 1}`, 192.4 + (i === 48 ? 5 : 0), 'device INFO RSL'),
      ),
      f('reaction.bms_alarms', 'warning', 'CELL_OVERVOLTAGE', 204.4, 'device EVENT'),
      f('summary.energy', 'info', 'pack', 0, 'natrium default'),
    ];
    expect(liveLines(batch)).toEqual([
      'ERROR 3:12.4 envelope.cell_voltage: cell 46 beyond',
      'WARNING 3:12.4 envelope.cell_voltage: cell 0 beyond',
      'WARNING 3:12.4 envelope.cell_voltage: cell 1 beyond',
      'WARNING 3:12.4 envelope.cell_voltage: cell 2 beyond',
      'WARNING 3:12.4 envelope.cell_voltage: 46 more like the above, cells 3, 4, 5, 6, 7, 8, 9, 10, … (46 in all)',
      'WARNING 3:24.4 reaction.bms_alarms: CELL_OVERVOLTAGE beyond',
    ]);
    expect(liveLines(batch, { align: true })[1]).toBe('WARNING 3:12.4 envelope.cell_voltage: cell 0 beyond');
    expect(liveLines(batch, { align: true })[0]).toBe('ERROR   3:12.4 envelope.cell_voltage: cell 46 beyond');
    expect(liveLines(batch.slice(0, 4))).toHaveLength(4);
  });
});
