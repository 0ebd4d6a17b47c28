/**
 * One opened log in the worker: its Timeline's columns and pyramids, the summary the page needs
 * to lay out its panes, and the answers to the page's queries (plot data, heatmaps, range
 * statistics, values at the measuring cursors, CSV of a range). Isomorphic.
 */
import { type TimedEvent, PACK_CHANNELS, type Timeline } from '../../../analyzer/timeline/store.ts';
import { OcvModel } from '../../../analyzer/rules/soc/internal/ocv.ts';
import type { ChemistryFile } from '../../../sim/chemistry/spec.ts';
import type { Info } from '../../../protocol/messages.ts';
import { Columns, type ViewerConfig } from './columns.ts';
import {
  type DerivedSeries,
  type HeatData,
  type HeatQuery,
  type PlotData,
  type PlotQuery,
  type RangeStats,
  queryHeat,
  queryPlot,
  queryStats,
  rangeMax,
  valuesAt,
} from './query.ts';

/** What the page learns about a log when it opens. */
export interface SessionSummary {
  kind: 'capture' | 'trace' | 'live';
  name: string;
  rows: number;
  t_min: number;
  t_max: number;
  ns: number;
  nt: number;
  nbal: number;
  hasTruth: boolean;
  /** An OCV-derived SOC can be drawn (chemistry known, a pack capacity). */
  hasOcv: boolean;
  faultBits: number[];
  warningBits: number[];
  events: TimedEvent[];
  /** Cells at the log's lowest and highest voltage, sensors at its highest temperature. */
  lowCell: number;
  highCell: number;
  hottest: number[];
  columnBytes: number;
  /** Device clock of the time axis' zero, s (live windows; 0 for files, whose axis starts at their first frame). */
  origin_s: number;
}

/** The OCV-derived SOC series id. */
export const OCV_SOC = 'soc.ocv';

export class Session {
  readonly cols: Columns;
  private readonly derived: DerivedSeries[] = [];

  constructor(
    readonly tl: Timeline,
    readonly config: ViewerConfig,
    readonly kind: SessionSummary['kind'],
    readonly name: string,
    chemistry: ChemistryFile | null,
    /** The pack assumed for a log with no INFO of its own (a sim trace's, as the analyser assumes it). */
    fallbackInfo: Info | null = null,
  ) {
    this.cols = new Columns(tl, config);
    const info = tl.info ?? fallbackInfo;
    const capacity_Ah = info ? info.cellCapacity_Ah * info.np : chemistry ? chemistry.capacity_Ah : NaN;
    if (chemistry && capacity_Ah > 0) {
      const model = new OcvModel(chemistry);
      const rest_A = config.rest_c_rate * capacity_Ah;
      // at rest (every current sample of the bucket within rest_A): the SOC whose central OCV is the mean cell voltage
      this.derived.push({
        id: OCV_SOC,
        deps: ['cell.mean', 'pack.current_A', 'temp.mean'],
        memo: new Map(),
        f: ([v, i, t]) => {
          if (!(Math.max(Math.abs(i!.min), Math.abs(i!.max)) <= rest_A)) return NaN;
          const vm = (v!.min + v!.max) / 2;
          if (vm !== vm) return NaN;
          return model.socFromRest(vm, 0, (t!.min + t!.max) / 2);
        },
      });
    }
  }

  summary(): SessionSummary {
    const tl = this.tl;
    const bits = this.cols.maskBitsSet();
    const list = (m: number): number[] => [...Array(32).keys()].filter((b) => (m >>> b) & 1);
    return {
      kind: this.kind,
      name: this.name,
      rows: tl.length,
      t_min: tl.length ? tl.t_s[0]! : 0,
      t_max: tl.length ? tl.t_s[tl.length - 1]! : 0,
      ns: tl.ns,
      nt: tl.nt,
      nbal: tl.balancing.length,
      hasTruth: tl.hasTruth,
      hasOcv: this.derived.length > 0,
      faultBits: list(bits.fault),
      warningBits: list(bits.warning),
      events: tl.events.slice(0, 20000),
      lowCell: extremeIndex(tl.cellVoltage_V, tl.length, -1),
      highCell: extremeIndex(tl.cellVoltage_V, tl.length, 1),
      hottest: this.hottestOverall()
        .slice(0, this.config.hottest)
        .map((h) => h.index),
      columnBytes: tl.columnBytes,
      origin_s: 0,
    };
  }

