/**
 * One pass over the per-cell or per-sensor columns for three checks at once: quality.stuck
 * (runs of bit-identical values), quality.na (runs of NA: NaN where the message arrived) and
 * quality.nonphysical (values outside the physical bounds). A day-long 100-cell log has 86 M
 * values per family; reading them once instead of three times is the point of this module. The
 * three checks call `channelScan` with the same profile; the first call scans, the others get
 * the cached result.
 *
 * Per channel: a row where the message did not arrive (present bit clear, value NaN) neither
 * continues nor ends anything; an NA ends a run of identical values. Runs are split at time gaps and device restarts
 * (gaps.ts). Only runs at least as long as the checks' minimum durations are kept; out-of-range
 * runs are all kept, merged when closer than quality.nonphysical.join_s.
 *
 * Not every value is read: identical runs long enough to keep span at least a known number of
 * rows, so each column is probed at that stride and followed from the probes that hit a run
 * (`identicalRuns`); NA and out-of-range values can only be in the rows the family's row ranges
 * (timeline/ranges.ts: per-row min, max and which columns hold a value) single out, so only
 * those rows are read (`naAndRange`). The result is that of reading every value in order.
 */
import type { Profile } from '../../../profile.ts';
import { Present, type Timeline } from '../../../timeline/store.ts';
import { type Family, RowFill, rowRanges } from '../../../timeline/ranges.ts';
import { type Gaps, gapsOf, restartBetween, splitAtGaps } from './gaps.ts';

export type { Family };

/** A run of rows [r0, r1] (inclusive) of one channel. */
export interface ChannelRun {
  ch: number;
  r0: number;
  r1: number;
  /** Out-of-range runs: the value furthest outside the bounds; identical runs: the value. */
  value: number;
}

export interface ChannelScan {
  family: Family;
  channels: number;
  /** Bit-identical runs of at least quality.stuck's minimum duration for the family. */
  identical: ChannelRun[];
  /** NA runs of at least quality.na.min_duration_s. */
  na: ChannelRun[];
  /** Out-of-bounds runs (any length). */
  outOfRange: ChannelRun[];
  /** NA values (rows × channels) seen. */
  naValues: number;
}

export interface ScanParams {
  identicalMin_s: number;
  naMin_s: number;
  lo: number;
  hi: number;
  join_s: number;
}

/** The scan parameters of a family under a profile (keys of quality.stuck, quality.na, quality.nonphysical). */
export function scanParams(profile: Profile, family: Family): ScanParams {
  const cells = family === 'cells';
  return {
    identicalMin_s: profile.num(cells ? 'quality.stuck.cell_min_duration_s' : 'quality.stuck.temperature_min_duration_s'),
    naMin_s: profile.num('quality.na.min_duration_s'),
    lo: profile.num(cells ? 'quality.nonphysical.cell_voltage_min_V' : 'quality.nonphysical.temperature_min_C'),
    hi: profile.num(cells ? 'quality.nonphysical.cell_voltage_max_V' : 'quality.nonphysical.temperature_max_C'),
    join_s: profile.num('quality.nonphysical.join_s'),
  };
}

const cache = new WeakMap<Timeline, Map<string, { revision: number; scan: ChannelScan }>>();

