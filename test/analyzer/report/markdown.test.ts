/**
 * The Markdown report, read back by a CommonMark + GitHub (GFM) parser (micromark): text from the
 * input cannot change the document's structure or add markup, and a real report renders as the
 * tables it means.
 */
import fc from 'fast-check';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import { md, reportMarkdown } from '../../../analyzer/report/markdown.ts';
import { analyzeGenerated } from '../harness.ts';

const html = (doc: string): string => micromark(doc, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });

/** The text of an HTML fragment micromark made from plain text (it encodes only & < > "). */
function text(h: string): string {
  return h
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** What a reader should see of s: on one line (controls as spaces), trimmed as a cell is. */
function seen(s: string): string {
  // eslint-disable-next-line no-control-regex -- the characters md() turns into spaces
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').replace(/^[ \t]+|[ \t]+$/g, '');
}

/** Strings rich in what Markdown, HTML, GFM tables and GFM bare links react to. */
const TRICKY = [
  ...'\\`*_[](){}|~#<>&!.-+:/@=\'"wWhtps 1a\n\r\t\u0000\u0085\u2028',
  'www.',
  'http://',
  'https://x.io',
  'a@b.co',
  '&amp;',
  '&#65;',
  '<b>',
  '![x](y)',
  '**',
  '~~',
  '\\|',
  '```',
];
const anyText = fc.oneof(fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }));

describe('md', () => {
  it('should keep any text as the literal text of one table cell: no markup, no link, no extra cell or row', () => {
    fc.assert(
      fc.property(anyText, anyText, (a, b) => {
        const out = html(`| x | y |\n|---|---|\n| ${md(a)} | ${md(b)} |\n`);
        const body = /<tbody>\n<tr>\n<td>(.*)<\/td>\n<td>(.*)<\/td>\n<\/tr>\n<\/tbody>/.exec(out);
        expect(body, out).not.toBeNull();
        for (const [cell, s] of [
          [body![1]!, a],
          [body![2]!, b],
        ] as const) {
          expect(cell, 'markup').not.toMatch(/</);
          expect(text(cell)).toBe(seen(s));
        }
      }),
      { numRuns: 2000, seed: 2026 },
    );
  });

  it('should keep any text as the literal rest of a heading', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const out = html(`# natrium analysis: ${md(s)}\n`);
        const h = /^<h1>(.*)<\/h1>\n?$/.exec(out);
        expect(h, out).not.toBeNull();
        expect(h![1], 'markup').not.toMatch(/</);
        // eslint-disable-next-line no-control-regex -- as in seen()
        expect(text(h![1]!)).toBe(`natrium analysis: ${s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')}`.replace(/[ \t]+$/, ''));
      }),
      { numRuns: 1000, seed: 2026 },
    );
  });

  it('should leave numbers, versions and file names as they are', () => {
    expect(md('firmware 0.2.0, 264.86 Ah, out/capture.bin (-14.7 mV)')).toBe('firmware 0.2.0, 264.86 Ah, out/capture.bin (-14.7 mV)');
    expect(md('see https://example.org or www.example.org, a@b.co')).toBe('see https\\://example.org or www\\.example.org, a\\@b.co');
  });
});

describe('reportMarkdown', () => {
  const report = analyzeGenerated({
    phases: [
      { current_A: -100, duration_s: 120, state: 'NORMAL' },
      { current_A: 0, duration_s: 60, state: 'NORMAL' },
      { current_A: 80, duration_s: 120, state: 'NORMAL' },
    ],
  });
  const doc = reportMarkdown(report);
  const out = html(doc);

  it('should render the input, summary, band, checks and findings tables', () => {
    // input, summary, the two band tables, checks, and findings when there are any
    expect(report.findings.length).toBeGreaterThan(0);
    expect(out.match(/<table>/g)?.length).toBe(6);
    for (const h of ['Input', 'Summary', 'Checks', 'Findings']) expect(out).toContain(`<h2>${h}</h2>`);
    expect(out).toContain('<h3>Time in SOC bands (the BMS estimate)</h3>');
    expect(out).toContain('<h3>Time in temperature bands (the hottest sensor)</h3>');
  });

  it('should give every check one row, its id as code, and no markup from escaping in the raw text', () => {
    for (const c of report.checks)
      expect(out.split(`<td><code>${c.check}</code></td>`).length - 1, c.check).toBe(1 + report.findings.filter((f) => f.check === c.check).length);
    expect(doc).not.toMatch(/\\[.\-()]/);
  });

  it('should show each summary quantity with its unit, and the band shares adding up to 100 %', () => {
    const s = report.summary;
    const out = /^\| charge out \| ([\d.]+) Ah \|$/m.exec(doc);
    expect(Number(out?.[1])).toBeCloseTo(s.charge_out_Ah as number, 3);
    expect(doc).toMatch(/^\| operating time \| \d+:\d\d\.\d \|$/m);
    const shares = [...doc.matchAll(/^\| [\d.-]+–[\d.-]+ % \| [\d:.]+ \| ([\d.]+) % \|$/gm)].map((m) => Number(m[1]));
    expect(shares.length).toBe(10);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
  });

  // a warning, an error and a waived warning whose reason is tricky text / bold severities, the
  // waived one plain with its reason as literal text
  it('should show warning and error severities in bold and a waived one plain with its reason', () => {
    const f = report.findings[0]!;
    const withFindings = {
      ...report,
      findings: [
        { ...f, id: 'w', severity: 'warning' as const },
        { ...f, id: 'e', severity: 'error' as const },
        { ...f, id: 'x', severity: 'warning' as const, waived: '**known** <b>|' },
      ],
    };
    const cells = [...html(reportMarkdown(withFindings)).matchAll(/<tr>\n<td>(.*)<\/td>\n<td>[\d:.]+–/g)].map((m) => m[1]);
    expect(cells).toEqual(['<strong>warning</strong>', '<strong>error</strong>', 'warning (waived: **known** &lt;b&gt;|)']);
  });
});
