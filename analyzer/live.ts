/**
 * Live analysis of a stream (`natrium stream --analyze`, `natrium demo`): bytes are pushed as they
 * arrive into the same TimelineBuilder a capture goes through, and the same checks run again on
 * the growing Timeline from time to time; findings not seen before are handed out as they appear
 * (a finding's id is fixed by its check, subject and start, so an episode that grows is reported
 * once). The final report is `analyze` of the whole Timeline, the same as `natrium analyze` of
 * the capture recorded from the same bytes.
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
  private readonly seen = new Set<string>();
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
      if (this.seen.has(f.id)) continue;
      this.seen.add(f.id);
      out.push(f);
    }
    return out;
  }
}
