/**
 * quality.frame_loss — frames lost on the link, after the first frame.
 *
 * Why: a lost PACK_STATUS or CELL_VOLTAGES hides what the pack did in that tick; every other
 * check sees only what arrived. Loss is measured twice: per periodic message type, from the
 * type's own arrival grid (Timeline.missingByType / typeGaps, bounded by the sequence gaps, so
 * a rate change is never taken for loss), and for all frames from the sequence numbers
 * (DecoderCounters.seqMissing, located by Timeline.seqGaps). PROTOCOL.md section 6.
 *
 * Severity by the lost share, lost / (lost + received): above `warning_pct` (default 0.1 %)
 * a warning, above `error_pct` (2 %) an error, any loss below that is info. The lab profile
 * sets warning_pct to 0 (any loss is a warning). One finding per message type and one for
 * all frames, each with the time range of its worst cluster of losses (or, when only single
 * frames were lost here and there, from the first loss to the last; losses closer than
 * `cluster_join_s` are one cluster); the message tells one dropout, single frames lost here and
 * there (a noisy line) and dropouts among many losses apart. Evidence: lost, received, share, clusters,
 * the worst cluster's lost frames and gaps.
 *
 * Not evaluable: the input has no sequence numbers (a trace: counters null) or no valid frame.
 */
import { messageTypeName } from '../../../protocol/messages.ts';
import { type Finding, type Severity, type Threshold, finding, round } from '../../findings.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { capFindings } from '../cap.ts';

const ID = 'quality.frame_loss';

interface Loss {
  tPrev_s: number;
  t_s: number;
  missing: number;
}

interface Cluster {
  t0: number;
  t1: number;
  lost: number;
  /** Places where frames went missing (gaps) in it. */
  gaps: number;
}

/** Clusters of losses (ascending in time) closer than join_s. */
function clusters(losses: readonly Loss[], join_s: number): Cluster[] {
  const out: Cluster[] = [];
  for (const g of losses) {
    const c = out[out.length - 1];
    if (c && g.tPrev_s - c.t1 <= join_s) {
      c.t1 = Math.max(c.t1, g.t_s);
      c.lost += g.missing;
      c.gaps++;
    } else out.push({ t0: g.tPrev_s, t1: g.t_s, lost: g.missing, gaps: 1 });
  }
  return out;
}

/** A gap of at most this many frames is a frame or two lost, as a noisy line loses them, not a dropout. */
const SCATTERED_MAX_MISSING = 2;

/** Losses of single frames here and there only: no dropout among them. */
function scattered(losses: readonly Loss[]): boolean {
  return losses.length > 1 && losses.every((g) => g.missing <= SCATTERED_MAX_MISSING);
}

/**
 * How the losses lie, for the message: one dropout ("in one dropout of 4.1 s"), single frames
 * here and there, as a noisy line loses them ("a frame or two at a time, in 39 places over 1:58"),
 * or dropouts among them ("in 7 places over 1:58; the longest dropout lost 41 over 4.2 s").
 */
function lossPattern(losses: readonly Loss[]): string {
  if (losses.length === 0) return 'at times the data does not place';
  let longest = losses[0]!;
  for (const g of losses) if (g.missing > longest.missing) longest = g;
  if (losses.length === 1) return `in one dropout of ${fmtSpan(longest.t_s - longest.tPrev_s)}`;
  const over = `in ${losses.length} places over ${fmtSpan(losses[losses.length - 1]!.t_s - losses[0]!.tPrev_s)}`;
  if (scattered(losses)) return `a frame or two at a time, ${over}`;
  return `${over}; the longest dropout lost ${longest.missing} over ${fmtSpan(longest.t_s - longest.tPrev_s)}`;
}

/**
 * The time range of a loss finding: its worst cluster; but where only single frames were lost
 * here and there (no cluster worse than another in kind), from the first loss to the last.
 */
function lossRange(losses: readonly Loss[], w: Cluster | null, session0: number, session1: number): { t_start_s: number; t_end_s: number } {
  if (w === null || losses.length === 0) return { t_start_s: session0, t_end_s: session1 };
  if (scattered(losses)) return { t_start_s: losses[0]!.tPrev_s, t_end_s: losses[losses.length - 1]!.t_s };
  return { t_start_s: w.t0, t_end_s: w.t1 };
}

