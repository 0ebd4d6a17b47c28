/**
 * viewer-24h: the browser viewer on the 24 h, 100s2p, 10 Hz capture of bench/cases/analyze.ts
 * (bench/cases/decode.ts `buildCapture`, INFO saying 100s2p 150 Ah naion-prismatic-150ah), in
 * headless Chromium (playwright-core), served by the `natrium view` server from a temporary
 * build of the viewer, viewport 1400 × 2100, device scale 1.
 *
 *   first_paint_ms   from the capture's bytes being in the page (fetched) to every pane of the
 *                    default layout drawn from the capture's first part (viewer/config.json
 *                    first_paint_bytes): transfer to the worker, decode, envelopes, pyramids, the
 *                    plot queries and uPlot draws
 *   full_paint_ms    likewise to the whole capture decoded and drawn (the analyser runs after;
 *                    `analyze_ms` is its time in the worker)
 *   zoom_ms_median   ZOOMS seeded random views (1 s to 24 h), 600 ms apart, each from setView to
 *                    the panes redrawn with the new buckets (a frame later); `zoom_ms_p95` likewise
 *   zoom_*_ms        medians of the parts of a zoom (performance.now() in the page): the line data's
 *                    round trip (`zoom_lines_wait_ms`) and the worker's time in it
 *                    (`zoom_lines_worker_ms`), drawing the line panes, waiting for the heatmaps
 *                    after the line data (`zoom_heat_worker_ms` the worker's part; the panes are
 *                    then drawn together, viewer config heat_join_ms) and drawing them. A pane's
 *                    canvas is rasterised at the end of the task that drew it (Chromium without a
 *                    GPU), so the drawing parts' wall time excludes it; `zoom_ms_*` includes it
 *   *_cpu_ms         the same spans in CPU time (thread time of the page's main thread and worker,
 *                    from a Chrome trace, bench/trace-cpu.ts): what a zoom or the first paint costs
 *                    whatever the load of the machine (wall time on a shared machine is mostly
 *                    waiting for a core); `first_paint_lines_ms` is the wall time to the line panes
 *                    drawn (the heatmaps follow)
 *   load_avg_*       the machine's 1-minute load average before and after the run
 *   heap_mb          JS heap of the page and its worker (performance.measureUserAgentSpecificMemory,
 *                    the page is cross-origin isolated), after the zooms; `columnar_mb` is the
 *                    Timeline's columns, `heap_target_mb` = 2 × columnar_mb
 *
 * viewer-live: `natrium view --mock default` (the default scenario's emulated BMS, 100 groups at
 * 10 Hz, on the in-process mock port at VIEWER_LIVE_SPEED × real time) into a page with a
 * VIEWER_LIVE_WINDOW s window (default 300: the live window's memory is steady once two windows
 * have streamed, engine/live.ts, so by 10 minutes);
 * `redraw_ms_median` / `redraw_ms_p95` over the redraws (hand-over to the worker to drawn) of the
 * run, `heap_mb_10min` and `heap_mb_end` the page's and worker's heap from 10 and from
 * VIEWER_LIVE_MINUTES minutes of device time on: the median of VIEWER_LIVE_READINGS (default 5)
 * readings spread over one window (the window's memory has that period), each after a forced
 * garbage collection (target: equal within 10 %); `heap_change_pct` the end against 10 min.
 *
 * Env: VIEWER_BENCH_HOURS (default 24), VIEWER_BENCH_ZOOMS (default 40), VIEWER_LIVE_SPEED
 * (default 30), VIEWER_LIVE_MINUTES (default 60), VIEWER_LIVE_WINDOW (default 300),
 * VIEWER_LIVE_READINGS (default 5).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CDPSession, type Page, chromium } from 'playwright-core';
import type { BenchCase } from '../case.ts';
import { CPU_TRACE_CATEGORIES, readCpuTrace } from '../trace-cpu.ts';
import { buildCapture } from './decode.ts';
import { buildViewer } from '../../viewer/server/build.ts';
import { startViewServer } from '../../viewer/server/server.ts';
import { mockSource } from '../../viewer/server/live.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface PageFigures {
  firstPaint_ms: number;
  firstPaintParts: Record<string, number>;
  fullPaint_ms: number;
  analyze_ms: number;
  zooms: number[];
  /** Per zoom: the parts of viewer/src/ui/plots.ts `timing`. */
  parts: Record<string, number>[];
  heap_bytes: number | null;
  columnBytes: number;
  rows: number;
  error: string | null;
}

