/**
 * Messages between the page (main.ts) and the worker (worker.ts). Every request carries an id
 * and gets exactly one answer with that id: its result or `{ type: 'error', message }`.
 */
import type { Report } from '../../analyzer/analyze.ts';
import type { HeatData, HeatQuery, PlotData, PlotQuery, RangeStats } from './engine/query.ts';
import type { SessionSummary } from './engine/session.ts';

export type Request =
  | { type: 'open'; name: string; bytes: ArrayBuffer }
  | { type: 'report' }
  | { type: 'rest' }
  /** Everything the panes draw for one view: line data per line pane, a heatmap per heatmap pane (one round trip). */
  | { type: 'view'; lines: PlotQuery[]; heats: HeatQuery[] }
  | { type: 'stats'; t0: number; t1: number; ids: string[] }
  | { type: 'hottest'; t0: number; t1: number; n: number }
  | { type: 'at'; t: number; ids: string[] }
  | { type: 'csv'; t0: number; t1: number }
  | { type: 'live'; frames: ArrayBuffer; window_s: number }
  | { type: 'live-clear' };

export type Answer =
  /** A report-only file gives `summary: null`. */
  | { type: 'opened'; summary: SessionSummary | null; report: Report | null; timing: { load_ms: number } }
  | { type: 'report'; report: Report | null; timing: { analyze_ms: number } }
  /** The rest of a capture read: the whole log's summary (null when the first part was all of it). */
  | { type: 'rest'; summary: SessionSummary | null; timing: { rest_ms: number } }
  /** `worker_ms`: the worker's time computing the answer (without the messaging). */
  | { type: 'view'; lines: (PlotData & { resolved: string[] })[]; heats: HeatData[]; worker_ms: number }
  | { type: 'stats'; stats: RangeStats[] }
  | { type: 'hottest'; hottest: { index: number; max_C: number }[] }
  | { type: 'at'; t_s: number; values: number[] }
  | { type: 'csv'; text: string }
  | { type: 'live'; summary: SessionSummary; origin_s: number; columnBytes: number }
  | { type: 'live-clear' }
  | { type: 'error'; message: string };

export type Envelope<T> = T & { id: number };
