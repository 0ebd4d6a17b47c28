/**
 * Measuring: two cursors (click: A, shift-click: B) with Δt and each series' values and Δvalue
 * at them, and min / mean / max of every series over the visible range (worker: raw rows, not
 * the drawn buckets).
 */
import type { RangeStats } from '../engine/query.ts';
import { el } from './dom.ts';
import { fmtTime, fmtValue } from './format.ts';

export interface MeasureRow {
  label: string;
  a: number;
  b: number;
  stats: RangeStats;
}

export function renderMeasure(
  host: HTMLElement,
  view: { t0: number; t1: number },
  cursors: { a: number | null; b: number | null },
  rows: MeasureRow[],
  /** Added to times for display (live: the window's device clock origin). */
  origin = 0,
): void {
  const { a, b } = cursors;
  const dt = a !== null && b !== null ? fmtTime(b - a) : '';
  host.replaceChildren(
    el('div', { className: 'measure-head' }, [
      el('span', { text: `view ${fmtTime(view.t0 + origin)} – ${fmtTime(view.t1 + origin)} (${fmtTime(view.t1 - view.t0)})` }),
      el('span', { text: `  A ${a === null ? '— (click a plot)' : fmtTime(a + origin)}` }),
      el('span', { text: `  B ${b === null ? '— (shift-click)' : fmtTime(b + origin)}` }),
      el('span', { className: 'dt', text: dt ? `  Δt ${dt}` : '' }),
    ]),
  );
  const head = el(
    'tr',
    {},
    ['series', 'A', 'B', 'Δ (B − A)', 'min', 'mean', 'max'].map((h) => el('th', { text: h })),
  );
  const body = rows.map((r) =>
    el(
      'tr',
      {},
      [r.label, fmtValue(r.a), fmtValue(r.b), fmtValue(r.b - r.a), fmtValue(r.stats.min), fmtValue(r.stats.mean), fmtValue(r.stats.max)].map((t) =>
        el('td', { text: t }),
      ),
    ),
  );
  host.append(el('table', { className: 'measure' }, [el('thead', {}, [head]), el('tbody', {}, body)]));
}
