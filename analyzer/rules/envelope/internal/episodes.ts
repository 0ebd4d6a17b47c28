/**
 * Exceedance episodes of one column against tiered limits (MOL, RSL, MSL), found in one tight
 * pass over the column. A sample is at level 0 inside the MOL, 1 beyond the MOL, 2 beyond the
 * RSL, 3 beyond the MSL ("beyond": above a maximum, below a minimum; at the limit is inside).
 * NaN samples (not received, or NA) are skipped: they neither extend nor end a run, but two beyond
 * samples more than `maxGap_s` apart with nothing valid between them are never bridged.
 *
 * A *run* is consecutive beyond samples; an *episode* is runs closer than `merge_s` (a value that
 * flickers across a limit is one episode). A level counts for an episode only when a run held it
 * for at least `minDuration_s` (duration = last − first sample + one sample period), so a noise
 * spike is ignored; an episode with no level held is dropped. The per-row level (the worst
 * column at each row) is kept in a Uint8Array for the time-beyond metrics.
 *
 * Used by the envelope checks and by reaction.limits (which judges the BMS's reaction to the very
 * exceedances the envelope checks report).
 */

/** Level names by level (index 0 unused). */
export const LEVEL_TIERS = ['', 'MOL', 'RSL', 'MSL'] as const;

export interface Episode {
  /** Column index (cell, sensor), -1 for a pack-level column. */
  index: number;
  /** 'over': above the maximum limits; 'under': below the minimum limits. */
  dir: 'over' | 'under';
  /** First and last beyond sample (rows and times). */
  r0: number;
  r1: number;
  t_start_s: number;
  t_end_s: number;
  /** Highest level held for at least the minimum duration (1..3). */
  level: number;
  /** Per level 1..3: start of the first run that held it, NaN when never held (index 0 unused). */
  levelStart_s: number[];
  /** Per level 1..3: the scan's tag (e.g. 1 = charging limits applied) at that start. */
  levelTag: number[];
  /** Per level 1..3: time beyond it in this episode, s (samples × period). */
  beyond_s: number[];
  /** Most extreme value and its time. */
  peak: number;
  t_peak_s: number;
}

/** Thresholds of one scan range; a tier the device does not define is ±Infinity. */
export interface Bands {
  hi1: number;
  hi2: number;
  hi3: number;
  lo1: number;
  lo2: number;
  lo3: number;
}

/** Follows the beyond samples of one direction of one column; emits episodes into `out`. */
export class EpisodeTracker {
  /** A run of beyond samples is open (no valid inside sample since the last beyond one). */
  open = false;
  private index = -1;
  private lastT = NaN;
  private readonly curStart = [NaN, NaN, NaN, NaN];
  private readonly curTag = [0, 0, 0, 0];
  private ep: Episode | null = null;

  constructor(
    readonly dir: 'over' | 'under',
    private readonly minDuration_s: number,
    private readonly merge_s: number,
    private readonly maxGap_s: number,
    private readonly period_s: number,
    private readonly out: Episode[],
  ) {}

  /** Starts a column (finishes the previous one). */
  begin(index: number): void {
    this.finish();
    this.index = index;
  }

  /** A beyond sample at row r, time t, level 1..3, value v; `tag` is the scan range's tag. */
  beyond(r: number, t: number, level: number, v: number, tag: number): void {
    const cur = this.curStart;
    let ep = this.ep;
    const gap = this.open && t - this.lastT > this.maxGap_s;
    if (gap) cur[1] = cur[2] = cur[3] = NaN;
    if (ep !== null && (gap || t - ep.t_end_s > this.merge_s)) {
      this.close(ep);
      ep = null;
    }
    if (ep === null) {
      ep = {
        index: this.index,
        dir: this.dir,
        r0: r,
        r1: r,
        t_start_s: t,
        t_end_s: t,
        level: 0,
        levelStart_s: [NaN, NaN, NaN, NaN],
        levelTag: [0, 0, 0, 0],
        beyond_s: [0, 0, 0, 0],
        peak: v,
        t_peak_s: t,
      };
      this.ep = ep;
    }
    ep.r1 = r;
    ep.t_end_s = t;
    if (this.dir === 'over' ? v > ep.peak : v < ep.peak) {
      ep.peak = v;
      ep.t_peak_s = t;
    }
    const need = this.minDuration_s - 1e-9 - this.period_s;
    for (let k = 1; k <= 3; k++) {
      if (k > level) {
        cur[k] = NaN;
        continue;
      }
      ep.beyond_s[k]! += this.period_s;
      if (Number.isNaN(cur[k]!)) {
        cur[k] = t;
        this.curTag[k] = tag;
      }
      if (Number.isNaN(ep.levelStart_s[k]!) && t - cur[k]! >= need) {
        ep.levelStart_s[k] = cur[k]!;
        ep.levelTag[k] = this.curTag[k]!;
        if (k > ep.level) ep.level = k;
      }
    }
    this.open = true;
    this.lastT = t;
  }

