/**
 * What each pane kind draws for an opened log: its series (worker series ids, engine/columns.ts),
 * axes, lanes or heatmap. Pure: the plots (plots.ts) turn a PaneDef into a uPlot.
 */
import { BMS_STATE_NAMES, FAULT_CODE_NAMES } from '../../../protocol/messages.ts';
import type { SessionSummary } from '../engine/session.ts';
import { PANE_TITLES, type PaneKind, type PaneSpec } from './layout.ts';

export interface SeriesDef {
  id: string;
  label: string;
  color: string;
  /** 'y' left axis (default), 'y2' right axis. */
  scale?: 'y' | 'y2';
  /** Dash pattern, CSS px: only for series with few points (steps, slow columns); see `width`. */
  dash?: number[];
  /**
   * Line width, CSS px (default 1). Series with a point per pixel (the M4 buckets: envelopes,
   * chosen cells and sensors, pack columns) stay at 1: a wider line over such a zig-zag is stroked
   * as a polygon with round joins, which costs Chromium's software canvas about four times a
   * one-pixel (hairline) stroke; only sparse series (states, lanes, SOC at rest) are wider.
   */
  width?: number;
  /** Drawn as steps (states, bits). */
  step?: boolean;
  /** Lane index: the value (0/1) is drawn at lane + 0.7 × value. */
  lane?: number;
}

export interface PaneDef {
  kind: PaneKind;
  title: string;
  /** Plot height, CSS px. */
  height: number;
  series: SeriesDef[];
  yLabel: string;
  y2Label?: string;
  /** Formats left-axis values (default: plain numbers). */
  yFormat?: 'percent' | 'state';
  /** Lane names, bottom up (lanes pane). */
  lanes?: string[];
  heat?: { group: 'cell' | 'temp' | 'bal'; mode: 'value' | 'delta'; rows: number; unit: string };
  events?: boolean;
  /** [upper, lower] series indices (1-based, as uPlot counts) filled between. */
  band?: [number, number];
  /** Chosen cells or sensors can be typed in (cells, temps). */
  choose?: 'cell' | 'temp';
}

const C = {
  blue: '#1f77b4',
  orange: '#ff7f0e',
  green: '#2ca02c',
  red: '#d62728',
  purple: '#9467bd',
  brown: '#8c564b',
  pink: '#e377c2',
  grey: '#7f7f7f',
  olive: '#bcbd22',
  cyan: '#17becf',
};
const PICKS = [C.red, C.blue, C.green, C.purple, C.brown, C.pink, C.olive, C.cyan];

function envelope(head: 'cell' | 'temp', unit: string): SeriesDef[] {
  return [
    { id: `${head}.max`, label: `max ${unit}`, color: C.orange, width: 1 },
    // solid: a dash pattern over a bucket-per-pixel line is several times its raster cost (see SeriesDef.width)
    { id: `${head}.mean`, label: `mean ${unit}`, color: C.grey, width: 1 },
    { id: `${head}.min`, label: `min ${unit}`, color: C.blue, width: 1 },
  ];
}

