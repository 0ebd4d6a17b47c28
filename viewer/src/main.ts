/**
 * The viewer page: open a capture, sim trace or report (file picker, drag and drop, or the
 * files `natrium view` serves), panes on one time axis (plots.ts), the findings list
 * (findings.ts), measuring (measure.ts), CSV export of the visible range, and the layout saved
 * in the URL, in localStorage and as a JSON file. Nothing leaves the machine: files are read
 * locally and decoded in the worker.
 */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import type { Report } from '../../analyzer/analyze.ts';
import type { Finding } from '../../analyzer/findings.ts';
import configJson from '../config.json' with { type: 'json' };
import { parseViewerConfig } from './engine/columns.ts';
import type { SessionSummary } from './engine/session.ts';
import { WorkerClient } from './ui/client.ts';
import { el } from './ui/dom.ts';
import { findingView, isQuality, mergeRanges, renderFindings } from './ui/findings.ts';
import {
  DEFAULT_LAYOUT,
  type Layout,
  LayoutError,
  PANE_KINDS,
  PANE_TITLES,
  type PaneKind,
  layoutFromHash,
  layoutToHash,
  parseChosen,
  parseLayout,
} from './ui/layout.ts';
import { type MeasureRow, renderMeasure } from './ui/measure.ts';
import { paneDef } from './ui/panes.ts';
import { Plots } from './ui/plots.ts';
import { LiveView } from './ui/live.ts';
import { fmtTime } from './ui/format.ts';
import { looksLikeJson } from './engine/sniff.ts';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const client = new WorkerClient(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }));
const LAYOUT_KEY = 'natrium.viewer.layout';
const config = parseViewerConfig(configJson);

interface AppState {
  summary: SessionSummary | null;
  report: Report | null;
  /** A report file opened with the log: its findings are shown instead of the worker's analysis. */
  givenReport: Report | null;
  plots: Plots | null;
  layout: Layout;
  ready: boolean;
  /** Time from the bytes being in the page to the first panes drawn (a long capture: its first part). */
  firstPaint_ms: number;
  /**
   * Parts of the first paint: opening (round trip; the worker's decoding and summary in it), the
   * panes made, the line panes drawn (`lines_ms` from the bytes; the round trip of their data,
   * the worker's part, drawing), then the heatmaps (the worker's part, drawing).
   */
  firstPaintParts: Record<string, number>;
  /** Likewise to the whole log drawn. */
  fullPaint_ms: number;
  analyze_ms: number;
  error: string | null;
  live: LiveView | null;
}

const app: AppState = {
  summary: null,
  report: null,
  givenReport: null,
  plots: null,
  layout: initialLayout(),
  ready: false,
  firstPaint_ms: NaN,
  firstPaintParts: {},
  fullPaint_ms: NaN,
  analyze_ms: NaN,
  error: null,
  live: null,
};
(window as unknown as { natriumViewer: unknown }).natriumViewer = app;

function status(text: string, error = false): void {
  const s = $('status');
  s.textContent = text;
  s.className = error ? 'error' : '';
  if (error) app.error = text;
}

function initialLayout(): Layout {
  try {
    const fromHash = layoutFromHash(location.hash);
    if (fromHash) return fromHash;
  } catch (e) {
    if (e instanceof LayoutError) queueMicrotask(() => status(`${e.message}: default layout used`, true));
  }
  try {
    const saved = localStorage.getItem(LAYOUT_KEY);
    if (saved) return parseLayout(JSON.parse(saved));
  } catch {
    // a bad saved layout falls back to the default
  }
  return structuredClone(DEFAULT_LAYOUT);
}

function saveLayout(): void {
  history.replaceState(null, '', layoutToHash(app.layout));
  try {
    localStorage.setItem(LAYOUT_KEY, JSON.stringify(app.layout));
  } catch {
    // storage may be off; the URL still has it
  }
}

function applyLayout(): void {
  saveLayout();
  const { plots, summary } = app;
  if (!plots || !summary) return;
  plots.setPanes(app.layout.panes.map((spec) => ({ spec, def: paneDef(spec, summary, config.max_chosen, config.hottest) })));
}

