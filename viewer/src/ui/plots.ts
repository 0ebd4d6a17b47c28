/**
 * The stacked panes: one uPlot per pane on one time axis (the x scale of every pane is the
 * shared view), synced cursor, drag to zoom, double-click for the whole log, left and right axes
 * of fixed widths so the plot areas line up. Data comes from the worker for the view and the
 * pane's width (engine/query.ts); a view change redraws at once and fetches the new buckets,
 * at most one request in flight. Shading (findings, data-quality ranges), the measuring cursors,
 * lanes and EVENT markers are drawn in the draw hooks; all text on canvas or via textContent.
 */
import uPlot from 'uplot';
import type { HeatData, PlotData } from '../engine/query.ts';
import { SKIP } from '../engine/query.ts';
import type { SessionSummary } from '../engine/session.ts';
import { FAULT_CODE_NAMES } from '../../../protocol/messages.ts';
import type { WorkerClient } from './client.ts';
import { HeatImage, heatGradient, heatRange } from './heatmap.ts';
import type { PaneSpec } from './layout.ts';
import { type PaneDef, stateLabel } from './panes.ts';
import { fmtTime, percentTicks, timeTicks } from './format.ts';
import { el } from './dom.ts';
import { fillBand } from './band.ts';

/** Left and right axis widths, CSS px (the same in every pane). */
const AXIS_PX = 64;
const TIER_COLORS = ['#1f77b4', '#ff7f0e', '#d62728'];
/** The envelope band between a pane's max and min series. */
const BAND_FILL = 'rgba(255,127,14,0.10)';
/** A lane's 0/1 value is drawn at lane + LANE_HEIGHT × value. */
const LANE_HEIGHT = 0.7;
/** The one series of a pane drawn only in hooks (heatmap, markers): nothing to plot. */
const NO_POINTS = [null, null];

/** `p`'s value if it settles within `ms`, else undefined (p keeps running). */
function settledWithin<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer = 0;
  return Promise.race([p, new Promise<undefined>((r) => (timer = self.setTimeout(() => r(undefined), ms)))]).finally(() => clearTimeout(timer));
}

/** No NaN or ±Infinity (SKIP) in the column: uPlot can draw it as it is. */
function allFinite(col: Float64Array): boolean {
  for (let i = 0; i < col.length; i++) if (!(col[i]! - col[i]! === 0)) return false;
  return true;
}

export interface Shade {
  t0: number;
  t1: number;
  color: string;
}

export interface PaneView {
  spec: PaneSpec;
  def: PaneDef;
  root: HTMLElement;
  u: uPlot;
  /** Series ids drawn (after `temp.hot<k>` resolution). */
  resolved: string[];
  heat: HeatData | null;
  /** The heatmap rendered for the last answer (heatmap panes). */
  heatImage: HeatImage | null;
  caption: HTMLElement;
}

export interface PlotsHooks {
  /** The view changed (zoom, pan, finding). */
  onView(t0: number, t1: number): void;
  /** A click in a plot at time t (shift: the second cursor). */
  onClick(t: number, second: boolean): void;
  /** Pane header actions. */
  onPaneAction(index: number, action: 'up' | 'down' | 'remove' | 'choose', arg?: string): void;
}

export interface PlotsOptions {
  /** How long the line panes wait for the heatmaps' data to draw all panes at once, ms (config.json heat_join_ms). */
  heatJoin_ms: number;
}

export class Plots {
  view: { t0: number; t1: number };
  readonly panes: PaneView[] = [];
  /** Always shaded (data-quality findings). */
  quality: Shade[] = [];
  selected: Shade | null = null;
  cursors: { a: number | null; b: number | null } = { a: null, b: null };
  /** Added to the axis for display (live: the device clock of the window's first frame). */
  origin = 0;
  private inFlight = false;
  private dirty = false;
  /** Resolves when no fetch is running or queued (tests and the bench wait on it). */
  idle: Promise<void> = Promise.resolve();
  private idleResolve: (() => void) | null = null;

  constructor(
    private readonly host: HTMLElement,
    private readonly client: WorkerClient,
    public summary: SessionSummary,
    private readonly hooks: PlotsHooks,
    private readonly settings: PlotsOptions,
  ) {
    this.view = { t0: summary.t_min, t1: Math.max(summary.t_max, summary.t_min + 1) };
  }