  /** A valid sample inside the limits: the run ends. */
  inside(): void {
    this.open = false;
    const cur = this.curStart;
    cur[1] = cur[2] = cur[3] = NaN;
  }

  /** End of the column: the open episode ends. */
  finish(): void {
    this.inside();
    if (this.ep !== null) this.close(this.ep);
    this.ep = null;
  }

  private close(ep: Episode): void {
    if (ep.level > 0) this.out.push(ep);
  }
}

type ScanRange = (
  col: Float32Array | Float64Array,
  ts: Float64Array,
  r0: number,
  r1: number,
  b: Bands,
  tag: number,
  over: EpisodeTracker,
  under: EpisodeTracker,
  overRows: Uint8Array,
  underRows: Uint8Array,
  candidates: Int32Array | null,
) => void;

/** Index of the first element of the ascending `rows` that is >= r (rows.length when none). */
export function firstAtOrAfter(rows: Int32Array, r: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]! < r) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Scans rows [r0, r1) of a column against `b`, feeding the two trackers (which must have begun
 * this column) and raising the per-row levels in `overRows` / `underRows`. While no run is open
 * the loop only compares each sample with the two MOL limits (NaN fails both); the trackers are
 * called for beyond samples and at the end of a run. `candidates` (ascending rows, or null: every
 * row): the only rows where a sample may be beyond the MOL limits (timeline/ranges.ts); while no
 * run is open the loop jumps from one to the next instead of reading every row.
 */
function makeScanRange(): ScanRange {
  return (col, ts, r0, r1, b, tag, over, under, overRows, underRows, candidates) => {
    const { hi1, hi2, hi3, lo1, lo2, lo3 } = b;
    let oo = over.open;
    let uo = under.open;
    let r = r0;
    let k = candidates === null ? 0 : firstAtOrAfter(candidates, r0);
    while (r < r1) {
      if (!oo && !uo) {
        // the common case: nothing open, look for the next beyond sample
        if (candidates !== null) {
          for (;;) {
            while (k < candidates.length && candidates[k]! < r) k++;
            r = k < candidates.length ? candidates[k]! : r1;
            if (r >= r1) break;
            const v = col[r]!;
            if (v > hi1 || v < lo1) break;
            r++;
          }
        } else {
          while (r < r1) {
            const v = col[r]!;
            if (v > hi1 || v < lo1) break;
            r++;
          }
        }
        if (r >= r1) break;
      }
      const v = col[r]!;
      if (v > hi1) {
        const level = v > hi3 ? 3 : v > hi2 ? 2 : 1;
        over.beyond(r, ts[r]!, level, v, tag);
        oo = true;
        if (overRows[r]! < level) overRows[r] = level;
        if (uo) {
          under.inside();
          uo = false;
        }
      } else if (v < lo1) {
        const level = v < lo3 ? 3 : v < lo2 ? 2 : 1;
        under.beyond(r, ts[r]!, level, v, tag);
        uo = true;
        if (underRows[r]! < level) underRows[r] = level;
        if (oo) {
          over.inside();
          oo = false;
        }
      } else if (v === v) {
        if (oo) {
          over.inside();
          oo = false;
        }
        if (uo) {
          under.inside();
          uo = false;
        }
      }
      r++;
    }
  };
}

/**
 * The scan for per-cell and per-sensor columns (Float32Array) and its twin for pack-level
 * columns (Float64Array): two closures, so that each call site stays monomorphic in the
 * element type and V8 optimises each loop for its own array.
 */
export const scanRange32: ScanRange = makeScanRange();
export const scanRange64: ScanRange = makeScanRange();

/** Time at or beyond each level 1..3 from per-row levels, s (rows × period); index 0 unused. */
export function timeBeyond(rows: Uint8Array, n: number, period_s: number): number[] {
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  for (let r = 0; r < n; r++) {
    const l = rows[r]!;
    if (l === 0) continue;
    c1++;
    if (l >= 2) c2++;
    if (l >= 3) c3++;
  }
  return [0, c1 * period_s, c2 * period_s, c3 * period_s];
}

type FindRise = (col: Float32Array | Float64Array, r0: number, r1: number, k: number, d: number, step: number) => number;

/**
 * First row r = max(r0, k) + i·step (< r1) with col[r] − col[r − k] ≥ d, r1 when none: a rise of
 * d over k rows, looked at every `step` rows.
 */
function makeFirstRise(): FindRise {
  return (col, r0, r1, k, d, step) => {
    let r = Math.max(r0, k);
    while (r < r1 && !(col[r]! - col[r - k]! >= d)) r += step;
    return Math.min(r, r1);
  };
}

/** Monomorphic twins per element type (see scanRange32). */
export const firstRise32: FindRise = makeFirstRise();
export const firstRise64: FindRise = makeFirstRise();