/** The pane's definition for this log (series that the log lacks are left out). */
export function paneDef(spec: PaneSpec, s: SessionSummary, maxChosen: number, hottest: number): PaneDef {
  const base = { kind: spec.kind, title: PANE_TITLES[spec.kind] };
  switch (spec.kind) {
    case 'pack':
      return {
        ...base,
        height: 170,
        yLabel: 'V',
        y2Label: 'A',
        series: [
          { id: 'pack.packVoltage_V', label: 'pack voltage V', color: C.blue },
          { id: 'pack.current_A', label: 'current A (+ charging)', color: C.red, scale: 'y2' },
        ],
      };
    case 'soc': {
      const series: SeriesDef[] = [{ id: 'pack.soc', label: 'SOC estimate', color: C.blue }];
      if (s.hasTruth) series.push({ id: 'pack.truthSocAvg', label: 'SOC truth (mean)', color: C.green, dash: [5, 3] });
      if (s.hasOcv) series.push({ id: 'soc.ocv', label: 'SOC from OCV (at rest)', color: C.purple, width: 2 });
      return { ...base, height: 150, yLabel: 'SOC %', yFormat: 'percent', series };
    }
    case 'cells': {
      const chosen = (spec.chosen ?? [s.lowCell, s.highCell].filter((i) => i >= 0)).filter((i) => i < s.ns).slice(0, maxChosen);
      const picks = chosen.map((i, k): SeriesDef => ({ id: `cell.${i}`, label: `cell ${i} V`, color: PICKS[k % PICKS.length]! }));
      return { ...base, height: 190, yLabel: 'V', series: [...envelope('cell', 'V'), ...picks], band: [1, 3], choose: 'cell' };
    }
    case 'temps': {
      const chosen = (spec.chosen ?? []).filter((i) => i < s.nt).slice(0, maxChosen);
      const hot = Array.from({ length: Math.min(hottest, s.nt) }, (_, k): SeriesDef => ({
        id: `temp.hot${k}`,
        label: `hottest #${k + 1} °C`,
        color: [C.red, C.pink, C.brown][k % 3]!,
      }));
      const picks = chosen.map((i, k): SeriesDef => ({ id: `temp.${i}`, label: `sensor ${i} °C`, color: PICKS[(k + 3) % PICKS.length]! }));
      return { ...base, height: 170, yLabel: '°C', series: [...envelope('temp', '°C'), ...hot, ...picks], band: [1, 3], choose: 'temp' };
    }
    case 'cellmap':
      return { ...base, height: 170, yLabel: 'cell', series: [], heat: { group: 'cell', mode: 'delta', rows: s.ns, unit: 'V' } };
    case 'tempmap':
      return { ...base, height: 150, yLabel: 'sensor', series: [], heat: { group: 'temp', mode: 'value', rows: s.nt, unit: '°C' } };
    case 'balmap':
      return { ...base, height: 150, yLabel: 'group', series: [], heat: { group: 'bal', mode: 'value', rows: s.nbal, unit: '' } };
    case 'state':
      return { ...base, height: 120, yLabel: 'state', yFormat: 'state', series: [{ id: 'state', label: 'BMS state', color: C.purple, step: true, width: 2 }] };
    case 'lanes':
      return lanesDef(base, s);
    case 'sop':
      return {
        ...base,
        height: 170,
        yLabel: 'A',
        series: [
          { id: 'pack.current_A', label: 'current A', color: C.red },
          { id: 'pack.chargeCurrentLimit_A', label: 'charge limit A', color: C.green, dash: [6, 3], step: true },
          { id: 'limit.discharge', label: '−discharge limit A', color: C.blue, dash: [6, 3], step: true },
        ],
      };
    case 'balancing':
      return { ...base, height: 120, yLabel: 'groups', series: [{ id: 'pack.balancingCount', label: 'groups bleeding', color: C.olive, step: true }] };
    case 'events':
      return { ...base, height: 90, yLabel: 'tier', series: [], events: true };
  }
}

function lanesDef(base: { kind: PaneKind; title: string }, s: SessionSummary): PaneDef {
  const series: SeriesDef[] = [];
  const lanes: string[] = [];
  const add = (id: string, name: string, color: string): void => {
    series.push({ id, label: name, color, step: true, lane: lanes.length, width: 1.5 });
    lanes.push(name);
  };
  for (const b of s.faultBits) add(`fault.${b}`, `FAULT ${FAULT_CODE_NAMES[b] ?? b}`, C.red);
  for (const b of s.warningBits) add(`warning.${b}`, `WARN ${FAULT_CODE_NAMES[b] ?? b}`, C.orange);
  add('contactor.2', 'precharge', C.brown);
  add('contactor.1', 'main −', C.blue);
  add('contactor.0', 'main +', C.green);
  return { ...base, height: 30 + 20 * lanes.length, yLabel: '', series, lanes };
}

/** Name of a BMS state value for the state axis. */
export function stateLabel(v: number): string {
  return Number.isInteger(v) ? (BMS_STATE_NAMES[v] ?? String(v)) : '';
}