  /** Rebuilds every pane for these specs (the defs come from panes.ts). */
  setPanes(specs: { spec: PaneSpec; def: PaneDef }[]): void {
    for (const p of this.panes) {
      p.u.destroy();
      p.root.remove();
    }
    this.panes.length = 0;
    // read once: asking the layout per pane would lay the page out again after each pane added
    this.paneWidth = this.width();
    specs.forEach(({ spec, def }, i) => this.panes.push(this.makePane(spec, def, i, specs.length)));
    this.fetch();
  }

  /** Sets the shared view (clamped to the log) and fetches its data. */
  setView(t0: number, t1: number): void {
    const lo = this.summary.t_min;
    const hi = Math.max(this.summary.t_max, lo + 1);
    const span = Math.max(1e-3, Math.min(t1 - t0, hi - lo));
    let a = Math.max(lo, t0);
    if (a + span > hi) a = hi - span;
    this.view = { t0: a, t1: a + span };
    // the panes are drawn once, when the view's data comes (a redraw now would draw old buckets, then again)
    this.hooks.onView(this.view.t0, this.view.t1);
    this.fetch();
  }

  /** Live: shows the latest `window_s` of the log. */
  follow(window_s: number): void {
    const { t_min, t_max } = this.summary;
    this.setView(Math.max(t_min, t_max - window_s), Math.max(t_max, t_min + 1e-3));
  }

  /** The whole log. */
  reset(): void {
    this.setView(this.summary.t_min, this.summary.t_max);
  }

  redraw(): void {
    for (const p of this.panes) p.u.redraw(false, false);
  }

  resize(): void {
    this.paneWidth = this.width();
    for (const p of this.panes) p.u.setSize({ width: this.paneWidth, height: p.def.height });
    this.fetch();
  }

  /** The panes' width, CSS px (set when the panes are made or resized). */
  private paneWidth = 0;

  private width(): number {
    return Math.max(300, this.host.clientWidth - 2);
  }

  /** Fetches the view's data for every pane (coalesced: one request in flight, the latest view wins). */
  fetch(): void {
    if (this.inFlight) {
      this.dirty = true;
      return;
    }
    if (this.idleResolve === null) this.idle = new Promise((r) => (this.idleResolve = r));
    this.inFlight = true;
    this.dirty = false;
    void this.load().finally(() => {
      this.inFlight = false;
      if (this.dirty) this.fetch();
      else {
        this.idleResolve?.();
        this.idleResolve = null;
      }
    });
  }

  /**
   * Two requests at once: the line panes' data, then the heatmaps. The worker answers them in
   * turn; the panes are drawn together when the heatmaps come within `heatJoin_ms` of the lines,
   * else the line panes (and the markers) first and the heatmaps when they come.
   */
  private async load(): Promise<void> {
    const { t0, t1 } = this.view;
    const width = this.paneWidth - 2 * AXIS_PX;
    const lines = this.panes.filter((p) => p.def.series.length > 0);
    const heats = this.panes.filter((p) => p.def.heat && p.def.heat.rows > 0);
    const s0 = performance.now();
    const lineAnswer = this.client.call<'view'>({
      type: 'view',
      lines: lines.map((p) => ({ t0, t1, width, series: p.def.series.map((s) => s.id) })),
      heats: [],
    });
    const heatAnswer =
      heats.length === 0
        ? null
        : this.client.call<'view'>({ type: 'view', lines: [], heats: heats.map((p) => ({ t0, t1, width, group: p.def.heat!.group, mode: p.def.heat!.mode })) });
    const a = await lineAnswer;
    const s1 = performance.now();
    // the heatmaps usually follow within milliseconds: then every pane is drawn in one task, so in
    // one frame (drawing the lines first would cost a frame of its own and a vsync more); when
    // they take longer (a first paint builds their pyramids), the lines are drawn meanwhile
    let h = heatAnswer === null ? null : await settledWithin(heatAnswer, this.settings.heatJoin_ms);
    const joined = h !== undefined;
    const s2 = performance.now();
    lines.forEach((p, i) => this.setPlotData(p, a.lines[i]!));
    for (const p of this.panes) if (!p.def.series.length && !p.def.heat) p.u.batch(() => p.u.setData([[t0, t1], NO_POINTS]));
    const s3 = performance.now();
    this.linesDrawnAt = s3;
    if (h === undefined) h = await heatAnswer!;
    const s4 = performance.now();
    heats.forEach((p, i) => {
      const d = h!.heats[i]!;
      p.heat = d;
      p.heatImage ??= new HeatImage();
      // device pixels of the plot area (before the first draw: estimated from the pane's width)
      const W = Math.round(p.u.bbox.width > 0 ? p.u.bbox.width : width * uPlot.pxRatio);
      p.heatImage.render(d, p.def.heat!.mode === 'delta', t0, t1, Math.max(1, W));
      this.setHeatCaption(p);
      p.u.batch(() => p.u.setData([[t0, t1], NO_POINTS]));
    });
    const s5 = performance.now();
    this.timing = {
      wait_ms: s1 - s0,
      worker_ms: a.worker_ms,
      lines_ms: s3 - s2,
      heatWait_ms: joined ? s2 - s1 : s4 - s3,
      heatWorker_ms: h?.worker_ms ?? 0,
      heats_ms: s5 - s4,
    };
  }

