/** fleetMarkdown: text from the captures (pack ids, finding messages) cannot change the document. */
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import { type FleetReport, type PackSummary, fleetMarkdown } from '../../../analyzer/node/fleet.ts';

const pack = (id: string, message: string): PackSummary => ({
  pack_id: id,
  captures: 1,
  dates: ['2026-03-04'],
  duration_s: 3600,
  worst: 'error',
  findings: { info: 0, warning: 0, error: 1 },
  captures_failing: 1,
  worst_findings: [
    { id: 'x', check: 'reaction.bms_alarms', severity: 'error', t_start_s: 12, message, capture_id: 'c1' } as PackSummary['worst_findings'][number],
  ],
  quality: { seq_lost: 0, late_frames: 0, crc_errors: 0, restarts: 2, checks_not_evaluable: 0 },
  totals: {},
});

describe('fleetMarkdown', () => {
  it('should keep a pack id with a pipe in its cell, and a message with markup, a line break and a link as text', () => {
    const r: FleetReport = { schema: 'natrium.fleet/1', captures: 2, packs: [pack('a|b', 'x'), pack('c', '*NTC_OPEN* <b>hot</b>\n# www.example.org')] };
    const html = micromark(fleetMarkdown(r), { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
    expect(html.match(/<tr>/g)).toHaveLength(3); // the header and one row per pack
    expect(html).toContain('<td>a|b</td>');
    expect(html).toContain('<th>restarts</th>');
    expect(html).toContain('<td>0</td>\n<td>2</td>\n</tr>'); // CRC errors, then restarts: every row has all its cells
    expect(html).toContain(
      '<li><strong>error</strong> <code>reaction.bms_alarms</code> at 12 s (capture c1): *NTC_OPEN* &lt;b&gt;hot&lt;/b&gt; # www.example.org</li>',
    );
    expect(html).not.toMatch(/<(em|a|b)\b/);
    expect(html.match(/<h1>/g)).toHaveLength(1);
    expect(html.match(/<h2>/g)).toHaveLength(2);
  });
});
