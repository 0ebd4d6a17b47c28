/**
 * Run-versus-run diff: two Timelines (captures or traces) aligned on device time, channel by
 * channel, with absolute, relative and time tolerances, as MATLAB's Simulation Data Inspector
 * compares a run against a baseline. Isomorphic.
 *
 * A is the baseline. For each row of A, the rows of B within ±time of its time are candidates;
 * A's value is within tolerance when some candidate b has |a − b| ≤ abs + rel·|b| (both NA counts
 * as equal, NA on one side only does not). A row of A with no row of B within ±max(time, 1 µs)
 * is unmatched (the runs cover different times, or frames were lost): reported under the
 * pseudo-channel `(time)`. Consecutive rows of A beyond tolerance form one range.
 */
import { PACK_CHANNELS, type Timeline } from './timeline/store.ts';

export const DIFF_SCHEMA = 'natrium.diff/1';

export interface Tolerance {
  abs: number;
  rel: number;
  time_s: number;
}

/** Tolerances by channel name, by base name (`cellVoltage_V` for every cell) or `*`. */
export type Tolerances = Record<string, Tolerance>;

export const EXACT: Tolerance = { abs: 0, rel: 0, time_s: 0 };

export interface DiffRange {
  t_start_s: number;
  t_end_s: number;
  rows: number;
  /** Largest |a − b| in the range (against the nearest-in-value candidate; null: NA on one side). */
  max_abs_diff: number | null;
  at_t_s: number;
  a: number | null;
  b: number | null;
}

export interface ChannelDiff {
  channel: string;
  tolerance: Tolerance;
  rows_beyond: number;
  max_abs_diff: number | null;
  ranges: DiffRange[];
  /** Ranges not listed (beyond MAX_RANGES). */
  ranges_omitted: number;
}

export interface DiffReport {
  schema: typeof DIFF_SCHEMA;
  a: string;
  b: string;
  rows: { a: number; b: number; matched: number };
  channels_compared: number;
  only_in_a: string[];
  only_in_b: string[];
  differences: ChannelDiff[];
  /** 0 within tolerance everywhere, 1 beyond it somewhere. */
  exit_code: 0 | 1;
}

const MAX_RANGES = 20;
const EPS_S = 1e-6;

type Column = ArrayLike<number>;

/** The channels of a timeline that carry data, by name. */
export function channelsOf(tl: Timeline): Map<string, Column> {
  const m = new Map<string, Column>();
  const add = (name: string, col: Column): void => {
    for (let r = 0; r < tl.length; r++) {
      if (!Number.isNaN(col[r]!)) {
        m.set(name, col);
        return;
      }
    }
  };
  for (const c of PACK_CHANNELS) add(c, tl.pack[c]);
  const status = Float64Array.from({ length: tl.length }, (_, r) => (tl.hasStatus(r) ? 1 : NaN));
  const masked = (a: ArrayLike<number>): Float64Array => Float64Array.from({ length: tl.length }, (_, r) => (Number.isNaN(status[r]!) ? NaN : a[r]!));
  add('state', masked(tl.state));
  add('faultMask', masked(tl.faultMask));
  add('warningMask', masked(tl.warningMask));
  tl.cellVoltage_V.forEach((c, i) => add(`cellVoltage_V[${i}]`, c));
  tl.temperature_C.forEach((c, i) => add(`temperature_C[${i}]`, c));
  tl.truthCellSoc.forEach((c, i) => add(`truthCellSoc[${i}]`, c));
  return m;
}

/** The tolerance of a channel: its own, its base name's, `*`'s, or exact. */
export function toleranceOf(channel: string, t: Tolerances): Tolerance {
  return t[channel] ?? t[channel.replace(/\[\d+\]$/, '')] ?? t['*'] ?? EXACT;
}

/** For each row of A, the range [lo, hi) of B's rows within ±w of its time. */
function windows(a: Timeline, b: Timeline, w: number): { lo: Int32Array; hi: Int32Array } {
  const lo = new Int32Array(a.length);
  const hi = new Int32Array(a.length);
  let l = 0;
  let h = 0;
  for (let r = 0; r < a.length; r++) {
    const t = a.t_s[r]!;
    while (l < b.length && b.t_s[l]! < t - w - EPS_S) l++;
    if (h < l) h = l;
    while (h < b.length && b.t_s[h]! <= t + w + EPS_S) h++;
    lo[r] = l;
    hi[r] = h;
  }
  return { lo, hi };
}

class RangeCollector {
  readonly ranges: DiffRange[] = [];
  rowsBeyond = 0;
  maxAbs: number | null = null;
  private cur: DiffRange | null = null;
  private lastRow = -2;
  omitted = 0;