/** Runs in the page: seeded zooms, then the memory measurement. */
async function pageBench(n: number): Promise<PageFigures> {
  type App = {
    firstPaint_ms: number;
    firstPaintParts: Record<string, number>;
    fullPaint_ms: number;
    analyze_ms: number;
    error: string | null;
    summary: { t_min: number; t_max: number; columnBytes: number; rows: number };
    plots: { setView(a: number, b: number): void; idle: Promise<void> };
  };
  const app = (window as unknown as { natriumViewer: App }).natriumViewer;
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const { t_min, t_max } = app.summary;
  const zooms: number[] = [];
  const parts: Record<string, number>[] = [];
  for (let i = 0; i < n; i++) {
    const span = Math.exp(Math.log(1) + rnd() * (Math.log(t_max - t_min) - Math.log(1)));
    const a = t_min + rnd() * (t_max - t_min - span);
    // a reviewer's pace: the measure table (range statistics, 150 ms after a view change) is done before the next zoom
    await new Promise((r) => setTimeout(r, 600));
    console.timeStamp(`zoom:${i}`);
    const s = performance.now();
    app.plots.setView(a, a + span);
    await app.plots.idle;
    await new Promise((r) => requestAnimationFrame(() => r(null)));
    zooms.push(performance.now() - s);
    console.timeStamp(`zoom:${i}:end`);
    parts.push((app.plots as unknown as { timing: Record<string, number> }).timing);
  }

  let heap: number | null = null;
  const m = (performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }).measureUserAgentSpecificMemory;
  if (m && (self as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated) heap = (await m.call(performance)).bytes;
  return {
    firstPaint_ms: app.firstPaint_ms,
    firstPaintParts: app.firstPaintParts,
    fullPaint_ms: app.fullPaint_ms,
    analyze_ms: app.analyze_ms,
    zooms,
    parts,
    heap_bytes: heap,
    columnBytes: app.summary.columnBytes,
    rows: app.summary.rows,
    error: app.error,
  };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]!;
}

/** Runs in the page: waits for `until_s` of device time in the live window; the redraw times so far. */
async function liveWaitFor(until_s: number): Promise<number[]> {
  type App = { summary: { t_max: number } | null; plots: { origin: number } | null; live: { redraws: number[] } };
  const app = (window as unknown as { natriumViewer: App }).natriumViewer;
  while (!app.plots || !app.summary || app.plots.origin + app.summary.t_max < until_s) await new Promise((r) => setTimeout(r, 50));
  return [...app.live.redraws];
}

/** Runs in the page: the page's and its worker's JS heap (live objects: the measurement marks the heap), bytes. */
async function liveHeap(): Promise<number | null> {
  const m = (performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }).measureUserAgentSpecificMemory;
  return m && (self as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated ? (await m.call(performance)).bytes : null;
}

/**
 * The live heap from `at_s` of device time on: `n` readings spread over one window (the window's
 * builders leapfrog, engine/live.ts, so its memory has a period of one window), each after a
 * garbage collection of the page (CDP HeapProfiler.collectGarbage); the median, and the redraws.
 */