/** "0.14 s", "41 s", "8:58" (m:ss from 10 min). */
function fmtSpan(s: number): string {
  if (s < 10) return `${round(s, 2)} s`;
  if (s < 600) return `${round(s, 1)} s`;
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.round(s - 60 * m)).padStart(2, '0')}`;
}

function worstOf(cs: Cluster[]): Cluster | null {
  let w: Cluster | null = null;
  for (const c of cs) if (w === null || c.lost > w.lost) w = c;
  return w;
}

export const frameLoss: Rule = {
  id: ID,
  group: 'quality',
  title: 'Frames lost on the link (per type and in total)',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, counters, profile } = ctx;
    if (counters === null) return notEvaluable('no sequence numbers: the input is a trace, not a capture');
    if (counters.frames === 0) return notEvaluable('no valid frame in the input');
    const warn = profile.threshold(`${ID}.warning_pct`, '%');
    const err = profile.threshold(`${ID}.error_pct`, '%');
    const join_s = profile.num(`${ID}.cluster_join_s`);
    const judge = (share: number): { severity: Severity; threshold: Threshold } =>
      err.value !== null && share * 100 > err.value
        ? { severity: 'error', threshold: err }
        : warn.value !== null && share * 100 > warn.value
          ? { severity: 'warning', threshold: warn }
          : { severity: 'info', threshold: warn };
    const session0 = tl.length > 0 ? tl.t_s[0]! : 0;
    const session1 = tl.length > 0 ? tl.t_s[tl.length - 1]! : 0;
    const out: Finding[] = [];
    const metrics: Record<string, number> = {};

    const types = [...tl.missingByType.keys()].sort((a, b) => a - b);
    for (const type of types) {
      const lost = tl.missingByType.get(type) ?? 0;
      if (lost <= 0) continue;
      const received = tl.received.get(type) ?? 0;
      const share = lost / (lost + received);
      const name = messageTypeName(type);
      metrics[`lost_${name}`] = lost;
      const losses = tl.typeGaps.filter((g) => g.type === type);
      const cs = clusters(losses, join_s);
      const w = worstOf(cs);
      const { severity, threshold } = judge(share);
      out.push(
        finding({
          check: ID,
          severity,
          ...lossRange(losses, w, session0, session1),
          subject: name,
          message: `${lost} ${name} messages lost of ${lost + received} (${fmtPct(share)}), ${lossPattern(losses)}`,
          evidence: {
            lost,
            received,
            share: round(share, 6),
            clusters: cs.length,
            worst_cluster_lost: w?.lost ?? null,
            worst_cluster_gaps: w?.gaps ?? null,
            first_loss_s: cs[0]?.t0 ?? null,
            last_loss_s: cs[cs.length - 1]?.t1 ?? null,
          },
          threshold,
        }),
      );
    }

    // all frames, from the sequence numbers
    const missing = counters.seqMissing;
    const share = missing / (missing + counters.frames);
    metrics.frames_lost = missing;
    metrics.frames_received = counters.frames;
    metrics.loss_share = round(share, 6);
    if (missing > 0) {
      const losses = tl.seqGaps.filter((g) => Number.isFinite(g.t_s));
      const cs = clusters(losses, join_s);
      const w = worstOf(cs);
      const { severity, threshold } = judge(share);
      out.push(
        finding({
          check: ID,
          severity,
          ...lossRange(losses, w, session0, session1),
          subject: 'all frames',
          message: `${missing} frames lost of ${missing + counters.frames} by their sequence numbers (${fmtPct(share)}), ${lossPattern(losses)}`,
          evidence: {
            lost: missing,
            received: counters.frames,
            share: round(share, 6),
            gaps: counters.seqGaps,
            clusters: cs.length,
            worst_cluster_lost: w?.lost ?? null,
            worst_cluster_gaps: w?.gaps ?? null,
            first_loss_s: cs[0]?.t0 ?? null,
            last_loss_s: cs[cs.length - 1]?.t1 ?? null,
          },
          threshold,
        }),
      );
    }
    return { evaluable: true, findings: capFindings(ID, out, profile.threshold(`${ID}.max_findings`, 'findings'), 'frame-loss findings'), metrics };
  },
};

function fmtPct(x: number): string {
  return `${(x * 100).toPrecision(2)} %`;
}