/** The scan of a family (cached per timeline revision and parameters). */
export function channelScan(tl: Timeline, profile: Profile, family: Family): ChannelScan {
  const p = scanParams(profile, family);
  const gaps = gapsOf(tl, profile);
  const key = `${family}|${p.identicalMin_s}|${p.naMin_s}|${p.lo}|${p.hi}|${p.join_s}|${gaps.limit_s}|${gaps.breaks.length}`;
  let m = cache.get(tl);
  if (!m) cache.set(tl, (m = new Map()));
  const hit = m.get(key);
  if (hit && hit.revision === tl.revision) return hit.scan;
  const cols = family === 'cells' ? tl.cellVoltage_V : tl.temperature_C;
  const bit = family === 'cells' ? Present.CELLS : Present.TEMPERATURES;
  const scan: ChannelScan = { family, channels: cols.length, identical: [], na: [], outOfRange: [], naValues: 0 };
  const acc = new Accumulator(tl, gaps, p, scan);
  const n = tl.length;
  const span = minRowSpan(tl.t_s, n, p.identicalMin_s);
  const visit = visitRows(tl, family, bit, p.lo, p.hi);
  for (let i = 0; i < cols.length; i++) {
    if (span < n) identicalRuns(cols[i]!, n, span + 1, tl.present, bit, i, acc);
    scan.naValues += naAndRange(cols[i]!, visit, tl.present, bit, p.lo, p.hi, i, acc);
  }
  m.set(key, { revision: tl.revision, scan });
  return scan;
}

/** Receives the runs the loop closes; keeps those the checks need. */
class Accumulator {
  private lastOut: ChannelRun | null = null;
  readonly ts: Float64Array;
  readonly identicalMin_s: number;
  constructor(
    private readonly tl: Timeline,
    private readonly gaps: Gaps,
    private readonly p: ScanParams,
    private readonly out: ChannelScan,
  ) {
    this.ts = tl.t_s;
    this.identicalMin_s = p.identicalMin_s;
  }

  identical(ch: number, r0: number, r1: number, value: number): void {
    const ts = this.tl.t_s;
    if (ts[r1]! - ts[r0]! < this.p.identicalMin_s) return;
    splitAtGaps(this.gaps, r0, r1, (a, b) => {
      if (ts[b]! - ts[a]! >= this.p.identicalMin_s) this.out.identical.push({ ch, r0: a, r1: b, value });
    });
  }

  na(ch: number, r0: number, r1: number): void {
    const ts = this.tl.t_s;
    if (ts[r1]! - ts[r0]! < this.p.naMin_s) return;
    splitAtGaps(this.gaps, r0, r1, (a, b) => {
      if (ts[b]! - ts[a]! >= this.p.naMin_s) this.out.na.push({ ch, r0: a, r1: b, value: NaN });
    });
  }

  outOfRange(ch: number, r0: number, r1: number, value: number): void {
    const ts = this.tl.t_s;
    const prev = this.lastOut;
    if (prev && prev.ch === ch && ts[r0]! - ts[prev.r1]! <= this.p.join_s && !restartBetween(this.gaps, prev.r1, r0)) {
      prev.r1 = r1;
      if (Math.abs(value - this.mid()) > Math.abs(prev.value - this.mid())) prev.value = value;
      return;
    }
    const run = { ch, r0, r1, value };
    this.out.outOfRange.push(run);
    this.lastOut = run;
  }

  private mid(): number {
    return (this.p.lo + this.p.hi) / 2;
  }
}

/**
 * The rows the NA / out-of-range machine must visit in every column, and for each whether a row
 * with every column valued and inside [lo, hi] came between it and the one before (such a row
 * ends an open NA or out-of-range run in every column). Any other row is either such a row or
 * holds NaN in every column where the message did not arrive (it neither continues nor ends
 * anything).
 */
function visitRows(tl: Timeline, family: Family, bit: number, lo: number, hi: number): { rows: Int32Array; resetBefore: Uint8Array } {
  const rg = rowRanges(tl, family);
  const { min, max, fill } = rg;
  const present = tl.present;
  const n = rg.rows;
  const rows: number[] = [];
  const resets: number[] = [];
  let reset = 0;
  for (let r = 0; r < n; r++) {
    const f = fill[r]!;
    const visit = min[r]! < lo || max[r]! > hi || f === RowFill.SOME || (f === RowFill.NONE && (present[r]! & bit) !== 0);
    if (visit) {
      rows.push(r);
      resets.push(reset);
      reset = 0;
    } else if (f === RowFill.ALL) reset = 1;
  }
  return { rows: Int32Array.from(rows), resetBefore: Uint8Array.from(resets) };
}