/** Opens files: reports give findings, the first capture or trace is the log. */
async function openFiles(files: { name: string; bytes: ArrayBuffer }[]): Promise<void> {
  app.ready = false;
  app.error = null;
  let opened: SessionSummary | null = null;
  app.givenReport = null;
  // reports first, then the first capture or trace (the others are not opened: one log at a time)
  const reports = files.filter((f) => looksLikeJson(new Uint8Array(f.bytes, 0, Math.min(64, f.bytes.byteLength))));
  const log = files.find((f) => !reports.includes(f));
  for (const f of [...reports, ...(log ? [log] : [])]) {
    status(`reading ${f.name} (${(f.bytes.byteLength / 1e6).toFixed(1)} MB)…`);
    performance.mark('natrium:open');
    const t0 = performance.now();
    const a = await client.call<'opened'>({ type: 'open', name: f.name, bytes: f.bytes }, [f.bytes]);
    if (a.summary === null) {
      app.givenReport = a.report;
      continue;
    }
    if (opened) continue;
    opened = a.summary;
    app.firstPaintParts = { open_ms: performance.now() - t0, open_worker_ms: a.timing.load_ms };
    await showLog(a.summary, t0);
  }
  if (!opened && app.givenReport) {
    app.summary = null;
    app.plots?.setPanes([]);
    $('panes').replaceChildren(el('p', { className: 'muted', text: 'A report alone: its findings are listed; open its capture to see the plots.' }));
  }
  await showReport(opened !== null);
  app.ready = true;
}

function makePlots(summary: SessionSummary): Plots {
  app.summary = summary;
  $('panes').replaceChildren();
  return new Plots(
    $('panes'),
    client,
    summary,
    {
      onView: () => scheduleMeasure(),
      onClick: (t, second) => {
        if (!app.plots) return;
        if (second) app.plots.cursors.b = t;
        else app.plots.cursors.a = t;
        app.plots.redraw();
        scheduleMeasure();
      },
      onPaneAction: paneAction,
    },
    { heatJoin_ms: config.heat_join_ms },
  );
}

async function showLog(summary: SessionSummary, t0: number): Promise<void> {
  app.report = null;
  const s = performance.now();
  app.plots = makePlots(summary);
  applyLayout();
  const panes_ms = performance.now() - s;
  await app.plots.idle;
  app.firstPaint_ms = performance.now() - t0;
  performance.mark('natrium:first-paint');
  const { wait_ms, worker_ms, lines_ms, heatWorker_ms, heats_ms } = app.plots.timing;
  Object.assign(app.firstPaintParts, {
    panes_ms,
    lines_ms: app.plots.linesDrawnAt - t0,
    view_ms: wait_ms,
    view_worker_ms: worker_ms,
    draw_ms: lines_ms,
    heat_worker_ms: heatWorker_ms,
    heat_draw_ms: heats_ms,
  });
  $('title').textContent = summary.name;
  const says = (s: SessionSummary, what: string): void =>
    status(`${s.name}: ${s.kind}, ${s.rows} rows, ${fmtTime(s.t_max - s.t_min)}, ${s.ns} cells, ${s.nt} sensors (${what})`);
  says(summary, `first part drawn in ${Math.round(app.firstPaint_ms)} ms; reading the rest…`);
  // a long capture is drawn from its first part first; then the whole of it
  const rest = await client.call<'rest'>({ type: 'rest' });
  if (rest.summary !== null) {
    const whole = rest.summary;
    if (paneKey(whole) !== paneKey(summary)) {
      app.plots = makePlots(whole);
      applyLayout();
    } else {
      app.plots.summary = whole;
      app.summary = whole;
      app.plots.reset();
    }
    await app.plots.idle;
  }
  app.fullPaint_ms = performance.now() - t0;
  says(app.summary!, `drawn in ${Math.round(app.fullPaint_ms)} ms${rest.summary ? `, its first part in ${Math.round(app.firstPaint_ms)} ms` : ''}`);
  scheduleMeasure();
}

async function showReport(haveLog: boolean): Promise<void> {
  let report = app.givenReport;
  if (report === null && haveLog) {
    renderFindings($('findings'), null, () => {});
    const a = await client.call<'report'>({ type: 'report' });
    report = a.report;
    app.analyze_ms = a.timing.analyze_ms;
  }
  app.report = report;
  if (app.plots && report) {
    const ranges = mergeRanges(report.findings.filter(isQuality).map((f) => ({ t0: f.t_start_s, t1: f.t_end_s })));
    app.plots.quality = ranges.map((r) => ({ ...r, color: 'rgba(120,120,120,0.15)' }));
    app.plots.redraw();
  }
  renderFindings($('findings'), report, pickFinding);
}

