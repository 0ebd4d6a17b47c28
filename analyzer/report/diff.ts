/**
 * The diff report (analyzer/diff.ts) as text for a terminal, or as Markdown (`md`): the inputs,
 * then per channel beyond tolerance its ranges. In Markdown the file names are escaped and the
 * channels are code (`cellVoltage_V[3]`), so neither can change the table.
 */
import type { DiffReport } from '../diff.ts';
import { md as mdText, mdCode } from './markdown.ts';

const g = (x: number | null): string => (x === null ? 'NA' : String(Math.round(x * 1e6) / 1e6));

export function diffText(r: DiffReport, md: boolean): string {
  const out: string[] = [];
  const list = (names: string[]): string => (md ? names.map(mdCode) : names).join(', ');
  const head = `${md ? mdText(r.b) : r.b} against ${md ? mdText(r.a) : r.a}: ${r.channels_compared} channels, ${r.rows.matched} of ${r.rows.a} rows aligned`;
  out.push(md ? `# natrium diff\n\n${head}\n` : head);
  if (r.only_in_a.length) out.push(`only in A: ${list(r.only_in_a)}`);
  if (r.only_in_b.length) out.push(`only in B: ${list(r.only_in_b)}`);
  if (r.differences.length === 0) {
    out.push('within tolerance: no differences');
    return `${out.join('\n')}\n`;
  }
  if (md)
    out.push('\n| channel | tolerance | rows beyond | from s | to s | max abs diff | at s | A | B |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const d of r.differences) {
    const tol = tolText(d.tolerance);
    if (!md) out.push(`${d.channel}: ${d.rows_beyond} rows beyond tolerance (${tol}), max |A-B| ${g(d.max_abs_diff)}`);
    for (const x of d.ranges) {
      if (md)
        out.push(
          `| ${mdCode(d.channel)} | ${tol} | ${x.rows} | ${g(x.t_start_s)} | ${g(x.t_end_s)} | ${g(x.max_abs_diff)} | ${g(x.at_t_s)} | ${g(x.a)} | ${g(x.b)} |`,
        );
      else out.push(`  ${g(x.t_start_s)}–${g(x.t_end_s)} s: ${x.rows} rows, max |A-B| ${g(x.max_abs_diff)} at ${g(x.at_t_s)} s (A ${g(x.a)}, B ${g(x.b)})`);
    }
    if (d.ranges_omitted > 0)
      out.push(md ? `| ${mdCode(d.channel)} | … ${d.ranges_omitted} more ranges | | | | | | | |` : `  … ${d.ranges_omitted} more ranges`);
  }
  return `${out.join('\n')}\n`;
}

/** "exact", "±0.01", "±0.5 + 1 % of |B|, ±0.1 s": a tolerance as --tolerance CHANNEL=abs,rel,time reads. */
function tolText(t: { abs: number; rel: number; time_s: number }): string {
  if (t.abs === 0 && t.rel === 0 && t.time_s === 0) return 'exact';
  const value = t.rel === 0 ? `±${g(t.abs)}` : `±${t.abs === 0 ? '' : `${g(t.abs)} + `}${g(t.rel * 100)} % of |B|`;
  return t.time_s === 0 ? value : `${value}, ±${g(t.time_s)} s`;
}
