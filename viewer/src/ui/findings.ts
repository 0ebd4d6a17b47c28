/**
 * The findings side list: the report's findings in time order (severity, range, check, the
 * sentence), three of a kind and the rest of the kind folded into one entry that opens to list
 * them; a click zooms every pane to the finding's range and shades it. Everything from the
 * report is inserted as text.
 */
import type { Report } from '../../../analyzer/analyze.ts';
import type { Finding } from '../../../analyzer/findings.ts';
import { groupByKind, restText } from '../../../analyzer/report/text.ts';
import { el } from './dom.ts';
import { fmtTime } from './format.ts';

/** Findings listed of one kind before the rest of the kind folds into one entry. */
const PER_KIND = 3;

/** Findings whose ranges are data-quality problems: drawn shaded on every pane. */
export function isQuality(f: Finding): boolean {
  return f.check.startsWith('quality.');
}

/** The view a finding zooms to: its range with 10 % either side, at least `minSpan_s`. */
export function findingView(f: Finding, minSpan_s = 10): [number, number] {
  const span = Math.max(f.t_end_s - f.t_start_s, 0);
  const pad = Math.max(span * 0.1, (minSpan_s - span) / 2);
  return [f.t_start_s - pad, f.t_end_s + pad];
}

/** Shading for ranges: overlapping or touching ranges merged, so the shade does not darken where they stack. */
export function mergeRanges(ranges: readonly { t0: number; t1: number }[]): { t0: number; t1: number }[] {
  const s = [...ranges].sort((a, b) => a.t0 - b.t0);
  const out: { t0: number; t1: number }[] = [];
  for (const r of s) {
    const last = out[out.length - 1];
    if (last && r.t0 <= last.t1) last.t1 = Math.max(last.t1, r.t1);
    else out.push({ t0: r.t0, t1: r.t1 });
  }
  return out;
}

export function renderFindings(host: HTMLElement, report: Report | null, onPick: (f: Finding, item: HTMLElement) => void): void {
  host.replaceChildren();
  if (report === null) {
    host.append(el('p', { className: 'muted', text: 'analysing…' }));
    return;
  }
  const r = report.result;
  host.append(
    el('div', { className: 'report-head' }, [
      el('div', { text: `${report.input.name} (${report.input.kind}), ${fmtTime(report.input.duration_s)}` }),
      el('div', { text: `profile ${report.profile.name}; limits: ${report.profile.limits_source}` }),
      el('div', { text: `checks ${r.checks.pass} pass, ${r.checks.fail} fail, ${r.checks.not_evaluable} not evaluable; worst: ${r.worst}` }),
      el('div', {
        text: `findings: ${r.findings.error} error, ${r.findings.warning} warning, ${r.findings.info} info${r.waived ? `, ${r.waived} waived` : ''}`,
      }),
    ]),
  );
  const list = el('ol', { className: 'findings' });
  const item = (f: Finding): HTMLElement => {
    const li = el('li', { className: `finding sev-${f.severity}${f.waived !== undefined ? ' waived' : ''}`, title: f.id }, [
      el('div', { className: 'f-top' }, [
        el('span', { className: 'sev', text: f.severity.toUpperCase() }),
        el('span', { className: 'range', text: `${fmtTime(f.t_start_s)} – ${fmtTime(f.t_end_s)}` }),
        el('span', { className: 'check', text: f.check }),
      ]),
      el('div', { className: 'msg', text: f.message }),
      ...(f.waived !== undefined ? [el('div', { className: 'muted', text: `waived: ${f.waived}` })] : []),
    ]);
    li.tabIndex = 0;
    li.addEventListener('click', () => onPick(f, li));
    li.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') onPick(f, li);
    });
    return li;
  };
  // as on the terminal, PER_KIND of a kind (check, severity, threshold source), then the rest of
  // the kind folded into one entry that opens to list them
  for (const g of groupByKind(report.findings, PER_KIND)) {
    if ('id' in g) {
      list.append(item(g));
      continue;
    }
    const f = g.first;
    const rest = el('ol', { className: 'findings' });
    for (const x of g.findings) rest.append(item(x));
    list.append(
      el('li', { className: `finding-group sev-${f.severity}` }, [
        el('details', {}, [
          el('summary', {}, [
            el('div', { className: 'f-top' }, [
              el('span', { className: 'sev', text: f.severity.toUpperCase() }),
              el('span', { className: 'range', text: `${fmtTime(g.from)} – ${fmtTime(g.to)}` }),
              el('span', { className: 'check', text: f.check }),
            ]),
            el('div', { className: 'msg', text: restText(g) }),
          ]),
          rest,
        ]),
      ]),
    );
  }
  if (report.findings.length === 0) list.append(el('li', { className: 'muted', text: 'no findings' }));
  host.append(list);
}
