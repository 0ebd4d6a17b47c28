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
  const st = new ColumnState();
  for (let i = 0; i < cols.length; i++) {
    st.reset();
    for (let r = 0; r < tl.length; r += BLOCK_ROWS) scanBlock(cols[i]!, r, Math.min(r + BLOCK_ROWS, tl.length), tl.present, bit, p.lo, p.hi, st, i, acc);
    acc.close(i, st);
  }
  m.set(key, { length: tl.length, scan });
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

  /** The runs still open at the end of a column, and its NA count. */
  close(ch: number, st: ColumnState): void {
    if (st.s >= 0) {
      if (st.l !== st.s) this.identical(ch, st.s, st.l, st.p);
      if (st.pOut) this.outOfRange(ch, st.o0, st.l, st.ext);
    }
    if (st.n0 >= 0) this.na(ch, st.n0, st.nl);
    this.out.naValues += st.naCount;
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
    if (prev && prev.ch === ch && ts[r0]! - ts[prev.r1]! <= this.p.join_s) {
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
 * Rows per call of scanBlock. A column is scanned in blocks so that the loop function is called
 * often: it is then optimised with the type feedback of its entry and exit (one call per column
 * would leave it to on-stack replacement, which on a busy machine runs much of a column
 * unoptimised and deoptimises at each column's end).
 */
const BLOCK_ROWS = 4096;

/** The state of a column's scan between blocks: the runs still open. */
class ColumnState {
  /** Last value (NaN: none, or an NA ended it). */
  p = NaN;
  /** First and last row of p's run (both -1 when there is none). */
  s = -1;
  l = -1;
  /** p is out of range; the out-of-range run's first row and its value furthest out. */
  pOut = false;
  o0 = -1;
  ext = NaN;
  /** The NA run's first and last row (-1: none open). */
  n0 = -1;
  nl = -1;
  naCount = 0;

  reset(): void {
    this.p = NaN;
    this.s = -1;
    this.l = -1;
    this.pOut = false;
    this.o0 = -1;
    this.ext = NaN;
    this.n0 = -1;
    this.nl = -1;
    this.naCount = 0;
  }
}

/**
 * The loop over rows [r0, r1) of one column. Kept free of closures and allocation, with one fast
 * path for the common rows (a value equal to the one before, or a new in-range value while no
 * NA or out-of-range run is open) and the general step for the rest.
 */
function scanBlock(
  c: Float32Array,
  r0: number,
  r1: number,
  present: Uint8Array,
  bit: number,
  lo: number,
  hi: number,
  st: ColumnState,
  ch: number,
  acc: Accumulator,
): void {
  const ts = acc.ts;
  const idMin = acc.identicalMin_s;
  const mid = (lo + hi) / 2;
  let { p, s, l, pOut, o0, ext, n0, nl, naCount } = st;
  for (let r = r0; r < r1; r++) {
    const v = c[r]!;
    if (v === p) {
      l = r;
      continue;
    }
    if (v >= lo && v <= hi && !pOut && n0 < 0) {
      // fast path: a new in-range value ends p's run (NaN fails v >= lo)
      if (l !== s && ts[l]! - ts[s]! >= idMin) acc.identical(ch, s, l, p);
      p = v;
      s = r;
      l = r;
      continue;
    }
    if (v !== v) {
      if ((present[r]! & bit) === 0) continue; // the message did not arrive: neither ends nor continues
      naCount++;
      if (s >= 0) {
        if (l !== s) acc.identical(ch, s, l, p);
        if (pOut) acc.outOfRange(ch, o0, l, ext);
        pOut = false;
        p = NaN;
        s = -1;
        l = -1;
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
    if (s >= 0) {
      if (l !== s) acc.identical(ch, s, l, p);
      if (pOut && !out) acc.outOfRange(ch, o0, l, ext);
    }
    if (out) {
      if (!pOut) {
        o0 = r;
        ext = v;
      } else if (Math.abs(v - mid) > Math.abs(ext - mid)) ext = v;
    }
    pOut = out;
    p = v;
    s = r;
    l = r;
  }
  st.p = p;
  st.s = s;
  st.l = l;
  st.pOut = pOut;
  st.o0 = o0;
  st.ext = ext;
  st.n0 = n0;
  st.nl = nl;
  st.naCount = naCount;
}
