/** The JUnit XML report: one testcase per check, and text XML 1.0 can carry. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../analyzer/findings.ts';
import { reportJUnit, xml } from '../../../analyzer/report/junit.ts';
import { analyzeGenerated } from '../harness.ts';

describe('xml', () => {
  it('should escape markup and keep every character XML 1.0 allows, astral ones too', () => {
    expect(xml('pack 😀 <a href="x">&\'')).toBe('pack 😀 &lt;a href=&quot;x&quot;&gt;&amp;&apos;');
    expect(xml('𝑇 \u{10ffff} \ud7ff \ue000 \ufffd')).toBe('𝑇 \u{10ffff} \ud7ff \ue000 \ufffd');
  });

  it('should replace what XML 1.0 cannot carry: C0 controls but tab and line ends, lone surrogates, U+FFFE/FFFF', () => {
    expect(xml('a\u0000b\u0001c\u001fd\te\nf\rg')).toBe('a\ufffdb\ufffdc\ufffdd\te\nf\rg');
    expect(xml('x\ud800y\udc00z\ufffe\uffff')).toBe('x\ufffdy\ufffdz\ufffd\ufffd');
  });
});

describe('reportJUnit', () => {
  it('should have one testcase per check, skipped for not evaluable, and the counts in the suite', () => {
    const report = analyzeGenerated({ phases: [{ current_A: -50, duration_s: 60, state: 'NORMAL' }] });
    report.input.name = 'log 😀 <1>.bin';
    const doc = reportJUnit(report);
    expect(doc.match(/<testcase /g)).toHaveLength(report.checks.length);
    const skipped = report.checks.filter((c) => c.status === 'not_evaluable').length;
    expect(doc.match(/<skipped /g) ?? []).toHaveLength(skipped);
    expect(doc).toContain(`<testsuite name="log 😀 &lt;1&gt;.bin" tests="${report.checks.length}" failures="0" skipped="${skipped}" errors="0">`);
  });

  // one, then two error findings of a check / its failure message counts them in words
  it('should count the failing findings of a check in its failure message', () => {
    const report = analyzeGenerated({ phases: [{ current_A: -50, duration_s: 60, state: 'NORMAL' }] });
    const check = report.checks.find((c) => c.status === 'pass')!.check;
    const f = (id: string): Finding => ({
      id,
      check,
      severity: 'error',
      t_start_s: 1,
      t_end_s: 2,
      message: id,
      subject: 'pack',
      evidence: {},
      threshold: null,
    });
    report.findings = [f('a')];
    expect(reportJUnit(report)).toContain('<failure message="1 finding at or above error" type="error">');
    report.findings = [f('a'), f('b')];
    expect(reportJUnit(report)).toContain('<failure message="2 findings at or above error" type="error">');
  });
});