function pickFinding(f: Finding, item: HTMLElement): void {
  const plots = app.plots;
  if (!plots) return;
  for (const x of Array.from(document.querySelectorAll('.finding.active'))) x.classList.remove('active');
  item.classList.add('active');
  plots.selected = { t0: f.t_start_s, t1: f.t_end_s, color: 'rgba(255,200,0,0.30)' };
  // a finding about many cells (subject "cells") shows the one that went furthest
  const m = /^cell (\d+)$/.exec(f.subject) ?? /^cell (\d+)$/.exec(String(f.evidence.peak_subject ?? ''));
  const cells = app.layout.panes.find((p) => p.kind === 'cells');
  if (m && cells && app.summary) {
    const i = Number(m[1]);
    const chosen = cells.chosen ?? [app.summary.lowCell, app.summary.highCell].filter((c) => c >= 0);
    if (!chosen.includes(i) && i < app.summary.ns) {
      cells.chosen = [i, ...chosen].slice(0, config.max_chosen);
      applyLayout();
    }
  }
  const [t0, t1] = findingView(f);
  plots.setView(t0, t1);
}

function paneAction(index: number, action: 'up' | 'down' | 'remove' | 'choose', arg?: string): void {
  const panes = app.layout.panes;
  const p = panes[index];
  if (!p) return;
  if (action === 'remove') panes.splice(index, 1);
  else if (action === 'up' && index > 0) [panes[index - 1], panes[index]] = [p, panes[index - 1]!];
  else if (action === 'down' && index < panes.length - 1) [panes[index + 1], panes[index]] = [p, panes[index + 1]!];
  else if (action === 'choose' && app.summary) {
    const n = p.kind === 'cells' ? app.summary.ns : app.summary.nt;
    const chosen = parseChosen(arg ?? '', n, config.max_chosen);
    if (chosen.length) p.chosen = chosen;
    else delete p.chosen;
  }
  applyLayout();
}

/** The measure table is updated this long after the panes are drawn for the last view change or click, ms. */
const MEASURE_DELAY_MS = 150;
let measureTimer = 0;
let measureAsked = 0;
function scheduleMeasure(): void {
  clearTimeout(measureTimer);
  const asked = ++measureAsked;
  // after the panes are drawn: the range statistics would hold up the worker and the page meanwhile
  void app.plots?.idle.then(() => {
    if (asked === measureAsked) measureTimer = window.setTimeout(() => void measure(), MEASURE_DELAY_MS);
  });
}

async function measure(): Promise<void> {
  const plots = app.plots;
  if (!plots) return;
  // a SOC pane's series are fractions plotted as percent: the table shows them as its axis does
  const series: { id: string; label: string; scale: number }[] = [];
  for (const p of plots.panes) {
    p.resolved.forEach((id, k) => {
      const def = p.def.series[k];
      if (id === '-' || series.some((s) => s.id === id) || def?.lane !== undefined) return;
      const label = p.u.series[k + 1]?.label?.toString() ?? id;
      const percent = p.def.yFormat === 'percent' && (def?.scale ?? 'y') === 'y';
      series.push({ id, label: percent ? `${label} %` : label, scale: percent ? 100 : 1 });
    });
  }
  const ids = series.map((s) => s.id);
  const { t0, t1 } = plots.view;
  const { a, b } = plots.cursors;
  const [st, va, vb] = await Promise.all([
    client.call<'stats'>({ type: 'stats', t0, t1, ids }),
    a === null ? null : client.call<'at'>({ type: 'at', t: a, ids }),
    b === null ? null : client.call<'at'>({ type: 'at', t: b, ids }),
  ]);
  const rows: MeasureRow[] = series.map((s, i) => {
    const k = s.scale;
    const r = st.stats[i]!;
    return {
      label: s.label,
      a: va ? va.values[i]! * k : NaN,
      b: vb ? vb.values[i]! * k : NaN,
      stats: { ...r, min: r.min * k, mean: r.mean * k, max: r.max * k },
    };
  });
  renderMeasure($('measure'), plots.view, plots.cursors, rows, plots.origin);
}

