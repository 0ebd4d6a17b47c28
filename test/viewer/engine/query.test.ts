/**
 * The viewer's plot data (viewer/src/engine/query.ts through engine/session.ts) on a capture
 * with lost telemetry, NA cell values and a voltage spike: at every width (every pyramid level
 * and the raw rows) no line is drawn across a gap, the spike is in the data, the x axis is
 * ascending and every column has its length.
 */
import { describe, expect, it } from 'vitest';
import config from '../../../viewer/config.json' with { type: 'json' };
import { loadBytes } from '../../../viewer/src/engine/load.ts';
import { SKIP } from '../../../viewer/src/engine/query.ts';
import { Session } from '../../../viewer/src/engine/session.ts';
import { encodeRestarted, generateCapture, generateMessages } from '../../analyzer/generate.ts';

const LOST: [number, number] = [300, 320];
const NA: [number, number] = [150, 160];
const SPIKE_V = 4.3;

const CAPTURE = generateCapture({
  seed: 3,
  ns: 12,
  nt: 4,
  phases: [
    { current_A: 0, duration_s: 30, state: 'STANDBY' },
    { current_A: -75, duration_s: 250, state: 'NORMAL' },
    { current_A: 75, duration_s: 250, state: 'CHARGE' },
  ],
  mutate: (t) => {
    if (t.t_s > 100 && t.t_s < 100.25) t.cellVoltage_V[5] = SPIKE_V;
    if (t.t_s > NA[0] && t.t_s < NA[1]) t.cellVoltage_V[3] = NaN;
  },
  drop: (_type, t) => t.t_s > LOST[0] && t.t_s < LOST[1],
});

function session(bytes = CAPTURE): Session {
  const l = loadBytes(bytes, 'q.bin', '2026-12-03');
  if (l.kind === 'report') throw new Error('not a log');
  return new Session(l.timeline, config, l.kind, 'q.bin', l.chemistry);
}

/** Segments uPlot would draw: consecutive finite points, SKIP passed over, NaN (null) breaking. */
function bridges(x: Float64Array, y: Float64Array, [g0, g1]: [number, number]): number {
  let lastX = NaN;
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const v = y[i]!;
    if (v === SKIP) continue;
    if (v !== v) {
      lastX = NaN;
      continue;
    }
    if (lastX === lastX && lastX < g0 + 0.05 && x[i]! > g1 - 0.05) n++;
    lastX = x[i]!;
  }
  return n;
}

