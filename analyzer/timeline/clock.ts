/**
 * The device's clock and sequence count as the snapshot assembler follows them (PROTOCOL.md
 * sections 6 and 7).
 *
 * `t_ms` is unwrapped (u32 wrap, PROTOCOL.md section 6) and put on ms from the first frame. A
 * frame the link delayed (its seq one counted lost in the last LATE_WINDOW_MS, at most LATE_SEQ
 * frames and LATE_WINDOW_MS behind) gets its own time. Any other step back of the seq or the
 * clock (a reset restarts both, and the new count may land ahead of the old one) is a device
 * restart: it is recorded in `Timeline.clockSteps` and the times after it are shifted so that
 * the axis stays ascending. (A restart early in a run, its new count and clock only a little
 * behind the old ones, is thus never taken for a run of late frames that would be written over
 * the old rows.)
 *
 * Loss: each forward seq step of more than one frame is a gap, listed in `Timeline.seqGaps` and
 * counted in `seqLost`; its ranges are kept for LATE_WINDOW_MS, where a late frame may belong.
 */
import { clockStep } from '../../protocol/clock.ts';
import type { Timeline } from './store.ts';

/** A frame at most this much older than the current row is a late frame, not a restart. */
export const LATE_WINDOW_MS = 10_000;
/** A frame at most this many frames behind the last one (by seq) may be a late frame. */
export const LATE_SEQ = 4096;
/** After a device restart the axis goes on this long after the last row. */
const RESTART_STEP_MS = 1;
/** A seq range the reader counted lost: `count` frames from `from` (mod 2^16), at unwrapped clock `at_ms`. */
interface LostRange {
  from: number;
  count: number;
  at_ms: number;
}

export class DeviceClock {
  /** Frames lost per the sequence numbers (after the first frame). */
  seqLost = 0;
  private readonly timeline: Timeline;
  private t0_ms = NaN;
  /** Unwrapped raw clock of the last frame, and the shift that keeps the axis ascending. */
  private lastRaw = -1;
  private unwrapped = 0;
  private shift_ms = 0;
  private lastSeq = -1;
  private lastFrameT_s = 0;
  /** The seq gap whose closing frame time is still to be set (by the next frame). */
  private openGap: { t_s: number } | null = null;
  /** The seq ranges counted lost in the last LATE_WINDOW_MS (oldest first): where a late frame may belong. */
  private readonly lost: LostRange[] = [];

  constructor(timeline: Timeline) {
    this.timeline = timeline;
  }

  /**
   * The store time of a frame, ms from the first frame; follows seq. `rowT_ms`: the time of the
   * assembler's current row (NaN before the first), where the axis goes on after a restart. A
   * late frame gets its own time and leaves the seq and clock tracking alone.
   */
  time(t_ms: number, seq: number, rowT_ms: number): number {
    this.timeline.revision++; // every frame goes through here before it is stored
    if (this.lastRaw < 0) {
      this.unwrapped = t_ms;
      this.t0_ms = t_ms;
      this.lastRaw = t_ms;
      this.lastSeq = seq;
      return this.shift_ms;
    }
    const dSeq = (seq - this.lastSeq) & 0xffff;
    const dT = clockStep(t_ms, this.lastRaw);
    // seq behind, or the clock behind (a reset restarts both, and the new count may land ahead
    // of the old one or on it: PROTOCOL.md section 6); a duplicate (same seq, same clock) is neither
    if (dSeq >= 32768 || dT < 0) {
      if (dSeq >= 32768 && 0x10000 - dSeq <= LATE_SEQ && dT <= 0 && -dT <= LATE_WINDOW_MS && this.wasLost(seq)) {
        return this.unwrapped + dT - this.t0_ms + this.shift_ms; // late frame
      }
      // device restart: continue the axis just after the last row (the old run's losses are no
      // longer where a late frame may belong)
      this.lost.length = 0;
      const raw = this.unwrapped + dT - this.t0_ms + this.shift_ms;
      const prev = Number.isNaN(rowT_ms) ? raw : rowT_ms;
      const shift = raw <= prev ? prev - raw + RESTART_STEP_MS : 0;
      this.shift_ms += shift;
      this.timeline.clockSteps.push({ row: this.timeline.length, t_s: prev / 1000, back_s: Math.max(0, -dT) / 1000, shift_s: shift / 1000 });
    } else if (dSeq >= 2 || (dSeq === 0 && dT > 0)) {
      // the same seq with the clock ahead is no repeat: the count went round
      const missing = (dSeq === 0 ? 0x10000 : dSeq) - 1;
      this.seqLost += missing;
      this.noteLost((this.lastSeq + 1) & 0xffff, missing, this.unwrapped + dT);
      const gap = { t_s: NaN, tPrev_s: this.lastFrameT_s, missing };
      this.timeline.seqGaps.push(gap);
      this.openGap = gap;
    }
    this.lastSeq = seq;
    this.unwrapped += dT;
    this.lastRaw = t_ms;
    const t = this.unwrapped - this.t0_ms + this.shift_ms;
    if (this.openGap !== null) {
      this.openGap.t_s = t / 1000;
      this.openGap = null;
    }
    this.lastFrameT_s = t / 1000;
    return t;
  }

  /** Records a lost seq range; forgets those older than LATE_WINDOW_MS. */
  private noteLost(from: number, count: number, at_ms: number): void {
    const l = this.lost;
    let k = 0;
    while (k < l.length && at_ms - l[k]!.at_ms > LATE_WINDOW_MS) k++;
    if (k > 0) l.splice(0, k);
    l.push({ from, count, at_ms });
  }

  /** True when seq is in a range counted lost in the last LATE_WINDOW_MS. */
  private wasLost(seq: number): boolean {
    for (const r of this.lost) if (((seq - r.from) & 0xffff) < r.count && this.unwrapped - r.at_ms <= LATE_WINDOW_MS) return true;
    return false;
  }
}