  /** When the last fetch had the line panes drawn (performance.now()). */
  linesDrawnAt = NaN;

  /**
   * Where the last fetch spent its time (the bench reads it): the line data's round trip and the
   * worker's part of it, drawing the line panes; waiting for the heatmaps after the line data (or,
   * when not joined, after the lines were drawn; the worker's part) and drawing them.
   */
  timing = { wait_ms: 0, worker_ms: 0, lines_ms: 0, heatWait_ms: 0, heatWorker_ms: 0, heats_ms: 0 };

  private setPlotData(p: PaneView, d: PlotData & { resolved: string[] }): void {
    // uPlot takes typed arrays; a column with gaps or skipped slots (NaN, SKIP) or drawn in a lane is converted
    const data: ArrayLike<number | null | undefined>[] = [d.x];
    d.y.forEach((col, s) => {
      const lane = p.def.series[s]!.lane;
      if (lane === undefined && allFinite(col)) {
        data.push(col);
        return;
      }
      const out = new Array<number | null | undefined>(col.length);
      for (let i = 0; i < col.length; i++) {
        const v = col[i]!;
        out[i] = v === SKIP ? undefined : v !== v ? null : lane === undefined ? v : lane + LANE_HEIGHT * v;
      }
      data.push(out);
    });
    p.resolved = d.resolved;
    p.u.batch(() => {
      d.resolved.forEach((id, s) => {
        if (!p.def.series[s]!.id.startsWith('temp.hot')) return;
        const label = id.startsWith('temp.') ? `sensor ${id.slice(5)} °C (hot #${s - 2})` : `hottest #${s - 2}: none`;
        const series = p.u.series[s + 1]!;
        if (series.label === label) return;
        series.label = label;
        const cell = p.u.root.querySelectorAll('.u-legend .u-series')[s + 1]?.querySelector('.u-label');
        if (cell) cell.textContent = label;
      });
      p.u.setData(data as uPlot.AlignedData);
    });
    const names = d.resolved.filter((id) => /^temp\.\d+$/.test(id)).map((id) => `sensor ${id.slice(5)}`);
    if (p.def.kind === 'temps') {
      const text = names.length ? `hottest in view: ${names.join(', ')}` : '';
      if (p.caption.textContent !== text) p.caption.textContent = text;
    }
  }

  private setHeatCaption(p: PaneView): void {
    const h = p.heat!;
    const diverging = p.def.heat!.mode === 'delta';
    const [lo, hi] = heatRange(h, diverging);
    const unit = p.def.heat!.unit;
    const scale = unit === 'V' ? 1000 : 1;
    const u2 = unit === 'V' ? 'mV' : unit;
    const what = diverging ? 'cell − mean of cells' : 'value';
    const from = `${what}: ${(lo * scale).toFixed(1)} ${u2} `;
    const to = ` ${(hi * scale).toFixed(1)} ${u2}`;
    // made once, then only its two texts change (new elements would lay the page out again)
    if (p.caption.childElementCount !== 3) {
      p.caption.replaceChildren(el('span'), el('span', { className: 'ramp', style: { background: heatGradient(diverging) } }), el('span'));
    }
    const [a, , b] = Array.from(p.caption.children);
    if (a!.textContent !== from) a!.textContent = from;
    if (b!.textContent !== to) b!.textContent = to;
  }