  /**
   * Plot data; the pseudo ids `temp.hot<k>` stand for the k-th hottest sensor in the range
   * (`resolved` gives the ids drawn, `label` names them).
   */
  plot(q: PlotQuery): PlotData & { resolved: string[] } {
    let series = q.series;
    if (series.some((s) => s.startsWith('temp.hot'))) {
      const hot = this.hottestIn(q.t0, q.t1, this.config.hottest, q.width);
      series = series.map((s) => {
        const m = /^temp\.hot(\d+)$/.exec(s);
        if (!m) return s;
        const h = hot[Number(m[1])];
        return h === undefined ? '-' : `temp.${h.index}`;
      });
    }
    return { ...queryPlot(this.cols, { ...q, series }, this.derived), resolved: [...series] };
  }

  heat(q: HeatQuery): HeatData {
    return queryHeat(this.cols, q);
  }

  stats(t0: number, t1: number, ids: readonly string[]): RangeStats[] {
    return queryStats(this.cols, t0, t1, ids);
  }

  at(t: number, ids: readonly string[]): { t_s: number; values: number[] } {
    return valuesAt(this.cols, t, ids);
  }

  /**
   * The sensors hottest over [t0, t1] (at most `n`), by their pyramids' maxima at a plot `width` px
   * wide; over the whole log, from the columns (the first view of a log needs no sensor's pyramid).
   */
  hottestIn(t0: number, t1: number, n: number, width = 2048): { index: number; max_C: number }[] {
    const tl = this.tl;
    if (tl.length === 0 || (t0 <= tl.t_s[0]! && t1 >= tl.t_s[tl.length - 1]!)) return this.hottestOverall().slice(0, n);
    const out: { index: number; max_C: number }[] = [];
    for (let index = 0; index < this.tl.nt; index++) {
      const max_C = rangeMax(this.cols, `temp.${index}`, t0, t1, width);
      if (max_C === max_C) out.push({ index, max_C });
    }
    out.sort((a, b) => b.max_C - a.max_C);
    return out.slice(0, n);
  }

  private hottest: { index: number; max_C: number }[] | null = null;

  /** Every sensor with a value, hottest first (its maximum over the log; ties: the lower index). */
  private hottestOverall(): { index: number; max_C: number }[] {
    this.hottest ??= columnMaxima(this.tl.temperature_C, this.tl.length)
      .map((max_C, index) => ({ index, max_C }))
      .filter((h) => h.max_C > -Infinity)
      .sort((a, b) => b.max_C - a.max_C);
    return this.hottest;
  }

  /** The rows in [t0, t1] as CSV: time, state and masks, the pack columns, the cell and sensor envelopes. */
  csv(t0: number, t1: number): string {
    const tl = this.tl;
    const env = ['cell.min', 'cell.mean', 'cell.max', 'temp.min', 'temp.mean', 'temp.max'];
    const envCols = env.map((id) => this.cols.source(id)?.column ?? null);
    const head = [
      't_s',
      'state',
      'contactors',
      'fault_mask',
      'warning_mask',
      ...PACK_CHANNELS,
      'cell_min_V',
      'cell_mean_V',
      'cell_max_V',
      'temp_min_C',
      'temp_mean_C',
      'temp_max_C',
    ];
    const lines = [head.join(',')];
    const r0 = tl.rowAt(t0);
    const r1 = tl.rowAt(t1 + 1e-9);
    const f = (v: number): string => (v === v ? String(Math.round(v * 1e6) / 1e6) : '');
    for (let r = r0; r < r1; r++) {
      const row = [String(tl.t_s[r]), tl.state[r] === 255 ? '' : String(tl.state[r]), tl.contactors[r] === 255 ? '' : String(tl.contactors[r])];
      const status = tl.hasStatus(r);
      row.push(status ? String(tl.faultMask[r]) : '', status ? String(tl.warningMask[r]) : '');
      for (const c of PACK_CHANNELS) row.push(f(tl.pack[c][r]!));
      for (const c of envCols) row.push(c ? f(c[r]!) : '');
      lines.push(row.join(','));
    }
    return `${lines.join('\n')}\n`;
  }
}

/** Column holding the lowest (sign −1) or highest (sign 1) value anywhere; -1 when none. */
function extremeIndex(cols: readonly Float32Array[], n: number, sign: 1 | -1): number {
  let best = -Infinity;
  let at = -1;
  cols.forEach((c, i) => {
    for (let r = 0; r < n; r++) {
      const v = sign * c[r]!;
      if (v > best) {
        best = v;
        at = i;
      }
    }
  });
  return at;
}

/** Each column's largest value over rows [0, n) (−Infinity: none; NaN skipped). */
function columnMaxima(cols: readonly Float32Array[], n: number): number[] {
  return cols.map((c) => {
    let m = -Infinity;
    for (let r = 0; r < n; r++) if (c[r]! > m) m = c[r]!;
    return m;
  });
}