/**
 * The fewest rows a run at least `min_s` long can span, less one (Infinity when no two rows are
 * that far apart): a run that long contains a row whose index is a multiple of this plus one.
 */
function minRowSpan(ts: Float64Array, n: number, min_s: number): number {
  let best = Infinity;
  let l = 0;
  for (let s = 0; s < n; s++) {
    if (l < s) l = s;
    while (l < n && ts[l]! - ts[s]! < min_s) l++;
    if (l >= n) break;
    if (l - s < best) best = l - s;
  }
  return best;
}

/**
 * The bit-identical runs of one column long enough to keep, found from every `stride`-th row: a
 * run spanning at least `stride` rows covers one of them, and is followed from there both ways
 * (rows where the message did not arrive are skipped: NaN there neither continues nor ends a run;
 * an NA or another value ends it).
 */
function identicalRuns(c: Float32Array, n: number, stride: number, present: Uint8Array, bit: number, ch: number, acc: Accumulator): void {
  const ts = acc.ts;
  const idMin = acc.identicalMin_s;
  let covered = -1;
  for (let m = stride - 1; m < n; m += stride) {
    if (m <= covered) continue;
    let a = m;
    let v = c[a]!;
    while (v !== v && (present[a]! & bit) === 0 && a + 1 < n) v = c[++a]!;
    if (v !== v) {
      covered = a; // an NA (or only rows without the message to the end): no run covers m
      continue;
    }
    let s = a;
    for (let b = a - 1; b >= 0; b--) {
      const x = c[b]!;
      if (x === v) s = b;
      else if (x !== x && (present[b]! & bit) === 0) continue;
      else break;
    }
    let l = a;
    for (let b = a + 1; b < n; b++) {
      const x = c[b]!;
      if (x === v) l = b;
      else if (x !== x && (present[b]! & bit) === 0) continue;
      else break;
    }
    covered = l;
    if (l !== s && ts[l]! - ts[s]! >= idMin) acc.identical(ch, s, l, c[s]!);
  }
}

/**
 * NA runs, out-of-range runs and the NA count of one column, from the rows `visitRows` picked.
 * A valued row ends an NA run; a value inside [lo, hi] ends an out-of-range run, an NA too.
 */
function naAndRange(
  c: Float32Array,
  visit: { rows: Int32Array; resetBefore: Uint8Array },
  present: Uint8Array,
  bit: number,
  lo: number,
  hi: number,
  ch: number,
  acc: Accumulator,
): number {
  const mid = (lo + hi) / 2;
  const rows = visit.rows;
  const resets = visit.resetBefore;
  let pOut = false;
  let o0 = -1;
  let oLast = -1;
  let ext = NaN;
  let n0 = -1;
  let nl = -1;
  let naCount = 0;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    if (resets[k] !== 0) {
      if (n0 >= 0) {
        acc.na(ch, n0, nl);
        n0 = -1;
      }
      if (pOut) {
        acc.outOfRange(ch, o0, oLast, ext);
        pOut = false;
      }
    }
    const v = c[r]!;
    if (v !== v) {
      if ((present[r]! & bit) === 0) continue;
      naCount++;
      if (pOut) {
        acc.outOfRange(ch, o0, oLast, ext);
        pOut = false;
      }
      if (n0 < 0) n0 = r;
      nl = r;
      continue;
    }
    if (n0 >= 0) {
      acc.na(ch, n0, nl);
      n0 = -1;
    }
    const out = v < lo || v > hi;
    if (pOut && !out) acc.outOfRange(ch, o0, oLast, ext);
    if (out) {
      if (!pOut) {
        o0 = r;
        ext = v;
      } else if (Math.abs(v - mid) > Math.abs(ext - mid)) ext = v;
      oLast = r;
    }
    pOut = out;
  }
  if (pOut) acc.outOfRange(ch, o0, oLast, ext);
  if (n0 >= 0) acc.na(ch, n0, nl);
  return naCount;
}
