/**
 * Episodes per subject (a sensor, or the pack) from a stream of flagged instants, without an
 * object per instant: the open episode of each subject lives in typed arrays. Flagged instants of
 * one subject closer than `join_s` are one episode (a flickering condition is one finding), which
 * ends at its last flagged instant; instants are given in time order per subject. Each keeps its first and last time,
 * its peak value and where the peak was, and its worst level (0 warning, 1 error).
 */

export interface Episode {
  subject: number;
  t_start_s: number;
  t_end_s: number;
  /** Highest value seen in the episode, and its time. */
  peak: number;
  tPeak_s: number;
  /** Second value tracked at the peak (what the caller wants to report with it). */
  aux: number;
  /** 0 = warning level, 1 = error level. */
  level: number;
  /** Flagged instants. */
  count: number;
}

export class EpisodeTracker {
  readonly done: Episode[] = [];
  private readonly start: Float64Array;
  private readonly last: Float64Array;
  private readonly peak: Float64Array;
  private readonly tPeak: Float64Array;
  private readonly aux: Float64Array;
  private readonly level: Int8Array;
  private readonly count: Int32Array;
  private readonly join_s: number;

  constructor(subjects: number, join_s: number) {
    this.start = new Float64Array(subjects).fill(NaN);
    this.last = new Float64Array(subjects);
    this.peak = new Float64Array(subjects);
    this.tPeak = new Float64Array(subjects);
    this.aux = new Float64Array(subjects);
    this.level = new Int8Array(subjects);
    this.count = new Int32Array(subjects);
    this.join_s = join_s;
  }

  /** Subject s is flagged at time t with a value and level. */
  flag(s: number, t: number, value: number, aux: number, level: number): void {
    if (this.start[s]! === this.start[s]! && t - this.last[s]! > this.join_s) this.close(s);
    if (this.start[s]! !== this.start[s]!) {
      this.start[s] = t;
      this.peak[s] = -Infinity;
      this.level[s] = 0;
      this.count[s] = 0;
    }
    this.last[s] = t;
    this.count[s]!++;
    if (value > this.peak[s]!) {
      this.peak[s] = value;
      this.tPeak[s] = t;
      this.aux[s] = aux;
    }
    if (level > this.level[s]!) this.level[s] = level;
  }

  /** Closes every open episode; returns them all, ordered by start. */
  finish(): Episode[] {
    for (let s = 0; s < this.start.length; s++) if (this.start[s]! === this.start[s]!) this.close(s);
    return this.done.sort((a, b) => a.t_start_s - b.t_start_s || a.subject - b.subject);
  }

  private close(s: number): void {
    this.done.push({
      subject: s,
      t_start_s: this.start[s]!,
      t_end_s: this.last[s]!,
      peak: this.peak[s]!,
      tPeak_s: this.tPeak[s]!,
      aux: this.aux[s]!,
      level: this.level[s]!,
      count: this.count[s]!,
    });
    this.start[s] = NaN;
  }
}
