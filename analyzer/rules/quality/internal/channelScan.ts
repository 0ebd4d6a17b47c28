/**
 * One pass over the per-cell or per-sensor columns for three checks at once: quality.stuck
 * (runs of bit-identical values), quality.na (runs of NA: NaN where the message arrived) and
 * quality.nonphysical (values outside the physical bounds). A day-long 100-cell log has 86 M
 * values per family; reading them once instead of three times is the point of this module. The
 * three checks call `channelScan` with the same profile; the first call scans, the others get
 * the cached result.
 *
 * Per channel the loop keeps the last non-NaN value and where its run began; a row where the
 * message did not arrive (present bit clear) is skipped (it neither continues nor ends anything
 * by itself); an NA ends a run of identical values. Runs are split at time gaps (gaps.ts).
 * Only runs at least as long as the checks' minimum durations are kept; out-of-range runs are
 * all kept, merged when closer than quality.nonphysical.join_s.
 */
import type { Profile } from '../../../profile.ts';
import { Present, type Timeline } from '../../../timeline/store.ts';
import { type Gaps, gapsOf, splitAtGaps } from './gaps.ts';

export type Family = 'cells' | 'temperatures';

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

const cache = new WeakMap<Timeline, Map<string, { length: number; scan: ChannelScan }>>();

/** The scan of a family (cached per timeline, length and parameters). */
export function channelScan(tl: Timeline, profile: Profile, family: Family): ChannelScan {
  const p = scanParams(profile, family);
  const gaps = gapsOf(tl, profile);
  const key = `${family}|${p.identicalMin_s}|${p.naMin_s}|${p.lo}|${p.hi}|${p.join_s}|${gaps.limit_s}`;
  let m = cache.get(tl);
  if (!m) cache.set(tl, (m = new Map()));
  const hit = m.get(key);
  if (hit && hit.length === tl.length) return hit.scan;
  const cols = family === 'cells' ? tl.cellVoltage_V : tl.temperature_C;
  const bit = family === 'cells' ? Present.CELLS : Present.TEMPERATURES;
  const scan: ChannelScan = { family, channels: cols.length, identical: [], na: [], outOfRange: [], naValues: 0 };
  const acc = new Accumulator(tl, gaps, p, scan);
  for (let i = 0; i < cols.length; i++) scanColumn(cols[i]!, i, tl.length, tl.present, bit, p.lo, p.hi, acc);
  m.set(key, { length: tl.length, scan });
  return scan;
}

/** Receives the runs the loop closes; keeps those the checks need. */
class Accumulator {
  private lastOut: ChannelRun | null = null;
  constructor(
    private readonly tl: Timeline,
    private readonly gaps: Gaps,
    private readonly p: ScanParams,
    private readonly out: ChannelScan,
  ) {}

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
    if (prev && prev.ch === ch && ts[r0]! - ts[prev.r1]! <= this.p.join_s) {
      prev.r1 = r1;
      if (Math.abs(value - this.mid()) > Math.abs(prev.value - this.mid())) prev.value = value;
      return;
    }
    const run = { ch, r0, r1, value };
    this.out.outOfRange.push(run);
    this.lastOut = run;
  }

  countNa(na: number): void {
    this.out.naValues += na;
  }

  private mid(): number {
    return (this.p.lo + this.p.hi) / 2;
  }
}

/** Two float32 in one float64: compares a pair of rows in one step (see scanColumn). */
const pair32 = new Float32Array(2);
const pair64 = new Float64Array(pair32.buffer);

/** The float64 whose two float32 halves are both v. */
function pairOf(v: number): number {
  pair32[0] = v;
  pair32[1] = v;
  return pair64[0]!;
}

/**
 * The loop over one column. Kept free of closures and allocation. The common case, a value
 * equal to the row before (a 10 Hz stream of readings refreshed at 1 Hz), is taken two rows at
 * a time: the column is also read as float64 pairs, and a pair bit-equal to (p, p) means both
 * rows hold p (float32 NaN patterns never make a float64 NaN, so the comparison is exact; -0
 * and +0 compare equal as they do as float32). Other pairs go through the row-by-row step.
 */
function scanColumn(c: Float32Array, ch: number, n: number, present: Uint8Array, bit: number, lo: number, hi: number, acc: Accumulator): void {
  let p = NaN; // last value (NaN: none, or an NA ended it)
  let pp = NaN; // pairOf(p)
  let s = -1; // first row of p's run
  let l = -1; // last row with p
  let pOut = false; // p is out of range
  let o0 = -1; // first row of the out-of-range run
  let ext = NaN; // value furthest out in it
  let n0 = -1; // first row of the NA run
  let nl = -1; // last row of the NA run
  let naCount = 0;
  const aligned = c.byteOffset % 8 === 0;
  const d = aligned ? new Float64Array(c.buffer, c.byteOffset, n >> 1) : null;
  const pairs = d === null ? 0 : n >> 1;
  let r = 0;
  for (;;) {
    // two rows at a time while both repeat p
    if (d !== null && (r & 1) === 0 && r >> 1 < pairs && d[r >> 1] === pp) {
      l = r + 1;
      r += 2;
      continue;
    }
    if (r >= n) break;
    const v = c[r]!;
    if (v === p) {
      l = r;
      r++;
      continue;
    }
    if (v !== v) {
      if ((present[r]! & bit) !== 0) {
        naCount++;
        if (p === p) {
          if (l !== s) acc.identical(ch, s, l, p);
          if (pOut) acc.outOfRange(ch, o0, l, ext);
          pOut = false;
          p = NaN;
          pp = NaN;
        }
        if (n0 < 0) n0 = r;
        nl = r;
      }
      r++;
      continue;
    }
    if (n0 >= 0) {
      acc.na(ch, n0, nl);
      n0 = -1;
    }
    const out = v < lo || v > hi;
    if (p === p) {
      if (l !== s) acc.identical(ch, s, l, p);
      if (pOut && !out) acc.outOfRange(ch, o0, l, ext);
    }
    if (out) {
      if (!pOut) {
        o0 = r;
        ext = v;
      } else if (Math.abs(v - (lo + hi) / 2) > Math.abs(ext - (lo + hi) / 2)) ext = v;
    }
    pOut = out;
    p = v;
    pp = pairOf(v);
    s = r;
    l = r;
    r++;
  }
  if (p === p) {
    if (l !== s) acc.identical(ch, s, l, p);
    if (pOut) acc.outOfRange(ch, o0, l, ext);
  }
  if (n0 >= 0) acc.na(ch, n0, nl);
  acc.countNa(naCount);
}