describe('plot data', () => {
  const s = session();
  const sum = s.summary();
  const series = ['pack.packVoltage_V', 'pack.current_A', 'cell.max', 'cell.mean', 'cell.3', 'cell.5', 'temp.max', 'state', 'contactor.0', 'soc.ocv'];

  it('draws no line across lost telemetry or NA values, at every width', () => {
    expect(sum.hasOcv).toBe(true);
    for (const width of [20, 100, 700, 3000, 10_000]) {
      const d = s.plot({ t0: sum.t_min, t1: sum.t_max, width, series });
      expect(d.y.every((c) => c.length === d.x.length)).toBe(true);
      for (let i = 1; i < d.x.length; i++) expect(d.x[i]!).toBeGreaterThanOrEqual(d.x[i - 1]!);
      d.y.forEach((c) => expect(bridges(d.x, c, LOST)).toBe(0));
      expect(bridges(d.x, d.y[4]!, NA)).toBe(0);
      // the other cells were measured through the NA stretch: their line goes on
      expect(Array.from(d.y[5]!).filter((v, i) => d.x[i]! > NA[0] && d.x[i]! < NA[1] && Number.isFinite(v)).length).toBeGreaterThan(0);
    }
  });

  it('keeps the spike and reports the level it used', () => {
    const full = s.plot({ t0: sum.t_min, t1: sum.t_max, width: 50, series: ['cell.max'] });
    expect(full.level).toBeGreaterThan(4);
    expect(Math.max(...Array.from(full.y[0]!).filter(Number.isFinite))).toBeCloseTo(SPIKE_V, 3);
    const zoom = s.plot({ t0: 99, t1: 101, width: 800, series: ['cell.max'] });
    expect(zoom.level).toBe(0);
    expect(zoom.rows).toBeLessThan(30);
  });

  it('names the hottest sensors of the range and computes range statistics from the rows', () => {
    const d = s.plot({ t0: 0, t1: 100, width: 400, series: ['temp.hot0', 'temp.hot1'] });
    expect(d.resolved[0]).toMatch(/^temp\.\d$/);
    expect(d.resolved[1]).not.toBe(d.resolved[0]);
    const [v] = s.stats(200, 250, ['pack.current_A']);
    expect(v!.mean).toBeCloseTo(-75, 0);
    expect(v!.n).toBeGreaterThan(400);
    const at = s.at(200, ['pack.current_A', 'nonsense']);
    expect(at.values[0]).toBeCloseTo(-75, 0);
    expect(at.values[1]).toBeNaN();
  });

  it('makes a time × cell heatmap with the spike in its cell and nothing in the lost range', () => {
    const h = s.heat({ t0: sum.t_min, t1: sum.t_max, width: 200, group: 'cell', mode: 'delta' });
    expect(h.rows).toBe(12);
    const k = Array.from(h.x0).findIndex((x0, i) => x0 <= 100.1 && h.x1[i]! >= 100.1);
    const col = Array.from(h.values.subarray(k * 12, k * 12 + 12));
    expect(col.indexOf(Math.max(...col))).toBe(5);
    for (let i = 0; i < h.x0.length; i++) expect(h.x0[i]! > LOST[0] + 0.5 && h.x1[i]! < LOST[1] - 0.5).toBe(false);
    // the lost range is a gap the painter leaves empty
    const g = Array.from(h.gaps);
    expect(g.length).toBe(2);
    expect(g[0]).toBeLessThanOrEqual(LOST[0] + 0.1);
    expect(g[1]).toBeGreaterThanOrEqual(LOST[1] - 0.1);
  });

  it('exports the rows of a range as CSV', () => {
    const csv = s.csv(10, 11).trim().split('\n');
    expect(csv[0]).toMatch(/^t_s,state,contactors,fault_mask,warning_mask,packVoltage_V,current_A,/);
    expect(csv.length).toBe(1 + 11);
    expect(csv[1]!.split(',').length).toBe(csv[0]!.split(',').length);
  });
});

describe('plot data across a device restart', () => {
  // the rows after a restart go on right after the last row; the time the device was down is
  // unknown, so no line joins the two runs
  const phases = [
    { current_A: -75, duration_s: 200, state: 'NORMAL' as const },
    { current_A: 75, duration_s: 200, state: 'CHARGE' as const },
  ];
  const s = session(encodeRestarted(generateMessages({ seed: 5, ns: 12, nt: 4, phases }), [150]));
  const sum = s.summary();
  const series = ['pack.packVoltage_V', 'pack.current_A', 'pack.soc', 'cell.max', 'cell.3', 'temp.max', 'temp.0', 'state'];

  /** Segments uPlot would draw from a point at or before t to one after it. */
  function crossings(x: Float64Array, y: Float64Array, t: number): number {
    let lastX = NaN;
    let n = 0;
    for (let i = 0; i < x.length; i++) {
      const v = y[i]!;
      if (v === SKIP) continue;
      if (v !== v) {
        lastX = NaN;
        continue;
      }
      if (lastX <= t && x[i]! > t) n++;
      lastX = x[i]!;
    }
    return n;
  }

  it('breaks every line at the restart, at every width', () => {
    const step = s.tl.clockSteps[0]!;
    expect(step).toBeDefined();
    for (const width of [20, 100, 700, 3000, 10_000]) {
      const d = s.plot({ t0: sum.t_min, t1: sum.t_max, width, series });
      d.y.forEach((c, j) => expect(crossings(d.x, c, step.t_s), `${series[j]} at width ${width}`).toBe(0));
      // and the lines go on on both sides
      d.y.forEach((c) => expect(Array.from(c).filter((v, i) => Number.isFinite(v) && d.x[i]! > step.t_s).length).toBeGreaterThan(0));
    }
  });
});
