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
 * all frames, each with the time range of its worst cluster of losses (losses closer than
 * `cluster_join_s` are one cluster); evidence: lost, received, share, clusters.
 *
 * Not evaluable: the input has no sequence numbers (a trace: counters null) or no valid frame.
 */
import { messageTypeName } from '../../../protocol/messages.ts';
import { type Finding, type Severity, type Threshold, counted, finding, round } from '../../findings.ts';
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
}

/** Clusters of losses (ascending in time) closer than join_s. */
function clusters(losses: readonly Loss[], join_s: number): Cluster[] {
  const out: Cluster[] = [];
  for (const g of losses) {
    const c = out[out.length - 1];
    if (c && g.tPrev_s - c.t1 <= join_s) {
      c.t1 = Math.max(c.t1, g.t_s);
      c.lost += g.missing;
    } else out.push({ t0: g.tPrev_s, t1: g.t_s, lost: g.missing });
  }
  return out;
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
      const cs = clusters(
        tl.typeGaps.filter((g) => g.type === type),
        join_s,
      );
      const w = worstOf(cs);
      const { severity, threshold } = judge(share);
      out.push(
        finding({
          check: ID,
          severity,
          t_start_s: w?.t0 ?? session0,
          t_end_s: w?.t1 ?? session1,
          subject: name,
          message: `${lost} ${name} messages lost of ${lost + received} (${fmtPct(share)}), in ${counted(cs.length, 'cluster')}; the worst lost ${w?.lost ?? lost}`,
          evidence: {
            lost,
            received,
            share: round(share, 6),
            clusters: cs.length,
            worst_cluster_lost: w?.lost ?? null,
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
      const cs = clusters(
        tl.seqGaps.filter((g) => Number.isFinite(g.t_s)),
        join_s,
      );
      const w = worstOf(cs);
      const { severity, threshold } = judge(share);
      out.push(
        finding({
          check: ID,
          severity,
          t_start_s: w?.t0 ?? session0,
          t_end_s: w?.t1 ?? session1,
          subject: 'all frames',
          message: `${missing} frames lost of ${missing + counters.frames} by their sequence numbers (${fmtPct(share)}), in ${counted(cs.length, 'cluster')}; the worst lost ${w?.lost ?? missing}`,
          evidence: {
            lost: missing,
            received: counters.frames,
            share: round(share, 6),
            gaps: counters.seqGaps,
            clusters: cs.length,
            worst_cluster_lost: w?.lost ?? null,
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
