/**
 * The findings side list: the report's findings in time order (severity, range, check, the
 * sentence), a click zooms every pane to the finding's range and shades it. Everything from the
 * report is inserted as text.
 */
import type { Report } from '../../../analyzer/analyze.ts';
import type { Finding } from '../../../analyzer/findings.ts';
import { el } from './dom.ts';
import { fmtTime } from './format.ts';

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
      el('div', { text: `findings: ${r.findings.error} error, ${r.findings.warning} warning, ${r.findings.info} info${r.waived ? `, ${r.waived} waived` : ''}` }),
    ]),
  );
  const list = el('ol', { className: 'findings' });
  for (const f of report.findings) {
    const item = el('li', { className: `finding sev-${f.severity}${f.waived !== undefined ? ' waived' : ''}`, title: f.id }, [
      el('div', { className: 'f-top' }, [
        el('span', { className: 'sev', text: f.severity.toUpperCase() }),
        el('span', { className: 'range', text: `${fmtTime(f.t_start_s)} – ${fmtTime(f.t_end_s)}` }),
        el('span', { className: 'check', text: f.check }),
      ]),
      el('div', { className: 'msg', text: f.message }),
      ...(f.waived !== undefined ? [el('div', { className: 'muted', text: `waived: ${f.waived}` })] : []),
    ]);
    item.tabIndex = 0;
    item.addEventListener('click', () => onPick(f, item));
    item.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') onPick(f, item);
    });
    list.append(item);
  }
  if (report.findings.length === 0) list.append(el('li', { className: 'muted', text: 'no findings' }));
  host.append(list);
}