  add(row: number, t: number, a: number, b: number): void {
    const d = Number.isNaN(a) || Number.isNaN(b) ? null : Math.abs(a - b);
    this.rowsBeyond++;
    if (d !== null && (this.maxAbs === null || d > this.maxAbs)) this.maxAbs = d;
    if (this.cur === null || row !== this.lastRow + 1) {
      this.cur = { t_start_s: t, t_end_s: t, rows: 0, max_abs_diff: d, at_t_s: t, a: nn(a), b: nn(b) };
      if (this.ranges.length < MAX_RANGES) this.ranges.push(this.cur);
      else this.omitted++;
    }
    const c = this.cur;
    c.t_end_s = t;
    c.rows++;
    if (d !== null && (c.max_abs_diff === null || d > c.max_abs_diff)) Object.assign(c, { max_abs_diff: d, at_t_s: t, a: nn(a), b: nn(b) });
    this.lastRow = row;
  }
}

const nn = (x: number): number | null => (Number.isNaN(x) ? null : x);

function compareChannel(a: Timeline, ca: Column, cb: Column, tol: Tolerance, win: { lo: Int32Array; hi: Int32Array }): RangeCollector {
  const out = new RangeCollector();
  for (let r = 0; r < a.length; r++) {
    const lo = win.lo[r]!;
    const hi = win.hi[r]!;
    if (lo >= hi) continue; // unmatched: counted once under (time)
    const x = ca[r]!;
    let ok = false;
    let nearest = NaN;
    let best = Infinity;
    for (let k = lo; k < hi && !ok; k++) {
      const y = cb[k]!;
      if (Number.isNaN(x) || Number.isNaN(y)) {
        ok = Number.isNaN(x) && Number.isNaN(y);
        if (Number.isNaN(nearest)) nearest = y;
        continue;
      }
      const d = Math.abs(x - y);
      if (d <= tol.abs + tol.rel * Math.abs(y)) ok = true;
      if (d < best) {
        best = d;
        nearest = y;
      }
    }
    if (!ok) out.add(r, a.t_s[r]!, x, nearest);
  }
  return out;
}

/**
 * Compares B against baseline A. `names` are what the report calls them (file names); `only`
 * restricts the comparison to these channels (default: every channel).
 */
export function diffTimelines(a: Timeline, b: Timeline, tolerances: Tolerances, names: { a: string; b: string }, only?: readonly string[]): DiffReport {
  const pick = (m: Map<string, Column>): Map<string, Column> => (only ? new Map([...m].filter(([k]) => only.includes(k))) : m);
  const ca = pick(channelsOf(a));
  const cb = pick(channelsOf(b));
  const common = [...ca.keys()].filter((k) => cb.has(k));
  const differences: ChannelDiff[] = [];
  const cache = new Map<number, { lo: Int32Array; hi: Int32Array }>();
  const win = (w: number): { lo: Int32Array; hi: Int32Array } => {
    let x = cache.get(w);
    if (!x) cache.set(w, (x = windows(a, b, w)));
    return x;
  };
  const widest = Math.max(0, ...common.map((c) => toleranceOf(c, tolerances).time_s));
  const unmatched = new RangeCollector();
  const wide = win(widest);
  for (let r = 0; r < a.length; r++) if (wide.lo[r]! >= wide.hi[r]!) unmatched.add(r, a.t_s[r]!, a.t_s[r]!, NaN);
  if (unmatched.rowsBeyond > 0) {
    differences.push({
      channel: '(time)',
      tolerance: { ...EXACT, time_s: widest },
      rows_beyond: unmatched.rowsBeyond,
      max_abs_diff: null,
      ranges: unmatched.ranges,
      ranges_omitted: unmatched.omitted,
    });
  }
  for (const ch of common) {
    const tol = toleranceOf(ch, tolerances);
    const res = compareChannel(a, ca.get(ch)!, cb.get(ch)!, tol, win(tol.time_s));
    if (res.rowsBeyond > 0) {
      differences.push({ channel: ch, tolerance: tol, rows_beyond: res.rowsBeyond, max_abs_diff: res.maxAbs, ranges: res.ranges, ranges_omitted: res.omitted });
    }
  }
  return {
    schema: DIFF_SCHEMA,
    a: names.a,
    b: names.b,
    rows: { a: a.length, b: b.length, matched: a.length - unmatched.rowsBeyond },
    channels_compared: common.length,
    only_in_a: [...ca.keys()].filter((k) => !cb.has(k)),
    only_in_b: [...cb.keys()].filter((k) => !ca.has(k)),
    differences,
    exit_code: differences.length > 0 ? 1 : 0,
  };
}

/** Parses `CHANNEL=abs,rel,time` (missing parts 0). Throws Error with the problem. */
export function parseTolerance(spec: string): [string, Tolerance] {
  const m = /^([^=]+)=([^,]*)(?:,([^,]*))?(?:,([^,]*))?$/.exec(spec);
  if (!m) throw new Error(`expected CHANNEL=abs[,rel[,time]], got "${spec}"`);
  const num = (s: string | undefined, what: string): number => {
    if (s === undefined || s.trim() === '') return 0;
    const v = Number(s);
    if (!Number.isFinite(v) || v < 0) throw new Error(`${m[1]}: ${what} must be a number >= 0, got "${s}"`);
    return v;
  };
  return [m[1]!.trim(), { abs: num(m[2], 'abs'), rel: num(m[3], 'rel'), time_s: num(m[4], 'time') }];
}
