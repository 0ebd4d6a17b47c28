/**
 * Live analysis of a stream (`natrium stream --analyze`, `natrium demo`): bytes are pushed as they
 * arrive into the same TimelineBuilder a capture goes through, and the same checks run again on
 * the growing Timeline from time to time; findings not seen before are handed out as they appear
 * (a finding's id is fixed by its check, subject and start, so an episode that grows is reported
 * once, and again when it reaches a higher severity: a cell that went on from the RSL to the
 * MSL). A finding that continues one handed out before, same check, subject and severity over
 * an overlapping time range, is not handed out again although its id changed: a group of cells
 * whose first cell moved on to the next tier (the group now starts at the second), an onset
 * fitted again on more data. The final report is `analyze` of the whole Timeline, the same as
 * `natrium analyze` of the capture recorded from the same bytes.
 *
 * Re-running every check costs time proportional to the data, so the interval adapts: after a
 * run that took c ms, the next is due no sooner than max(minInterval_ms, budget × c) later
 * (default: at most a fifth of the wall time goes to live re-analysis).
 */
import { type AnalyzeOptions, type InputMeta, type Report, analyze } from './analyze.ts';
import type { Finding } from './findings.ts';
import { TimelineBuilder } from './timeline/ingest.ts';

export interface LiveOptions extends AnalyzeOptions {
  /** Shortest wall time between two re-analyses, ms (default 1000). */
  minInterval_ms?: number;
  /** Wall time per unit of analysis time (default 5: analysis takes at most 1/5 of the time). */
  budget?: number;
  /** Wall clock, ms (tests). */
  now?: () => number;
}

export class LiveAnalyzer {
  readonly builder = new TimelineBuilder();
  /** Ids of the findings handed out, each with its severity. */
  private readonly seen = new Set<string>();
  /** The findings handed out, by check, subject and severity (for `continues`). */
  private readonly given = new Map<string, { t_start_s: number; t_end_s: number }[]>();
  private readonly o: LiveOptions;
  private readonly meta: InputMeta;
  private next_ms = 0;
  /** Re-analyses run so far. */
  runs = 0;

  constructor(meta: InputMeta, options: LiveOptions) {
    this.meta = meta;
    this.o = options;
  }

  push(chunk: Uint8Array): void {
    this.builder.push(chunk);
  }

  private now(): number {
    return this.o.now ? this.o.now() : performance.now();
  }

  /** Re-analyses when due; returns the findings that are new since the last call. */
  poll(): Finding[] {
    const t = this.now();
    if (t < this.next_ms || this.builder.timeline.length === 0) return [];
    const r = this.report(false);
    const cost = this.now() - t;
    this.runs++;
    this.next_ms = this.now() + Math.max(this.o.minInterval_ms ?? 1000, (this.o.budget ?? 5) * cost);
    return this.fresh(r);
  }

  /** The report of everything so far (`final`: the input has ended). */
  report(final: boolean): Report {
    const b = this.builder;
    if (final) b.finish();
    return analyze(
      {
        timeline: b.timeline,
        counters: { ...b.counters },
        lateFrames: b.assembler.lateFrames,
        seqLost: b.assembler.seqLost,
        meta: { ...this.meta, bytes: b.bytes },
      },
      this.o,
    );
  }

  /** Ends the input: the final report, and the findings not handed out yet. */
  finish(): { report: Report; fresh: Finding[] } {
    const report = this.report(true);
    return { report, fresh: this.fresh(report) };
  }

  private fresh(r: Report): Finding[] {
    const out: Finding[] = [];
    for (const f of r.findings) {
      const key = `${f.id}\u0000${f.severity}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      if (this.continues(f)) continue;
      out.push(f);
    }
    return out;
  }

  /**
   * True when `f` overlaps in time a finding handed out before with its check, subject and
   * severity (whose recorded range then spans both, so that the episode's next form is matched
   * too); otherwise `f` is recorded as handed out.
   */
  private continues(f: Finding): boolean {
    const key = `${f.check}\u0000${f.subject}\u0000${f.severity}`;
    const list = this.given.get(key);
    const range = { t_start_s: f.t_start_s, t_end_s: f.t_end_s };
    if (list === undefined) {
      this.given.set(key, [range]);
      return false;
    }
    for (const g of list) {
      if (f.t_start_s <= g.t_end_s && g.t_start_s <= f.t_end_s) {
        g.t_start_s = Math.min(g.t_start_s, f.t_start_s);
        g.t_end_s = Math.max(g.t_end_s, f.t_end_s);
        return true;
      }
    }
    list.push(range);
    return false;
  }
}