async function liveHeapFrom(page: Page, cdp: CDPSession, at_s: number, window_s: number, n: number): Promise<{ heap: number | null; redraws: number[] }> {
  const heaps: number[] = [];
  let redraws: number[] = [];
  for (let k = 0; k < n; k++) {
    redraws = await page.evaluate(liveWaitFor, at_s + (k * window_s) / n);
    await cdp.send('HeapProfiler.collectGarbage');
    const h = await page.evaluate(liveHeap);
    if (h !== null) heaps.push(h);
  }
  return { heap: heaps.length ? quantile(heaps, 0.5) : null, redraws };
}

export const cases: BenchCase[] = [
  {
    name: 'viewer-24h',
    async run() {
      const hours = Number(process.env.VIEWER_BENCH_HOURS ?? 24);
      const zooms = Number(process.env.VIEWER_BENCH_ZOOMS ?? 40);
      const dir = mkdtempSync(join(tmpdir(), 'natrium-viewer-bench-'));
      try {
        const capture = buildCapture(hours, { np: 2, cellCapacity_Ah: 150, chemistry: 'naion-prismatic-150ah' });
        const file = join(dir, 'bench-24h.nat');
        writeFileSync(file, capture);
        const dist = await buildViewer(join(dir, 'dist'));
        const srv = await startViewServer({ distDir: dist, files: [file] });
        const browser = await chromium.launch({
          executablePath: CHROMIUM,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--js-flags=--max-old-space-size=4096'],
        });
        try {
          const page = await browser.newPage({ viewport: { width: 1400, height: 2100 }, deviceScaleFactor: 1 });
          // tsx names functions with a helper the page lacks
          await page.addInitScript('self.__name = (f) => f');
          const load0 = loadavg()[0]!;
          await browser.startTracing(page, { categories: CPU_TRACE_CATEGORIES });
          await page.goto(srv.url);
          await page.waitForFunction(
            () => {
              const v = (window as unknown as { natriumViewer?: { firstPaint_ms: number; error: string | null } }).natriumViewer;
              return v !== undefined && (v.firstPaint_ms > 0 || v.error !== null);
            },
            null,
            { timeout: 600_000 },
          );
          const loadTrace = readCpuTrace(await browser.stopTracing());
          const firstCpu = loadTrace.cpu(loadTrace.mark('natrium:open'), loadTrace.mark('natrium:first-paint'));
          await page.waitForFunction(
            () => {
              const v = (window as unknown as { natriumViewer?: { ready: boolean; error: string | null } }).natriumViewer;
              return v !== undefined && (v.ready || v.error !== null);
            },
            null,
            { timeout: 600_000 },
          );
          await browser.startTracing(page, { categories: CPU_TRACE_CATEGORIES });
          const f = await page.evaluate(pageBench, zooms);
          const zoomTrace = readCpuTrace(await browser.stopTracing());
          if (f.error) throw new Error(f.error);
          const zoomCpu = f.zooms.map((_, i) => zoomTrace.cpu(zoomTrace.mark(`zoom:${i}`), zoomTrace.mark(`zoom:${i}:end`)));
          const med = (xs: number[]): number => Math.round(quantile(xs, 0.5) * 10) / 10;
          const part = (k: string): number => med(f.parts.map((p) => p[k]!));
          const columnarMb = f.columnBytes / 1e6;
          return {
            first_paint_ms: Math.round(f.firstPaint_ms),
            first_paint_lines_ms: Math.round(f.firstPaintParts.lines_ms!),
            first_paint_cpu_ms: Math.round(firstCpu.main_ms + firstCpu.worker_ms),
            first_paint_cpu_main_ms: Math.round(firstCpu.main_ms),
            first_paint_cpu_worker_ms: Math.round(firstCpu.worker_ms),
            // the worker's decoding (open), its line data and heatmaps, the page's drawing (main.ts firstPaintParts)
            first_paint_open_worker_ms: Math.round(f.firstPaintParts.open_worker_ms!),
            first_paint_lines_worker_ms: Math.round(f.firstPaintParts.view_worker_ms!),
            first_paint_lines_draw_ms: Math.round(f.firstPaintParts.draw_ms!),
            first_paint_heat_worker_ms: Math.round(f.firstPaintParts.heat_worker_ms!),
            full_paint_ms: Math.round(f.fullPaint_ms),
            zoom_ms_median: Math.round(quantile(f.zooms, 0.5) * 10) / 10,
            zoom_ms_p95: Math.round(quantile(f.zooms, 0.95) * 10) / 10,
            zoom_cpu_ms_median: med(zoomCpu.map((c) => c.main_ms + c.worker_ms)),
            zoom_cpu_ms_p95:
              Math.round(
                quantile(
                  zoomCpu.map((c) => c.main_ms + c.worker_ms),
                  0.95,
                ) * 10,
              ) / 10,
            zoom_cpu_main_ms: med(zoomCpu.map((c) => c.main_ms)),
            zoom_cpu_worker_ms: med(zoomCpu.map((c) => c.worker_ms)),
            zoom_lines_wait_ms: part('wait_ms'),
            zoom_lines_worker_ms: part('worker_ms'),
            zoom_lines_draw_ms: part('lines_ms'),
            zoom_heat_wait_ms: part('heatWait_ms'),
            zoom_heat_worker_ms: part('heatWorker_ms'),
            zoom_heat_draw_ms: part('heats_ms'),
            heap_mb: f.heap_bytes === null ? null : Math.round(f.heap_bytes / 1e6),
            columnar_mb: Math.round(columnarMb),
            heap_target_mb: Math.round(2 * columnarMb),
            analyze_ms: Math.round(f.analyze_ms),
            rows: f.rows,
            capture_mb: Math.round(capture.length / 1e6),
            hours,
            zooms,
            load_avg_start: Math.round(load0 * 10) / 10,
            load_avg_end: Math.round(loadavg()[0]! * 10) / 10,
          };
        } finally {
          await browser.close();
          await srv.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'viewer-live',
    async run() {
      const speed = Number(process.env.VIEWER_LIVE_SPEED ?? 30);
      const minutes = Number(process.env.VIEWER_LIVE_MINUTES ?? 60);
      const window_s = Number(process.env.VIEWER_LIVE_WINDOW ?? 300);
      const readings = Number(process.env.VIEWER_LIVE_READINGS ?? 5);
      const dir = mkdtempSync(join(tmpdir(), 'natrium-viewer-live-'));
      const source = await mockSource('default', 10_000_000, speed);
      try {
        const dist = await buildViewer(join(dir, 'dist'));
        const srv = await startViewServer({ distDir: dist, files: [], live: source, liveSettings: { window_s } });
        const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
        try {
          const page = await browser.newPage({ viewport: { width: 1400, height: 2100 }, deviceScaleFactor: 1 });
          await page.addInitScript('self.__name = (f) => f');
          await page.goto(srv.url);
          const cdp = await page.context().newCDPSession(page);
          const at10 = await liveHeapFrom(page, cdp, 600, window_s, readings);
          const atEnd = await liveHeapFrom(page, cdp, minutes * 60, window_s, readings);
          const r = atEnd.redraws;
          return {
            redraw_ms_median: Math.round(quantile(r, 0.5) * 10) / 10,
            redraw_ms_p95: Math.round(quantile(r, 0.95) * 10) / 10,
            redraws: r.length,
            heap_mb_10min: at10.heap === null ? null : Math.round(at10.heap / 1e6),
            heap_mb_end: atEnd.heap === null ? null : Math.round(atEnd.heap / 1e6),
            heap_change_pct: at10.heap === null || atEnd.heap === null ? null : Math.round((1000 * (atEnd.heap - at10.heap)) / at10.heap) / 10,
            minutes,
            window_s,
            speed,
          };
        } finally {
          await browser.close();
          await srv.close();
        }
      } finally {
        await source.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