  private makePane(spec: PaneSpec, def: PaneDef, index: number, count: number): PaneView {
    const caption = el('span', { className: 'caption' });
    const head = el('div', { className: 'pane-head' }, [
      el('span', { className: 'pane-title', text: def.title }),
      caption,
      ...(def.choose ? [this.chooser(def, spec, index)] : []),
      el('button', { text: '↑', title: 'move up', disabled: index === 0, onclick: () => this.hooks.onPaneAction(index, 'up') }),
      el('button', { text: '↓', title: 'move down', disabled: index === count - 1, onclick: () => this.hooks.onPaneAction(index, 'down') }),
      el('button', { text: '✕', title: 'remove pane', onclick: () => this.hooks.onPaneAction(index, 'remove') }),
    ]);
    const root = el('section', { className: 'pane', dataset: { kind: def.kind } }, [head]);
    this.host.appendChild(root);
    const view: PaneView = { spec, def, root, u: null as unknown as uPlot, resolved: def.series.map((s) => s.id), heat: null, heatImage: null, caption };
    view.u = new uPlot(this.options(view), [[this.view.t0, this.view.t1], ...(def.series.length ? def.series.map(() => [null, null]) : [[null, null]])], root);
    this.attachClicks(view.u);
    return view;
  }

  private chooser(def: PaneDef, spec: PaneSpec, index: number): HTMLElement {
    const input = el('input', {
      type: 'text',
      placeholder: def.choose === 'cell' ? 'cells, e.g. 3 17' : 'sensors, e.g. 4',
      value: (spec.chosen ?? []).join(' '),
      title: 'chosen cells / sensors (0-based), Enter to apply',
    }) as HTMLInputElement;
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.hooks.onPaneAction(index, 'choose', input.value);
    });
    return input;
  }

  private attachClicks(u: uPlot): void {
    let downX = NaN;
    u.over.addEventListener('mousedown', (e) => (downX = e.clientX));
    u.over.addEventListener('mouseup', (e) => {
      if (Math.abs(e.clientX - downX) > 3) return;
      const t = u.posToVal(e.offsetX, 'x');
      this.hooks.onClick(t, e.shiftKey);
    });
    u.over.addEventListener('dblclick', () => this.reset());
  }

  private options(p: PaneView): uPlot.Options {
    const def = p.def;
    const xAxis: uPlot.Axis = {
      scale: 'x',
      size: 28,
      values: (_u, splits, _axis, _space, incr) => timeTicks(splits, incr, this.origin),
      grid: { stroke: '#eee' },
    };
    const yAxis: uPlot.Axis = { scale: 'y', size: AXIS_PX, label: def.yLabel, labelSize: 14, grid: { stroke: '#eee' } };
    if (def.yFormat === 'percent') yAxis.values = (_u, splits, _axis, _space, incr) => percentTicks(splits, incr);
    if (def.yFormat === 'state') {
      yAxis.splits = () => [0, 1, 2, 3, 4, 5];
      yAxis.values = (_u, splits) => splits.map(stateLabel);
      yAxis.size = AXIS_PX;
      yAxis.font = '9px sans-serif';
      // the state names need the axis's width (PRECHARGE was clipped to RECHARGE): no label (the
      // pane's title says it; its room is kept so the plot lines up with the other panes' plots)
      // and short ticks
      yAxis.label = '';
      yAxis.ticks = { size: 3 };
      yAxis.gap = 3;
    }
    if (def.lanes || def.heat || def.events) {
      yAxis.values = def.heat ? (_u, splits) => splits.map((v) => (Number.isInteger(v) ? String(v) : '')) : () => [];
    }
    const y2Axis: uPlot.Axis = { scale: def.y2Label ? 'y2' : 'y', side: 1, size: AXIS_PX, label: def.y2Label ?? '', labelSize: 14, grid: { show: false } };
    if (!def.y2Label) {
      y2Axis.values = () => [];
      y2Axis.stroke = 'transparent';
    }
    const scales: uPlot.Scales = { x: { time: false, range: () => [this.view.t0, this.view.t1] } };
    if (def.yFormat === 'state') scales.y = { range: [-0.5, 5.5] };
    if (def.lanes) scales.y = { range: [0, Math.max(1, def.lanes.length)] };
    if (def.heat) scales.y = { range: [0, Math.max(1, def.heat.rows)] };
    if (def.events) scales.y = { range: [0, 3] };
    if (def.y2Label) scales.y2 = {};
    const series: uPlot.Series[] = [{ label: 't', value: (_u, v) => (v == null ? '' : fmtTime(v + this.origin)) }];
    if (def.series.length === 0) series.push({ label: def.heat ? 'heatmap' : 'markers', scale: 'y', show: true, stroke: 'transparent' });
    for (const s of def.series) {
      series.push({
        label: s.label,
        stroke: s.color,
        width: s.width ?? 1,
        scale: s.scale ?? 'y',
        dash: s.dash,
        spanGaps: false,
        points: { show: false },
        paths: s.step ? uPlot.paths.stepped!({ align: 1 }) : undefined,
        value:
          s.lane !== undefined
            ? (_u, v) => (v == null ? '' : v - s.lane! > 0.35 ? 'on' : 'off')
            : def.yFormat === 'percent'
              ? (_u, v) => (v == null ? '' : `${(v * 100).toFixed(2)} %`)
              : def.yFormat === 'state'
                ? (_u, v) => (v == null ? '' : stateLabel(v))
                : undefined,
      });
    }
    const opts: uPlot.Options = {
      width: this.paneWidth,
      height: def.height,
      scales,
      series,
      axes: [xAxis, yAxis, y2Axis],
      cursor: { sync: { key: 'natrium', setSeries: false }, drag: { x: true, y: false, setScale: false }, points: { show: false } },
      legend: { show: true, live: true },
      hooks: {
        setSelect: [(u) => this.onSelect(u)],
        drawClear: [(u) => this.drawShades(u)],
        // under the series, over the grid
        drawAxes: def.band ? [(u) => fillBand(u, def.band![0], def.band![1], BAND_FILL)] : [],
        draw: [(u) => this.drawOverlays(u, p)],
      },
    };
    return opts;
  }

  private onSelect(u: uPlot): void {
    if (u.select.width < 3) return;
    const t0 = u.posToVal(u.select.left, 'x');
    const t1 = u.posToVal(u.select.left + u.select.width, 'x');
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    this.setView(t0, t1);
  }

  private drawShades(u: uPlot): void {
    const ctx = u.ctx;
    const { top, height } = u.bbox;
    const fill = (s: Shade): void => {
      const a = u.valToPos(s.t0, 'x', true);
      const b = u.valToPos(s.t1, 'x', true);
      ctx.fillStyle = s.color;
      ctx.fillRect(a, top, Math.max(b - a, uPlot.pxRatio * 2), height);
    };
    ctx.save();
    for (const s of this.quality) if (s.t1 >= this.view.t0 && s.t0 <= this.view.t1) fill(s);
    if (this.selected) fill(this.selected);
    ctx.restore();
  }

  private drawOverlays(u: uPlot, p: PaneView): void {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const r = uPlot.pxRatio;
    p.heatImage?.blit(u);
    ctx.save();
    ctx.font = `${11 * r}px sans-serif`;
    ctx.textBaseline = 'middle';
    if (p.def.lanes) {
      ctx.fillStyle = '#333';
      p.def.lanes.forEach((name, k) => ctx.fillText(name, left + 4 * r, u.valToPos(k + 0.35, 'y', true)));
    }
    if (p.def.events) this.drawEvents(u);
    for (const [t, label] of [
      [this.cursors.a, 'A'],
      [this.cursors.b, 'B'],
    ] as const) {
      if (t === null) continue;
      const x = Math.round(u.valToPos(t, 'x', true));
      if (x < left || x > left + width) continue;
      ctx.strokeStyle = '#000';
      ctx.lineWidth = r;
      ctx.setLineDash([4 * r, 3 * r]);
      ctx.beginPath();
      ctx.moveTo(x + 0.5, top);
      ctx.lineTo(x + 0.5, top + height);
      ctx.stroke();
      ctx.fillStyle = '#000';
      ctx.fillText(label, x + 3 * r, top + 8 * r);
    }
    ctx.restore();
  }

  private drawEvents(u: uPlot): void {
    const ctx = u.ctx;
    const { left, width } = u.bbox;
    const r = uPlot.pxRatio;
    let lastLabelX = -Infinity;
    for (const e of this.summary.events) {
      if (e.t_s < this.view.t0 || e.t_s > this.view.t1) continue;
      const x = u.valToPos(e.t_s, 'x', true);
      const y = u.valToPos(e.tier + 0.5, 'y', true);
      ctx.fillStyle = TIER_COLORS[e.tier] ?? '#333';
      ctx.beginPath();
      if (e.raised) {
        ctx.moveTo(x, y - 5 * r);
        ctx.lineTo(x - 4 * r, y + 4 * r);
        ctx.lineTo(x + 4 * r, y + 4 * r);
      } else {
        ctx.moveTo(x, y + 5 * r);
        ctx.lineTo(x - 4 * r, y - 4 * r);
        ctx.lineTo(x + 4 * r, y - 4 * r);
      }
      ctx.fill();
      if (x - lastLabelX > 120 * r && x < left + width - 60 * r) {
        ctx.fillText(`${FAULT_CODE_NAMES[e.code] ?? `code ${e.code}`}${e.index >= 0 ? ` #${e.index}` : ''}`, x + 6 * r, y);
        lastLabelX = x;
      }
    }
  }
}