function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a', { href: url });
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function readLocal(list: FileList | null): Promise<void> {
  if (!list || list.length === 0) return;
  const files = await Promise.all(Array.from(list).map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
  await openFiles(files).catch((e: Error) => status(e.message, true));
}

/** The files `natrium view` names (files.json), when served by it. */
async function openServed(): Promise<void> {
  let list: { name: string; url: string }[];
  try {
    const res = await fetch('files.json');
    if (!res.ok) return;
    list = (await res.json()) as { name: string; url: string }[];
  } catch {
    return;
  }
  if (list.length === 0) return;
  const files = await Promise.all(list.map(async (f) => ({ name: f.name, bytes: await (await fetch(f.url)).arrayBuffer() })));
  await openFiles(files).catch((e: Error) => status(e.message, true));
}

/** What the panes depend on in a summary: when it changes in live mode, the panes are rebuilt. */
function paneKey(s: SessionSummary): string {
  return [s.ns, s.nt, s.nbal, s.faultBits.join('.'), s.warningBits.join('.'), s.hasTruth].join('/');
}

/** Live mode (`natrium view --mock`/`--port`): the latest window_s of telemetry, redrawn as it comes. */
async function startLive(): Promise<boolean> {
  let cfg: { live?: boolean; window_s: number; describe: string };
  try {
    // natrium view answers {"live": false} for files; a plain static server has no live.json
    const res = await fetch('live.json');
    if (!res.ok) return false;
    cfg = (await res.json()) as { live?: boolean; window_s: number; describe: string };
  } catch {
    return false;
  }
  if (cfg.live !== true) return false;
  let key = '';
  $('live-controls').hidden = false;
  $('findings').replaceChildren(el('p', { className: 'muted', text: 'Live: no analysis (run natrium stream --analyze for findings).' }));
  app.live = new LiveView({
    client,
    window_s: cfg.window_s,
    redraw_ms: config.live_redraw_ms,
    draw: async (summary, origin_s) => {
      if (app.plots === null || paneKey(summary) !== key) {
        key = paneKey(summary);
        app.plots = makePlots(summary);
        applyLayout();
      }
      app.plots.summary = summary;
      app.summary = summary;
      app.plots.origin = origin_s;
      app.plots.follow(cfg.window_s);
      await app.plots.idle;
      status(`live: ${cfg.describe}; window ${fmtTime(cfg.window_s)}, ${summary.rows} rows, ${((app.live?.bytes ?? 0) / 1e6).toFixed(1)} MB received`);
    },
    onError: (m) => status(m, true),
  });
  app.ready = true;
  status(`live: ${cfg.describe}; waiting for telemetry…`);
  return true;
}

function wire(): void {
  $('live-pause').addEventListener('click', () => {
    if (!app.live) return;
    app.live.paused = !app.live.paused;
    $('live-pause').textContent = app.live.paused ? 'Resume' : 'Pause';
  });
  $('live-clear').addEventListener('click', () => void app.live?.clear());
  const input = $<HTMLInputElement>('open');
  input.addEventListener('change', () => void readLocal(input.files));
  const add = $<HTMLSelectElement>('add-pane');
  for (const k of PANE_KINDS) add.append(el('option', { value: k, text: PANE_TITLES[k] }));
  add.addEventListener('change', () => {
    if (!add.value) return;
    app.layout.panes.push({ kind: add.value as PaneKind });
    add.value = '';
    applyLayout();
  });
  $('reset').addEventListener('click', () => app.plots?.reset());
  $('clear-cursors').addEventListener('click', () => {
    if (!app.plots) return;
    app.plots.cursors = { a: null, b: null };
    app.plots.redraw();
    scheduleMeasure();
  });
  $('csv').addEventListener('click', () => {
    const p = app.plots;
    if (!p) return;
    void client
      .call<'csv'>({ type: 'csv', t0: p.view.t0, t1: p.view.t1 })
      .then((a) => download(`natrium-${Math.round(p.view.t0)}-${Math.round(p.view.t1)}.csv`, a.text, 'text/csv'));
  });
  $('layout-save').addEventListener('click', () => download('natrium-layout.json', `${JSON.stringify(app.layout, null, 2)}\n`, 'application/json'));
  const loadLayout = $<HTMLInputElement>('layout-load');
  loadLayout.addEventListener('change', () => {
    const f = loadLayout.files?.[0];
    if (!f) return;
    void f.text().then((text) => {
      try {
        app.layout = parseLayout(JSON.parse(text));
        applyLayout();
      } catch (e) {
        status(`${f.name}: ${(e as Error).message}`, true);
      }
    });
  });
  $('layout-default').addEventListener('click', () => {
    app.layout = structuredClone(DEFAULT_LAYOUT);
    applyLayout();
  });
  window.addEventListener('dragover', (e) => {
    e.preventDefault();
    document.body.classList.add('dragging');
  });
  window.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
  window.addEventListener('drop', (e) => {
    e.preventDefault();
    document.body.classList.remove('dragging');
    void readLocal(e.dataTransfer?.files ?? null);
  });
  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(() => app.plots?.resize(), 100);
  });
}

/**
 * The side list sits just below the sticky header, whose height is not fixed: its buttons and
 * status line wrap on a narrow window, and live mode adds a row. A fixed offset left the list's
 * top (the Findings heading) under the header; the header's height is kept in --header-h.
 */
function followHeaderHeight(): void {
  const header = document.querySelector('header');
  if (header === null) return;
  const set = (): void => document.documentElement.style.setProperty('--header-h', `${Math.ceil(header.getBoundingClientRect().height)}px`);
  set();
  new ResizeObserver(set).observe(header);
}

wire();
followHeaderHeight();
void startLive().then((live) => {
  if (!live) void openServed();
});
